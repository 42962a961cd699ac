//! The search: the browser's half (static/busqueda.js) run by Node, so that
//! `cargo test` covers it. Skipped, with a message, when `node` is missing.
//!
//! - `normalize.test.mjs`: the JavaScript normaliser against the table the
//!   Rust one is tested with (`fixtures/normalizacion.json`).
//! - `busqueda.test.mjs`: queries on the index of the real site (the
//!   repository's `content/`), each expecting a tutorial first.

use std::path::{Path, PathBuf};
use std::process::Command;

use site_gen::{Options, Sources, Theme, generate};

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

#[test]
fn the_browser_normaliser_passes_the_shared_table() {
    if let Some(output) = node_test(&tests_dir().join("normalize.test.mjs"), &[]) {
        assert_passed(&output);
    }
}

#[test]
fn the_browser_search_finds_each_tutorial_of_the_real_site() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let sources = Sources::load(&root, Theme::embedded()).expect("the repository's site");
    let site = generate(&sources, &Options::default())
        .unwrap_or_else(|errors| panic!("the repository's site builds:\n{errors}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join(site.search_index());
    std::fs::write(
        &index,
        site.file(site.search_index())
            .expect("the index is a file of the site"),
    )
    .expect("write the index");
    if let Some(output) = node_test(
        &tests_dir().join("busqueda.test.mjs"),
        &[("INDICE_BUSQUEDA", &index)],
    ) {
        assert_passed(&output);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("# pass 4"), "nothing skipped:\n{stdout}");
    }
}
