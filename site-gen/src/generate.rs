//! The build: sources in, pages out.
//!
//! [`Sources::load`] reads the files; [`run`] checks them and renders the
//! site into a [`Sink`]: memory for [`generate`] (a [`Site`], used by
//! `serve` and the tests), a folder for [`build`](crate::build) (each page
//! written as soon as it is rendered, so memory does not grow with the
//! output), nowhere for [`check`]. Problems are all collected and reported
//! at once. Articles are parsed and rendered in parallel; the header
//! navigation is rendered once and spliced into every page. Pages stay
//! bounded as the site grows: an article page lists a window of its
//! category ([`CATEGORY_NAV_WINDOW`]), the home page the first articles of
//! each ([`HOME_LIST_LIMIT`]), a category page at most
//! [`CATEGORY_PAGE_SIZE`] and links to the next. [`generate_cached`] keeps parsed articles
//! and rendered pages in a [`Cache`] so that `serve` redoes only what an
//! edit changed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

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
/// How many articles of its category an article page lists ("Más en …"):
/// a window around the article, so that pages do not grow with the
/// category. The category page lists them all.
pub const CATEGORY_NAV_WINDOW: usize = 8;
/// How many articles of each category the home page lists.
pub const HOME_LIST_LIMIT: usize = 5;
/// How many articles a category page lists; a longer category continues on
/// `/categorias/{slug}/pagina/2/` and so on.
pub const CATEGORY_PAGE_SIZE: usize = 40;
/// The segment before the number in the URL of a category's later pages.
const PAGE_SEGMENT: &str = "pagina";

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
    /// `serve` only: leaves the search index out of the site;
    /// [`Published::search_index`] makes it afterwards, so the index (the
    /// slowest part of a rebuild) is made after the browsers are told to reload.
    pub separate_search_index: bool,
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

    /// File names of the fingerprinted CSS and JS, and of the search index.
    pub fn assets(&self) -> &Assets {
        &self.assets
    }

    /// File name of the search index (`busqueda.json`, never fingerprinted).
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

/// A parsed article. Owned, so that `serve` can keep it between builds.
struct Article {
    slug: String,
    file: String,
    /// Hash of the source and of what it was parsed with (0 when nothing
    /// is cached).
    source_hash: u64,
    front_matter: FrontMatter,
    body: RenderedBody,
}

/// The outcome of parsing one file.
struct Parsed {
    /// See [`Article::source_hash`].
    hash: u64,
    article: Option<Article>,
    errors: Vec<Diagnostic>,
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

#[derive(Serialize, Hash)]
struct ArticleSummary<'a> {
    slug: &'a str,
    title: &'a str,
    description: &'a str,
}

/// Where a category page is among the category's pages.
#[derive(Serialize)]
struct Pagination {
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
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

/// What a build made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// HTML pages.
    pub pages: usize,
    /// Every file, pages included.
    pub files: usize,
}

/// Where a build puts its files: memory ([`generate`]), a folder
/// ([`build`](crate::build)) or nowhere ([`check`]).
pub(crate) trait Sink: Sync {
    /// Called once the sources are known to be valid, before the first
    /// file, with every file the site will have.
    fn begin(&mut self, _files: &BTreeSet<String>) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// One file; called from several threads at once.
    fn put(&self, file: &str, content: String) -> Result<(), Diagnostic>;

    /// Called after the last file, when every file was put.
    fn finish(&mut self, _files: &BTreeSet<String>) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// Keeps the files in memory.
#[derive(Default)]
struct Memory(Mutex<BTreeMap<String, String>>);

impl Sink for Memory {
    fn put(&self, file: &str, content: String) -> Result<(), Diagnostic> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file.to_owned(), content);
        Ok(())
    }
}

/// Drops the files: `check`.
struct Discard;

