//! The fixture site `fixtures/sitio` built end to end: snapshots of every
//! page, and the properties the pages must keep.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use site_gen::{Options, Overrides, Site, Sources, Summary, Theme, generate};

mod common;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitio")
}

fn build(options: &Options) -> Site {
    let sources = Sources::load(&fixture(), Theme::embedded()).expect("fixture readable");
    generate(&sources, options).unwrap_or_else(|errors| panic!("fixture builds:\n{errors}"))
}

fn config() -> site_gen::SiteConfig {
    let text = std::fs::read_to_string(fixture().join("site.toml")).expect("site.toml");
    site_gen::SiteConfig::parse(&text, &Overrides::default()).expect("valid site.toml")
}

/// Replaces what other parts of the project own (the forms' HTML, the
/// hashes of the assets, which change with any CSS or JS), so the snapshots
/// only change when this crate's output does.
fn redact(site: &Site, text: &str) -> String {
    let forms = config().forms;
    let a = site.assets();
    let mut text = text.to_owned();
    for (name, placeholder) in [
        (&a.css, "estilo.HASH.css"),
        (&a.listings_css, "listados.HASH.css"),
        (&a.js, "app.HASH.js"),
        (&a.forms_css, "formularios.HASH.css"),
        (&a.forms_js, "formularios.HASH.js"),
        (&a.ticket_css, "consulta-ticket.HASH.css"),
        (&a.ticket_js, "consulta-ticket.HASH.js"),
        (&a.search_js, "busqueda.HASH.js"),
        (&a.search_css, "busqueda.HASH.css"),
    ] {
        text = text.replace(name.as_str(), placeholder);
    }
    for form in ["reporte-de-pago", "ticket"] {
        let html = help_forms::render_form(form, &forms, "/api").expect("known form");
        text = text.replace(html.trim_end(), &format!("[formulario {form}]"));
    }
    text
}

fn pages(site: &Site) -> impl Iterator<Item = (&String, &String)> {
    site.files()
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
}

#[test]
fn every_page_matches_its_snapshot() {
    let site = build(&Options::default());
    for (path, content) in site.files() {
        if path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".txt") {
            let name = path.replace('/', "__");
            insta::assert_snapshot!(name, redact(&site, content));
        }
    }
}

#[test]
fn the_site_has_every_expected_file() {
    let site = build(&Options::default());
    let a = site.assets();
    let files: Vec<&str> = site.files().keys().map(String::as_str).collect();
    let mut expected = vec![
        "404.html",
        "abrir-un-ticket/index.html",
        "categorias/facturacion-y-pagos/index.html",
        "categorias/soporte/index.html",
        "categorias/vacia/index.html",
        "consultar-ticket/index.html",
        "consultar-un-ticket/index.html",
        "favicon.svg",
        "index.html",
        "reportar-un-pago/index.html",
        "robots.txt",
        "sitemap.xml",
        &a.css,
        &a.listings_css,
        &a.js,
        &a.forms_css,
        &a.forms_js,
        &a.ticket_css,
        &a.ticket_js,
        &a.search_js,
        &a.search_css,
        &a.search,
    ];
    expected.sort_unstable();
    assert_eq!(files, expected);
    assert_eq!(site.page_count(), 9);
}

#[test]
fn editing_an_article_body_changes_only_its_page_and_the_search_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&fixture(), dir.path());
    let build_copy = || {
        let sources = Sources::load(dir.path(), Theme::embedded()).expect("copy readable");
        generate(&sources, &Options::default()).expect("the copy builds")
    };
    let before = build_copy();
    let article = dir.path().join("content/reportar-un-pago.md");
    let text = std::fs::read_to_string(&article).expect("article");
    let edited = format!("{text}\nGuarde también la referencia bancaria.\n");
    std::fs::write(&article, edited).expect("edit");
    let after = build_copy();
    let changed: Vec<&str> = after
        .files()
        .iter()
        .filter(|(path, content)| before.file(path) != Some(content.as_str()))
        .map(|(path, _)| path.as_str())
        .collect();
    // Deploys upload only these: no page names a fingerprint that moved.
    assert_eq!(changed, ["busqueda.json", "reportar-un-pago/index.html"]);
    assert_eq!(before.files().len(), after.files().len());
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let first = build(&Options::default());
    for _ in 0..3 {
        assert!(build(&Options::default()) == first);
    }
}

