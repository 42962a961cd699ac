//! `site-gen serve`: a local server with live reload.
//!
//! The site is built into memory (with the live-reload script) and served
//! by axum on 127.0.0.1. `content/`, `site.toml` and `site-gen/templates/`
//! and `site-gen/static/` (when present) are watched; after 50 ms without
//! changes the site is rebuilt and, if any file changed, the browsers are
//! told to reload through Server-Sent Events on `/__livereload`. A failed
//! build keeps the server up and shows the errors instead of the pages.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use futures_util::Stream;
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::{broadcast, mpsc};

use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::generate::{Options, Site, Sources, generate};
use crate::text::escape_html;
use crate::theme::Theme;

/// Quiet time after a change before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(50);
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
}

impl Server {
    /// Builds the site, starts watching and binds the port.
    pub async fn bind(options: ServeOptions, api: Router) -> anyhow::Result<Server> {
        let root = std::fs::canonicalize(&options.root).map_err(|e| {
            anyhow::anyhow!("no se encontró la carpeta {}: {e}", options.root.display())
        })?;
        let first = build(root.clone()).await;
        let (reload, _) = broadcast::channel(16);
        let state = Arc::new(AppState {
            current: RwLock::new(Arc::new(first)),
            reload,
        });

        let (changes, receiver) = mpsc::unbounded_channel();
        let watcher = watch(&root, changes)?;
        tokio::spawn(rebuild_on_change(root, receiver, Arc::clone(&state)));

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

/// Builds in a blocking thread (the build itself uses rayon) and prints the
/// outcome.
async fn build(root: PathBuf) -> Current {
    let result = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let theme = Theme::for_serve(&root)?;
        let sources = Sources::load(&root, theme)?;
        let options = Options {
            live_reload: true,
            ..Options::default()
        };
        Ok::<_, anyhow::Error>(generate(&sources, &options).map(|site| (site, started.elapsed())))
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
    mut changes: mpsc::UnboundedReceiver<()>,
    state: Arc<AppState>,
) {
    while changes.recv().await.is_some() {
        loop {
            match tokio::time::timeout(DEBOUNCE, changes.recv()).await {
                Ok(Some(())) => continue,
                Ok(None) => return,
                Err(_quiet) => break,
            }
        }
        state.replace(build(root.clone()).await);
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
