//! The form function: validates submissions of the help center's forms,
//! stores receipts and tickets exactly once, and answers status lookups and
//! "¿Fue útil?" votes.

pub mod app;
pub mod body;
pub mod pages;
pub mod store;
pub mod submit;

pub use app::{ApiConfig, router};
pub use store::local::LocalStore;
pub use store::{Store, StoreError};

/// The `[forms]` table of a `site.toml`, checked.
pub fn site_forms(site_toml: &str) -> anyhow::Result<help_forms::FormsConfig> {
    #[derive(serde::Deserialize)]
    struct Site {
        forms: help_forms::FormsConfig,
    }
    let site: Site = toml::from_str(site_toml).map_err(|e| anyhow::anyhow!("site.toml: {e}"))?;
    site.forms.check().map_err(anyhow::Error::msg)?;
    Ok(site.forms)
}

#[cfg(test)]
mod app_tests;