impl Sink for Discard {
    fn put(&self, _file: &str, _content: String) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// What `serve` keeps between builds, so that a rebuild parses only the
/// articles whose file changed and renders only the pages whose content
/// changed: parsed articles by path (with the hash of their source and of
/// the configuration), and rendered pages by file (with a hash of
/// everything they show: the templates, the configuration, their article,
/// the titles of the articles they list).
#[derive(Default)]
pub struct Cache {
    articles: HashMap<String, Arc<Parsed>>,
    pages: HashMap<String, (u64, String)>,
    published: Arc<Published>,
}

impl Cache {
    /// What the search index of the last successful build is made of (see
    /// [`Options::separate_search_index`]).
    pub fn published(&self) -> Arc<Published> {
        Arc::clone(&self.published)
    }
}

/// The category names and the published articles (in the site's order,
/// with their category's position) of a build.
#[derive(Default)]
pub struct Published {
    categories: Vec<String>,
    articles: Vec<(Arc<Parsed>, usize)>,
}

impl Published {
    /// The search index, as [`build`](crate::build) would write it.
    pub fn search_index(&self) -> String {
        let categories: Vec<&str> = self.categories.iter().map(String::as_str).collect();
        let docs: Vec<search::Document<'_>> = self
            .articles
            .iter()
            .filter_map(|(parsed, category)| Some((parsed.article.as_ref()?, *category)))
            .map(|(article, category)| search_document(article, category))
            .collect();
        search::build_index(&categories, &docs)
    }
}

/// Builds the site in memory, or returns every problem found.
pub fn generate(sources: &Sources, options: &Options) -> Result<Site, Diagnostics> {
    generate_with(sources, options, None)
}

/// Like [`generate`], reusing what `cache` holds from the previous build
/// and keeping this build's work in it (when the build succeeds).
pub fn generate_cached(
    sources: &Sources,
    options: &Options,
    cache: &mut Cache,
) -> Result<Site, Diagnostics> {
    generate_with(sources, options, Some(cache))
}

/// Validates the site without keeping or writing anything.
pub fn check(sources: &Sources, options: &Options) -> Result<Summary, Diagnostics> {
    run(sources, options, None, &mut Discard).map(|built| built.summary)
}

fn generate_with(
    sources: &Sources,
    options: &Options,
    cache: Option<&mut Cache>,
) -> Result<Site, Diagnostics> {
    let mut memory = Memory::default();
    let built = run(sources, options, cache, &mut memory)?;
    Ok(Site {
        files: memory
            .0
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        assets: built.assets,
    })
}

pub(crate) struct Built {
    pub(crate) summary: Summary,
    assets: Box<Assets>,
}

fn stamp(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The build, whatever becomes of the files:
///
/// 1. parse and check every article (front matter, Markdown, `related`,
///    slugs, categories) and every link that needs no rendered page;
/// 2. render the pages the remaining checks read (targets of links to
///    ids that are not headings, articles with a form) and the few pages
///    that are not articles, and run those checks;
/// 3. only when nothing was found, give `sink` the files: the pages of
///    step 2, then the articles as they are rendered (in parallel), the
///    assets, and last `sitemap.xml`.
///
/// So content errors never leave a half-written site. An error in step 3
/// (a template that fails on some article only, a file that cannot be
/// written) is reported too, but the files already given stay, without a
/// new `sitemap.xml` and without removing stale files.
pub(crate) fn run(
    sources: &Sources,
    options: &Options,
    cache: Option<&mut Cache>,
    sink: &mut dyn Sink,
) -> Result<Built, Diagnostics> {
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

    // Hashes only matter to a cache.
    let keyed = cache.is_some();
    let inputs = if keyed {
        stamp(&(&sources.config.text, &options.overrides))
    } else {
        0
    };
    let previous = cache.as_deref();
    let parsed: Vec<Arc<Parsed>> = sources
        .articles
        .par_iter()
        .map(|file| {
            let hash = if keyed {
                stamp(&(inputs, &file.path, &file.text))
            } else {
                0
            };
            match previous.and_then(|c| c.articles.get(&file.path)) {
                Some(parsed) if parsed.hash == hash => Arc::clone(parsed),
                _ => Arc::new(parse_article(file, &env, hash)),
            }
        })
        .collect();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut candidates = Vec::new();
    for outcome in &parsed {
        errors.extend(outcome.errors.iter().cloned());
        candidates.extend(outcome.article.as_ref());
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
        let key = |x: &Article| {
            (
                category_index
                    .get(x.front_matter.category.value.as_str())
                    .copied(),
                x.front_matter.order,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.slug.cmp(&b.slug))
    });

    let category_of = |article: &Article| {
        category_index
            .get(article.front_matter.category.value.as_str())
            .copied()
            .unwrap_or_default()
    };
    // Made while the article pages render (below): no page depends on it.
    let make_index = || {
        (!options.separate_search_index).then(|| {
            let categories: Vec<&str> = config.categories.iter().map(|c| c.name.as_str()).collect();
            let docs: Vec<search::Document<'_>> = articles
                .iter()
                .map(|article| search_document(article, category_of(article)))
                .collect();
            search::build_index(&categories, &docs)
        })
    };
    // Not fingerprinted: every page names the index, so a name that changed
    // with every article edit would change every page (and every upload).
    let index_name = search::INDEX_FILE.to_owned();
    let global = if keyed {
        stamp(&(inputs, &sources.theme, options.live_reload, &index_name))
    } else {
        0
    };
    let renderer = PageRenderer::new(
        &tera,
        &config,
        &sources.theme,
        &articles,
        options.live_reload,
        index_name,
        global,
        previous,
    );
    let renderer = match renderer {
        Ok(renderer) => renderer,
        Err(error) => {
            errors.push(error);
            return Err(Diagnostics::new(errors));
        }
    };

    let pages = renderer.pages();
    let mut files: BTreeSet<String> = pages.iter().map(|(file, _)| file.clone()).collect();
    let mut assets = vec![(renderer.assets.favicon.to_owned(), sources.theme.favicon())];
    assets.extend(
        renderer
            .asset_files
            .iter()
            .map(|(file, content)| (file.clone(), content.as_str())),
    );
    files.extend(assets.iter().map(|(file, _)| file.clone()));
    if !options.separate_search_index {
        files.insert(renderer.assets.search.clone());
    }
    files.insert(SITEMAP.to_owned());

    let (link_errors, fragments) = check_links(&articles, &known, &files);
    errors.extend(link_errors);
    let read_by_checks: HashSet<String> = fragments
        .iter()
        .map(|f| file_of_url(&f.url))
        .chain(
            articles
                .iter()
                .filter(|a| a.body.has_form)
                .map(|a| article_file(&a.slug)),
        )
        .collect();
    let (early, late): (Vec<_>, Vec<_>) = pages.into_iter().partition(|(file, kind)| {
        !matches!(kind, PageKind::Article(_)) || read_by_checks.contains(file)
    });
    let mut early_pages = Vec::new();
    for (outcome, (file, _)) in early
        .par_iter()
        .map(|(file, kind)| renderer.render(file, *kind))
        .collect::<Vec<_>>()
        .into_iter()
        .zip(early)
    {
        match outcome {
            Ok(page) => early_pages.push((file, page)),
            Err(error) => errors.push(error),
        }
    }
    let rendered: HashMap<&str, &str> = early_pages
        .iter()
        .map(|(file, page)| (file.as_str(), page.html.as_str()))
        .collect();
    errors.extend(check_fragments(&articles, &fragments, &rendered));
    errors.extend(check_unique_ids(&articles, &rendered));
    drop(rendered);
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }

    sink.begin(&files).map_err(|e| Diagnostics::new(vec![e]))?;
    // The rendered pages go to the sink, and to the cache when there is one.
    let give =
        |file: String, page: Rendered| -> Result<Option<(String, u64, String)>, Diagnostic> {
            let kept = keyed.then(|| (page.key, page.html.clone()));
            sink.put(&file, page.html)?;
            Ok(kept.map(|(key, html)| (file, key, html)))
        };
    let mut outcomes: Vec<_> = early_pages
        .into_par_iter()
        .map(|(file, page)| give(file, page))
        .collect();
    let (late_outcomes, index) = rayon::join(
        || {
            late.into_par_iter()
                .map(|(file, kind)| give(file.clone(), renderer.render(&file, kind)?))
                .collect::<Vec<_>>()
        },
        make_index,
    );
    outcomes.extend(late_outcomes);
    assets.extend(
        index
            .as_deref()
            .map(|index| (renderer.assets.search.clone(), index)),
    );
    for (file, content) in assets {
        if let Err(error) = sink.put(&file, content.to_owned()) {
            errors.push(error);
        }
    }
    let mut kept = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(entry) => kept.extend(entry),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        match renderer.sitemap(&files) {
            Ok(page) => match give(SITEMAP.to_owned(), page) {
                Ok(entry) => kept.extend(entry),
                Err(error) => errors.push(error),
            },
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
    sink.finish(&files).map_err(|e| Diagnostics::new(vec![e]))?;

    let built = Built {
        summary: Summary {
            pages: files.iter().filter(|f| f.ends_with(".html")).count(),
            files: files.len(),
        },
        assets: Box::new(renderer.assets.clone()),
    };
    drop(renderer);
    if let Some(cache) = cache {
        cache.articles = sources
            .articles
            .iter()
            .zip(&parsed)
            .map(|(file, outcome)| (file.path.clone(), Arc::clone(outcome)))
            .collect();
        cache.pages = kept
            .into_iter()
            .map(|(file, key, html)| (file, (key, html)))
            .collect();
        let position: HashMap<&str, usize> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.file.as_str(), i))
            .collect();
        let mut published: Vec<(usize, Arc<Parsed>, usize)> = parsed
            .iter()
            .filter_map(|outcome| {
                let article = outcome.article.as_ref()?;
                let at = *position.get(article.file.as_str())?;
                Some((at, Arc::clone(outcome), category_of(article)))
            })
            .collect();
        published.sort_by_key(|(at, _, _)| *at);
        cache.published = Arc::new(Published {
            categories: config.categories.iter().map(|c| c.name.clone()).collect(),
            articles: published
                .into_iter()
                .map(|(_, parsed, category)| (parsed, category))
                .collect(),
        });
    }
    Ok(built)
}

