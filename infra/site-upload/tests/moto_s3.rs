//! End-to-end test of the `site-upload` binary against a moto S3 server.
//!
//! Runs only when MOTO_URL is set (scripts/lib/moto.sh's `moto_start` sets it,
//! with AWS_ENDPOINT_URL, test credentials and S3_FORCE_PATH_STYLE=1);
//! otherwise it prints why and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_s3::Client;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, max-age=300, must-revalidate";

fn unique_name(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

async fn client() -> Client {
    let shared = aws_config::from_env()
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .load()
        .await;
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

fn write(root: &Path, key: &str, content: &str) {
    let path = root.join(key);
    std::fs::create_dir_all(path.parent().expect("file has a parent")).expect("create dir");
    std::fs::write(path, content).expect("write file");
}

/// Runs the binary; returns (stderr, invalidation paths).
fn run(site: &Path, bucket: &str, extra: &[&str], invalidations: &Path) -> (String, Vec<String>) {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_site-upload"))
        .arg(site)
        .args(["--bucket", bucket, "--invalidations"])
        .arg(invalidations)
        .args(extra)
        .output()
        .expect("run site-upload");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "site-upload failed:\n{stderr}");
    let paths = std::fs::read_to_string(invalidations).expect("read invalidations");
    (stderr, paths.lines().map(str::to_owned).collect())
}

fn count_lines(stderr: &str, verb: &str) -> usize {
    stderr
        .lines()
        .filter(|line| line.starts_with(&format!("{verb} ")))
        .count()
}

async fn keys(client: &Client, bucket: &str) -> Vec<String> {
    let listed = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("list");
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_first_upload_sends_everything_the_second_nothing_and_a_change_only_what_changed() {
    if std::env::var_os("MOTO_URL").is_none() {
        assert!(
            std::env::var_os("REQUIRE_MOTO").is_none(),
            "REQUIRE_MOTO=1 but MOTO_URL is not set"
        );
        println!(
            "skipped: MOTO_URL is not set (start moto with scripts/lib/moto.sh to run this test)"
        );
        return;
    }
    let client = client().await;
    let bucket = unique_name("site-upload-test");
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create bucket");

    let site: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join(unique_name("site"));
    let invalidations = site.with_extension("invalidations.txt");
    write(&site, "index.html", "<h1>Centro de ayuda</h1>");
    write(&site, "404.html", "<h1>No encontrado</h1>");
    write(
        &site,
        "facturacion-y-pagos/reportar-pago/index.html",
        "<h1>Reportar pago</h1>",
    );
    write(&site, "css/estilo.3fa9c2d1.css", "body{margin:0}");
    write(&site, "robots.txt", "User-agent: *\n");

    // 1. First run: everything is new.
    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    assert_eq!(count_lines(&stderr, "subido"), 5, "{stderr}");
    assert_eq!(count_lines(&stderr, "borrado"), 0, "{stderr}");
    assert!(
        paths.contains(&"/".to_owned())
            && paths.contains(&"/facturacion-y-pagos/reportar-pago/".to_owned())
    );
    assert_eq!(paths.len(), 7, "{paths:?}");

    let css = client
        .head_object()
        .bucket(&bucket)
        .key("css/estilo.3fa9c2d1.css")
        .send()
        .await
        .expect("head css");
    assert_eq!(css.content_type(), Some("text/css; charset=utf-8"));
    assert_eq!(css.cache_control(), Some(IMMUTABLE));
    let sha = css.metadata().and_then(|m| m.get("sha256")).cloned();
    assert_eq!(
        sha.as_deref().map(str::len),
        Some(64),
        "sha256 metadata: {sha:?}"
    );
    let page = client
        .head_object()
        .bucket(&bucket)
        .key("facturacion-y-pagos/reportar-pago/index.html")
        .send()
        .await
        .expect("head page");
    assert_eq!(page.content_type(), Some("text/html; charset=utf-8"));
    assert_eq!(page.cache_control(), Some(REVALIDATE));
    let robots = client
        .head_object()
        .bucket(&bucket)
        .key("robots.txt")
        .send()
        .await
        .expect("head robots");
    assert_eq!(robots.content_type(), Some("text/plain; charset=utf-8"));
    assert_eq!(robots.cache_control(), Some(REVALIDATE));

    // 2. Second run: nothing to do.
    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    assert_eq!(count_lines(&stderr, "subido"), 0, "{stderr}");
    assert!(stderr.contains("5 sin cambios"), "{stderr}");
    assert!(paths.is_empty(), "{paths:?}");

    // 3. One file changed: only it is uploaded, and its folder is invalidated.
    write(
        &site,
        "facturacion-y-pagos/reportar-pago/index.html",
        "<h1>Reportar un pago</h1>",
    );
    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    assert_eq!(count_lines(&stderr, "subido"), 1, "{stderr}");
    assert!(
        stderr.contains("subido    facturacion-y-pagos/reportar-pago/index.html (modificado"),
        "{stderr}"
    );
    assert_eq!(
        paths,
        [
            "/facturacion-y-pagos/reportar-pago/",
            "/facturacion-y-pagos/reportar-pago/index.html"
        ]
    );
    let body = client
        .get_object()
        .bucket(&bucket)
        .key("facturacion-y-pagos/reportar-pago/index.html")
        .send()
        .await
        .expect("get page")
        .body
        .collect()
        .await
        .expect("read body")
        .into_bytes();
    assert_eq!(&body[..], b"<h1>Reportar un pago</h1>");

    // 4. One file deleted: the dry run only plans, the real run removes it.
    std::fs::remove_file(site.join("robots.txt")).expect("remove robots.txt");
    let (stderr, paths) = run(&site, &bucket, &["--dry-run"], &invalidations);
    assert_eq!(count_lines(&stderr, "borraría"), 1, "{stderr}");
    assert_eq!(paths, ["/robots.txt"]);
    assert!(
        keys(&client, &bucket)
            .await
            .contains(&"robots.txt".to_owned()),
        "dry run must not delete"
    );

    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    assert_eq!(count_lines(&stderr, "borrado"), 1, "{stderr}");
    assert_eq!(count_lines(&stderr, "subido"), 0, "{stderr}");
    assert_eq!(paths, ["/robots.txt"]);
    let mut remaining = keys(&client, &bucket).await;
    remaining.sort();
    assert_eq!(
        remaining,
        [
            "404.html",
            "css/estilo.3fa9c2d1.css",
            "facturacion-y-pagos/reportar-pago/index.html",
            "index.html"
        ]
    );

    std::fs::remove_dir_all(&site).ok();
    std::fs::remove_file(&invalidations).ok();
}
