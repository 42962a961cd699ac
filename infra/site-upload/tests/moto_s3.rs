//! End-to-end tests of the `site-upload` binary against a moto S3 server: a
//! small hand-made site (headers, dry run), and the repository's real site
//! built by `site-gen` (what changes between two builds is what is uploaded).
//!
//! They run only when MOTO_URL is set (scripts/lib/moto.sh's `moto_start` sets
//! it, with AWS_ENDPOINT_URL, test credentials and S3_FORCE_PATH_STYLE=1);
//! otherwise they print why and pass (and fail under REQUIRE_MOTO=1).

use std::collections::{BTreeMap, BTreeSet};
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

/// False (after saying why) when moto is not running; panics under REQUIRE_MOTO=1.
fn moto_available() -> bool {
    if std::env::var_os("MOTO_URL").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("REQUIRE_MOTO").is_none(),
        "REQUIRE_MOTO=1 but MOTO_URL is not set"
    );
    println!("skipped: MOTO_URL is not set (start moto with scripts/lib/moto.sh to run this test)");
    false
}

async fn new_bucket(client: &Client) -> String {
    let bucket = unique_name("site-upload-test");
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create bucket");
    bucket
}

#[tokio::test]
async fn the_first_upload_sends_everything_the_second_nothing_and_a_change_only_what_changed() {
    if !moto_available() {
        return;
    }
    let client = client().await;
    let bucket = new_bucket(&client).await;

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

/// The keys a run reported with `verb` (`subido`, `borrado`).
fn reported(stderr: &str, verb: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix(verb)?.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Every file of a folder by its `/`-separated relative path.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let key = path.strip_prefix(root).expect("inside root");
                let key = key.to_str().expect("UTF-8 name").to_owned();
                files.insert(key, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files
}

/// What the invalidation list must be for these keys, written out here rather
/// than taken from the crate: `/key`, and the folder URL of every `index.html`.
fn expected_invalidations<'a>(keys: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for key in keys {
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b)),
            "{key}: the expected paths below assume no percent-encoding"
        );
        paths.insert(format!("/{key}"));
        if let Some(dir) = key.strip_suffix("index.html") {
            paths.insert(format!("/{dir}"));
        }
    }
    paths
}

fn build_site(root: &Path, out: &Path) {
    let sources = site_gen::Sources::load(root, site_gen::Theme::embedded()).expect("sources");
    site_gen::build(&sources, &site_gen::Options::default(), out)
        .unwrap_or_else(|errors| panic!("the site builds:\n{errors}"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[tokio::test]
async fn the_real_site_uploads_exactly_the_files_a_rebuild_changed() {
    if !moto_available() {
        return;
    }
    let client = client().await;
    let bucket = new_bucket(&client).await;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let (sources, site) = (work.path().join("sources"), work.path().join("public"));
    copy_dir(&repo.join("content"), &sources.join("content"));
    std::fs::copy(repo.join("site.toml"), sources.join("site.toml")).expect("copy site.toml");
    let invalidations = work.path().join("invalidations.txt");

    // 1. First upload: every file of the build, nothing deleted.
    build_site(&sources, &site);
    let first = snapshot(&site);
    assert!(first.len() > 10, "a real site: {:?}", first.keys());
    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    let all: BTreeSet<String> = first.keys().cloned().collect();
    assert_eq!(reported(&stderr, "subido"), all, "{stderr}");
    assert_eq!(reported(&stderr, "borrado"), BTreeSet::new(), "{stderr}");
    assert_eq!(
        paths.into_iter().collect::<BTreeSet<_>>(),
        expected_invalidations(&all)
    );

    // 2. Rebuilt from the same sources: same bytes, nothing to upload.
    build_site(&sources, &site);
    assert_eq!(snapshot(&site), first, "the build is reproducible");
    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    assert_eq!(count_lines(&stderr, "subido"), 0, "{stderr}");
    assert_eq!(count_lines(&stderr, "borrado"), 0, "{stderr}");
    assert!(paths.is_empty(), "{paths:?}");

    // 3. One article's text edited and the site rebuilt: uploads are exactly
    // the files whose bytes changed, which are that page and the search
    // index (it keeps its name, so no other page changes), and nothing is
    // deleted. Deletions are proven on the hand-made site above.
    let article = sources.join("content/como-abrir-un-ticket.md");
    let mut text = std::fs::read_to_string(&article).expect("read article");
    text.push_str("\nSi su consulta es urgente, indíquelo en el asunto del ticket.\n");
    std::fs::write(&article, text).expect("edit article");
    build_site(&sources, &site);
    let second = snapshot(&site);
    let changed: BTreeSet<String> = second
        .iter()
        .filter(|(key, bytes)| first.get(*key) != Some(bytes))
        .map(|(key, _)| key.clone())
        .collect();
    let gone: BTreeSet<String> = first
        .keys()
        .filter(|key| !second.contains_key(*key))
        .cloned()
        .collect();
    assert_eq!(
        changed,
        BTreeSet::from([
            "busqueda.json".to_owned(),
            "como-abrir-un-ticket/index.html".to_owned()
        ])
    );
    assert_eq!(gone, BTreeSet::new());

    let (stderr, paths) = run(&site, &bucket, &[], &invalidations);
    assert_eq!(reported(&stderr, "subido"), changed, "{stderr}");
    assert_eq!(reported(&stderr, "borrado"), gone, "{stderr}");
    assert_eq!(
        paths.into_iter().collect::<BTreeSet<_>>(),
        expected_invalidations(changed.iter().chain(&gone))
    );

    // The bucket now holds exactly the new build.
    let remaining: BTreeSet<String> = keys(&client, &bucket).await.into_iter().collect();
    assert_eq!(remaining, second.keys().cloned().collect::<BTreeSet<_>>());
    for key in &changed {
        let body = client
            .get_object()
            .bucket(&bucket)
            .key(key)
            .send()
            .await
            .expect("get object")
            .body
            .collect()
            .await
            .expect("read body")
            .into_bytes();
        assert!(&body[..] == second[key].as_slice(), "{key}: uploaded bytes");
    }
}