const SITEMAP: &str = "sitemap.xml";

fn article_file(slug: &str) -> String {
    file_of_url(&format!("/{slug}/"))
}

/// What the search index needs from an article.
fn search_document(article: &Article, category: usize) -> search::Document<'_> {
    let fm = &article.front_matter;
    search::Document {
        slug: &article.slug,
        title: &fm.title,
        description: &fm.description,
        category,
        tags: &fm.tags,
        headings: article
            .body
            .headings
            .iter()
            .map(|h| h.text.as_str())
            .collect(),
        body: &article.body.text,
    }
}

/// Keeps the articles that can be published: unique, non-reserved slug and
/// known category. Also checks `related`.
fn check_articles<'a>(
    candidates: Vec<&'a Article>,
    known: &BTreeMap<&str, &str>,
    config: &SiteConfig,
    errors: &mut Vec<Diagnostic>,
) -> Vec<&'a Article> {
    let mut articles = Vec::new();
    for article in candidates {
        let slug = article.slug.as_str();
        let first = known.get(slug).copied().unwrap_or(&article.file);
        let category = &article.front_matter.category;
        if first != article.file {
            errors.push(Diagnostic::new(
                &article.file,
                1,
                format!("slug duplicado «{slug}»: {first} ya lo usa; cambie el nombre de uno de los dos archivos"),
            ));
        } else if RESERVED_SLUGS.contains(&slug) {
            errors.push(Diagnostic::new(
                &article.file,
                1,
                format!("el slug «{slug}» está reservado (la dirección /{slug}/ ya la usa el sitio): cambie el nombre del archivo"),
            ));
        } else if config.category(&category.value).is_none() {
            let names: Vec<&str> = config.categories.iter().map(|c| c.slug.as_str()).collect();
            errors.push(Diagnostic::new(
                &article.file,
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
                    &article.file,
                    related.line,
                    format!(
                        "artículo relacionado desconocido «{}»: no existe content/{}.md; corrija el slug en «related» o quítelo",
                        related.value, related.value
                    ),
                ));
            } else if related.value == article.slug {
                errors.push(Diagnostic::new(
                    &article.file,
                    related.line,
                    "un artículo no puede estar relacionado consigo mismo: quítelo de «related»",
                ));
            }
        }
    }
    articles
}

