//! The article lists of a large category: an article page shows a bounded
//! window of its category around the article plus a link to the category
//! page, the home page the first few; the category page lists them all.

mod common;

use common::copy_dir;
use std::path::PathBuf;

use site_gen::generate::{CATEGORY_NAV_WINDOW, HOME_LIST_LIMIT};
use site_gen::{Options, Site, Sources, Theme, generate};

const EXTRA: usize = 12;

/// The fixture site with `EXTRA` more articles in «Soporte» (14 in all).
fn large_category() -> Site {
    let root = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitio"),
        root.path(),
    );
    for n in 1..=EXTRA {
        std::fs::write(
            root.path().join(format!("content/pregunta-{n:02}.md")),
            format!(
                "+++\ntitle = \"Pregunta frecuente {n}\"\ndescription = \"Respuesta breve número {n}.\"\ncategory = \"soporte\"\norder = {}\n+++\n\nTexto de la respuesta {n}.\n",
                n + 2
            ),
        )
        .expect("write article");
    }
    let sources = Sources::load(root.path(), Theme::embedded()).expect("readable");
    generate(&sources, &Options::default()).unwrap_or_else(|errors| panic!("builds:\n{errors}"))
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in page"));
    let to = from + html[from..].find(end).expect("end marker") + end.len();
    &html[from..to]
}

fn category_nav<'a>(site: &'a Site, slug: &str) -> &'a str {
    let page = site
        .file(&format!("{slug}/index.html"))
        .unwrap_or_else(|| panic!("page of {slug}"));
    between(page, "<nav class=\"nav-categoria\"", "</nav>")
}

#[test]
fn an_article_page_lists_a_window_of_its_category_and_links_to_the_rest() {
    let site = large_category();
    insta::assert_snapshot!("first", category_nav(&site, "abrir-un-ticket"));
    insta::assert_snapshot!("middle", category_nav(&site, "pregunta-06"));
    insta::assert_snapshot!("last", category_nav(&site, "pregunta-12"));
}

#[test]
fn every_article_of_the_category_is_marked_current_in_its_own_window() {
    let site = large_category();
    let slugs = ["abrir-un-ticket", "consultar-un-ticket"]
        .into_iter()
        .map(str::to_owned)
        .chain((1..=EXTRA).map(|n| format!("pregunta-{n:02}")));
    for slug in slugs {
        let nav = category_nav(&site, &slug);
        assert_eq!(nav.matches("<li>").count(), CATEGORY_NAV_WINDOW, "{slug}");
        assert_eq!(nav.matches("aria-current").count(), 1, "{slug}");
        assert!(
            nav.contains(&format!("<a href=\"/{slug}/\" aria-current=\"page\">")),
            "{slug}: {nav}"
        );
        assert!(
            nav.contains("<a href=\"/categorias/soporte/\">Ver los 14 artículos de Soporte</a>"),
            "{slug}: {nav}"
        );
    }
}

#[test]
fn the_home_page_lists_the_first_articles_and_the_category_page_all() {
    let site = large_category();
    let home = site.file("index.html").expect("home");
    let card = between(
        home,
        "<section class=\"tarjeta\" aria-labelledby=\"categoria-soporte\">",
        "</section>",
    );
    insta::assert_snapshot!("home", card);
    assert_eq!(card.matches("<li>").count(), HOME_LIST_LIMIT);
    let category = site
        .file("categorias/soporte/index.html")
        .expect("category page");
    let list = between(category, "<ul class=\"lista-articulos\">", "</ul>");
    assert_eq!(list.matches("<li>").count(), 2 + EXTRA);
    assert!(!category.contains("Ver los"));
    // A small category is listed whole, without the link.
    let small = between(
        home,
        "<section class=\"tarjeta\" aria-labelledby=\"categoria-facturacion-y-pagos\">",
        "</section>",
    );
    assert!(!small.contains("Ver los"), "{small}");
    // Its only article has no «Más en …» list: it would list just itself.
    let alone = site.file("reportar-un-pago/index.html").expect("page");
    assert!(!alone.contains("nav-categoria"), "{alone}");
}
