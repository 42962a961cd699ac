//! Nobody let in: a ticket is readable only with its number and its key, and
//! anything else answers exactly like an unknown number; no route lists
//! tickets or receipts; receipt bytes are never served, by the API or by the
//! site (built or served by `site-gen serve` next to the local data folder).

use axum::body::Body;
use e2e::body::{BOUNDARY, multipart_type, new_key, payment_with_receipt, unique_png};
use e2e::{Answer, LocalApp, get, send};
use help_forms::FormId;
use http::{Method, Request, StatusCode};
use std::path::Path;

const MARKER: &str = "comprobante-secreto-5be1";

struct Submitted {
    number: u64,
    key: String,
    receipt_key: String,
}

async fn submit(app: &LocalApp, seed: &str) -> Submitted {
    let answer = e2e::post(
        &app.router,
        FormId::PaymentReport,
        &multipart_type(BOUNDARY),
        payment_with_receipt(&new_key(), &unique_png(seed, 2048)),
        true,
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let json = answer.json();
    let number = json["numero"].as_u64().expect("number");
    let inventory = app.inventory();
    let receipt_key = inventory
        .tickets
        .iter()
        .find(|t| t.number == number)
        .and_then(|t| t.receipt.clone())
        .map(|(key, _, _)| key)
        .expect("the ticket has a receipt");
    Submitted {
        number,
        key: json["clave"].as_str().expect("key").to_owned(),
        receipt_key,
    }
}

/// What must be byte-identical between two "not found" answers.
fn fingerprint(answer: &Answer) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let mut headers: Vec<(String, String)> = answer
        .headers
        .iter()
        .filter(|(name, _)| *name != "x-request-id")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    headers.sort();
    (answer.status, headers, answer.body.to_vec())
}

