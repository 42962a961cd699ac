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

#[cfg(test)]
mod app_tests;
