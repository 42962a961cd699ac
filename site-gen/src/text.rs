//! Text helpers shared by the Markdown renderer and the templates.

use std::collections::HashSet;

/// Escapes text for HTML content and double- or single-quoted attributes.
///
/// Also the templates' autoescape function: unlike Tera's default it leaves
/// `/` alone, so URLs stay readable in the output.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // Copies the runs between special characters whole (tera calls this for
    // every value a template prints). They are ASCII, so each byte offset
    // found is a character boundary.
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Turns a heading into an id: lowercase, Spanish accents folded
/// (á→a, é→e, í→i, ó→o, ú→u, ü→u, ñ→n), every run of other characters
/// turned into one `-`, trimmed. Text with no letters or digits gives
/// `seccion`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if folded.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(folded);
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("seccion");
    }
    out
}

/// Whether `text` is a valid page slug: lowercase ASCII letters, digits and
/// single dashes, not starting or ending with a dash.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Hands out unique ids within one page: a repeated id gets `-2`, `-3`…
pub struct IdAllocator {
    used: HashSet<String>,
}

impl IdAllocator {
    /// `reserved` are ids the page template already uses.
    pub fn new(reserved: &[&str]) -> Self {
        IdAllocator {
            used: reserved.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    pub fn allocate(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_folds_spanish_accents_and_punctuation() {
        assert_eq!(
            slugify("¿Debo hacer un reporte por cada servicio?"),
            "debo-hacer-un-reporte-por-cada-servicio"
        );
        assert_eq!(slugify("Facturación y pagos"), "facturacion-y-pagos");
        assert_eq!(slugify("Año, pingüino; ÉXITO"), "ano-pinguino-exito");
        assert_eq!(slugify("  --Paso 1: ingrese--  "), "paso-1-ingrese");
        assert_eq!(slugify("¿?"), "seccion");
    }

    #[test]
    fn repeated_ids_get_numbered_suffixes() {
        let mut ids = IdAllocator::new(&["contenido"]);
        assert_eq!(ids.allocate("pasos".into()), "pasos");
        assert_eq!(ids.allocate("pasos".into()), "pasos-2");
        assert_eq!(ids.allocate("pasos".into()), "pasos-3");
        assert_eq!(ids.allocate("contenido".into()), "contenido-2");
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert!(is_slug("como-abrir-un-ticket"));
        assert!(is_slug("paso-2"));
        assert!(!is_slug("Como-abrir"));
        assert!(!is_slug("cómo"));
        assert!(!is_slug("-inicio"));
        assert!(!is_slug("doble--guion"));
        assert!(!is_slug(""));
    }

    #[test]
    fn escape_html_escapes_markup_and_quotes_but_not_slashes() {
        assert_eq!(
            escape_html(r#"<a href="/x/">'&'</a>"#),
            "&lt;a href=&quot;/x/&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("«Año» & <ñ>"), "«Año» &amp; &lt;ñ&gt;");
        assert_eq!(escape_html("sin nada que escapar"), "sin nada que escapar");
    }
}
