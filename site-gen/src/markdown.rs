//! Markdown bodies to HTML: heading ids and anchors, internal links, form
//! directives.
//!
//! Decisions, enforced as build errors naming file and line:
//!
//! - **Raw HTML is refused** (blocks, inline tags and comments alike). The
//!   pages must pass a strict CSP, the Nu checker and axe, and stay
//!   printable; HTML typed into an article could break any of those
//!   unnoticed. Everything a tutorial needs is Markdown, and forms come
//!   from the directive below.
//! - Headings start at `##` (the `#` title comes from the front matter) and
//!   do not skip levels (`##` then `####`), so the outline stays valid.
//! - Links: `[texto](@/slug)` and `[texto](@/slug#ancla)` point to another
//!   article (rendered as `/slug/#ancla`), `#ancla` to this page, `/ruta/` to
//!   any generated page; `http(s)://`, `mailto:` and `tel:` are external.
//!   Relative links (`otro.md`, `../x/`) are refused: they break depending
//!   on the page that contains them. Whether targets exist is checked once
//!   every page is rendered (see `generate`).
//! - A paragraph that is exactly `{{ formulario("id") }}` is replaced by
//!   the form's HTML from `help_forms::render_form`. A `{{` anywhere else in
//!   a paragraph is reported, so a misspelt directive cannot reach readers.
//!
//! Tables and ~~strikethrough~~ are enabled; smart punctuation is not.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::text::{IdAllocator, is_slug, slugify};

/// Ids the article page template uses itself; a heading that would take
/// one gets a numbered suffix instead.
pub const RESERVED_IDS: &[&str] = &[
    "contenido",
    "busqueda-texto",
    "indice",
    "leer-tambien",
    "fue-util",
    "en-esta-categoria",
];

/// What the renderer needs besides the Markdown.
pub struct FormsEnv<'a> {
    pub forms: &'a help_forms::FormsConfig,
    pub api_url: &'a str,
}

/// An article body rendered to HTML, with what the site needs from it.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// Whether a form directive was expanded (its HTML comes from another
    /// crate, so the page is checked for duplicate ids).
    pub has_form: bool,
    /// The body as plain text, without headings and form directives, for
    /// the search index.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 2 to 6.
    pub level: u8,
    /// Line in the article file.
    pub line: usize,
    pub id: String,
    /// The heading as plain text.
    pub text: String,
}

/// A link found in the body, to be checked once all pages exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub line: usize,
    /// As written in the Markdown, for error messages.
    pub written: String,
    pub target: LinkTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `#ancla`: a fragment of the same page.
    SamePage { fragment: String },
    /// `@/slug#ancla`: another article.
    Article {
        slug: String,
        fragment: Option<String>,
    },
    /// `/ruta/#ancla`: any generated page or file.
    Path {
        path: String,
        fragment: Option<String>,
    },
}

/// One entry of a table of contents: a `##` heading and its `###`s.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub id: String,
    pub text: String,
    pub children: Vec<TocEntry>,
}

/// Articles with at least this many `##` headings get a table of contents.
pub const TOC_MIN_SECTIONS: usize = 3;

/// The table of contents of an article, empty when it is short.
pub fn table_of_contents(headings: &[Heading]) -> Vec<TocEntry> {
    if headings.iter().filter(|h| h.level == 2).count() < TOC_MIN_SECTIONS {
        return Vec::new();
    }
    let mut toc: Vec<TocEntry> = Vec::new();
    for heading in headings {
        let entry = TocEntry {
            id: heading.id.clone(),
            text: heading.text.clone(),
            children: Vec::new(),
        };
        match (heading.level, toc.last_mut()) {
            (2, _) => toc.push(entry),
            (3, Some(parent)) => parent.children.push(entry),
            _ => {}
        }
    }
    toc
}

