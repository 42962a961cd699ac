//! The pure part of the build: sources in, pages out.
//!
//! [`Sources::load`] reads the files; [`generate`] turns them into a
//! [`Site`] (every output file in memory) or into the complete list of
//! problems; `Site::write_to` writes it. Articles are
//! parsed and rendered in parallel; the header navigation is rendered once
//! and spliced into every page. Pages stay bounded as the site grows: an
//! article page lists a window of its category ([`CATEGORY_NAV_WINDOW`]),
//! the home page the first articles of each ([`HOME_LIST_LIMIT`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::{CONFIG_FILE, Category, Overrides, SiteConfig};
use crate::content::{FrontMatter, SourceFile, load_articles, parse_document};
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex};
use crate::markdown::{self, FormsEnv, LinkTarget, RenderedBody, TocEntry};
use crate::search;
use crate::text::is_slug;
use crate::theme::{THEME_DIR, Theme, error_chain, fingerprinted};

/// URL of the ticket lookup page.
pub const TICKET_PAGE: &str = "/consultar-ticket/";
/// First segment of the category pages' URLs.
pub const CATEGORY_PREFIX: &str = "categorias";
/// Article slugs that would collide with generated pages or the API.
pub const RESERVED_SLUGS: &[&str] = &[CATEGORY_PREFIX, "consultar-ticket", "api"];
/// The live-reload script that `serve` adds to every page.
pub const LIVE_RELOAD_SCRIPT: &str = "__livereload.js";
/// How many articles of its category an article page lists ("Más en …"):
/// a window around the article, so that pages do not grow with the
/// category. The category page lists them all.
pub const CATEGORY_NAV_WINDOW: usize = 8;
/// How many articles of each category the home page lists.
pub const HOME_LIST_LIMIT: usize = 5;

/// Everything a build reads.
#[derive(Debug, Clone)]
pub struct Sources {
    pub config: SourceFile,
    pub articles: Vec<SourceFile>,
    pub theme: Theme,
}

impl Sources {
    /// Reads `root/site.toml` and the articles under `root/content/`.
    pub fn load(root: &Path, theme: Theme) -> anyhow::Result<Sources> {
        let config_path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_path)
            .map_err(|e| anyhow::anyhow!("no se pudo leer {}: {e}", config_path.display()))?;
        let articles = load_articles(root)
            .map_err(|e| anyhow::anyhow!("no se pudo leer {}/content: {e}", root.display()))?;
        Ok(Sources {
            config: SourceFile {
                path: CONFIG_FILE.into(),
                text,
            },
            articles,
            theme,
        })
    }
}

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub overrides: Overrides,
    /// Adds the live-reload script to every page (`serve` only).
    pub live_reload: bool,
}

/// A generated site: every output file by its path (`index.html`,
/// `como-abrir-un-ticket/index.html`, `sitemap.xml`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub(crate) files: BTreeMap<String, String>,
    pub(crate) stylesheet: String,
    pub(crate) script: String,
    pub(crate) search_index: String,
}

impl Site {
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    pub fn file(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Number of HTML pages.
    pub fn page_count(&self) -> usize {
        self.files
            .keys()
            .filter(|path| path.ends_with(".html"))
            .count()
    }

    /// File name of the fingerprinted stylesheet (`estilo.3fa9c2d1.css`).
    pub fn stylesheet(&self) -> &str {
        &self.stylesheet
    }

    /// File name of the fingerprinted script (`app.3fa9c2d1.js`).
    pub fn script(&self) -> &str {
        &self.script
    }

    /// File name of the fingerprinted search index (`busqueda.3fa9c2d1.json`).
    pub fn search_index(&self) -> &str {
        &self.search_index
    }
}

/// The output file of a page URL: `/x/` → `x/index.html`.
pub fn file_of_url(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

fn url_of_file(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{file}"),
    }
}

struct Article<'a> {
    slug: &'a str,
    file: &'a str,
    front_matter: FrontMatter,
    body: RenderedBody,
}

