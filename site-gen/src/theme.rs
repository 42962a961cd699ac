//! Templates and static files.
//!
//! They live in `site-gen/templates/` and `site-gen/static/` and are
//! embedded in the binary, so `site-gen` works from any folder. `serve`
//! reads them from disk instead when `<root>/site-gen/` has them, so that
//! editing a template reloads the browser too.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// Where the theme lives in the repository, relative to the site root.
pub const THEME_DIR: &str = "site-gen";

macro_rules! embedded {
    ($dir:literal: $($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../", $dir, "/", $name)))),+]
    };
}

/// Every template, by the name the renderer asks for.
const TEMPLATES: &[(&str, &str)] = embedded!("templates":
    "base.html",
    "home.html",
    "category.html",
    "article.html",
    "ticket.html",
    "404.html",
    "partials/nav.html",
    "partials/category-nav.html",
    "partials/busqueda.html",
    "sitemap.xml",
    "robots.txt",
);

const FAVICON: &str = "favicon.svg";

/// The site's static files. (`livereload.js` is served by `serve` only.)
/// Which page links which is decided in `generate` (`Assets`).
const STATIC: &[(&str, &str)] = embedded!("static":
    "estilo.css",
    "listados.css",
    "app.js",
    "busqueda.css",
    "busqueda.js",
    "consulta-ticket.css",
    "consulta-ticket.js",
    "favicon.svg",
);

/// The templates and static files of one build.
#[derive(Debug, Clone, Hash)]
pub struct Theme {
    templates: Vec<(&'static str, String)>,
    static_files: Vec<(&'static str, String)>,
}

impl Theme {
    /// The theme compiled into the binary.
    pub fn embedded() -> Theme {
        let own = |files: &[(&'static str, &str)]| {
            files
                .iter()
                .map(|(name, text)| (*name, (*text).to_owned()))
                .collect()
        };
        Theme {
            templates: own(TEMPLATES),
            static_files: own(STATIC),
        }
    }

    /// For `serve`: the theme in `<root>/site-gen/` when its `templates/`
    /// (or `static/`) folder exists, else the embedded one.
    pub fn for_serve(root: &Path) -> std::io::Result<Theme> {
        let mut theme = Theme::embedded();
        for (dir, files) in [
            ("templates", &mut theme.templates),
            ("static", &mut theme.static_files),
        ] {
            let dir = root.join(THEME_DIR).join(dir);
            if dir.is_dir() {
                for (name, text) in files.iter_mut() {
                    let path = dir.join(*name);
                    *text = std::fs::read_to_string(&path).map_err(|e| {
                        std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                    })?;
                }
            }
        }
        Ok(theme)
    }

    /// The folders `serve` watches: those `for_serve` reads.
    pub fn watched_dirs(root: &Path) -> Vec<PathBuf> {
        ["templates", "static"]
            .iter()
            .map(|dir| root.join(THEME_DIR).join(dir))
            .filter(|dir| dir.is_dir())
            .collect()
    }

    pub(crate) fn tera(&self) -> Result<tera::Tera, Diagnostic> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(crate::text::escape_html);
        tera.add_raw_templates(
            self.templates
                .iter()
                .map(|(name, text)| (*name, text.as_str())),
        )
        .map_err(|e| Diagnostic::without_line(format!("{THEME_DIR}/templates"), error_chain(&e)))?;
        Ok(tera)
    }

    /// A file of `static/` by name (`estilo.css`); empty if there is none.
    pub(crate) fn static_file(&self, name: &str) -> &str {
        self.static_files
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, text)| text.as_str())
    }

    pub(crate) fn favicon(&self) -> &str {
        self.static_file(FAVICON)
    }
}

/// A Tera error with its causes, which hold the useful part (the line of a
/// template syntax error, the missing variable…).
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// `estilo.css` + content → `estilo.3fa9c2d1.css`: the name changes when
/// the content does, so the file can be cached forever.
pub(crate) fn fingerprinted(name: &str, content: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(content.as_bytes());
    let hash = hex::encode(&digest[..4]);
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_depend_on_the_content() {
        let a = fingerprinted("estilo.css", "body{}");
        assert!(
            a.starts_with("estilo.")
                && a.ends_with(".css")
                && a.len() == "estilo.12345678.css".len(),
            "{a}"
        );
        assert_eq!(a, fingerprinted("estilo.css", "body{}"));
        assert_ne!(a, fingerprinted("estilo.css", "body{ }"));
    }

    #[test]
    fn the_embedded_templates_compile() {
        assert!(Theme::embedded().tera().is_ok());
    }

    #[test]
    fn serve_reads_the_theme_from_disk_when_present() {
        let root = tempfile::tempdir().expect("temp dir");
        let templates = root.path().join(THEME_DIR).join("templates");
        std::fs::create_dir_all(templates.join("partials")).expect("mkdir");
        for (name, text) in TEMPLATES {
            std::fs::write(
                templates.join(name),
                text.replace("Saltar al contenido", "Ir al contenido"),
            )
            .expect("write");
        }
        let theme = Theme::for_serve(root.path()).expect("theme from disk");
        let base = theme
            .templates
            .iter()
            .find(|(n, _)| *n == "base.html")
            .map(|(_, t)| t.as_str());
        assert!(base.is_some_and(|t| t.contains("Ir al contenido")));
        assert_eq!(
            theme.static_file("estilo.css"),
            Theme::embedded().static_file("estilo.css"),
            "no static/ on disk: embedded"
        );
        assert_eq!(Theme::watched_dirs(root.path()), vec![templates]);
    }
}