/// Renders an article body. `body_offset` is where the body starts in the
/// file, so that errors get the file's line numbers.
pub fn render(
    file: &str,
    lines: &LineIndex,
    body: &str,
    body_offset: usize,
    env: &FormsEnv<'_>,
) -> (RenderedBody, Vec<Diagnostic>) {
    let mut renderer = Renderer {
        file,
        lines,
        body_offset,
        env,
        ids: IdAllocator::new(RESERVED_IDS),
        last_level: 1,
        errors: Vec::new(),
        out: Vec::new(),
        heading: None,
        paragraph: None,
        paragraph_text: 0,
        result: RenderedBody::default(),
    };
    let mut in_html_block = false;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let offset = range.start;
        if renderer.heading.is_none() {
            renderer.collect_text(&event);
        }
        match event {
            Event::Start(Tag::HtmlBlock) => {
                in_html_block = true;
                renderer.refuse_html(offset, &body[range]);
            }
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::Html(_) if in_html_block => {}
            Event::Html(html) | Event::InlineHtml(html) => renderer.refuse_html(offset, &html),
            Event::Start(Tag::Heading { level, .. }) => {
                renderer.heading = Some(Pending {
                    offset,
                    events: Vec::new(),
                });
                renderer.check_level(level, offset);
            }
            Event::End(TagEnd::Heading(level)) => renderer.finish_heading(level),
            Event::Start(Tag::Paragraph) if renderer.heading.is_none() => {
                renderer.paragraph = Some(Pending {
                    offset,
                    events: Vec::new(),
                });
                renderer.paragraph_text = renderer.result.text.len();
            }
            Event::End(TagEnd::Paragraph) if renderer.paragraph.is_some() => {
                renderer.finish_paragraph()
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = renderer.link(offset, dest_url, link_type);
                renderer.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = renderer.link(offset, dest_url, link_type);
                renderer.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            event => renderer.push(event),
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, renderer.out.into_iter());
    renderer.result.html = html;
    (renderer.result, renderer.errors)
}

struct Pending<'a> {
    offset: usize,
    events: Vec<Event<'a>>,
}

struct Renderer<'a, 'e> {
    file: &'e str,
    lines: &'e LineIndex,
    body_offset: usize,
    env: &'e FormsEnv<'e>,
    ids: IdAllocator,
    last_level: u8,
    errors: Vec<Diagnostic>,
    out: Vec<Event<'a>>,
    heading: Option<Pending<'a>>,
    paragraph: Option<Pending<'a>>,
    /// Length of `result.text` when the current paragraph started.
    paragraph_text: usize,
    result: RenderedBody,
}

