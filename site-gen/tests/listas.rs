//! The article lists of a large category: an article page shows a bounded
//! window of its category around the article plus a link to the category
//! page, the home page the first few; the category page lists them all,
//! split into pages when there are many.

mod common;

use common::copy_dir;
use std::path::PathBuf;

use site_gen::generate::{CATEGORY_NAV_WINDOW, CATEGORY_PAGE_SIZE, HOME_LIST_LIMIT};
use site_gen::{Options, Site, Sources, Theme, generate};

const EXTRA: usize = 12;

/// The fixture site with `EXTRA` more articles in «Soporte» (14 in all).
fn large_category() -> Site {
    with_extra_articles(EXTRA)
}

/// The fixture site with `extra` more articles in «Soporte».
fn with_extra_articles(extra: usize) -> Site {
    let root = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitio"),
        root.path(),
    );
    for n in 1..=extra {
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

#[test]
fn a_long_category_is_split_into_pages_that_link_to_each_other() {
    let extra = CATEGORY_PAGE_SIZE + 3;
    let total = 2 + extra;
    let site = with_extra_articles(extra);
    let first = site.file("categorias/soporte/index.html").expect("page 1");
    let second = site
        .file("categorias/soporte/pagina/2/index.html")
        .expect("page 2");
    assert!(
        site.file("categorias/soporte/pagina/3/index.html")
            .is_none()
    );
    assert!(
        site.file("categorias/soporte/pagina/1/index.html")
            .is_none()
    );

    let listed = |page: &str| {
        between(page, "<ul class=\"lista-articulos\">", "</ul>")
            .matches("<li>")
            .count()
    };
    assert_eq!(listed(first), CATEGORY_PAGE_SIZE);
    assert_eq!(listed(first) + listed(second), total);
    insta::assert_snapshot!(
        "pages-first",
        between(first, "<nav class=\"paginas\"", "</nav>")
    );
    insta::assert_snapshot!(
        "pages-second",
        between(second, "<nav class=\"paginas\"", "</nav>")
    );
    assert!(
        second.contains("<title>Soporte (página 2 de 2) · "),
        "{second}"
    );
    assert!(
        second.contains("<h1>Soporte (página 2 de 2)</h1>"),
        "{second}"
    );
    assert!(
        second.contains(
            "rel=\"canonical\" href=\"https://ayuda.example.com/categorias/soporte/pagina/2/\""
        ),
        "canonical URL of page 2: {second}"
    );
    // The last article is on page 2 only.
    let last = format!("/pregunta-{extra:02}/");
    assert!(second.contains(&last) && !first.contains(&last));
    assert!(
        site.file("sitemap.xml")
            .expect("sitemap")
            .contains("/categorias/soporte/pagina/2/</loc>")
    );

    // A short category has one page and no page links.
    let short = site
        .file("categorias/facturacion-y-pagos/index.html")
        .expect("category");
    assert!(!short.contains("class=\"paginas\""), "{short}");
}
