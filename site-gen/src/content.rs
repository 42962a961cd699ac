//! Articles: finding the Markdown files and reading their front matter.
//!
//! An article is `content/<slug>.md` (subfolders are allowed and only
//! group files: the slug is always the file stem, so it must be unique
//! across folders). Files whose name starts with `_`, `README.md` and
//! non-`.md` files are ignored. The file starts with TOML front matter
//! between two `+++` lines:
//!
//! ```toml
//! +++
//! title = "Cómo abrir un ticket"
//! description = "Resumen de una o dos frases: va en la lista y en <meta>."
//! category = "soporte"          # un slug de [[categories]] en site.toml
//! order = 1                     # posición dentro de la categoría
//! related = ["otro-articulo"]   # opcional: slugs para «Leer también»
//! tags = ["tickets"]            # opcional
//! +++
//! ```
//!
//! Unknown keys are refused, so a typo in a key name cannot go unnoticed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, LineIndex};

/// The folder of the articles, relative to the site root.
pub const CONTENT_DIR: &str = "content";

/// A text file of the site, named by its path relative to the site root
/// (with `/` separators), which is how errors name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    /// The slug of an article: its file stem.
    pub fn stem(&self) -> &str {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        name.strip_suffix(".md").unwrap_or(name)
    }
}

/// Reads every article under `root/content` (in parallel), sorted by path.
pub fn load_articles(root: &Path) -> std::io::Result<Vec<SourceFile>> {
    let mut found = Vec::new();
    let dir = root.join(CONTENT_DIR);
    if dir.is_dir() {
        find_articles(&dir, CONTENT_DIR, &mut found)?;
    }
    found.sort();
    found
        .into_par_iter()
        .map(|(label, path)| {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{label}: {e}")))?;
            Ok(SourceFile { path: label, text })
        })
        .collect()
}

fn find_articles(
    dir: &Path,
    label: &str,
    found: &mut Vec<(String, PathBuf)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let label = format!("{label}/{name}");
        if entry.file_type()?.is_dir() {
            if !name.starts_with('.') {
                find_articles(&entry.path(), &label, found)?;
            }
        } else if is_article_name(&name) {
            found.push((label, entry.path()));
        }
    }
    Ok(())
}

/// Whether a file name is an article: `.md`, not `README.md`, not `_*`.
pub fn is_article_name(name: &str) -> bool {
    name.ends_with(".md") && !name.starts_with('_') && !name.starts_with('.') && name != "README.md"
}

/// The checked front matter of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: String,
    pub description: String,
    pub category: Located<String>,
    pub order: i64,
    pub related: Vec<Located<String>>,
    pub tags: Vec<String>,
}

/// A value and the line where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// An article's front matter and the Markdown body after it.
#[derive(Debug)]
pub struct Document<'a> {
    pub front_matter: FrontMatter,
    pub body: &'a str,
    /// Byte offset of the body in the file, to turn body offsets into lines.
    pub body_offset: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Spanned<String>,
    description: Spanned<String>,
    category: Spanned<String>,
    order: i64,
    #[serde(default)]
    related: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
}

const FRONT_MATTER_HELP: &str = "el archivo debe empezar con una línea +++, seguida de title, description, category y order en TOML, y otra línea +++";

/// The fields of the front matter, as a writer reads them in an error.
const FRONT_MATTER_FIELDS: &str = "title, description, category, order, related y tags";

/// The toml crate's English message, said in Spanish with how to fix it;
/// unknown messages are kept after a general hint.
fn front_matter_error(message: &str) -> String {
    let quoted = |prefix: &str| {
        let rest = message.strip_prefix(prefix)?;
        let name = rest.strip_prefix('`')?.split('`').next()?;
        Some(name.to_owned())
    };
    if let Some(name) = quoted("missing field ") {
        format!(
            "falta el campo «{name}»: agréguelo entre las dos líneas +++ (son obligatorios title, description, category y order)"
        )
    } else if let Some(name) = quoted("unknown field ") {
        format!(
            "campo desconocido «{name}»: los campos posibles son {FRONT_MATTER_FIELDS}; corrija el nombre o quítelo"
        )
    } else if message.starts_with("invalid type: ") && message.contains("expected i64") {
        "«order» debe ser un número entero sin comillas, por ejemplo order = 2".to_owned()
    } else if message.starts_with("invalid type: ") && message.contains("expected a sequence") {
        "«related» y «tags» son listas: escríbalas entre corchetes, por ejemplo tags = [\"pagos\"]"
            .to_owned()
    } else if message.contains("string") && message.contains("expected `\"`") {
        "texto sin cerrar: termine el valor con comillas dobles (\")".to_owned()
    } else {
        format!(
            "front matter TOML no válido ({message}): cada línea es clave = valor, con los textos entre comillas dobles"
        )
    }
}