#[derive(Serialize)]
struct PageMeta<'a> {
    url: &'a str,
    title: &'a str,
    description: &'a str,
    og_type: &'a str,
    noindex: bool,
    keywords: String,
}

#[derive(Serialize)]
struct ArticleSummary<'a> {
    slug: &'a str,
    title: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct CategoryListing<'a> {
    #[serde(flatten)]
    category: &'a Category,
    /// The first [`HOME_LIST_LIMIT`] articles.
    articles: Vec<ArticleSummary<'a>>,
    /// How many articles the category has.
    total: usize,
}

/// The part of `len` items that a list of at most `size` shows around item
/// `at`: up to `size / 2 - 1` items before it, the rest after, shifted to
/// stay within the items.
fn window(at: usize, len: usize, size: usize) -> Range<usize> {
    let start = at
        .saturating_sub((size / 2).saturating_sub(1))
        .min(len.saturating_sub(size));
    start..len.min(start + size)
}

/// Builds the site, or returns every problem found.
pub fn generate(sources: &Sources, options: &Options) -> Result<Site, Diagnostics> {
    let config =
        SiteConfig::parse(&sources.config.text, &options.overrides).map_err(Diagnostics::new)?;
    let tera = sources
        .theme
        .tera()
        .map_err(|d| Diagnostics::new(vec![d]))?;
    let env = FormsEnv {
        forms: &config.forms,
        api_url: &config.api_url,
    };

    let parsed: Vec<(Option<Article<'_>>, Vec<Diagnostic>)> = sources
        .articles
        .par_iter()
        .map(|file| parse_article(file, &env))
        .collect();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut candidates = Vec::new();
    for (article, mut article_errors) in parsed {
        errors.append(&mut article_errors);
        candidates.extend(article);
    }

    // Every file with a usable name counts as a known slug, even if its
    // front matter failed: links to it are not reported twice.
    let known: BTreeMap<&str, &str> = sources.articles.iter().filter(|f| is_slug(f.stem())).fold(
        BTreeMap::new(),
        |mut map, f| {
            map.entry(f.stem()).or_insert(f.path.as_str());
            map
        },
    );
    let mut articles = check_articles(candidates, &known, &config, &mut errors);
    let category_index: HashMap<&str, usize> = config
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.as_str(), i))
        .collect();
    articles.sort_by(|a, b| {
        let key = |x: &Article<'_>| {
            (
                category_index
                    .get(x.front_matter.category.value.as_str())
                    .copied(),
                x.front_matter.order,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.slug.cmp(b.slug))
    });

    let index = search_index(&config, &articles, &category_index);
    let mut renderer = PageRenderer::new(
        &tera,
        &config,
        &sources.theme,
        &articles,
        options.live_reload,
        fingerprinted(search::INDEX_FILE, &index),
    );
    let rendered = renderer.render_all();
    let mut files = BTreeMap::new();
    for page in rendered {
        match page {
            Ok((path, html)) => {
                files.insert(path, html);
            }
            Err(diagnostic) => errors.push(diagnostic),
        }
    }
    files.insert(
        renderer.assets.favicon.to_owned(),
        sources.theme.favicon().to_owned(),
    );
    files.insert(renderer.assets.css.clone(), renderer.css.clone());
    files.insert(renderer.assets.js.clone(), renderer.js.clone());
    files.insert(renderer.assets.search.clone(), index);

    errors.extend(check_links(&articles, &known, &files));
    errors.extend(check_unique_ids(&articles, &files));
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    Ok(Site {
        files,
        stylesheet: renderer.assets.css.clone(),
        script: renderer.assets.js.clone(),
        search_index: renderer.assets.search.clone(),
    })
}