impl<'a> Renderer<'a, '_> {
    fn line(&self, body_offset: usize) -> usize {
        self.lines.line(self.body_offset + body_offset)
    }

    fn error(&mut self, body_offset: usize, message: String) {
        let line = self.line(body_offset);
        self.errors.push(Diagnostic::new(self.file, line, message));
    }

    fn push(&mut self, event: Event<'a>) {
        match (&mut self.heading, &mut self.paragraph) {
            (Some(pending), _) | (None, Some(pending)) => pending.events.push(event),
            (None, None) => self.out.push(event),
        }
    }

    /// Adds the text of an event outside headings to `result.text`; line
    /// breaks and the ends of blocks and cells become a space.
    fn collect_text(&mut self, event: &Event<'_>) {
        let text = &mut self.result.text;
        let separates = match event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(t);
                false
            }
            Event::SoftBreak | Event::HardBreak => true,
            Event::End(end) => !matches!(
                end,
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript
                    | TagEnd::Link
                    | TagEnd::Image
            ),
            _ => false,
        };
        if separates && !text.is_empty() && !text.ends_with(' ') {
            text.push(' ');
        }
    }

    fn refuse_html(&mut self, offset: usize, html: &str) {
        let first_line = html.lines().next().unwrap_or("").trim();
        let shown: String = first_line.chars().take(40).collect();
        let ellipsis = if shown.len() < first_line.len() {
            "…"
        } else {
            ""
        };
        self.error(
            offset,
            format!(
                "HTML en bruto no permitido («{shown}{ellipsis}»): escriba el contenido en Markdown; los formularios se insertan con {{{{ formulario(\"id\") }}}} en un párrafo aparte"
            ),
        );
    }

    fn check_level(&mut self, level: HeadingLevel, offset: usize) {
        let level = heading_number(level);
        if level == 1 {
            self.error(
                offset,
                "encabezado de nivel 1 (#): el título del artículo viene de «title» en el front matter; use ## para las secciones".into(),
            );
        } else if level > self.last_level + 1 {
            let (from, to) = (
                "#".repeat(usize::from(self.last_level)),
                "#".repeat(usize::from(level)),
            );
            let fix = "#".repeat(usize::from(self.last_level) + 1);
            self.error(
                offset,
                format!("salto de nivel de encabezado ({from} seguido de {to}): use {fix} para no saltar niveles"),
            );
        }
        self.last_level = level;
    }

    fn finish_heading(&mut self, level: HeadingLevel) {
        let Some(pending) = self.heading.take() else {
            return;
        };
        let line = self.line(pending.offset);
        let text: String = pending
            .events
            .iter()
            .filter_map(|event| match event {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                Event::SoftBreak | Event::HardBreak => Some(" "),
                _ => None,
            })
            .collect::<String>()
            .trim()
            .to_owned();
        let id = self.ids.allocate(slugify(&text));
        // The heading's text links to the heading itself (as on MDN), so the
        // link is named by the heading; a heading that already holds a link
        // cannot, since links do not nest.
        let has_link = pending
            .events
            .iter()
            .any(|event| matches!(event, Event::Start(Tag::Link { .. })));
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, pending.events.into_iter());
        let level = heading_number(level);
        let html = if has_link {
            format!("<h{level} id=\"{id}\">{inner}</h{level}>\n")
        } else {
            format!(
                "<h{level} id=\"{id}\"><a class=\"ancla\" href=\"#{id}\">{inner}</a></h{level}>\n"
            )
        };
        self.out.push(Event::Html(html.into()));
        self.result.headings.push(Heading {
            level,
            line,
            id,
            text,
        });
    }

    fn finish_paragraph(&mut self) {
        let Some(pending) = self.paragraph.take() else {
            return;
        };
        let mut text = String::new();
        let mut only_text = true;
        for event in &pending.events {
            match event {
                Event::Text(t) => text.push_str(t),
                Event::SoftBreak => text.push(' '),
                _ => only_text = false,
            }
        }
        if !text.contains("{{") {
            self.out.push(Event::Start(Tag::Paragraph));
            self.out.extend(pending.events);
            self.out.push(Event::End(TagEnd::Paragraph));
            return;
        }
        // A directive (or a broken one) is not text to search.
        self.result.text.truncate(self.paragraph_text);
        match parse_directive(&text).filter(|_| only_text) {
            Some(form_id) => match help_forms::render_form(form_id, self.env.forms, self.env.api_url) {
                Ok(html) => {
                    self.result.has_form = true;
                    self.out.push(Event::Html(format!("{}\n", html.trim_end()).into()));
                }
                Err(unknown) => self.error(
                    pending.offset,
                    format!("{unknown}: corrija el identificador en {{{{ formulario(\"…\") }}}}"),
                ),
            },
            None => self.error(
                pending.offset,
                "directiva no válida: escriba exactamente {{ formulario(\"reporte-de-pago\") }} (u otro formulario), sola en un párrafo".into(),
            ),
        }
    }

    fn link(
        &mut self,
        offset: usize,
        dest: CowStr<'a>,
        link_type: pulldown_cmark::LinkType,
    ) -> CowStr<'a> {
        if link_type == pulldown_cmark::LinkType::Email {
            return dest;
        }
        match classify(&dest) {
            Ok(None) => dest,
            Ok(Some((target, href))) => {
                let line = self.line(offset);
                self.result.links.push(Link {
                    line,
                    written: dest.to_string(),
                    target,
                });
                href.map_or(dest, CowStr::from)
            }
            Err(message) => {
                self.error(offset, message);
                dest
            }
        }
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `{{ formulario("id") }}` → `id`.
fn parse_directive(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let argument = inner
        .strip_prefix("formulario")?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')?
        .trim();
    let id = argument.strip_prefix('"')?.strip_suffix('"')?;
    (!id.is_empty() && !id.contains('"')).then_some(id)
}

