//! `serve`'s incremental rebuilds (`generate_cached`): after an edit, the
//! site built from the cache is the one a full build makes, and the search
//! index made apart (`Published::search_index`) is the one a build writes.

mod common;

use common::copy_dir;
use std::path::{Path, PathBuf};

use site_gen::{Cache, Options, Site, Sources, Theme, generate, generate_cached};

fn serve_options() -> Options {
    Options {
        live_reload: true,
        separate_search_index: true,
        ..Options::default()
    }
}

fn sources(root: &Path) -> Sources {
    Sources::load(root, Theme::embedded()).expect("readable")
}

/// The site from the cache; checks its search index on the way.
fn cached(root: &Path, cache: &mut Cache) -> Site {
    let site = generate_cached(&sources(root), &serve_options(), cache)
        .unwrap_or_else(|errors| panic!("builds:\n{errors}"));
    assert_eq!(site.search_index(), "busqueda.json", "a stable name");
    assert_eq!(site.file("busqueda.json"), None, "made apart");
    let with_index = generate(&sources(root), &Options::default()).expect("builds");
    assert_eq!(
        cache.published().search_index(),
        with_index
            .file(with_index.search_index())
            .expect("the index of a build")
    );
    site
}

fn full(root: &Path) -> Site {
    generate(&sources(root), &serve_options()).unwrap_or_else(|errors| panic!("builds:\n{errors}"))
}

fn edit(root: &Path, article: &str, from: &str, to: &str) {
    let path = root.join("content").join(article);
    let text = std::fs::read_to_string(&path).expect("article");
    assert!(text.contains(from), "{from:?} in {article}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("edit");
}

/// The files that differ between two sites.
fn changed(before: &Site, after: &Site) -> Vec<String> {
    let mut files: Vec<String> = after
        .files()
        .iter()
        .filter(|(file, text)| before.file(file) != Some(text.as_str()))
        .map(|(file, _)| file.clone())
        .collect();
    files.extend(
        before
            .files()
            .keys()
            .filter(|file| after.file(file).is_none())
            .cloned(),
    );
    files
}

fn fixture_copy() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitio"),
        root.path(),
    );
    root
}

#[test]
fn a_body_edit_gives_the_full_builds_site_and_changes_only_its_page() {
    let root = fixture_copy();
    let mut cache = Cache::default();
    let before = cached(root.path(), &mut cache);
    assert!(before == full(root.path()));

    edit(
        root.path(),
        "abrir-un-ticket.md",
        "Un ticket es una consulta escrita",
        "Un ticket es una pregunta escrita",
    );
    let after = cached(root.path(), &mut cache);
    assert!(after == full(root.path()), "incremental == full rebuild");
    assert_eq!(changed(&before, &after), ["abrir-un-ticket/index.html"]);
}

#[test]
fn a_front_matter_edit_gives_the_full_builds_site() {
    let root = fixture_copy();
    let mut cache = Cache::default();
    let before = cached(root.path(), &mut cache);

    edit(
        root.path(),
        "consultar-un-ticket.md",
        "title = \"Cómo consultar un ticket\"",
        "title = \"Cómo revisar un ticket\"",
    );
    let after = cached(root.path(), &mut cache);
    assert!(after == full(root.path()), "incremental == full rebuild");
    let changed = changed(&before, &after);
    // Its own page and the pages that list it.
    for file in [
        "consultar-un-ticket/index.html",
        "abrir-un-ticket/index.html",
        "categorias/soporte/index.html",
        "index.html",
    ] {
        assert!(changed.contains(&file.to_owned()), "{file} in {changed:?}");
    }
    assert!(!changed.contains(&"reportar-un-pago/index.html".to_owned()));

    // The order too: the category's pages list the articles anew.
    edit(
        root.path(),
        "consultar-un-ticket.md",
        "order = 2",
        "order = 0",
    );
    assert!(cached(root.path(), &mut cache) == full(root.path()));
}

#[test]
fn after_a_failed_build_the_fix_gives_the_full_builds_site() {
    let root = fixture_copy();
    let mut cache = Cache::default();
    cached(root.path(), &mut cache);
    edit(
        root.path(),
        "abrir-un-ticket.md",
        "order = 1",
        "order = uno",
    );
    generate_cached(&sources(root.path()), &serve_options(), &mut cache).expect_err("broken");
    edit(
        root.path(),
        "abrir-un-ticket.md",
        "order = uno",
        "order = 1",
    );
    edit(
        root.path(),
        "reportar-un-pago.md",
        "\n\n",
        "\n\nPárrafo nuevo.\n\n",
    );
    assert!(cached(root.path(), &mut cache) == full(root.path()));
}
