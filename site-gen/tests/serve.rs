//! `serve`: pages from memory, the merged API, and live reload.

mod common;

use common::copy_dir;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use site_gen::{ServeOptions, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitio"),
        dir.path(),
    );
    dir
}

async fn request(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response
}

async fn start(root: &Path) -> u16 {
    let api = Router::new().route("/api/ping", get(|| async { "pong" }));
    let server = Server::bind(
        ServeOptions {
            root: root.to_owned(),
            port: 0,
        },
        api,
    )
    .await
    .expect("bind");
    let port = server.local_addr().port();
    tokio::spawn(server.run());
    port
}

#[tokio::test]
async fn serve_answers_pages_redirects_404s_and_the_merged_api() {
    let root = fixture_copy();
    let port = start(root.path()).await;

    let home = request(port, "/").await;
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(
        home.contains("content-security-policy: default-src 'self'"),
        "{home}"
    );
    assert!(home.contains("<script src=\"/__livereload.js\" defer></script>"));

    let marker = "data-indice=\"";
    let at = home.find(marker).expect("search box") + marker.len();
    let index_url = &home[at..at + home[at..].find('"').expect("closed")];
    let index = request(port, index_url).await;
    assert!(index.starts_with("HTTP/1.1 200"), "{index}");
    assert!(index.contains("content-type: application/json"), "{index}");
    assert!(index.contains("{\"v\":1,"), "{index}");

    let redirect = request(port, "/abrir-un-ticket?x=1").await;
    assert!(redirect.starts_with("HTTP/1.1 308"), "{redirect}");
    assert!(
        redirect.contains("location: /abrir-un-ticket/?x=1"),
        "{redirect}"
    );

    let missing = request(port, "/no-existe/").await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(missing.contains("<h1>Página no encontrada</h1>"));

    let script = request(port, "/__livereload.js").await;
    assert!(
        script.contains("text/javascript") && script.contains("EventSource('/__livereload')"),
        "{script}"
    );

    assert!(request(port, "/api/ping").await.ends_with("pong"));
}

#[tokio::test]
async fn editing_an_article_rebuilds_and_tells_the_browser_to_reload() {
    let root = fixture_copy();
    let port = start(root.path()).await;

    let mut events = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    events
        .write_all(
            b"GET /__livereload HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
        )
        .await
        .expect("send");
    let mut received = String::new();
    let mut buffer = [0u8; 1024];
    while !received.contains("\r\n\r\n") {
        let n = events.read(&mut buffer).await.expect("read headers");
        received.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    assert!(received.contains("text/event-stream"), "{received}");

    let article = root.path().join("content/consultar-un-ticket.md");
    let text = std::fs::read_to_string(&article).expect("article");
    std::fs::write(
        &article,
        text.replace("Cómo consultar un ticket", "Cómo revisar un ticket"),
    )
    .expect("edit");

    tokio::time::timeout(Duration::from_secs(20), async {
        while !received.contains("event: reload") {
            let n = events.read(&mut buffer).await.expect("read events");
            received.push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    })
    .await
    .expect("a reload event after the edit");
    let page = request(port, "/consultar-un-ticket/").await;
    assert!(page.contains("<h1>Cómo revisar un ticket</h1>"), "{page}");
    let index = request(port, "/busqueda.json").await;
    assert!(index.starts_with("HTTP/1.1 200"), "{index}");
    assert!(index.contains("cache-control: no-cache"), "{index}");
    assert!(index.contains("\"Cómo revisar un ticket\""), "{index}");
}

#[tokio::test]
async fn a_broken_edit_shows_the_errors_and_the_fix_brings_the_site_back() {
    let root = fixture_copy();
    let port = start(root.path()).await;
    let article = root.path().join("content/consultar-un-ticket.md");
    let good = std::fs::read_to_string(&article).expect("article");

    std::fs::write(&article, good.replace("order = 2", "order = dos")).expect("break");
    let errors = wait_for(port, "/", "HTTP/1.1 500").await;
    assert!(
        errors.contains("content/consultar-un-ticket.md:5: front matter TOML no válido"),
        "{errors}"
    );
    assert!(errors.contains("<script src=\"/__livereload.js\" defer></script>"));

    std::fs::write(&article, good).expect("fix");
    wait_for(port, "/", "HTTP/1.1 200").await;
}

async fn wait_for(port: u16, path: &str, status: &str) -> String {
    for _ in 0..200 {
        let response = request(port, path).await;
        if response.starts_with(status) {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never answered {status}");
}

#[test]
fn the_serve_command_prints_the_address_it_bound() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let root = fixture_copy();
    let mut child = Command::new(env!("CARGO_BIN_EXE_site-gen"))
        .arg("--root")
        .arg(root.path())
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(root.path().join("data"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("site-gen runs");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|line| line.starts_with("Sirviendo en "));
    child.kill().expect("stop the server");
    child.wait().expect("reap");
    let line = line.expect("address line");
    let port: u16 = line
        .strip_prefix("Sirviendo en http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .expect("a port");
    assert_ne!(port, 0);
}