/// Splits and parses the front matter of `file`.
pub fn parse_document<'a>(
    file: &'a SourceFile,
    lines: &LineIndex,
) -> Result<Document<'a>, Diagnostic> {
    let text = file.text.as_str();
    let error =
        |offset: usize, message: String| Diagnostic::new(&file.path, lines.line(offset), message);

    let start = usize::from(text.starts_with('\u{feff}')) * '\u{feff}'.len_utf8();
    let mut offset = start;
    let mut front_start = None;
    let mut front_end = None;
    for line in text[start..].split_inclusive('\n') {
        let is_fence = line.trim_end() == "+++";
        match front_start {
            None if is_fence => front_start = Some(offset + line.len()),
            None => {
                return Err(error(
                    offset,
                    format!("falta el front matter: {FRONT_MATTER_HELP}"),
                ));
            }
            Some(_) if is_fence => {
                front_end = Some((offset, offset + line.len()));
                break;
            }
            Some(_) => {}
        }
        offset += line.len();
    }
    let Some(front_start) = front_start else {
        return Err(error(start, format!("archivo vacío: {FRONT_MATTER_HELP}")));
    };
    let Some((front_end, body_offset)) = front_end else {
        return Err(error(
            start,
            "front matter sin cerrar: falta la línea +++ que lo termina".into(),
        ));
    };

    let raw: RawFrontMatter = toml::from_str(&text[front_start..front_end]).map_err(|e| {
        let at = e.span().map_or(start, |span| front_start + span.start);
        error(at, front_matter_error(e.message().trim()))
    })?;

    for (name, field) in [
        ("title", &raw.title),
        ("description", &raw.description),
        ("category", &raw.category),
    ] {
        if field.get_ref().trim().is_empty() {
            return Err(error(
                front_start + field.span().start,
                format!("«{name}» no puede estar vacío: escriba su texto entre las comillas"),
            ));
        }
    }
    let locate = |value: Spanned<String>| Located {
        line: lines.line(front_start + value.span().start),
        value: value.into_inner(),
    };
    Ok(Document {
        front_matter: FrontMatter {
            title: raw.title.into_inner().trim().to_owned(),
            description: raw.description.into_inner().trim().to_owned(),
            category: locate(raw.category),
            order: raw.order,
            related: raw.related.into_iter().map(locate).collect(),
            tags: raw.tags,
        },
        body: &text[body_offset..],
        body_offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FrontMatter, Diagnostic> {
        let file = SourceFile {
            path: "content/prueba.md".into(),
            text: text.into(),
        };
        let lines = LineIndex::new(&file.text);
        parse_document(&file, &lines).map(|doc| doc.front_matter)
    }

    #[test]
    fn front_matter_fields_are_read_with_their_lines() {
        let fm = parse(
            "+++\ntitle = \"Título\"\ndescription = \"Resumen.\"\ncategory = \"cuenta\"\norder = 2\nrelated = [\n  \"a\",\n  \"b\",\n]\ntags = [\"x\"]\n+++\n\nTexto.\n",
        )
        .expect("valid front matter");
        assert_eq!(fm.title, "Título");
        assert_eq!(
            fm.category,
            Located {
                value: "cuenta".into(),
                line: 4
            }
        );
        assert_eq!(fm.order, 2);
        assert_eq!(
            fm.related,
            vec![
                Located {
                    value: "a".into(),
                    line: 7
                },
                Located {
                    value: "b".into(),
                    line: 8
                }
            ]
        );
        assert_eq!(fm.tags, vec!["x".to_owned()]);
    }

    #[test]
    fn the_body_starts_after_the_closing_fence() {
        let file = SourceFile {
            path: "content/prueba.md".into(),
            text: "+++\r\ntitle = \"T\"\r\ndescription = \"D\"\r\ncategory = \"c\"\r\norder = 1\r\n+++\r\nCuerpo\r\n".into(),
        };
        let lines = LineIndex::new(&file.text);
        let doc = parse_document(&file, &lines).expect("valid front matter");
        assert_eq!(doc.body, "Cuerpo\r\n");
        assert_eq!(lines.line(doc.body_offset), 7);
    }

    #[test]
    fn a_toml_error_points_at_its_line() {
        let err =
            parse("+++\ntitle = \"T\"\ndescription = \"D\"\ncategory = cuenta\norder = 1\n+++\n")
                .expect_err("bad toml");
        assert_eq!(err.line, Some(4));
        assert!(
            err.message.starts_with("front matter TOML no válido"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_required_field_is_reported() {
        let err = parse("+++\ntitle = \"T\"\ncategory = \"c\"\norder = 1\n+++\n")
            .expect_err("missing description");
        assert!(err.message.contains("description"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let err = parse("+++\ntitle = \"T\"\ndescription = \"D\"\ncategory = \"c\"\norder = 1\ncategoria = \"c\"\n+++\n")
            .expect_err("unknown key");
        assert_eq!(err.line, Some(6));
        assert!(err.message.contains("categoria"), "{err}");
    }

    #[test]
    fn a_file_without_front_matter_is_refused_at_line_one() {
        let err = parse("# Título\n").expect_err("no front matter");
        assert_eq!(err.line, Some(1));
        assert!(err.message.starts_with("falta el front matter"));
    }

    #[test]
    fn an_unclosed_front_matter_is_refused() {
        let err = parse("+++\ntitle = \"T\"\n").expect_err("unclosed");
        assert!(err.message.starts_with("front matter sin cerrar"));
    }

    #[test]
    fn readme_and_underscore_files_are_not_articles() {
        assert!(is_article_name("como-abrir-un-ticket.md"));
        assert!(!is_article_name("README.md"));
        assert!(!is_article_name("_borrador.md"));
        assert!(!is_article_name("notas.txt"));
    }
}