/// Sorts a link destination: `Ok(None)` for external links, the target to
/// check plus the rewritten `href` (when it changes) for internal ones.
fn classify(dest: &str) -> Result<Option<(LinkTarget, Option<String>)>, String> {
    let split_fragment = |s: &str| match s.split_once('#') {
        Some((before, fragment)) => (before.to_owned(), Some(fragment.to_owned())),
        None => (s.to_owned(), None),
    };
    if let Some(rest) = dest.strip_prefix("@/") {
        let (slug, fragment) = split_fragment(rest);
        if !is_slug(&slug) || fragment.as_deref() == Some("") {
            return Err(format!(
                "enlace interno no válido «{dest}»: escriba [texto](@/slug) o [texto](@/slug#ancla), con el nombre del archivo sin .md"
            ));
        }
        let href = match &fragment {
            Some(fragment) => format!("/{slug}/#{fragment}"),
            None => format!("/{slug}/"),
        };
        return Ok(Some((LinkTarget::Article { slug, fragment }, Some(href))));
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        if fragment.is_empty() {
            return Err("enlace vacío «#»: indique el ancla, p. ej. [texto](#pasos)".into());
        }
        return Ok(Some((
            LinkTarget::SamePage {
                fragment: fragment.to_owned(),
            },
            None,
        )));
    }
    if dest.starts_with("//") || has_scheme(dest) {
        return Ok(None);
    }
    if dest.starts_with('/') {
        let (before_fragment, fragment) = split_fragment(dest);
        let path = before_fragment
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        return Ok(Some((LinkTarget::Path { path, fragment }, None)));
    }
    if dest.is_empty() {
        return Err("enlace vacío: indique el destino entre paréntesis".into());
    }
    Err(format!(
        "enlace relativo «{dest}»: use [texto](@/slug) para otro artículo o una ruta absoluta como /consultar-ticket/"
    ))
}

