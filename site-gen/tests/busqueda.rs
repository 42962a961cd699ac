//! The search: the browser's half (static/busqueda.js) run by Node, so that
//! `cargo test` covers it. Skipped, with a message, when `node` is missing.
//!
//! - `normalize.test.mjs`: the JavaScript normaliser against the table the
//!   Rust one is tested with (`fixtures/normalizacion.json`).
//! - `busqueda.test.mjs`: queries on the index of the real site (the
//!   repository's `content/`), each expecting a tutorial first.
//!
//! Both run on the source and on the minified `busqueda.<hash>.js` that the
//! site serves; every minified script must also parse (`node --check`).

use std::path::{Path, PathBuf};
use std::process::Command;

use site_gen::{Options, Site, Sources, Theme, generate};

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Runs `node --test file` with `env`; `None` when node is not installed.
fn node_test(file: &Path, env: &[(&str, &Path)]) -> Option<std::process::Output> {
    let mut command = Command::new("node");
    command.arg("--test").arg(file);
    for (key, value) in env {
        command.env(key, value);
    }
    match command.output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "node no está instalado: se omite {} (instale Node 20 o posterior para probar la búsqueda del navegador)",
                file.display()
            );
            None
        }
        Err(error) => panic!("no se pudo ejecutar node: {error}"),
    }
}

fn assert_passed(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "node --test falló:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The site of the repository's `content/`.
fn real_site() -> Site {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let sources = Sources::load(&root, Theme::embedded()).expect("the repository's site");
    generate(&sources, &Options::default())
        .unwrap_or_else(|errors| panic!("the repository's site builds:\n{errors}"))
}

/// A temporary folder with these files of `site`.
fn write_files(site: &Site, names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in names {
        let text = site.file(name).expect("a file of the site");
        std::fs::write(dir.path().join(name), text).expect("write a file of the site");
    }
    dir
}

#[test]
fn the_browser_normaliser_passes_the_shared_table() {
    if let Some(output) = node_test(&tests_dir().join("normalize.test.mjs"), &[]) {
        assert_passed(&output);
    }
}

#[test]
fn the_browser_search_finds_each_tutorial_of_the_real_site() {
    let site = real_site();
    let dir = write_files(&site, &[site.search_index()]);
    let index = dir.path().join(site.search_index());
    if let Some(output) = node_test(
        &tests_dir().join("busqueda.test.mjs"),
        &[("INDICE_BUSQUEDA", &index)],
    ) {
        assert_passed(&output);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("# pass 4"), "nothing skipped:\n{stdout}");
    }
}

#[test]
fn the_minified_search_script_passes_the_same_tests() {
    let site = real_site();
    let a = site.assets();
    let dir = write_files(&site, &[&a.search_js, &a.search]);
    let script = dir.path().join(&a.search_js);
    let index = dir.path().join(&a.search);
    let minified = [("BUSQUEDA_JS", script.as_path())];
    if let Some(output) = node_test(&tests_dir().join("normalize.test.mjs"), &minified) {
        assert_passed(&output);
    }
    let with_index = [minified[0], ("INDICE_BUSQUEDA", index.as_path())];
    if let Some(output) = node_test(&tests_dir().join("busqueda.test.mjs"), &with_index) {
        assert_passed(&output);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("# pass 4"), "nothing skipped:\n{stdout}");
    }
}

#[test]
fn every_minified_script_of_the_site_is_valid_javascript() {
    let site = real_site();
    let a = site.assets();
    let scripts = [&a.js, &a.forms_js, &a.ticket_js, &a.search_js].map(String::as_str);
    let dir = write_files(&site, &scripts);
    for name in scripts {
        match Command::new("node")
            .arg("--check")
            .arg(dir.path().join(name))
            .output()
        {
            Ok(output) => assert!(
                output.status.success(),
                "{name}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("node no está instalado: no se comprueba la sintaxis de {name}");
            }
            Err(error) => panic!("no se pudo ejecutar node: {error}"),
        }
    }
}
