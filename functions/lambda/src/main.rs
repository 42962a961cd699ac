//! Builds the store once and serves the form API: under `lambda_http` when
//! AWS Lambda runs it (`AWS_LAMBDA_RUNTIME_API` is set), otherwise as a plain
//! HTTP server on 127.0.0.1 (`PORT`, default 3000).
//!
//! Storage: S3 + DynamoDB when `RECEIPTS_BUCKET` is set (with
//! `TICKETS_TABLE`), else the embedded local store in `DATA_DIR` (default
//! `data/`). `SITE_ORIGIN` is where the static site lives: links back to it
//! start there, and CORS allows that one origin (empty: same origin only).

use anyhow::Context;
use form_api::{ApiConfig, LocalStore, Store};
use std::sync::Arc;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// The pages and the function enforce the same form options.
const SITE_TOML: &str = include_str!("../../../site.toml");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `Targets` reads the usual RUST_LOG directives (`info,form_api=debug`)
    // without EnvFilter's regex engine, which would weigh on the binary.
    let filter: Targets = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => directives
            .parse()
            .with_context(|| format!("RUST_LOG no es un filtro válido: {directives}"))?,
        _ => Targets::new().with_default(tracing::Level::INFO),
    };
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .without_time() // CloudWatch stamps each line
        .finish()
        .with(filter)
        .init();

    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // A browser's Origin header never ends in a slash; a configured one might.
    let site_origin = env("SITE_ORIGIN").map(|o| o.trim_end_matches('/').to_owned());
    let config = ApiConfig {
        forms: form_api::site_forms(SITE_TOML)?,
        cors_origin: site_origin
            .as_deref()
            .map(|o| http::HeaderValue::from_str(o).context("SITE_ORIGIN no es un origen válido"))
            .transpose()?,
        site_url: site_origin.unwrap_or_default(),
    };
    let store: Arc<dyn Store> = if env("RECEIPTS_BUCKET").is_some() {
        Arc::new(form_api_aws::AwsStore::from_env().await?)
    } else {
        Arc::new(LocalStore::open(
            env("DATA_DIR").as_deref().unwrap_or("data").as_ref(),
        )?)
    };
    let app = form_api::router(store, config);

    if env("AWS_LAMBDA_RUNTIME_API").is_some() {
        lambda_http::run(app)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    } else {
        let port: u16 = env("PORT")
            .map(|p| p.parse())
            .transpose()
            .context("PORT no es un número")?
            .unwrap_or(3000);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        tracing::info!(address = %listener.local_addr()?, "API de formularios escuchando");
        axum_serve(listener, app).await
    }
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) -> anyhow::Result<()> {
    axum::serve(listener, app)
        .await
        .context("el servidor se detuvo")
}
