//! `site-gen serve`: a local server with live reload.
//!
//! The site is built into memory (with the live-reload script) and served
//! by axum on 127.0.0.1. `content/`, `site.toml` and `site-gen/templates/`
//! and `site-gen/static/` (when present) are watched; after 20 ms without
//! changes the site is rebuilt and, if any file changed, the browsers are
//! told to reload through Server-Sent Events on `/__livereload`. A failed
//! build keeps the server up and shows the errors instead of the pages.
//!
//! Rebuilds are incremental ([`generate_cached`]): only the articles whose
//! file changed are parsed again, and only the pages whose content changed
//! are rendered again. An edit to an article's body changes its own page
//! and the search index, which `serve` names `busqueda.json` (every answer
//! carries `Cache-Control: no-cache`), so the other pages stay as they
//! were; a change to front matter also re-renders the pages that list the
//! article, a change to `site.toml` or to the theme every page.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use futures_util::Stream;
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::{broadcast, mpsc, watch};

use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::generate::{Cache, Options, Site, Sources, generate_cached};
use crate::text::escape_html;
use crate::theme::Theme;

/// Quiet time after a change before rebuilding: enough for the events of
/// one save (truncate, write, rename) to arrive together.
const DEBOUNCE: Duration = Duration::from_millis(20);
const LIVE_RELOAD_JS: &str = include_str!("../static/livereload.js");
/// The policy the published site will have; applied here so that a
/// violation shows up while writing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'";

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where `site.toml` and `content/` are.
    pub root: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
}

/// Serves the site on `127.0.0.1:port` until the process ends, printing
/// `Sirviendo en http://127.0.0.1:PORT`. `api` is merged into the router: its
/// routes should start with `/api/`; a fallback set on it is replaced by
/// the site's (pages, then `404.html`).
pub async fn serve(options: ServeOptions, api: Router) -> anyhow::Result<()> {
    let server = Server::bind(options, api).await?;
    println!("Sirviendo en http://{}", server.local_addr());
    server.run().await
}

/// A bound server, not yet accepting connections (tests read its address).
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    _watcher: notify::RecommendedWatcher,
}

enum Current {
    Built(Site),
    Failed(String),
}

struct AppState {
    current: RwLock<Arc<Current>>,
    reload: broadcast::Sender<()>,
    /// The search index of the current site: the number of the build it
    /// belongs to, and the index once made (requests for it wait till then).
    search_index: watch::Sender<(u64, Option<Arc<str>>)>,
}

impl AppState {
    fn current(&self) -> Arc<Current> {
        match self.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, next: Current) {
        let changed = match (&*self.current(), &next) {
            (Current::Built(old), Current::Built(new)) => old != new,
            (Current::Failed(old), Current::Failed(new)) => old != new,
            _ => true,
        };
        if changed {
            match self.current.write() {
                Ok(mut current) => *current = Arc::new(next),
                Err(poisoned) => *poisoned.into_inner() = Arc::new(next),
            }
            // No browser listening is fine.
            let _ = self.reload.send(());
        }
    }

    /// Publishes the outcome of build number `generation`; when it
    /// succeeded, its search index is to be made ([`Self::make_search_index`]):
    /// after the browsers were told to reload, as it takes longer than the
    /// rest of an incremental rebuild. Returns whether it succeeded.
    fn publish(&self, generation: u64, next: Current) -> bool {
        let built = matches!(next, Current::Built(_));
        if built {
            self.search_index.send_replace((generation, None));
        }
        self.replace(next);
        built
    }

    /// Makes the search index of build number `generation` from `cache`.
    async fn make_search_index(&self, generation: u64, cache: &Mutex<Cache>) {
        let published = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .published();
        match tokio::task::spawn_blocking(move || published.search_index()).await {
            Ok(index) => {
                self.search_index.send_if_modified(|(current, slot)| {
                    // A newer build has its own index coming.
                    let is_current = *current == generation;
                    if is_current {
                        *slot = Some(Arc::from(index));
                    }
                    is_current
                });
            }
            Err(panic) => eprintln!("no se pudo generar el índice de búsqueda: {panic}"),
        }
    }

    /// The search index of the current site, once made.
    async fn search_index(&self) -> Option<Arc<str>> {
        let mut receiver = self.search_index.subscribe();
        let ready = receiver.wait_for(|(_, index)| index.is_some()).await.ok()?;
        ready.1.clone()
    }
}

