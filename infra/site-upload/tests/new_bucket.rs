//! `--dry-run` without `--bucket`: the plan for a stack not yet created
//! (infra/deploy.sh --dry-run on a new stack). Needs no S3 server.

use std::process::Command;

#[test]
fn a_dry_run_without_a_bucket_plans_every_file_as_new_and_calls_no_server() {
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let site = work.path().join("public");
    std::fs::create_dir_all(site.join("guia")).expect("mkdir");
    std::fs::write(site.join("index.html"), "<h1>Inicio</h1>").expect("write");
    std::fs::write(site.join("guia/index.html"), "<h1>Guía</h1>").expect("write");
    std::fs::write(site.join("estilo.3fa9c2d1.css"), "body{}").expect("write");
    let invalidations = work.path().join("invalidations.txt");

    let output = Command::new(env!("CARGO_BIN_EXE_site-upload"))
        .arg(&site)
        .args(["--dry-run", "--invalidations"])
        .arg(&invalidations)
        // Any S3 call would fail here (nothing listens on port 9).
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run site-upload");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("(bucket nuevo, vacío): 3 archivos locales, 0 objetos"),
        "{stderr}"
    );
    let planned: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("subiría")?.split_whitespace().next())
        .collect();
    assert_eq!(
        planned,
        ["estilo.3fa9c2d1.css", "guia/index.html", "index.html"],
        "{stderr}"
    );
    assert!(
        stderr.contains("3 para subir (3 nuevos, 0 modificados), 0 para borrar"),
        "{stderr}"
    );
    let paths = std::fs::read_to_string(&invalidations).expect("read invalidations");
    assert_eq!(
        paths.lines().collect::<Vec<_>>(),
        [
            "/",
            "/estilo.3fa9c2d1.css",
            "/guia/",
            "/guia/index.html",
            "/index.html"
        ]
    );
}

#[test]
fn a_real_upload_needs_a_bucket() {
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_site-upload"))
        .arg(work.path())
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run site-upload");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--bucket"));
}