/// The search index of the published articles, in the site's order.
fn search_index(
    config: &SiteConfig,
    articles: &[Article<'_>],
    category_index: &HashMap<&str, usize>,
) -> String {
    let categories: Vec<&str> = config.categories.iter().map(|c| c.name.as_str()).collect();
    let docs: Vec<search::Document<'_>> = articles
        .iter()
        .map(|article| {
            let fm = &article.front_matter;
            search::Document {
                slug: article.slug,
                title: &fm.title,
                description: &fm.description,
                category: category_index
                    .get(fm.category.value.as_str())
                    .copied()
                    .unwrap_or_default(),
                tags: &fm.tags,
                headings: article
                    .body
                    .headings
                    .iter()
                    .map(|h| h.text.as_str())
                    .collect(),
                body: &article.body.text,
            }
        })
        .collect();
    search::build_index(&categories, &docs)
}

/// Keeps the articles that can be published: unique, non-reserved slug and
/// known category. Also checks `related`.
fn check_articles<'a>(
    candidates: Vec<Article<'a>>,
    known: &BTreeMap<&str, &str>,
    config: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Article<'a>> {
    let mut articles = Vec::new();
    for article in candidates {
        let first = known.get(article.slug).copied().unwrap_or(article.file);
        let category = &article.front_matter.category;
        if first != article.file {
            errors.push(Diagnostic::new(
                article.file,
                1,
                format!("slug duplicado «{}»: {first} ya lo usa; cambie el nombre de uno de los dos archivos", article.slug),
            ));
        } else if RESERVED_SLUGS.contains(&article.slug) {
            errors.push(Diagnostic::new(
                article.file,
                1,
                format!("el slug «{}» está reservado (la dirección /{}/ ya la usa el sitio): cambie el nombre del archivo", article.slug, article.slug),
            ));
        } else if config.category(&category.value).is_none() {
            let names: Vec<&str> = config.categories.iter().map(|c| c.slug.as_str()).collect();
            errors.push(Diagnostic::new(
                article.file,
                category.line,
                format!(
                    "categoría desconocida «{}»: use uno de los slugs de [[categories]] en site.toml ({})",
                    category.value,
                    names.join(", ")
                ),
            ));
        } else {
            articles.push(article);
        }
    }
    for article in &articles {
        for related in &article.front_matter.related {
            if !known.contains_key(related.value.as_str()) {
                errors.push(Diagnostic::new(
                    article.file,
                    related.line,
                    format!(
                        "artículo relacionado desconocido «{}»: no existe content/{}.md; corrija el slug en «related» o quítelo",
                        related.value, related.value
                    ),
                ));
            } else if related.value == article.slug {
                errors.push(Diagnostic::new(
                    article.file,
                    related.line,
                    "un artículo no puede estar relacionado consigo mismo: quítelo de «related»",
                ));
            }
        }
    }
    articles
}

fn parse_article<'a>(
    file: &'a SourceFile,
    env: &FormsEnv<'_>,
) -> (Option<Article<'a>>, Vec<Diagnostic>) {
    let slug = file.stem();
    if !is_slug(slug) {
        return (
            None,
            vec![Diagnostic::new(
                &file.path,
                1,
                format!(
                    "nombre de archivo no válido «{slug}.md»: el nombre es la dirección de la página; use minúsculas sin acentos, dígitos y guiones (p. ej. como-abrir-un-ticket.md)"
                ),
            )],
        );
    }
    let lines = LineIndex::new(&file.text);
    let document = match parse_document(file, &lines) {
        Ok(document) => document,
        Err(error) => return (None, vec![error]),
    };
    let (body, errors) =
        markdown::render(&file.path, &lines, document.body, document.body_offset, env);
    let article = Article {
        slug,
        file: &file.path,
        front_matter: document.front_matter,
        body,
    };
    (Some(article), errors)
}

#[derive(Serialize)]
struct Assets {
    css: String,
    js: String,
    /// The search index (see [`search`]).
    search: String,
    favicon: &'static str,
    live_reload: &'static str,
}

struct PageRenderer<'a> {
    tera: &'a Tera,
    config: &'a SiteConfig,
    articles: &'a [Article<'a>],
    by_slug: HashMap<&'a str, &'a Article<'a>>,
    /// Where each category's articles are in `articles` (sorted by category).
    by_category: HashMap<&'a str, Range<usize>>,
    base: Context,
    nav: SharedList,
    assets: Assets,
    css: String,
    js: String,
}

type Page = Result<(String, String), Diagnostic>;