#[test]
fn asset_names_carry_a_hash_of_their_minified_content() {
    let site = build(&Options::default());
    let a = site.assets();
    let file = |name: &str| site.file(name).expect("an asset of the site");
    let hash = |name: &str| name.split('.').nth(1).map(str::len);
    for (name, stem, ext) in [
        (&a.css, "estilo", "css"),
        (&a.listings_css, "listados", "css"),
        (&a.js, "app", "js"),
        (&a.forms_css, "formularios", "css"),
        (&a.forms_js, "formularios", "js"),
        (&a.ticket_css, "consulta-ticket", "css"),
        (&a.ticket_js, "consulta-ticket", "js"),
        (&a.search_js, "busqueda", "js"),
        (&a.search_css, "busqueda", "css"),
    ] {
        assert!(
            name.starts_with(&format!("{stem}.")) && name.ends_with(&format!(".{ext}")),
            "{name}"
        );
        assert_eq!(hash(name), Some(8), "{name}");
        let text = file(name);
        assert!(
            !text.contains("/*") && !text.contains("\n  "),
            "{name}: comments and indentation are gone"
        );
    }
    // Named by every page, so never fingerprinted (see the edit test above).
    assert_eq!(a.search, "busqueda.json");
    assert!(file(&a.css).contains("@media print{"));
    assert!(file(&a.css).contains(".cabecera :focus-visible{"));
    assert!(file(&a.forms_css).starts_with(".formulario{"));
    assert!(file(&a.search_css).contains(".resultado a::after{"));
    assert!(file(&a.listings_css).starts_with(".buscador-inicio{"));
    assert!(file(&a.ticket_css).starts_with(".resultado-ticket dl{"));
    assert!(file(&a.js).contains("print()"));
    assert!(file(&a.js).contains("document.createElement('script')"));
    assert!(
        !file(&a.js).contains("BusquedaAyuda"),
        "search code loads lazily"
    );
    assert!(file(&a.search_js).contains("global.BusquedaAyuda=api;"));
    assert!(file(&a.forms_js).contains("form[data-formulario]"));
    assert!(file(&a.ticket_js).contains("form[data-consulta-ticket]"));
}

/// The local CSS and JS files a page loads: its stylesheets and scripts.
fn linked_assets(html: &str) -> Vec<&str> {
    let mut linked = Vec::new();
    for (tag, attribute) in [
        ("<link rel=\"stylesheet\"", " href=\"/"),
        ("<script", " src=\"/"),
    ] {
        for (at, _) in html.match_indices(tag) {
            let element = &html[at..at + html[at..].find('>').expect("closed tag")];
            let value =
                &element[element.find(attribute).expect("a local file") + attribute.len()..];
            linked.push(&value[..value.find('"').expect("closed attribute")]);
        }
    }
    linked
}

#[test]
fn each_page_links_only_the_css_and_js_it_uses() {
    let site = build(&Options::default());
    let a = site.assets();
    for (path, html) in pages(&site) {
        let mut expected = vec![a.css.as_str(), a.js.as_str()];
        match path.as_str() {
            // The two articles that embed a form.
            "reportar-un-pago/index.html" | "abrir-un-ticket/index.html" => {
                expected.extend([a.forms_css.as_str(), a.forms_js.as_str()]);
            }
            "consultar-ticket/index.html" => {
                expected.extend([a.ticket_css.as_str(), a.ticket_js.as_str()]);
            }
            // The lists of articles.
            "index.html" => expected.push(a.listings_css.as_str()),
            category if category.starts_with("categorias/") => {
                expected.push(a.listings_css.as_str());
            }
            _ => {}
        }
        let mut linked = linked_assets(html);
        // The site's styles come first: the forms' build on them.
        assert_eq!(linked.first(), Some(&a.css.as_str()), "{path}");
        linked.sort_unstable();
        expected.sort_unstable();
        assert_eq!(linked, expected, "{path}");
        assert_eq!(
            html.contains("data-formulario="),
            expected.contains(&a.forms_js.as_str()),
            "{path}: the forms' script goes where a form is"
        );
    }
}

#[test]
fn the_search_code_is_linked_by_no_page_and_named_by_the_search_box() {
    let site = build(&Options::default());
    let a = site.assets();
    for (path, html) in pages(&site) {
        let linked = linked_assets(html);
        assert!(
            !linked.contains(&a.search_js.as_str()) && !linked.contains(&a.search_css.as_str()),
            "{path}"
        );
        assert!(
            html.contains(&format!(
                " data-codigo=\"/{}\" data-estilo=\"/{}\" hidden>",
                a.search_js, a.search_css
            )),
            "{path}"
        );
    }
}