fn parse_article(file: &SourceFile, env: &FormsEnv<'_>, hash: u64) -> Parsed {
    let failed = |errors| Parsed {
        hash,
        article: None,
        errors,
    };
    let slug = file.stem();
    if !is_slug(slug) {
        return failed(vec![Diagnostic::new(
            &file.path,
            1,
            format!(
                "nombre de archivo no válido «{slug}.md»: el nombre es la dirección de la página; use minúsculas sin acentos, dígitos y guiones (p. ej. como-abrir-un-ticket.md)"
            ),
        )]);
    }
    let lines = LineIndex::new(&file.text);
    let document = match parse_document(file, &lines) {
        Ok(document) => document,
        Err(error) => return failed(vec![error]),
    };
    let (body, errors) =
        markdown::render(&file.path, &lines, document.body, document.body_offset, env);
    Parsed {
        hash,
        article: Some(Article {
            slug: slug.to_owned(),
            file: file.path.clone(),
            source_hash: hash,
            front_matter: document.front_matter,
            body,
        }),
        errors,
    }
}

/// The fingerprinted CSS and JS files, minified, and which pages link them:
/// each page loads only what it uses (`bench/run.sh` weighs them per page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assets {
    /// Every page: the site's styles (`static/estilo.css`).
    pub css: String,
    /// The home and category pages: their article lists (`static/listados.css`).
    pub listings_css: String,
    /// Every page: printing, votes, and the loader of the search code
    /// (`static/app.js`).
    pub js: String,
    /// Pages that embed a form: the forms' styles and script (`forms/assets/`).
    pub forms_css: String,
    pub forms_js: String,
    /// The ticket lookup page (`static/consulta-ticket.css` and `.js`).
    pub ticket_css: String,
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
        listings_css: add("listados.css", static_css("listados.css")),
        js: add("app.js", static_js("app.js")),
        forms_css: add(
            "formularios.css",
            minify::css(help_forms::assets::FORMS_CSS),
        ),
        forms_js: add("formularios.js", minify::js(help_forms::assets::FORMS_JS)),
        ticket_css: add("consulta-ticket.css", static_css("consulta-ticket.css")),
        ticket_js: add("consulta-ticket.js", static_js("consulta-ticket.js")),
        search_js: add("busqueda.js", static_js("busqueda.js")),
        search_css: add("busqueda.css", static_css("busqueda.css")),
        search: search_index,
        favicon: "favicon.svg",
        live_reload: LIVE_RELOAD_SCRIPT,
    };
    (assets, files)
}

