//! Shared helpers of the end-to-end tests in `tests/tests/`: valid
//! submissions and request bodies, the router over a [`LocalStore`] in a
//! temporary folder, an inventory of what a store holds (to prove nothing
//! was half-written), a store wrapper that fails chosen calls, a
//! fault-injecting HTTP proxy for the AWS backend, and moto setup.

pub mod aws;
pub mod body;
pub mod faulty;
pub mod inventory;
pub mod proxy;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use form_api::{ApiConfig, LocalStore};
use help_forms::{FormId, FormsConfig};
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// The site's real form options: the tests exercise what is deployed.
pub const SITE_TOML: &str = include_str!("../../site.toml");

/// A minimal valid PNG header (what the server sniffs).
pub use help_forms::testing::PNG;

pub fn forms_config() -> FormsConfig {
    form_api::site_forms(SITE_TOML).expect("site.toml has a valid [forms] table")
}

pub fn api_config() -> ApiConfig {
    ApiConfig {
        forms: forms_config(),
        site_url: String::new(),
        cors_origin: None,
    }
}

pub fn router(store: Arc<dyn form_api::Store>) -> Router {
    form_api::router(store, api_config())
}

/// The router over a fresh [`LocalStore`] in its own temporary folder.
pub struct LocalApp {
    pub dir: tempfile::TempDir,
    pub store: Arc<LocalStore>,
    pub router: Router,
}

impl LocalApp {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = Arc::new(LocalStore::open(dir.path()).expect("local store opens"));
        let router = router(store.clone());
        Self { dir, store, router }
    }

    pub fn inventory(&self) -> inventory::Inventory {
        inventory::Inventory::of_local(self.dir.path())
    }
}

impl Default for LocalApp {
    fn default() -> Self {
        Self::new()
    }
}

/// A complete answer, body included.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends one request through the router in-process.
pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("answer body").to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

pub async fn get(router: &Router, uri: &str, json: bool) -> Answer {
    let mut request = Request::get(uri);
    if json {
        request = request.header(header::ACCEPT, "application/json");
    }
    send(router, request.body(Body::empty()).expect("request")).await
}

/// Posts a form body with the given content type.
pub async fn post(
    router: &Router,
    form: FormId,
    content_type: &str,
    body: Vec<u8>,
    json: bool,
) -> Answer {
    let mut request = Request::post(format!("/api/{}", form.endpoint()))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len());
    if json {
        request = request.header(header::ACCEPT, "application/json");
    }
    send(router, request.body(Body::from(body)).expect("request")).await
}

/// Serves `router` over real TCP on 127.0.0.1 (a free port) until the test ends.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// Percentile (0..=100) of sorted durations, nearest rank.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// True when the tests that need moto must run, false when they may be
/// skipped (with a message); panics when `REQUIRE_MOTO` is set without moto.
pub fn moto_url() -> Option<String> {
    match std::env::var("MOTO_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("REQUIRE_MOTO").is_err(),
                "REQUIRE_MOTO=1 but no MOTO_URL: start moto (. scripts/lib/moto.sh; moto_start)"
            );
            eprintln!(
                "MOTO_URL no está definido: se omite la prueba contra moto (use scripts/test.sh)"
            );
            None
        }
    }
}