#[test]
fn pages_have_no_inline_script_or_style_for_a_strict_csp() {
    let site = build(&Options::default());
    for (path, html) in pages(&site) {
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=").count(),
            "inline script in {path}"
        );
        assert!(!html.contains("<style"), "style element in {path}");
        assert!(!html.contains(" style=\""), "style attribute in {path}");
        for tag in html
            .split('<')
            .skip(1)
            .filter_map(|t| t.split_once('>').map(|(tag, _)| tag))
        {
            let attributes = tag.split_whitespace().skip(1);
            for attribute in attributes {
                let name = attribute
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                assert!(
                    !(name.starts_with("on") && name.len() > 2 && attribute.contains('=')),
                    "inline handler {attribute} in {path}"
                );
                assert!(
                    !attribute.to_ascii_lowercase().contains("javascript:"),
                    "javascript: URL in {path}: {tag}"
                );
            }
        }
    }
}

#[test]
fn ids_are_unique_on_every_page() {
    let site = build(&Options::default());
    for (path, html) in pages(&site) {
        let mut seen = HashSet::new();
        for (start, found) in html.match_indices(" id=\"") {
            let rest = &html[start + found.len()..];
            let id = &rest[..rest.find('"').expect("closed attribute")];
            assert!(seen.insert(id), "id {id:?} repeated in {path}");
        }
    }
}

#[test]
fn pages_are_spanish_with_a_skip_link_canonical_and_description() {
    let site = build(&Options::default());
    for (path, html) in pages(&site) {
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"es\">"),
            "{path}"
        );
        assert!(
            html.contains("<a class=\"salto\" href=\"#contenido\">Saltar al contenido</a>"),
            "{path}"
        );
        assert!(html.contains("<main id=\"contenido\""), "{path}");
        assert!(
            html.contains("<meta name=\"description\" content=\""),
            "{path}"
        );
        assert!(
            html.contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"),
            "{path}"
        );
        if path == "404.html" {
            assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        } else {
            let url = format!(
                "https://ayuda.example.com/{}",
                path.trim_end_matches("index.html")
            );
            assert!(
                html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")),
                "{path}"
            );
            assert!(
                html.contains(&format!("<meta property=\"og:url\" content=\"{url}\">")),
                "{path}"
            );
        }
    }
}

#[test]
fn the_form_directive_embeds_the_forms_crate_html() {
    let site = build(&Options::default());
    let page = site.file("reportar-un-pago/index.html").expect("article");
    let form =
        help_forms::render_form("reporte-de-pago", &config().forms, "/api").expect("known form");
    assert!(page.contains(form.trim_end()));
    assert!(
        !page.contains("formulario("),
        "the directive itself must not reach the page"
    );
}

#[test]
fn command_line_urls_replace_those_of_site_toml() {
    let options = Options {
        overrides: Overrides {
            base_url: Some("https://ayuda.example.net".into()),
            api_url: Some("https://api.example.net/v1".into()),
        },
        ..Options::default()
    };
    let site = build(&options);
    let article = site.file("abrir-un-ticket/index.html").expect("article");
    assert!(
        article.contains(
            "<link rel=\"canonical\" href=\"https://ayuda.example.net/abrir-un-ticket/\">"
        )
    );
    assert!(article.contains("action=\"https://api.example.net/v1/votos\""));
    let ticket = site
        .file("consultar-ticket/index.html")
        .expect("ticket page");
    assert!(ticket.contains("action=\"https://api.example.net/v1/tickets/consultar\""));
    assert!(
        site.file("robots.txt")
            .expect("robots")
            .contains("Sitemap: https://ayuda.example.net/sitemap.xml")
    );
}

#[test]
fn live_reload_adds_an_external_script_only_when_asked() {
    let with = build(&Options {
        live_reload: true,
        ..Options::default()
    });
    let without = build(&Options::default());
    for (path, html) in pages(&with) {
        assert!(
            html.contains("<script src=\"/__livereload.js\" defer></script>"),
            "{path}"
        );
    }
    for (path, html) in pages(&without) {
        assert!(!html.contains("__livereload"), "{path}");
    }
}

/// Every file of a folder, by its path relative to `root`.
fn read_tree(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("read folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            read_tree(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("inside root");
            let text = std::fs::read_to_string(&path).expect("UTF-8 file");
            files.insert(relative.to_string_lossy().replace('\\', "/"), text);
        }
    }
}

fn build_into(dir: &Path) -> Result<Summary, site_gen::Diagnostics> {
    let sources = Sources::load(&fixture(), Theme::embedded()).expect("fixture readable");
    site_gen::build(&sources, &Options::default(), dir)
}