async fn raw_get(app: &LocalApp, uri: &str, json: bool) -> Answer {
    let mut request = Request::get(uri);
    if json {
        request = request.header(http::header::ACCEPT, "application/json");
    }
    send(&app.router, request.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn a_lookup_without_the_right_key_answers_byte_for_byte_like_an_unknown_number() {
    let app = LocalApp::new();
    let first = submit(&app, "uno").await;
    let second = submit(&app, "dos").await;
    let n = first.number;
    let wrong = "0".repeat(32);
    let attempts = [
        format!("/api/tickets/{n}"),
        format!("/api/tickets/{n}?clave="),
        format!("/api/tickets/{n}?clave={wrong}"),
        format!("/api/tickets/{n}?clave={}", second.key),
        format!("/api/tickets/{n}?clave={}", first.key.to_uppercase()),
        format!("/api/tickets/{n}?clave={}%20", first.key),
        format!("/api/tickets/{n}?clave={}", &first.key[..31]),
        format!("/api/tickets/{n}?numero={n}&key={}", first.key),
        format!("/api/tickets/{n}?clave=%FF%FE"),
        format!("/api/tickets/{n}?clave={wrong}&clave={}", first.key),
        format!("/api/tickets/{n}?clave[]={}", first.key),
        format!("/api/tickets/-{n}?clave={}", first.key),
        format!("/api/tickets/{n}.0?clave={}", first.key),
        format!("/api/tickets/18446744073709551617?clave={}", first.key),
        format!("/api/tickets/%FF?clave={}", first.key),
        format!("/api/tickets/{n}%00?clave={}", first.key),
        "/api/tickets/0?clave=".to_owned(),
    ];
    for json in [true, false] {
        let unknown = fingerprint(
            &raw_get(
                &app,
                &format!("/api/tickets/999999?clave={}", first.key),
                json,
            )
            .await,
        );
        assert_eq!(unknown.0, StatusCode::NOT_FOUND);
        for uri in &attempts {
            let answer = raw_get(&app, uri, json).await;
            assert_eq!(
                fingerprint(&answer),
                unknown,
                "{uri} (json: {json}) answered {} {}",
                answer.status,
                answer.text()
            );
        }
        // The right key does open it: the attempts above were refused for their key alone.
        let right = raw_get(&app, &format!("/api/tickets/{n}?clave={}", first.key), json).await;
        assert_eq!(right.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_lookup_form_without_javascript_only_redirects_well_formed_numbers_and_keys() {
    let app = LocalApp::new();
    let ticket = submit(&app, "consulta").await;
    let good = raw_get(
        &app,
        &format!(
            "/api/tickets/consultar?numero=+{}+&clave={}",
            ticket.number,
            ticket.key.to_uppercase()
        ),
        false,
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert_eq!(
        good.header("location"),
        format!("{}?clave={}", ticket.number, ticket.key)
    );
    let not_found = fingerprint(&raw_get(&app, "/api/tickets/999999?clave=00", false).await);
    for query in [
        "numero=1",
        "clave=00",
        "numero=1&clave=zz",
        "numero=//evil.example&clave=00",
        "numero=1%2F..%2F..&clave=00",
        "numero=1&clave=00%0D%0ALocation:%20https://evil.example",
        "numero=%FF&clave=00",
        "numero=1&numero=2&clave=00",
    ] {
        let answer = raw_get(&app, &format!("/api/tickets/consultar?{query}"), false).await;
        assert_eq!(
            fingerprint(&answer),
            not_found,
            "{query} answered {} {}",
            answer.status,
            answer.text()
        );
    }
}

#[tokio::test]
async fn no_route_lists_tickets_or_serves_a_receipt() {
    let app = LocalApp::new();
    let ticket = submit(&app, MARKER).await;
    let (n, key, receipt) = (ticket.number, &ticket.key, &ticket.receipt_key);
    let file = receipt.trim_start_matches("comprobantes/");
    let stem = file.split('.').next().unwrap_or(file);
    let receipt_bytes = app.inventory().receipts[receipt.as_str()].clone();
    let uris = [
        "/api/tickets".to_owned(),
        "/api/tickets/".to_owned(),
        "/api/tickets?clave=".to_owned(),
        "/api/comprobantes".to_owned(),
        "/api/comprobantes/".to_owned(),
        format!("/api/{receipt}"),
        format!("/api/comprobantes/{stem}"),
        format!("/api/tickets/{n}/comprobante?clave={key}"),
        format!("/api/tickets/{n}/{file}?clave={key}"),
        format!("/api/tickets/{n}/../../{receipt}?clave={key}"),
        format!("/api/tickets/..%2F..%2F{file}?clave={key}"),
        format!("/{receipt}"),
        format!("/data/{receipt}"),
        "/data/tickets.sqlite3".to_owned(),
        "/api/reportes-de-pago".to_owned(),
        "/api/votos".to_owned(),
        "/api".to_owned(),
        "/api/".to_owned(),
        "/api/tickets/*".to_owned(),
        "/api/staff/tickets".to_owned(),
        "/api/admin".to_owned(),
    ];
    for uri in &uris {
        for json in [true, false] {
            let answer = raw_get(&app, uri, json).await;
            assert!(
                matches!(answer.status.as_u16(), 404 | 405),
                "{uri} answered {}: {}",
                answer.status,
                answer.text()
            );
            let body = answer.body.as_ref();
            assert!(
                !body
                    .windows(receipt_bytes.len())
                    .any(|w| w == receipt_bytes.as_slice())
                    && !answer.text().contains(MARKER)
                    && !answer.text().contains("José Núñez")
                    && !answer.text().contains("jose@example.com"),
                "{uri} leaked a receipt or a ticket"
            );
        }
    }
    for method in [Method::PUT, Method::DELETE, Method::PATCH, Method::POST] {
        let request = Request::builder()
            .method(method.clone())
            .uri(format!("/api/tickets/{n}?clave={key}"))
            .body(Body::empty())
            .expect("request");
        let answer = send(&app.router, request).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}

#[tokio::test]
async fn the_status_page_and_its_json_show_neither_the_receipt_nor_personal_data() {
    let app = LocalApp::new();
    let ticket = submit(&app, MARKER).await;
    let uri = format!("/api/tickets/{}?clave={}", ticket.number, ticket.key);
    for json in [true, false] {
        let answer = get(&app.router, &uri, json).await;
        assert_eq!(answer.status, StatusCode::OK);
        let text = answer.text();
        for secret in [
            MARKER,
            ticket.receipt_key.as_str(),
            "José Núñez",
            "jose@example.com",
            "0012345",
            ticket.key.as_str(),
        ] {
            assert!(
                !text.contains(secret),
                "the answer shows {secret:?}: {text}"
            );
        }
        assert_eq!(answer.header("cache-control"), "no-store");
    }
    let page = get(&app.router, &uri, false).await;
    assert_eq!(page.header("referrer-policy"), "no-referrer");
}

fn copy_site_sources(root: &Path) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::copy(repo.join("site.toml"), root.join("site.toml")).expect("site.toml");
    std::fs::create_dir_all(root.join("content")).expect("content/");
    for entry in std::fs::read_dir(repo.join("content")).expect("content/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            std::fs::copy(
                &path,
                root.join("content").join(path.file_name().expect("name")),
            )
            .expect("article");
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A site root like the repository's, with the local API's `data/` folder
/// holding a receipt, as after `site-gen serve` took a payment report.
async fn site_root_with_a_receipt() -> (tempfile::TempDir, Vec<u8>, String) {
    let root = tempfile::tempdir().expect("temporary folder");
    copy_site_sources(root.path());
    let store = std::sync::Arc::new(
        form_api::LocalStore::open(&root.path().join("data")).expect("local store"),
    );
    let router = e2e::router(store);
    let receipt = unique_png(MARKER, 4096);
    let answer = e2e::post(
        &router,
        FormId::PaymentReport,
        &multipart_type(BOUNDARY),
        payment_with_receipt(&new_key(), &receipt),
        true,
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let inventory = e2e::inventory::Inventory::of_local(&root.path().join("data"));
    let key = inventory
        .receipts
        .keys()
        .next()
        .expect("a receipt in data/")
        .clone();
    (root, receipt, key)
}

#[tokio::test]
async fn the_built_site_holds_no_receipt_even_with_the_data_folder_in_its_root() {
    let (root, receipt, _) = site_root_with_a_receipt().await;
    let sources =
        site_gen::Sources::load(root.path(), site_gen::Theme::embedded()).expect("sources");
    let out = root.path().join("public");
    site_gen::build(&sources, &site_gen::Options::default(), &out)
        .unwrap_or_else(|d| panic!("the site builds: {d}"));

    let mut files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 5, "a whole site was written: {files:?}");
    for path in &files {
        let relative = path.strip_prefix(&out).expect("inside").to_string_lossy();
        assert!(
            !relative.contains("comprobante")
                && !relative.contains("data/")
                && !relative.contains("sqlite"),
            "the site publishes {relative}"
        );
        let bytes = std::fs::read(path).expect("file");
        assert!(
            !contains(&bytes, &receipt[..64]) && !contains(&bytes, MARKER.as_bytes()),
            "{relative} holds the receipt"
        );
        assert!(
            help_forms::ReceiptKind::sniff(&bytes).is_none(),
            "{relative} is an image or a PDF"
        );
    }
}

#[tokio::test]
async fn the_local_server_serves_no_receipt_nor_the_database_from_the_data_folder() {
    let (root, receipt, key) = site_root_with_a_receipt().await;
    let store = std::sync::Arc::new(
        form_api::LocalStore::open(&root.path().join("data")).expect("local store"),
    );
    let server = site_gen::Server::bind(
        site_gen::ServeOptions {
            root: root.path().to_owned(),
            port: 0,
        },
        e2e::router(store),
    )
    .await
    .expect("server binds");
    let base = format!("http://{}", server.local_addr());
    tokio::spawn(server.run());
    let client = reqwest::Client::new();
    let home = client.get(format!("{base}/")).send().await.expect("home");
    assert_eq!(home.status(), reqwest::StatusCode::OK, "the site is served");
    for path in [
        format!("/data/{key}"),
        format!("/{key}"),
        format!("/api/{key}"),
        format!("/data/../data/{key}"),
        format!("/%2e%2e/data/{key}"),
        "/data/tickets.sqlite3".to_owned(),
        "/data/".to_owned(),
        "/data".to_owned(),
        "/comprobantes/".to_owned(),
    ] {
        let answer = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answer");
        let status = answer.status();
        let bytes = answer.bytes().await.expect("body");
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{path}");
        assert!(
            !contains(&bytes, &receipt[..64]) && !contains(&bytes, b"SQLite format"),
            "{path} leaked data"
        );
    }
}