impl Server {
    /// Builds the site, starts watching and binds the port.
    pub async fn bind(options: ServeOptions, api: Router) -> anyhow::Result<Server> {
        let root = std::fs::canonicalize(&options.root).map_err(|e| {
            anyhow::anyhow!("no se encontró la carpeta {}: {e}", options.root.display())
        })?;
        let cache = Arc::new(Mutex::new(Cache::default()));
        let (reload, _) = broadcast::channel(16);
        let state = Arc::new(AppState {
            current: RwLock::new(Arc::new(Current::Failed(String::new()))),
            reload,
            search_index: watch::Sender::new((0, None)),
        });
        let first = build(root.clone(), Arc::clone(&cache)).await;
        if state.publish(0, first) {
            state.make_search_index(0, &cache).await;
        }

        let (changes, receiver) = mpsc::unbounded_channel();
        let watcher = watch(&root, changes)?;
        tokio::spawn(rebuild_on_change(root, cache, receiver, Arc::clone(&state)));

        let pages = Arc::clone(&state);
        let router = Router::new()
            .route("/__livereload", get(live_reload))
            .route("/__livereload.js", get(live_reload_script))
            .with_state(Arc::clone(&state))
            .merge(api)
            .fallback(move |method: Method, uri: Uri| page(Arc::clone(&pages), method, uri));

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|e| anyhow::anyhow!("no se pudo abrir el puerto {}: {e}", options.port))?;
        Ok(Server {
            listener,
            router,
            _watcher: watcher,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until the process ends.
    pub async fn run(self) -> anyhow::Result<()> {
        let Server {
            listener,
            router,
            _watcher,
        } = self;
        axum::serve(listener, router).await?;
        Ok(())
    }
}

/// Builds in a blocking thread (the build itself uses rayon), reusing and
/// updating `cache`, and prints the outcome.
async fn build(root: PathBuf, cache: Arc<Mutex<Cache>>) -> Current {
    let result = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let theme = Theme::for_serve(&root)?;
        let sources = Sources::load(&root, theme)?;
        let options = Options {
            live_reload: true,
            separate_search_index: true,
            ..Options::default()
        };
        let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
        Ok::<_, anyhow::Error>(
            generate_cached(&sources, &options, &mut cache).map(|site| (site, started.elapsed())),
        )
    })
    .await;
    match result {
        Ok(Ok(Ok((site, elapsed)))) => {
            println!(
                "Sitio generado: {} páginas en {} ms",
                site.page_count(),
                elapsed.as_millis()
            );
            Current::Built(site)
        }
        Ok(Ok(Err(diagnostics))) => {
            eprintln!("{diagnostics}");
            eprintln!(
                "El sitio no se pudo generar: {} errores.",
                diagnostics.len()
            );
            Current::Failed(diagnostics.to_string())
        }
        Ok(Err(error)) => {
            eprintln!("{error:#}");
            Current::Failed(format!("{error:#}"))
        }
        Err(panic) => Current::Failed(format!("la generación falló: {panic}")),
    }
}

fn watch(
    root: &Path,
    changes: mpsc::UnboundedSender<()>,
) -> anyhow::Result<notify::RecommendedWatcher> {
    let mut watched: Vec<PathBuf> = vec![root.join(CONFIG_FILE), root.join(CONTENT_DIR)];
    watched.extend(Theme::watched_dirs(root));
    let relevant = watched.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let is_change = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
        );
        if is_change
            && event
                .paths
                .iter()
                .any(|path| relevant.iter().any(|w| path.starts_with(w)))
        {
            let _ = changes.send(());
        }
    })?;
    // The root itself, not site.toml: editors often replace the file, which
    // would end a watch on the file.
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for dir in watched.iter().filter(|path| path.is_dir()) {
        watcher.watch(dir, RecursiveMode::Recursive)?;
    }
    Ok(watcher)
}

async fn rebuild_on_change(
    root: PathBuf,
    cache: Arc<Mutex<Cache>>,
    mut changes: mpsc::UnboundedReceiver<()>,
    state: Arc<AppState>,
) {
    let mut generation = 0;
    while changes.recv().await.is_some() {
        loop {
            match tokio::time::timeout(DEBOUNCE, changes.recv()).await {
                Ok(Some(())) => continue,
                Ok(None) => return,
                Err(_quiet) => break,
            }
        }
        generation += 1;
        let next = build(root.clone(), Arc::clone(&cache)).await;
        if state.publish(generation, next) {
            // In its own task, so that the next change is not kept waiting.
            let (state, cache) = (Arc::clone(&state), Arc::clone(&cache));
            tokio::spawn(async move { state.make_search_index(generation, &cache).await });
        }
    }
}

async fn live_reload(
    State(state): State<Arc<AppState>>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let stream =
        futures_util::stream::unfold(state.reload.subscribe(), |mut receiver| async move {
            match receiver.recv().await {
                Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Browsers ignore events without data.
                    Some((
                        Ok(SseEvent::default().event("reload").data("reload")),
                        receiver,
                    ))
                }
                Err(broadcast::error::RecvError::Closed) => None,
            }
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn live_reload_script() -> Response {
    file_response(StatusCode::OK, "__livereload.js", LIVE_RELOAD_JS.to_owned())
}

async fn page(state: Arc<AppState>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let current = state.current();
    let site = match &*current {
        Current::Built(site) => site,
        Current::Failed(report) => return error_page(report),
    };
    let path = uri.path();
    let file = crate::generate::file_of_url(path);
    if file == site.search_index()
        && let Some(index) = state.search_index().await
    {
        return file_response(StatusCode::OK, &file, index.to_string());
    }
    if let Some(content) = site.file(&file) {
        return file_response(StatusCode::OK, &file, content.to_owned());
    }
    if !path.ends_with('/') && site.file(&format!("{file}/index.html")).is_some() {
        let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        return Redirect::permanent(&format!("{path}/{query}")).into_response();
    }
    let not_found = site
        .file("404.html")
        .unwrap_or("Página no encontrada")
        .to_owned();
    file_response(StatusCode::NOT_FOUND, "404.html", not_found)
}

fn file_response(status: StatusCode, file: &str, content: String) -> Response {
    let content_type = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
    let mut response = (status, content).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

fn error_page(report: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Error al generar el sitio</title>\n<script src=\"/__livereload.js\" defer></script>\n</head>\n<body>\n<main>\n<h1>El sitio no se pudo generar</h1>\n<pre>{}</pre>\n<p>Corrija los errores y guarde: la página se recargará sola.</p>\n</main>\n</body>\n</html>\n",
        escape_html(report)
    );
    file_response(StatusCode::INTERNAL_SERVER_ERROR, "error.html", html)
}
