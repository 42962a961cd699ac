//! The pure part of the build: sources in, pages out.
//!
//! [`Sources::load`] reads the files; [`generate`] turns them into a
//! [`Site`] (every output file in memory) or into the complete list of
//! problems; `Site::write_to` writes it. Articles are
//! parsed and rendered in parallel; the navigation lists repeated on every
//! page are rendered once and reused.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::{CONFIG_FILE, Category, Overrides, SiteConfig};
use crate::content::{FrontMatter, SourceFile, load_articles, parse_document};
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex};
use crate::markdown::{self, FormsEnv, LinkTarget, RenderedBody, TocEntry};
use crate::minify;
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
    pub(crate) assets: Box<Assets>,
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

    /// File names of the fingerprinted CSS, JS and search index.
    pub fn assets(&self) -> &Assets {
        &self.assets
    }

    /// File name of the fingerprinted search index (`busqueda.3fa9c2d1.json`).
    pub fn search_index(&self) -> &str {
        &self.assets.search
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
    articles: Vec<ArticleSummary<'a>>,
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
    files.extend(std::mem::take(&mut renderer.asset_files));
    files.insert(renderer.assets.search.clone(), index);

    errors.extend(check_links(&articles, &known, &files));
    errors.extend(check_unique_ids(&articles, &files));
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    Ok(Site {
        files,
        assets: Box::new(renderer.assets),
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

/// The fingerprinted CSS and JS files, minified, and which pages link them:
/// each page loads only what it uses (`bench/run.sh` weighs them per page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assets {
    /// Every page: the site's styles (`static/estilo.css`).
    pub css: String,
    /// Every page: printing, votes, and the loader of the search code
    /// (`static/app.js`).
    pub js: String,
    /// Pages that embed a form: the forms' styles and script (`forms/assets/`).
    pub forms_css: String,
    pub forms_js: String,
    /// The ticket lookup page (`static/consulta-ticket.js`).
    pub ticket_js: String,
    /// Linked by no page: `js` loads `search_js` once the search box is
    /// used, which loads `search_css` and the index.
    pub search_js: String,
    pub search_css: String,
    /// The search index (see [`search`]).
    pub search: String,
    pub favicon: &'static str,
    pub live_reload: &'static str,
}

/// The site's CSS and JS: the bundles' names and contents.
fn assemble_assets(theme: &Theme, search_index: String) -> (Assets, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut add = |name: &str, content: String| {
        let file = fingerprinted(name, &content);
        files.push((file.clone(), content));
        file
    };
    let static_css = |name: &str| minify::css(theme.static_file(name));
    let static_js = |name: &str| minify::js(theme.static_file(name));
    let assets = Assets {
        css: add("estilo.css", static_css("estilo.css")),
        js: add("app.js", static_js("app.js")),
        forms_css: add(
            "formularios.css",
            minify::css(help_forms::assets::FORMS_CSS),
        ),
        forms_js: add("formularios.js", minify::js(help_forms::assets::FORMS_JS)),
        ticket_js: add("consulta-ticket.js", static_js("consulta-ticket.js")),
        search_js: add("busqueda.js", static_js("busqueda.js")),
        search_css: add("busqueda.css", static_css("busqueda.css")),
        search: search_index,
        favicon: "favicon.svg",
        live_reload: LIVE_RELOAD_SCRIPT,
    };
    (assets, files)
}

struct PageRenderer<'a> {
    tera: &'a Tera,
    config: &'a SiteConfig,
    articles: &'a [Article<'a>],
    by_slug: HashMap<&'a str, &'a Article<'a>>,
    base: Context,
    nav: SharedList,
    category_navs: HashMap<&'a str, SharedList>,
    assets: Assets,
    /// The CSS and JS files named in `assets`, by name.
    asset_files: Vec<(String, String)>,
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
        let (assets, asset_files) = assemble_assets(theme, search_index);
        let mut base = Context::new();
        base.insert("site", &site_values(config));
        base.insert("assets", &assets);
        base.insert("api_url", &config.api_url);
        base.insert("live_reload", &live_reload);
        PageRenderer {
            tera,
            config,
            articles,
            by_slug: articles.iter().map(|a| (a.slug, a)).collect(),
            base,
            nav: SharedList::default(),
            category_navs: HashMap::new(),
            assets,
            asset_files,
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

    /// Renders a page and splices in the shared lists, marking the link to
    /// `current` in them as the current page.
    fn render_page(
        &self,
        template: &str,
        context: &Context,
        current: &str,
        category_nav: Option<&SharedList>,
    ) -> Result<String, Diagnostic> {
        let rendered = self.render(template, context)?;
        let mut fragments = vec![(NAV_SLOT, &self.nav)];
        fragments.extend(category_nav.map(|list| (CATEGORY_NAV_SLOT, list)));
        Ok(splice(&rendered, &fragments, current))
    }

    fn summaries(&self, category: &str) -> Vec<ArticleSummary<'a>> {
        self.articles
            .iter()
            .filter(|a| a.front_matter.category.value == category)
            .map(|a| summary(a))
            .collect()
    }

    /// Renders the shared fragments once, then every page.
    fn render_all(&mut self) -> Vec<Page> {
        let mut context = Context::new();
        context.insert("categories", &self.config.categories);
        match self.fragment("partials/nav.html", &context) {
            Ok(nav) => self.nav = SharedList::new(nav),
            Err(e) => return vec![Err(e)],
        }
        for category in &self.config.categories {
            let mut context = Context::new();
            context.insert("category", category);
            context.insert("articles", &self.summaries(&category.slug));
            match self.fragment("partials/category-nav.html", &context) {
                Ok(html) => {
                    self.category_navs
                        .insert(category.slug.as_str(), SharedList::new(html));
                }
                Err(e) => return vec![Err(e)],
            }
        }
        let mut pages: Vec<Page> = self
            .articles
            .par_iter()
            .map(|article| self.article_page(article))
            .collect();
        pages.push(self.home());
        pages.extend(self.config.categories.iter().map(|c| self.category_page(c)));
        pages.push(self.ticket_page());
        pages.push(self.not_found_page());
        pages.push(self.robots());
        pages.push(self.sitemap(&pages));
        pages
    }

    fn article_page(&self, article: &Article<'_>) -> Page {
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
        context.insert("has_form", &article.body.has_form);
        let toc: Vec<TocEntry> = markdown::table_of_contents(&article.body.headings);
        context.insert("toc", &toc);
        let related: Vec<ArticleSummary<'_>> = fm
            .related
            .iter()
            .filter_map(|r| self.by_slug.get(r.value.as_str()))
            .map(|a| summary(a))
            .collect();
        context.insert("related", &related);
        context.insert("category_nav", CATEGORY_NAV_SLOT);
        let category_nav = self.category_navs.get(fm.category.value.as_str());
        let html = self.render_page("article.html", &context, &url, category_nav)?;
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
            .map(|category| CategoryListing {
                category,
                articles: self.summaries(&category.slug),
            })
            .collect();
        context.insert("categories", &listings);
        let html = self.render_page("home.html", &context, "/", None)?;
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
        context.insert("articles", &self.summaries(&category.slug));
        let html = self.render_page("category.html", &context, &url, None)?;
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
        let html = self.render_page("ticket.html", &context, TICKET_PAGE, None)?;
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
        let html = self.render_page("404.html", &context, "/404.html", None)?;
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

/// Placeholders that templates output where the shared lists go.
const NAV_SLOT: &str = "<!--site-gen:nav-->";
const CATEGORY_NAV_SLOT: &str = "<!--site-gen:category-nav-->";

/// A list rendered once and shared by many pages (the header navigation, a
/// category's article list). Pages get it through a placeholder replaced
/// after rendering, so the list is copied once per page instead of going
/// through Tera's context, escaping and UTF-8 check again on every page.
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

/// Replaces each slot of `rendered` by its list, marking `current`.
fn splice(rendered: &str, fragments: &[(&str, &SharedList)], current: &str) -> String {
    let mut found: Vec<(usize, &str, &SharedList)> = fragments
        .iter()
        .filter_map(|(slot, list)| rendered.find(slot).map(|at| (at, *slot, *list)))
        .collect();
    found.sort_by_key(|(at, _, _)| *at);
    let extra: usize = found.iter().map(|(_, _, list)| list.html.len() + 24).sum();
    let mut out = String::with_capacity(rendered.len() + extra);
    let mut from = 0;
    for (at, slot, list) in found {
        out.push_str(&rendered[from..at]);
        list.push_marked(current, &mut out);
        from = at + slot.len();
    }
    out.push_str(&rendered[from..]);
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