impl<'a> PageRenderer<'a> {
    fn new(
        tera: &'a Tera,
        config: &'a SiteConfig,
        theme: &Theme,
        articles: &'a [Article<'a>],
        live_reload: bool,
        search_index: String,
    ) -> Self {
        let css = format!(
            "{}\n{}",
            theme.stylesheet().trim_end(),
            help_forms::assets::FORMS_CSS
        );
        let js = format!(
            "{}\n{}",
            theme.script().trim_end(),
            help_forms::assets::FORMS_JS
        );
        let assets = Assets {
            css: fingerprinted("estilo.css", &css),
            js: fingerprinted("app.js", &js),
            search: search_index,
            favicon: "favicon.svg",
            live_reload: LIVE_RELOAD_SCRIPT,
        };
        let mut base = Context::new();
        base.insert("site", &site_values(config));
        base.insert("assets", &assets);
        base.insert("api_url", &config.api_url);
        base.insert("live_reload", &live_reload);
        let mut by_category: HashMap<&str, Range<usize>> = HashMap::new();
        for (i, article) in articles.iter().enumerate() {
            by_category
                .entry(article.front_matter.category.value.as_str())
                .and_modify(|range| range.end = i + 1)
                .or_insert(i..i + 1);
        }
        PageRenderer {
            tera,
            config,
            articles,
            by_slug: articles.iter().map(|a| (a.slug, a)).collect(),
            by_category,
            base,
            nav: SharedList::default(),
            assets,
            css,
            js,
        }
    }

    /// Renders a template; errors name the template.
    fn render(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|e| {
            Diagnostic::without_line(format!("{THEME_DIR}/templates/{template}"), error_chain(&e))
        })
    }

    fn fragment(&self, template: &str, extra: &Context) -> Result<String, Diagnostic> {
        let mut context = self.base.clone();
        context.extend(extra.clone());
        self.render(template, &context)
    }

    fn page_context(&self, meta: &PageMeta<'_>) -> Context {
        let mut context = self.base.clone();
        context.insert("page", meta);
        context.insert("nav", NAV_SLOT);
        context
    }

    /// Renders a page and splices in the header navigation, marking the
    /// link to `current` in it as the current page.
    fn render_page(
        &self,
        template: &str,
        context: &Context,
        current: &str,
    ) -> Result<String, Diagnostic> {
        let rendered = self.render(template, context)?;
        Ok(splice(&rendered, NAV_SLOT, &self.nav, current))
    }

    /// The articles of a category, in order.
    fn in_category(&self, category: &str) -> &'a [Article<'a>] {
        self.by_category
            .get(category)
            .map_or(&[], |range| &self.articles[range.clone()])
    }

    fn summaries(&self, articles: &'a [Article<'a>]) -> Vec<ArticleSummary<'a>> {
        articles.iter().map(summary).collect()
    }

    /// Renders the shared fragments once, then every page.
    fn render_all(&mut self) -> Vec<Page> {
        let mut context = Context::new();
        context.insert("categories", &self.config.categories);
        match self.fragment("partials/nav.html", &context) {
            Ok(nav) => self.nav = SharedList::new(nav),
            Err(e) => return vec![Err(e)],
        }
        let mut pages: Vec<Page> = (0..self.articles.len())
            .into_par_iter()
            .map(|index| self.article_page(index))
            .collect();
        pages.push(self.home());
        pages.extend(self.config.categories.iter().map(|c| self.category_page(c)));
        pages.push(self.ticket_page());
        pages.push(self.not_found_page());
        pages.push(self.robots());
        pages.push(self.sitemap(&pages));
        pages
    }

    fn article_page(&self, index: usize) -> Page {
        let article = &self.articles[index];
        let url = format!("/{}/", article.slug);
        let fm = &article.front_matter;
        let meta = PageMeta {
            url: &url,
            title: &fm.title,
            description: &fm.description,
            og_type: "article",
            noindex: false,
            keywords: fm.tags.join(", "),
        };
        let mut context = self.page_context(&meta);
        let category = self.config.category(&fm.category.value);
        context.insert("category", &category);
        context.insert("article", &summary(article));
        context.insert("body", &article.body.html);
        let toc: Vec<TocEntry> = markdown::table_of_contents(&article.body.headings);
        context.insert("toc", &toc);
        let related: Vec<ArticleSummary<'_>> = fm
            .related
            .iter()
            .filter_map(|r| self.by_slug.get(r.value.as_str()))
            .map(|a| summary(a))
            .collect();
        context.insert("related", &related);
        let siblings = self
            .by_category
            .get(fm.category.value.as_str())
            .cloned()
            .unwrap_or(index..index + 1);
        let shown = window(index - siblings.start, siblings.len(), CATEGORY_NAV_WINDOW);
        let neighbours = &self.articles[siblings.start + shown.start..siblings.start + shown.end];
        context.insert("category_articles", &self.summaries(neighbours));
        context.insert("category_total", &siblings.len());
        let html = self.render_page("article.html", &context, &url)?;
        Ok((file_of_url(&url), html))
    }

    fn home(&self) -> Page {
        let meta = PageMeta {
            url: "/",
            title: &self.config.title,
            description: &self.config.description,
            og_type: "website",
            noindex: false,
            keywords: String::new(),
        };
        let mut context = self.page_context(&meta);
        let listings: Vec<CategoryListing<'_>> = self
            .config
            .categories
            .iter()
            .map(|category| {
                let articles = self.in_category(&category.slug);
                CategoryListing {
                    category,
                    articles: self.summaries(&articles[..articles.len().min(HOME_LIST_LIMIT)]),
                    total: articles.len(),
                }
            })
            .collect();
        context.insert("categories", &listings);
        let html = self.render_page("home.html", &context, "/")?;
        Ok(("index.html".into(), html))
    }

    fn category_page(&self, category: &Category) -> Page {
        let url = format!("/{CATEGORY_PREFIX}/{}/", category.slug);
        let meta = PageMeta {
            url: &url,
            title: &category.name,
            description: &category.description,
            og_type: "website",
            noindex: false,
            keywords: String::new(),
        };
        let mut context = self.page_context(&meta);
        context.insert("category", category);
        context.insert(
            "articles",
            &self.summaries(self.in_category(&category.slug)),
        );
        let html = self.render_page("category.html", &context, &url)?;
        Ok((file_of_url(&url), html))
    }

    fn ticket_page(&self) -> Page {
        let meta = PageMeta {
            url: TICKET_PAGE,
            title: "Consultar ticket",
            description: "Consulte el estado de su ticket con el número y la clave de acceso que recibió al crearlo.",
            og_type: "website",
            noindex: false,
            keywords: String::new(),
        };
        let context = self.page_context(&meta);
        let html = self.render_page("ticket.html", &context, TICKET_PAGE)?;
        Ok((file_of_url(TICKET_PAGE), html))
    }

    fn not_found_page(&self) -> Page {
        let meta = PageMeta {
            url: "/404.html",
            title: "Página no encontrada",
            description: "La página que busca no existe o cambió de dirección.",
            og_type: "website",
            noindex: true,
            keywords: String::new(),
        };
        let mut context = self.page_context(&meta);
        context.insert("categories", &self.config.categories);
        let html = self.render_page("404.html", &context, "/404.html")?;
        Ok(("404.html".into(), html))
    }

    fn robots(&self) -> Page {
        Ok(("robots.txt".into(), self.render("robots.txt", &self.base)?))
    }

    fn sitemap(&self, pages: &[Page]) -> Page {
        let mut urls: Vec<String> = pages
            .iter()
            .filter_map(|page| page.as_ref().ok())
            .map(|(file, _)| file)
            .filter(|file| file.ends_with("index.html"))
            .map(|file| format!("{}{}", self.config.base_url, url_of_file(file)))
            .collect();
        urls.sort();
        let mut context = self.base.clone();
        context.insert("urls", &urls);
        Ok(("sitemap.xml".into(), self.render("sitemap.xml", &context)?))
    }
}