#[test]
fn the_streaming_build_writes_the_same_bytes_as_the_site_in_memory() {
    let out = tempfile::tempdir().expect("temp dir");
    let summary = build_into(out.path()).expect("build");
    let site = build(&Options::default());
    let mut written = BTreeMap::new();
    read_tree(out.path(), out.path(), &mut written);
    assert!(
        &written == site.files(),
        "the folder differs from generate()"
    );
    assert_eq!(
        summary,
        Summary {
            pages: site.page_count(),
            files: site.files().len()
        }
    );
    let sources = Sources::load(&fixture(), Theme::embedded()).expect("fixture readable");
    assert_eq!(
        site_gen::check(&sources, &Options::default()).expect("valid"),
        summary
    );
}

#[test]
fn build_writes_the_site_and_removes_stale_files_on_rebuild() {
    let out = tempfile::tempdir().expect("temp dir");
    build_into(out.path()).expect("first build");
    std::fs::create_dir_all(out.path().join("viejo")).expect("mkdir");
    std::fs::write(out.path().join("viejo/index.html"), "viejo").expect("stale file");
    std::fs::write(out.path().join("abrir-un-ticket/index.html"), "cambiado").expect("edit");
    build_into(out.path()).expect("second build");
    assert!(!out.path().join("viejo").exists(), "stale folder removed");
    let mut written = BTreeMap::new();
    read_tree(out.path(), out.path(), &mut written);
    assert!(&written == build(&Options::default()).files());
}

#[test]
fn build_refuses_to_write_into_a_folder_that_holds_something_else() {
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::write(out.path().join("notas.txt"), "importante").expect("write");
    let error = build_into(out.path()).expect_err("refused");
    assert!(error.to_string().contains("no está vacía"), "{error}");
    assert!(out.path().join("notas.txt").exists());
    assert_eq!(std::fs::read_dir(out.path()).expect("read").count(), 1);
}

#[test]
fn the_build_command_writes_public_and_prints_a_one_line_summary() {
    let out = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .arg("--root")
        .arg(fixture())
        .args(["build", "--out"])
        .arg(out.path().join("public"))
        .output()
        .expect("site-gen runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("Sitio generado en "), "{stdout}");
    assert!(stdout.contains(": 9 páginas (22 archivos) en "), "{stdout}");
    assert!(
        out.path()
            .join("public/reportar-un-pago/index.html")
            .is_file()
    );
}

#[test]
fn every_page_has_one_search_box_hidden_until_the_script_runs() {
    let site = build(&Options::default());
    let a = site.assets();
    let form = format!(
        "<form class=\"busqueda\" role=\"search\" data-busqueda data-indice=\"/{}\" data-codigo=\"/{}\" data-estilo=\"/{}\" hidden>\n<label for=\"busqueda-texto\">Buscar en la ayuda</label>\n<input id=\"busqueda-texto\" name=\"q\" type=\"search\"",
        a.search, a.search_js, a.search_css
    );
    for (path, html) in pages(&site) {
        assert_eq!(html.matches("role=\"search\"").count(), 1, "{path}");
        assert!(html.contains(&form), "{path}");
        let header = &html
            [html.find("<header").expect("header")..html.find("</header>").expect("header end")];
        // The home page has it in the page, every other page in the header.
        assert_eq!(header.contains(&form), path != "index.html", "{path}");
    }
}

#[test]
fn the_search_index_lists_the_articles_with_their_terms() {
    let site = build(&Options::default());
    let index: serde_json::Value =
        serde_json::from_str(site.file(site.search_index()).expect("index")).expect("JSON");
    assert_eq!(index["v"], 1);
    assert_eq!(
        index["c"],
        serde_json::json!(["Facturación y pagos", "Soporte", "Sección vacía"])
    );
    let docs: Vec<(&str, &str, u64)> = index["d"]
        .as_array()
        .expect("docs")
        .iter()
        .map(|d| {
            (
                d[0].as_str().expect("slug"),
                d[1].as_str().expect("title"),
                d[2].as_u64().expect("category"),
            )
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("reportar-un-pago", "Cómo reportar un pago", 0),
            ("abrir-un-ticket", "Cómo abrir un ticket", 1),
            ("consultar-un-ticket", "Cómo consultar un ticket", 1),
        ]
    );
    let terms: Vec<&str> = index["t"]
        .as_array()
        .expect("terms")
        .iter()
        .map(|t| t.as_str().expect("term"))
        .collect();
    assert!(terms.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    for term in ["report", "pag", "ticket", "consult"] {
        assert!(terms.contains(&term), "{term} in {terms:?}");
    }
    assert!(!terms.contains(&"de") && !terms.contains(&"formulario(\"ticket\")"));
    assert_eq!(
        index["p"].as_array().map(Vec::len),
        Some(terms.len()),
        "one postings list per term"
    );
}
