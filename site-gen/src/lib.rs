//! `site-gen`: the help center's static site generator.
//!
//! Markdown articles (`content/*.md`, TOML front matter) and `site.toml`
//! become a static site: home, one page per category and per article,
//! `/consultar-ticket/`, `404.html`, `sitemap.xml`, `robots.txt`, a favicon,
//! fingerprinted and minified CSS and JS files (each page links only those it
//! uses: see [`generate::Assets`]), and a fingerprinted search index for the
//! search box (see [`search`]).
//!
//! The pipeline is [`Sources::load`] (reads files) → [`generate()`] (pure:
//! sources in, pages out, or every error at once as `content/x.md:12:
//! mensaje`) → [`Site::write_to`]. [`serve()`] wraps it in a live-reloading
//! local server. Error messages and the site's text are in Spanish; see
//! [`markdown`] for the decisions about Markdown (raw HTML is refused).

pub mod config;
pub mod content;
pub mod diagnostics;
pub mod generate;
pub mod markdown;
mod minify;
mod output;
pub mod search;
pub mod serve;
pub mod text;
pub mod theme;

pub use config::{Overrides, SiteConfig};
pub use diagnostics::{Diagnostic, Diagnostics};
pub use generate::{Options, Site, Sources, generate};
pub use serve::{ServeOptions, Server, serve};
pub use theme::Theme;
