//! `site.toml`: the site's title, URLs, categories and form options.

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::text::is_slug;

/// Where the configuration lives, relative to the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// The parsed and checked `site.toml`.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Absolute origin of the published site, without a trailing slash
    /// (`https://ayuda.example.com`). The site lives at the root of its
    /// domain, so the URL has no path.
    pub base_url: String,
    /// The pages' `lang` attribute (`es`).
    pub language: String,
    /// Where forms and votes are sent, without a trailing slash: `/api` (same
    /// origin) or an absolute URL.
    pub api_url: String,
    /// In the order of `site.toml`, which is the order shown on the site.
    pub categories: Vec<Category>,
    /// The `[forms]` table, owned by the forms crate.
    pub forms: help_forms::FormsConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// Values given on the command line that replace those of `site.toml`.
#[derive(Debug, Clone, Default, Hash)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub api_url: Option<String>,
}

#[derive(Deserialize)]
struct RawConfig {
    title: Spanned<String>,
    description: Spanned<String>,
    base_url: Spanned<String>,
    language: Spanned<String>,
    api_url: Spanned<String>,
    #[serde(default)]
    categories: Vec<RawCategory>,
    forms: help_forms::FormsConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    slug: Spanned<String>,
    name: Spanned<String>,
    description: Spanned<String>,
}

impl SiteConfig {
    /// Parses `site.toml`, applies the overrides and checks every value,
    /// reporting all problems with their lines.
    pub fn parse(text: &str, overrides: &Overrides) -> Result<SiteConfig, Vec<Diagnostic>> {
        let lines = LineIndex::new(text);
        let at = |offset: usize, message: String| {
            Diagnostic::new(CONFIG_FILE, lines.line(offset), message)
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |span| lines.line(span.start));
            vec![Diagnostic::new(
                CONFIG_FILE,
                line,
                format!("TOML no válido: {}", e.message().trim()),
            )]
        })?;

        let mut errors = Vec::new();
        for field in [&raw.title, &raw.description, &raw.language] {
            if field.get_ref().trim().is_empty() {
                errors.push(at(
                    field.span().start,
                    "el valor no puede estar vacío".into(),
                ));
            }
        }

        let base_url = match &overrides.base_url {
            Some(url) => check_base_url(url).map_err(|m| Diagnostic::without_line("--base-url", m)),
            None => {
                check_base_url(raw.base_url.get_ref()).map_err(|m| at(raw.base_url.span().start, m))
            }
        };
        let api_url = match &overrides.api_url {
            Some(url) => check_api_url(url).map_err(|m| Diagnostic::without_line("--api-url", m)),
            None => {
                check_api_url(raw.api_url.get_ref()).map_err(|m| at(raw.api_url.span().start, m))
            }
        };
        let base_url = base_url.map_err(|d| errors.push(d)).ok();
        let api_url = api_url.map_err(|d| errors.push(d)).ok();

        let mut categories: Vec<Category> = Vec::new();
        for raw_category in raw.categories {
            let slug = raw_category.slug.get_ref();
            let line_offset = raw_category.slug.span().start;
            if !is_slug(slug) {
                errors.push(at(
                    line_offset,
                    format!("slug de categoría no válido «{slug}»: use minúsculas sin acentos, dígitos y guiones (p. ej. «facturacion-y-pagos»)"),
                ));
            } else if categories.iter().any(|c| c.slug == *slug) {
                errors.push(at(line_offset, format!("categoría duplicada «{slug}»: cada [[categories]] necesita un slug distinto")));
            }
            for field in [&raw_category.name, &raw_category.description] {
                if field.get_ref().trim().is_empty() {
                    errors.push(at(
                        field.span().start,
                        "el valor no puede estar vacío".into(),
                    ));
                }
            }
            categories.push(Category {
                slug: raw_category.slug.into_inner(),
                name: raw_category.name.into_inner(),
                description: raw_category.description.into_inner(),
            });
        }
        if categories.is_empty() {
            errors.push(Diagnostic::new(
                CONFIG_FILE,
                1,
                "no hay categorías: agregue al menos una tabla [[categories]] con slug, name y description",
            ));
        }
        if let Err(message) = raw.forms.check() {
            let line = text
                .lines()
                .position(|l| l.trim() == "[forms]")
                .map_or(1, |i| i + 1);
            errors.push(Diagnostic::new(
                CONFIG_FILE,
                line,
                format!("[forms]: {message}"),
            ));
        }

        match (base_url, api_url) {
            (Some(base_url), Some(api_url)) if errors.is_empty() => Ok(SiteConfig {
                title: raw.title.into_inner(),
                description: raw.description.into_inner(),
                base_url,
                language: raw.language.into_inner(),
                api_url,
                categories,
                forms: raw.forms,
            }),
            _ => Err(errors),
        }
    }

    pub fn category(&self, slug: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.slug == slug)
    }
}

fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url «{url}» debe empezar con https:// o http://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#']) {
        return Err(format!(
            "base_url «{url}» debe ser solo el origen (p. ej. https://ayuda.example.com): el sitio se publica en la raíz del dominio"
        ));
    }
    Ok(url.to_owned())
}

fn check_api_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let relative = url.starts_with('/') && !url.starts_with("//");
    if !(absolute || relative) || url.contains(['?', '#', '"', '<', '>', ' ']) {
        return Err(format!(
            "api_url «{url}» debe ser una ruta del mismo sitio (p. ej. /api) o una URL https:// sin parámetros"
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[forms]` table of the fixture site, appended to each test's head.
    fn forms_table() -> &'static str {
        let fixture = include_str!("../tests/fixtures/sitio/site.toml");
        fixture
            .find("[forms]")
            .map_or("", |start| &fixture[start..])
    }

    fn parse(head: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        SiteConfig::parse(&format!("{head}\n{}", forms_table()), &Overrides::default())
    }

    const GOOD: &str = r#"title = "Centro de ayuda"
description = "Ayuda"
base_url = "https://ayuda.example.com/"
language = "es"
api_url = "/api/"

[[categories]]
slug = "cuenta"
name = "Cuenta"
description = "Su cuenta."
"#;

    #[test]
    fn urls_lose_their_trailing_slash() {
        let config = parse(GOOD).expect("valid config");
        assert_eq!(config.base_url, "https://ayuda.example.com");
        assert_eq!(config.api_url, "/api");
        assert_eq!(config.categories[0].slug, "cuenta");
    }

    #[test]
    fn command_line_overrides_replace_the_urls() {
        let overrides = Overrides {
            base_url: Some("https://otro.example.com".into()),
            api_url: Some("https://api.example.com/v1".into()),
        };
        let config = SiteConfig::parse(&format!("{GOOD}\n{}", forms_table()), &overrides)
            .expect("valid config");
        assert_eq!(config.base_url, "https://otro.example.com");
        assert_eq!(config.api_url, "https://api.example.com/v1");
    }

    #[test]
    fn a_base_url_with_a_path_is_reported_on_its_line() {
        let errors =
            parse(&GOOD.replace("https://ayuda.example.com/", "https://example.com/ayuda/"))
                .expect_err("path in base_url");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert!(
            errors[0].message.contains("raíz del dominio"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn an_invalid_category_slug_is_reported_on_its_line() {
        let errors = parse(&GOOD.replace("slug = \"cuenta\"", "slug = \"Mi Cuenta\""))
            .expect_err("bad slug");
        assert_eq!(errors[0].line, Some(8));
        assert!(errors[0].message.contains("Mi Cuenta"));
    }

    #[test]
    fn toml_syntax_errors_carry_their_line() {
        let errors =
            parse(&GOOD.replace("language = \"es\"", "language = es")).expect_err("bad toml");
        assert_eq!(errors[0].line, Some(4));
        assert!(errors[0].message.starts_with("TOML no válido"));
    }
}