/// Every page but the sitemap.
#[derive(Debug, Clone, Copy, Hash)]
enum PageKind {
    /// By position in the sorted articles.
    Article(usize),
    Home,
    /// By position in `config.categories`, and page number (from 1).
    Category(usize, usize),
    Ticket,
    NotFound,
    Robots,
}

/// A rendered page and the hash it is cached under.
struct Rendered {
    key: u64,
    html: String,
}

struct PageRenderer<'a> {
    tera: &'a Tera,
    config: &'a SiteConfig,
    articles: &'a [&'a Article],
    by_slug: HashMap<&'a str, &'a Article>,
    /// Where each category's articles are in `articles` (sorted by category).
    by_category: HashMap<&'a str, Range<usize>>,
    base: Context,
    nav: SharedList,
    assets: Assets,
    /// The CSS and JS files named in `assets`, by name.
    asset_files: Vec<(String, String)>,
    /// Hash of everything every page shows (0 without a cache).
    global: u64,
    previous: Option<&'a Cache>,
}

impl<'a> PageRenderer<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        tera: &'a Tera,
        config: &'a SiteConfig,
        theme: &Theme,
        articles: &'a [&'a Article],
        live_reload: bool,
        search_index: String,
        global: u64,
        previous: Option<&'a Cache>,
    ) -> Result<Self, Diagnostic> {
        let (assets, asset_files) = assemble_assets(theme, search_index);
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
        let mut renderer = PageRenderer {
            tera,
            config,
            articles,
            by_slug: articles.iter().map(|a| (a.slug.as_str(), *a)).collect(),
            by_category,
            base,
            nav: SharedList::default(),
            assets,
            asset_files,
            global,
            previous,
        };
        let mut context = Context::new();
        context.insert("categories", &config.categories);
        renderer.nav = SharedList::new(renderer.fragment("partials/nav.html", &context)?);
        Ok(renderer)
    }

    /// Renders a template; errors name the template.
    fn render_template(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|e| {
            Diagnostic::without_line(format!("{THEME_DIR}/templates/{template}"), error_chain(&e))
        })
    }

    fn fragment(&self, template: &str, extra: &Context) -> Result<String, Diagnostic> {
        let mut context = self.base.clone();
        context.extend(extra.clone());
        self.render_template(template, &context)
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
        let rendered = self.render_template(template, context)?;
        Ok(splice(&rendered, NAV_SLOT, &self.nav, current))
    }

    /// The articles of a category, in order.
    fn in_category(&self, category: &str) -> &'a [&'a Article] {
        self.by_category
            .get(category)
            .map_or(&[], |range| &self.articles[range.clone()])
    }

    fn summaries(&self, articles: &'a [&'a Article]) -> Vec<ArticleSummary<'a>> {
        articles.iter().map(|a| summary(a)).collect()
    }

    /// Every page but the sitemap, with its file.
    fn pages(&self) -> Vec<(String, PageKind)> {
        let mut pages: Vec<(String, PageKind)> = self
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (article_file(&a.slug), PageKind::Article(i)))
            .collect();
        pages.push(("index.html".into(), PageKind::Home));
        for (i, category) in self.config.categories.iter().enumerate() {
            let count = self.category_page_count(category);
            pages.extend((1..=count).map(|page| {
                (
                    file_of_url(&category_url(category, page)),
                    PageKind::Category(i, page),
                )
            }));
        }
        pages.push((file_of_url(TICKET_PAGE), PageKind::Ticket));
        pages.push(("404.html".into(), PageKind::NotFound));
        pages.push(("robots.txt".into(), PageKind::Robots));
        pages
    }

    /// Renders the page `file`, or takes it from the cache when nothing it
    /// shows changed.
    fn render(&self, file: &str, kind: PageKind) -> Result<Rendered, Diagnostic> {
        let key = match self.previous {
            Some(_) => self.key(kind),
            None => 0,
        };
        if let Some((cached, html)) = self.previous.and_then(|c| c.pages.get(file))
            && *cached == key
        {
            return Ok(Rendered {
                key,
                html: html.clone(),
            });
        }
        let html = match kind {
            PageKind::Article(index) => self.article_page(index),
            PageKind::Home => self.home(),
            PageKind::Category(index, page) => {
                self.category_page(&self.config.categories[index], page)
            }
            PageKind::Ticket => self.ticket_page(),
            PageKind::NotFound => self.not_found_page(),
            PageKind::Robots => self.render_template("robots.txt", &self.base),
        }?;
        Ok(Rendered { key, html })
    }

    /// A hash of everything the page shows.
    fn key(&self, kind: PageKind) -> u64 {
        match kind {
            PageKind::Article(index) => {
                let article = self.articles[index];
                let (neighbours, total) = self.neighbours(index);
                let neighbours: Vec<(&str, &str)> = neighbours
                    .iter()
                    .map(|a| (a.slug.as_str(), a.front_matter.title.as_str()))
                    .collect();
                stamp(&(
                    self.global,
                    kind,
                    article.source_hash,
                    neighbours,
                    total,
                    self.related(article),
                ))
            }
            PageKind::Home => {
                let listings: Vec<(Vec<ArticleSummary<'_>>, usize)> = self
                    .config
                    .categories
                    .iter()
                    .map(|c| {
                        let articles = self.in_category(&c.slug);
                        let shown = &articles[..articles.len().min(HOME_LIST_LIMIT)];
                        (self.summaries(shown), articles.len())
                    })
                    .collect();
                stamp(&(self.global, kind, listings))
            }
            PageKind::Category(index, page) => {
                let category = &self.config.categories[index];
                stamp(&(
                    self.global,
                    kind,
                    self.summaries(self.category_slice(category, page)),
                    self.category_page_count(category),
                ))
            }
            PageKind::Ticket | PageKind::NotFound | PageKind::Robots => stamp(&(self.global, kind)),
        }
    }

    /// The articles "Más en …" lists on the page of `articles[index]`, and
    /// how many its category has.
    fn neighbours(&self, index: usize) -> (&'a [&'a Article], usize) {
        let category = self.articles[index].front_matter.category.value.as_str();
        let siblings = self
            .by_category
            .get(category)
            .cloned()
            .unwrap_or(index..index + 1);
        let shown = window(index - siblings.start, siblings.len(), CATEGORY_NAV_WINDOW);
        let neighbours = &self.articles[siblings.start + shown.start..siblings.start + shown.end];
        (neighbours, siblings.len())
    }

    fn related(&self, article: &Article) -> Vec<ArticleSummary<'a>> {
        article
            .front_matter
            .related
            .iter()
            .filter_map(|r| self.by_slug.get(r.value.as_str()))
            .map(|a| summary(a))
            .collect()
    }

    fn article_page(&self, index: usize) -> Result<String, Diagnostic> {
        let article = self.articles[index];
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
        context.insert("related", &self.related(article));
        let (neighbours, total) = self.neighbours(index);
        context.insert("category_articles", &self.summaries(neighbours));
        context.insert("category_total", &total);
        self.render_page("article.html", &context, &url)
    }

    fn home(&self) -> Result<String, Diagnostic> {
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
        self.render_page("home.html", &context, "/")
    }

    /// How many pages the category's list takes (one when it is empty).
    fn category_page_count(&self, category: &Category) -> usize {
        self.in_category(&category.slug)
            .len()
            .div_ceil(CATEGORY_PAGE_SIZE)
            .max(1)
    }

    /// The articles on page `page` (from 1) of the category's list.
    fn category_slice(&self, category: &Category, page: usize) -> &'a [&'a Article] {
        let articles = self.in_category(&category.slug);
        let start = ((page - 1) * CATEGORY_PAGE_SIZE).min(articles.len());
        &articles[start..articles.len().min(start + CATEGORY_PAGE_SIZE)]
    }

    fn category_page(&self, category: &Category, page: usize) -> Result<String, Diagnostic> {
        let url = category_url(category, page);
        let pages = self.category_page_count(category);
        let title = if page == 1 {
            category.name.clone()
        } else {
            format!("{} (página {page} de {pages})", category.name)
        };
        let meta = PageMeta {
            url: &url,
            title: &title,
            description: &category.description,
            og_type: "website",
            noindex: false,
            keywords: String::new(),
        };
        let mut context = self.page_context(&meta);
        context.insert("category", category);
        context.insert(
            "articles",
            &self.summaries(self.category_slice(category, page)),
        );
        if pages > 1 {
            context.insert(
                "pagination",
                &Pagination {
                    page,
                    pages,
                    previous: (page > 1).then(|| category_url(category, page - 1)),
                    next: (page < pages).then(|| category_url(category, page + 1)),
                },
            );
        }
        self.render_page("category.html", &context, &url)
    }

    fn ticket_page(&self) -> Result<String, Diagnostic> {
        let meta = PageMeta {
            url: TICKET_PAGE,
            title: "Consultar ticket",
            description: "Consulte el estado de su ticket con el número y la clave de acceso que recibió al crearlo.",
            og_type: "website",
            noindex: false,
            keywords: String::new(),
        };
        let context = self.page_context(&meta);
        self.render_page("ticket.html", &context, TICKET_PAGE)
    }

    fn not_found_page(&self) -> Result<String, Diagnostic> {
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
        self.render_page("404.html", &context, "/404.html")
    }

    /// The sitemap of the pages among `files`.
    fn sitemap(&self, files: &BTreeSet<String>) -> Result<Rendered, Diagnostic> {
        let mut urls: Vec<String> = files
            .iter()
            .filter(|file| file.ends_with("index.html"))
            .map(|file| format!("{}{}", self.config.base_url, url_of_file(file)))
            .collect();
        urls.sort();
        let key = match self.previous {
            Some(_) => stamp(&(self.global, SITEMAP, &urls)),
            None => 0,
        };
        if let Some((cached, html)) = self.previous.and_then(|c| c.pages.get(SITEMAP))
            && *cached == key
        {
            return Ok(Rendered {
                key,
                html: html.clone(),
            });
        }
        let mut context = self.base.clone();
        context.insert("urls", &urls);
        let html = self.render_template(SITEMAP, &context)?;
        Ok(Rendered { key, html })
    }
}