fn site_values(config: &SiteConfig) -> BTreeMap<&'static str, &str> {
    BTreeMap::from([
        ("title", config.title.as_str()),
        ("description", config.description.as_str()),
        ("base_url", config.base_url.as_str()),
        ("language", config.language.as_str()),
    ])
}

fn summary<'a>(article: &'a Article<'_>) -> ArticleSummary<'a> {
    ArticleSummary {
        slug: article.slug,
        title: &article.front_matter.title,
        description: &article.front_matter.description,
    }
}

/// Placeholder that templates output where the header navigation goes.
const NAV_SLOT: &str = "<!--site-gen:nav-->";

/// A list rendered once and shared by every page (the header navigation).
/// Pages get it through a placeholder replaced after rendering, so the list
/// is copied once per page instead of going through Tera's context,
/// escaping and UTF-8 check again on every page.
#[derive(Default)]
struct SharedList {
    html: String,
    /// For each link target, where `aria-current` goes: right after its
    /// `href` attribute.
    current_at: HashMap<String, usize>,
}

impl SharedList {
    fn new(html: String) -> Self {
        let mut current_at = HashMap::new();
        for (start, found) in html.match_indices("href=\"") {
            let value_start = start + found.len();
            if let Some(length) = html[value_start..].find('"') {
                let href = html[value_start..value_start + length].to_owned();
                current_at.entry(href).or_insert(value_start + length + 1);
            }
        }
        SharedList { html, current_at }
    }