fn has_scheme(dest: &str) -> bool {
    match dest.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms() -> help_forms::FormsConfig {
        let site = include_str!("../tests/fixtures/sitio/site.toml");
        let config = crate::config::SiteConfig::parse(site, &crate::config::Overrides::default());
        config.expect("fixture site.toml is valid").forms
    }

    fn md(body: &str) -> (RenderedBody, Vec<Diagnostic>) {
        let forms = forms();
        let env = FormsEnv {
            forms: &forms,
            api_url: "/api",
        };
        let text = format!("+++\n+++\n{body}");
        render("content/x.md", &LineIndex::new(&text), &text[8..], 8, &env)
    }

    fn messages(errors: &[Diagnostic]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn headings_get_ids_and_link_to_themselves_unless_they_hold_a_link() {
        let (body, errors) = md(
            "## Antes de *empezar*\n\ntexto\n\n## Antes de empezar\n\n## Vea [Pasos](#antes-de-empezar)\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            body.html,
            "<h2 id=\"antes-de-empezar\"><a class=\"ancla\" href=\"#antes-de-empezar\">Antes de <em>empezar</em></a></h2>\n<p>texto</p>\n<h2 id=\"antes-de-empezar-2\"><a class=\"ancla\" href=\"#antes-de-empezar-2\">Antes de empezar</a></h2>\n<h2 id=\"vea-pasos\">Vea <a href=\"#antes-de-empezar\">Pasos</a></h2>\n"
        );
        assert_eq!(body.headings[1].id, "antes-de-empezar-2");
    }

    #[test]
    fn headings_never_take_an_id_of_the_page_template() {
        let (body, _) = md("## Contenido\n");
        assert_eq!(body.headings[0].id, "contenido-2");
    }

    #[test]
    fn a_level_one_heading_is_reported() {
        let (_, errors) = md("texto\n\n# Título\n");
        assert_eq!(errors.len(), 1);
        assert!(
            messages(&errors)[0].starts_with("content/x.md:5: encabezado de nivel 1"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_skipped_heading_level_is_reported() {
        let (_, errors) = md("## Uno\n\n#### Tres\n");
        assert!(
            messages(&errors)[0].starts_with("content/x.md:5: salto de nivel"),
            "{errors:?}"
        );
    }

    #[test]
    fn raw_html_blocks_and_inline_tags_are_refused_with_their_lines() {
        let (_, errors) = md(
            "<div class=\"aviso\">\nhola\n</div>\n\ntexto <b>negrita</b>\n\n<!-- comentario -->\n",
        );
        assert_eq!(
            messages(&errors),
            vec![
                "content/x.md:3: HTML en bruto no permitido («<div class=\"aviso\">»): escriba el contenido en Markdown; los formularios se insertan con {{ formulario(\"id\") }} en un párrafo aparte",
                "content/x.md:7: HTML en bruto no permitido («<b>»): escriba el contenido en Markdown; los formularios se insertan con {{ formulario(\"id\") }} en un párrafo aparte",
                "content/x.md:7: HTML en bruto no permitido («</b>»): escriba el contenido en Markdown; los formularios se insertan con {{ formulario(\"id\") }} en un párrafo aparte",
                "content/x.md:9: HTML en bruto no permitido («<!-- comentario -->»): escriba el contenido en Markdown; los formularios se insertan con {{ formulario(\"id\") }} en un párrafo aparte",
            ]
        );
    }

    #[test]
    fn text_that_merely_looks_like_html_is_escaped() {
        let (body, errors) = md("Si 3 < 4 y `<b>` es código.\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            body.html,
            "<p>Si 3 &lt; 4 y <code>&lt;b&gt;</code> es código.</p>\n"
        );
    }

    #[test]
    fn internal_links_are_rewritten_and_recorded_with_their_lines() {
        let (body, errors) = md(
            "Vea [el ticket](@/como-abrir-un-ticket#pasos),\n[esto](#arriba) y [consulta](/consultar-ticket/?numero=1).\n[web](https://example.com) y <ayuda@example.com>.\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            body.html.contains("href=\"/como-abrir-un-ticket/#pasos\""),
            "{}",
            body.html
        );
        assert!(
            body.html.contains("href=\"mailto:ayuda@example.com\""),
            "{}",
            body.html
        );
        let targets: Vec<_> = body
            .links
            .iter()
            .map(|l| (l.line, l.target.clone()))
            .collect();
        assert_eq!(
            targets,
            vec![
                (
                    3,
                    LinkTarget::Article {
                        slug: "como-abrir-un-ticket".into(),
                        fragment: Some("pasos".into())
                    }
                ),
                (
                    4,
                    LinkTarget::SamePage {
                        fragment: "arriba".into()
                    }
                ),
                (
                    4,
                    LinkTarget::Path {
                        path: "/consultar-ticket/".into(),
                        fragment: None
                    }
                ),
            ]
        );
    }

    #[test]
    fn relative_and_malformed_internal_links_are_reported() {
        let (_, errors) = md("[a](otro.md)\n\n[b](@/Mal_Slug)\n\n[c](@/x#)\n");
        let errors = messages(&errors);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("content/x.md:3: enlace relativo «otro.md»"));
        assert!(errors[1].starts_with("content/x.md:5: enlace interno no válido"));
        assert!(errors[2].starts_with("content/x.md:7: enlace interno no válido"));
    }

    #[test]
    fn a_form_directive_alone_in_a_paragraph_becomes_the_form() {
        let forms = forms();
        let expected = help_forms::render_form("ticket", &forms, "/api").expect("known form");
        let (body, errors) = md("Antes.\n\n{{ formulario(\"ticket\") }}\n\nDespués.\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(body.has_form);
        assert_eq!(
            body.html,
            format!("<p>Antes.</p>\n{}\n<p>Después.</p>\n", expected.trim_end())
        );
    }

    #[test]
    fn an_unknown_form_is_reported_with_its_line() {
        let (_, errors) = md("texto\n\n{{ formulario(\"encuesta\") }}\n");
        let errors = messages(&errors);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("content/x.md:5: "), "{errors:?}");
        assert!(errors[0].contains("encuesta"), "{errors:?}");
    }

    #[test]
    fn a_misspelt_or_inline_directive_is_reported() {
        let (_, errors) = md("{{ formulario(ticket) }}\n\nAquí {{ formulario(\"ticket\") }} va.\n");
        let errors = messages(&errors);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("content/x.md:3: directiva no válida"));
        assert!(errors[1].starts_with("content/x.md:5: directiva no válida"));
    }

    #[test]
    fn the_plain_text_leaves_out_headings_and_forms() {
        let (body, errors) = md(
            "Hola *mundo*,\notra línea.\n\n## Título\n\n- uno\n- `dos`\n\n| a | b |\n|---|---|\n| c | d |\n\n{{ formulario(\"ticket\") }}\n\n[Fin](/x/).\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(body.text, "Hola mundo, otra línea. uno dos a b c d Fin. ");
    }

    #[test]
    fn long_articles_get_a_nested_table_of_contents() {
        let heading = |level, id: &str| Heading {
            level,
            line: 1,
            id: id.into(),
            text: id.to_uppercase(),
        };
        let headings = [
            heading(2, "a"),
            heading(3, "a1"),
            heading(4, "a1x"),
            heading(2, "b"),
            heading(2, "c"),
            heading(3, "c1"),
        ];
        let toc = table_of_contents(&headings);
        assert_eq!(
            toc.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(
            toc[0]
                .children
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["a1"]
        );
        assert_eq!(toc[2].children[0].text, "C1");
        assert!(
            table_of_contents(&headings[..4]).is_empty(),
            "two sections are not enough"
        );
    }
}