/// The URL of page `page` (from 1) of a category's list.
fn category_url(category: &Category, page: usize) -> String {
    if page == 1 {
        format!("/{CATEGORY_PREFIX}/{}/", category.slug)
    } else {
        format!(
            "/{CATEGORY_PREFIX}/{}/{PAGE_SEGMENT}/{page}/",
            category.slug
        )
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

fn summary(article: &Article) -> ArticleSummary<'_> {
    ArticleSummary {
        slug: &article.slug,
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

/// A link to an id that is not a heading of its target (a template's id, a
/// form field…): checked against the rendered target.
struct Fragment<'a> {
    article: &'a Article,
    line: usize,
    url: String,
    fragment: &'a str,
    written: &'a str,
}

/// Checks every link of every article against the files of the site, and
/// fragments against the headings of the target article. Returns the
/// errors and the fragments that only the rendered target can settle.
fn check_links<'a>(
    articles: &[&'a Article],
    known: &BTreeMap<&str, &str>,
    files: &BTreeSet<String>,
) -> (Vec<Diagnostic>, Vec<Fragment<'a>>) {
    let by_slug: HashMap<&str, &Article> = articles.iter().map(|a| (a.slug.as_str(), *a)).collect();
    let mut errors = Vec::new();
    let mut fragments = Vec::new();
    for article in articles {
        for link in &article.body.links {
            let error = |message: String| Diagnostic::new(&article.file, link.line, message);
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
                    if !files.contains(&file_of_url(path)) && !failed_article {
                        let with_slash = format!("{path}/");
                        let hint = if !path.ends_with('/')
                            && files.contains(&file_of_url(&with_slash))
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
            let target = url
                .strip_prefix('/')
                .and_then(|u| u.strip_suffix('/'))
                .and_then(|slug| by_slug.get(slug));
            let is_heading =
                target.is_some_and(|target| target.body.headings.iter().any(|h| h.id == *fragment));
            if !is_heading {
                fragments.push(Fragment {
                    article,
                    line: link.line,
                    url,
                    fragment: fragment.as_str(),
                    written: link.written.as_str(),
                });
            }
        }
    }
    (errors, fragments)
}

/// Checks `fragments` against the ids of their rendered targets in `pages`
/// (by file).
fn check_fragments(
    articles: &[&Article],
    fragments: &[Fragment<'_>],
    pages: &HashMap<&str, &str>,
) -> Vec<Diagnostic> {
    let by_slug: HashMap<&str, &Article> = articles.iter().map(|a| (a.slug.as_str(), *a)).collect();
    let mut ids: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut errors = Vec::new();
    for Fragment {
        article,
        line,
        url,
        fragment,
        written,
    } in fragments
    {
        // A target that failed to render was reported on its own.
        let Some(html) = pages.get(file_of_url(url).as_str()) else {
            continue;
        };
        let page_ids = ids
            .entry(url.as_str())
            .or_insert_with(|| ids_in(html).collect());
        if page_ids.contains(fragment) {
            continue;
        }
        let target = url
            .strip_prefix('/')
            .and_then(|u| u.strip_suffix('/'))
            .and_then(|slug| by_slug.get(slug));
        let available = match target {
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
            &article.file,
            *line,
            format!("el ancla «#{fragment}»{link} no existe en {url}{available}"),
        ));
    }
    errors
}

/// Pages that embed a form mix HTML from two sources: check that no id is
/// used twice (a heading named like a form field, for instance). `pages`
/// holds the rendered pages by file.
fn check_unique_ids(articles: &[&Article], pages: &HashMap<&str, &str>) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for article in articles.iter().filter(|a| a.body.has_form) {
        let Some(html) = pages.get(article_file(&article.slug).as_str()) else {
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
                &article.file,
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