    fn push_marked(&self, current: &str, out: &mut String) {
        match self.current_at.get(current) {
            Some(&at) => {
                out.push_str(&self.html[..at]);
                out.push_str(" aria-current=\"page\"");
                out.push_str(&self.html[at..]);
            }
            None => out.push_str(&self.html),
        }
    }
}

/// Replaces `slot` in `rendered` by `list`, marking `current`.
fn splice(rendered: &str, slot: &str, list: &SharedList, current: &str) -> String {
    let Some(at) = rendered.find(slot) else {
        return rendered.to_owned();
    };
    let mut out = String::with_capacity(rendered.len() + list.html.len() + 24);
    out.push_str(&rendered[..at]);
    list.push_marked(current, &mut out);
    out.push_str(&rendered[at + slot.len()..]);
    out
}

/// The ids of a rendered page, in order.
fn ids_in(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices(" id=\"").filter_map(|(start, found)| {
        let rest = &html[start + found.len()..];
        rest.find('"').map(|end| &rest[..end])
    })
}

/// Checks every link of every article against the generated files, and
/// fragments against the ids of the target page.
fn check_links(
    articles: &[Article<'_>],
    known: &BTreeMap<&str, &str>,
    files: &BTreeMap<String, String>,
) -> Vec<Diagnostic> {
    let by_slug: HashMap<&str, &Article<'_>> = articles.iter().map(|a| (a.slug, a)).collect();
    let article_at = |url: &str| {
        let slug = url.strip_prefix('/').and_then(|u| u.strip_suffix('/'));
        slug.and_then(|slug| by_slug.get(slug).copied())
    };
    let mut errors = Vec::new();
    // Fragments that are not a heading of the target: looked up in the
    // rendered page (template ids, forms…).
    let mut fragments: Vec<(&Article<'_>, usize, String, &str, &str)> = Vec::new();
    for article in articles {
        for link in &article.body.links {
            let error = |message: String| Diagnostic::new(article.file, link.line, message);
            let (url, fragment) = match &link.target {
                LinkTarget::SamePage { fragment } => {
                    (format!("/{}/", article.slug), Some(fragment))
                }
                LinkTarget::Article { slug, fragment } => {
                    if !known.contains_key(slug.as_str()) {
                        errors.push(error(format!(
                            "enlace a un artículo inexistente «{}»: no existe content/{slug}.md; corrija el slug",
                            link.written
                        )));
                        continue;
                    }
                    (format!("/{slug}/"), fragment.as_ref())
                }
                LinkTarget::Path { path, fragment } => {
                    let path = path.strip_suffix("index.html").unwrap_or(path);
                    // An article that failed to build was reported on its own.
                    let failed_article = path
                        .strip_prefix('/')
                        .and_then(|p| p.strip_suffix('/'))
                        .is_some_and(|slug| known.contains_key(slug));
                    if !files.contains_key(&file_of_url(path)) && !failed_article {
                        let with_slash = format!("{path}/");
                        let hint = if !path.ends_with('/')
                            && files.contains_key(&file_of_url(&with_slash))
                        {
                            format!("escriba {with_slash} (con la barra final)")
                        } else {
                            "para otro artículo use [texto](@/slug); las demás páginas son /, /consultar-ticket/ y /categorias/<slug>/".into()
                        };
                        errors.push(error(format!(
                            "enlace roto «{}»: esa página no existe en el sitio; {hint}",
                            link.written
                        )));
                        continue;
                    }
                    (path.to_owned(), fragment.as_ref())
                }
            };
            let Some(fragment) = fragment else { continue };
            let is_heading = article_at(&url)
                .is_some_and(|target| target.body.headings.iter().any(|h| h.id == *fragment));
            if !is_heading {
                fragments.push((
                    article,
                    link.line,
                    url,
                    fragment.as_str(),
                    link.written.as_str(),
                ));
            }
        }
    }
    let targets: BTreeSet<&str> = fragments
        .iter()
        .map(|(_, _, url, _, _)| url.as_str())
        .collect();
    let ids: HashMap<&str, HashSet<&str>> = targets
        .into_par_iter()
        .filter_map(|url| {
            let html = files.get(&file_of_url(url))?;
            Some((url, ids_in(html).collect()))
        })
        .collect();
    for (article, line, url, fragment, written) in &fragments {
        // A target that failed to render was reported on its own.
        let Some(page_ids) = ids.get(url.as_str()) else {
            continue;
        };
        if !page_ids.contains(fragment) {
            let available = match article_at(url) {
                Some(target) if !target.body.headings.is_empty() => format!(
                    "; anclas de sus títulos: {}",
                    target
                        .body
                        .headings
                        .iter()
                        .map(|h| format!("#{}", h.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => String::new(),
            };
            let link = if *written == format!("#{fragment}") {
                String::new()
            } else {
                format!(" de «{written}»")
            };
            errors.push(Diagnostic::new(
                article.file,
                *line,
                format!("el ancla «#{fragment}»{link} no existe en {url}{available}"),
            ));
        }
    }
    errors
}

/// Pages that embed a form mix HTML from two sources: check that no id is
/// used twice (a heading named like a form field, for instance).
fn check_unique_ids(articles: &[Article<'_>], files: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for article in articles.iter().filter(|a| a.body.has_form) {
        let Some(html) = files.get(&file_of_url(&format!("/{}/", article.slug))) else {
            continue;
        };
        let mut seen = HashSet::new();
        let repeated: BTreeSet<&str> = ids_in(html).filter(|id| !seen.insert(*id)).collect();
        for id in repeated {
            let line = article
                .body
                .headings
                .iter()
                .find(|h| h.id == id)
                .map_or(1, |h| h.line);
            errors.push(Diagnostic::new(
                article.file,
                line,
                format!("el id «{id}» aparece dos veces en la página (un título del artículo y el formulario): cambie el texto del título"),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_current_item_with_its_neighbours_within_bounds() {
        // Three before, the item, four after; shifted at the ends.
        assert_eq!(window(10, 20, 8), 7..15);
        assert_eq!(window(0, 20, 8), 0..8);
        assert_eq!(window(2, 20, 8), 0..8);
        assert_eq!(window(19, 20, 8), 12..20);
        assert_eq!(window(16, 20, 8), 12..20);
        // Short lists are shown whole.
        assert_eq!(window(0, 1, 8), 0..1);
        assert_eq!(window(3, 5, 8), 0..5);
        assert_eq!(window(4, 8, 8), 0..8);
        for len in 1..30 {
            for at in 0..len {
                let shown = window(at, len, 8);
                assert!(shown.contains(&at), "{at} of {len}: {shown:?}");
                assert_eq!(shown.len(), len.min(8), "{at} of {len}");
            }
        }
    }
}
