//! Every kind of content error is reported with its file and line, all at
//! once. The fixture site `fixtures/errores` has one file per kind.

use std::path::PathBuf;
use std::process::Command;

use site_gen::{Options, Sources, Theme, generate};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errores")
}

fn errors() -> Vec<String> {
    let sources = Sources::load(&fixture(), Theme::embedded()).expect("fixture readable");
    let diagnostics = generate(&sources, &Options::default()).expect_err("the fixture has errors");
    diagnostics
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn assert_reported(prefix: &str) {
    let errors = errors();
    assert!(
        errors.iter().any(|e| e.starts_with(prefix)),
        "expected an error starting with {prefix:?} in:\n{}",
        errors.join("\n")
    );
}

#[test]
fn bad_front_matter_is_reported_with_file_and_line_and_how_to_fix_it() {
    assert_reported(
        "content/front-matter-roto.md:4: texto sin cerrar: termine el valor con comillas dobles",
    );
    assert_reported("content/campo-faltante.md:2: falta el campo «description»: agréguelo");
    assert_reported(
        "content/campo-desconocido.md:6: campo desconocido «autor»: los campos posibles son",
    );
    assert_reported("content/tipo-incorrecto.md:5: «order» debe ser un número entero sin comillas");
    assert_reported("content/etiquetas-sin-lista.md:6: «related» y «tags» son listas");
    assert_reported("content/valor-vacio.md:3: «description» no puede estar vacío");
}

/// The whole text of every message, where and how to fix included.
#[test]
fn every_error_says_where_it_is_and_how_to_fix_it() {
    insta::assert_snapshot!(errors().join("\n"));
}

#[test]
fn unknown_related_slug_is_reported_with_file_and_line() {
    assert_reported(
        "content/relacionado-desconocido.md:8: artículo relacionado desconocido «no-existe»",
    );
}

#[test]
fn duplicate_slug_is_reported_with_file_and_line() {
    assert_reported(
        "content/otra-carpeta/duplicado.md:1: slug duplicado «duplicado»: content/duplicado.md ya lo usa",
    );
}

#[test]
fn unknown_category_is_reported_with_file_and_line() {
    assert_reported("content/categoria-desconocida.md:4: categoría desconocida «ventas»");
}

#[test]
fn broken_internal_links_are_reported_with_file_and_line() {
    assert_reported("content/enlace-roto.md:8: enlace a un artículo inexistente «@/no-existe»");
    assert_reported("content/enlace-roto.md:10: enlace roto «/no-existe/»");
    assert_reported(
        "content/enlace-roto.md:10: enlace roto «/consultar-ticket»: esa página no existe en el sitio; escriba /consultar-ticket/",
    );
}

#[test]
fn missing_fragment_is_reported_with_file_and_line() {
    assert_reported(
        "content/ancla-inexistente.md:11: el ancla «#conclusion» de «@/valido#conclusion» no existe en /valido/; anclas de sus títulos: #pasos",
    );
    assert_reported(
        "content/ancla-inexistente.md:13: el ancla «#final» no existe en /ancla-inexistente/",
    );
}

#[test]
fn raw_html_is_refused_with_file_and_line() {
    assert_reported("content/html-en-bruto.md:10: HTML en bruto no permitido");
}

#[test]
fn a_heading_that_repeats_an_id_of_an_embedded_form_is_reported_with_file_and_line() {
    assert_reported(
        "content/id-repetido.md:8: el id «formulario-ticket» aparece dos veces en la página",
    );
}

#[test]
fn all_errors_are_collected_before_failing_and_nothing_else_is_reported() {
    let files_and_lines: Vec<String> = errors()
        .iter()
        .map(|e| e.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
        .collect();
    assert_eq!(
        files_and_lines,
        [
            "content/ancla-inexistente.md:11",
            "content/ancla-inexistente.md:13",
            "content/campo-desconocido.md:6",
            "content/campo-faltante.md:2",
            "content/categoria-desconocida.md:4",
            "content/enlace-roto.md:8",
            "content/enlace-roto.md:10",
            "content/enlace-roto.md:10",
            "content/etiquetas-sin-lista.md:6",
            "content/front-matter-roto.md:4",
            "content/html-en-bruto.md:10",
            "content/id-repetido.md:8",
            "content/otra-carpeta/duplicado.md:1",
            "content/relacionado-desconocido.md:8",
            "content/tipo-incorrecto.md:5",
            "content/valor-vacio.md:3",
        ]
    );
}

#[test]
fn the_cli_prints_each_error_on_its_own_line_and_fails() {
    let output = Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .arg("--root")
        .arg(fixture())
        .arg("check")
        .output()
        .expect("site-gen runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), errors().len() + 1, "{stderr}");
    assert_eq!(
        lines[..lines.len() - 1],
        errors().iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    assert_eq!(lines[lines.len() - 1], "El sitio no se generó: 16 errores.");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_build_with_errors_writes_nothing_and_leaves_the_previous_site_alone() {
    let sources = Sources::load(&fixture(), Theme::embedded()).expect("fixture readable");
    let out = tempfile::tempdir().expect("temp dir");
    let public = out.path().join("public");
    let diagnostics = site_gen::build(&sources, &Options::default(), &public).expect_err("errors");
    assert_eq!(
        diagnostics
            .as_slice()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        errors(),
        "the same errors as in memory"
    );
    assert!(!public.exists(), "nothing written");

    // A previous site in the folder stays as it was.
    std::fs::create_dir_all(&public).expect("mkdir");
    for (file, text) in [
        ("404.html", "antes"),
        ("sitemap.xml", "antes"),
        ("index.html", "antes"),
    ] {
        std::fs::write(public.join(file), text).expect("previous site");
    }
    site_gen::build(&sources, &Options::default(), &public).expect_err("errors");
    let mut names: Vec<String> = std::fs::read_dir(&public)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["404.html", "index.html", "sitemap.xml"]);
    for file in names {
        assert_eq!(
            std::fs::read_to_string(public.join(file)).expect("read"),
            "antes"
        );
    }
}
