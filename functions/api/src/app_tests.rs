//! Handler tests over the in-memory store: the HTTP contract and the write
//! protocol's guarantees, without any backend.

use crate::store::memory::MemoryStore;
use crate::{ApiConfig, router};
use axum::Router;
use axum::body::Body;
use help_forms::FormId;
use help_forms::testing::{IDEMPOTENCY_KEY, Multipart, PNG};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;
use tower::ServiceExt;

fn config() -> ApiConfig {
    let forms = crate::site_forms(include_str!("../../../site.toml")).expect("site.toml parses");
    ApiConfig {
        forms,
        site_url: String::new(),
        cors_origin: None,
    }
}

fn app() -> (Arc<MemoryStore>, Router) {
    let store = Arc::new(MemoryStore::default());
    (store.clone(), router(store, config()))
}

/// A valid payment report (`help_forms::testing`'s) without a receipt.
fn payment() -> Multipart {
    Multipart::valid(FormId::PaymentReport, OffsetDateTime::now_utc())
}

/// A valid payment report with its PNG receipt, `captura.png`.
fn report() -> Multipart {
    Multipart::payment_report(OffsetDateTime::now_utc())
}

fn post(path: &str, body: &Multipart, json: bool) -> Request<Body> {
    let body_bytes = body.body();
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, body.content_type())
        .header(header::CONTENT_LENGTH, body_bytes.len());
    if json {
        request = request.header(header::ACCEPT, "application/json");
    }
    request.body(Body::from(body_bytes)).expect("request")
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn submit_json(app: &Router, body: &Multipart) -> (StatusCode, Value) {
    let (status, _, body) = send(app, post("/api/reportes-de-pago", body, true)).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn lookup(app: &Router, number: &Value, key: &str) -> (StatusCode, String) {
    let request = Request::get(format!("/api/tickets/{number}?clave={key}"))
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(app, request).await;
    (status, body)
}

#[tokio::test]
async fn a_valid_report_with_a_receipt_gets_a_ticket_number_and_an_open_status() {
    let (store, app) = app();
    // One order: the summary says "orden".
    let (status, answer) = submit_json(&app, &report().set("ordenes", "10452")).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["numero"], 1);
    assert_eq!(answer["estado"], "Abierto");
    let key = answer["clave"].as_str().expect("key");
    assert_eq!(
        answer["enlace"],
        format!("/consultar-ticket/?numero=1&clave={key}")
    );
    assert_eq!((store.ticket_count(), store.receipt_count()), (1, 1));

    let (status, body) = lookup(&app, &answer["numero"], key).await;
    assert_eq!(status, StatusCode::OK);
    let status_answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(status_answer["estado"], "Abierto");
    assert_eq!(
        status_answer["resumen"],
        "Reporte de pago de 1.234,56 Bs (orden 10452)"
    );
}

#[tokio::test]
async fn without_javascript_the_answer_is_a_redirect_to_a_page_showing_the_number() {
    let (_, app) = app();
    let (status, headers, _) = send(&app, post("/api/reportes-de-pago", &payment(), false)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("ascii");
    assert!(
        location.starts_with("tickets/1?clave=") && location.ends_with("&recibido=1"),
        "{location}"
    );

    let page = Request::get(format!("/api/{location}"))
        .body(Body::empty())
        .expect("request");
    let (status, headers, html) = send(&app, page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Su número de ticket es <strong>1</strong>"),
        "{html}"
    );
    assert!(html.contains("Abierto"));
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
}

#[tokio::test]
async fn invalid_fields_get_spanish_errors_and_nothing_is_stored() {
    let (store, app) = app();
    let invalid = report().without("referencia").set("monto", "doce");
    let (status, answer) = submit_json(&app, &invalid).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer["campos"]["monto"],
        "Escriba el monto con números, por ejemplo 1.234,56."
    );
    assert_eq!(
        answer["campos"]["referencia"],
        "Indique el número del depósito o de la transferencia."
    );
    assert_eq!(
        (
            store.ticket_count(),
            store.receipt_count(),
            store.claim_count()
        ),
        (0, 0, 0)
    );

    let (status, _, html) = send(
        &app,
        post(
            "/api/reportes-de-pago",
            &invalid.without("comprobante"),
            false,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<strong>Monto</strong>: Escriba el monto con números"),
        "{html}"
    );
}

#[tokio::test]
async fn a_double_submit_gives_one_ticket_and_only_the_latest_key_works() {
    let (store, app) = app();
    let body = report().set("idempotencia", IDEMPOTENCY_KEY);
    let (_, first) = submit_json(&app, &body).await;
    let (status, second) = submit_json(&app, &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["numero"], second["numero"]);
    assert_eq!((store.ticket_count(), store.receipt_count()), (1, 1));
    let (old, _) = lookup(
        &app,
        &first["numero"],
        first["clave"].as_str().expect("key"),
    )
    .await;
    let (new, _) = lookup(
        &app,
        &second["numero"],
        second["clave"].as_str().expect("key"),
    )
    .await;
    assert_eq!((old, new), (StatusCode::NOT_FOUND, StatusCode::OK));
}

#[tokio::test]
async fn the_same_form_posted_twice_without_a_key_is_recognised() {
    let (store, app) = app();
    let body = report();
    let (_, first) = submit_json(&app, &body).await;
    let (_, second) = submit_json(&app, &body).await;
    assert_eq!(first["numero"], second["numero"]);
    assert_eq!(store.ticket_count(), 1);
}

#[tokio::test]
async fn when_the_receipt_store_fails_nothing_is_kept_and_a_retry_succeeds() {
    let (store, app) = app();
    store.fail_receipt_upload.store(true, Ordering::SeqCst);
    let body = report().set("idempotencia", IDEMPOTENCY_KEY);
    let (status, answer) = submit_json(&app, &body).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("No pudimos registrar su envío")),
        "{answer}"
    );
    assert_eq!(
        (
            store.ticket_count(),
            store.receipt_count(),
            store.claim_count()
        ),
        (0, 0, 0)
    );

    store.fail_receipt_upload.store(false, Ordering::SeqCst);
    let (status, _) = submit_json(&app, &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!((store.ticket_count(), store.receipt_count()), (1, 1));
}

#[tokio::test]
async fn when_the_ticket_store_fails_the_uploaded_receipt_is_removed() {
    let (store, app) = app();
    store.fail_commit.store(true, Ordering::SeqCst);
    let (status, _) = submit_json(&app, &report()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        (
            store.ticket_count(),
            store.receipt_count(),
            store.claim_count()
        ),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn when_only_the_answer_of_the_ticket_write_is_lost_the_customer_gets_the_ticket() {
    let (store, app) = app();
    store.lose_commit_answer.store(true, Ordering::SeqCst);
    let (status, answer) = submit_json(&app, &report()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(
        (store.ticket_count(), store.receipt_count()),
        (1, 1),
        "the receipt was kept"
    );
    let (status, _) = lookup(
        &app,
        &answer["numero"],
        answer["clave"].as_str().expect("key"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the key given is the ticket's");
}

#[tokio::test]
async fn a_wrong_key_answers_exactly_like_an_unknown_number() {
    let (_, app) = app();
    let (_, answer) = submit_json(&app, &payment()).await;
    let wrong = lookup(&app, &answer["numero"], "00000000000000000000000000000000").await;
    let unknown = lookup(
        &app,
        &Value::from(999),
        answer["clave"].as_str().expect("key"),
    )
    .await;
    let missing = send(
        &app,
        Request::get("/api/tickets/1")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(wrong.0, StatusCode::NOT_FOUND);
    assert_eq!(wrong, unknown);
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_oversized_body_gets_a_spanish_413() {
    let (store, app) = app();
    let mut big = PNG.to_vec();
    big.resize(help_forms::MAX_RECEIPT_BYTES + 10, 0);
    let (status, answer) =
        submit_json(&app, &payment().receipt("grande.png", "image/png", &big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        answer["campos"]["comprobante"],
        "El archivo pesa más de 4 MB. Adjunte una imagen o un PDF más liviano."
    );
    assert_eq!(store.ticket_count(), 0);
}

#[tokio::test]
async fn a_honeypot_hit_is_stored_as_spam_and_answered_normally() {
    let (store, app) = app();
    let (status, _) = submit_json(&app, &payment().set("sitio_web", "http://spam.example")).await;
    assert_eq!(status, StatusCode::CREATED);
    let ticket = crate::Store::ticket(store.as_ref(), crate::store::TicketNumber(1))
        .await
        .expect("read");
    assert_eq!(
        ticket.and_then(|t| t.spam),
        Some(help_forms::validate::SpamSignal::Honeypot)
    );
}

#[tokio::test]
async fn votes_are_counted_per_article() {
    let (store, app) = app();
    for util in ["si", "si", "no"] {
        let request = Request::post("/api/votos")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(format!(
                "articulo=como-abrir-un-ticket&util={util}"
            )))
            .expect("request");
        assert_eq!(send(&app, request).await.0, StatusCode::OK);
    }
    let bad = Request::post("/api/votos")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("articulo=../etc&util=si"))
        .expect("request");
    assert_eq!(send(&app, bad).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        crate::Store::votes(store.as_ref(), "como-abrir-un-ticket")
            .await
            .expect("votes"),
        (2, 1)
    );
}

#[tokio::test]
async fn a_vote_without_javascript_returns_to_the_article_thank_you_note() {
    let (_, app) = app();
    let request = Request::post("/api/votos")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("articulo=como-abrir-un-ticket&util=no"))
        .expect("request");
    let (status, headers, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/como-abrir-un-ticket/#gracias");
}

fn vote_request(body: &str) -> Request<Body> {
    Request::post("/api/votos")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request")
}

#[tokio::test]
async fn every_failure_on_our_side_is_a_spanish_503_naming_the_request_id() {
    let (store, app) = app();
    let (_, first) = submit_json(&app, &payment()).await;
    store.fail_receipt_upload.store(true, Ordering::SeqCst);
    store.fail_reads_and_votes.store(true, Ordering::SeqCst);
    let lookup = Request::get(format!(
        "/api/tickets/{}?clave={}",
        first["numero"],
        first["clave"].as_str().unwrap_or("")
    ))
    .header(header::ACCEPT, "application/json")
    .body(Body::empty())
    .expect("request");
    let requests = [
        post("/api/reportes-de-pago", &report(), true),
        lookup,
        vote_request("articulo=como-abrir-un-ticket&util=si"),
    ];
    for request in requests {
        let path = request.uri().path().to_owned();
        let (status, headers, body) = send(&app, request).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let id = headers["x-request-id"].to_str().expect("ascii");
        let answer: Value = serde_json::from_str(&body).expect("json");
        let message = answer["error"].as_str().expect("message");
        assert!(message.starts_with("No pudimos"), "{path}: {message}");
        assert!(
            message.ends_with(&format!("indique este código: {id}.")),
            "{path}: {message}"
        );
    }
}

fn cors_app() -> Router {
    let config = ApiConfig {
        cors_origin: Some(http::HeaderValue::from_static("https://ayuda.example.com")),
        ..config()
    };
    router(Arc::new(MemoryStore::default()), config)
}

#[tokio::test]
async fn cors_allows_the_site_origin_only() {
    // The answer always names the site's origin, never the caller's or `*`,
    // so a browser on any other page refuses to hand the answer over.
    const SITE: &str = "https://ayuda.example.com";
    let cors = cors_app();
    for origin in [SITE, "https://otro.example.com", "http://ayuda.example.com"] {
        let preflight = Request::options("/api/reportes-de-pago")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "accept")
            .body(Body::empty())
            .expect("request");
        let (_, headers, _) = send(&cors, preflight).await;
        assert_eq!(
            headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(SITE.as_bytes()),
            "preflight from {origin}"
        );

        let mut request = post("/api/reportes-de-pago", &payment(), true);
        request
            .headers_mut()
            .insert(header::ORIGIN, http::HeaderValue::from_static(origin));
        let (status, headers, _) = send(&cors, request).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.as_bytes()),
            Some(SITE.as_bytes()),
            "answer to {origin}"
        );
    }
    // Served with the site (no origin configured): no CORS headers at all.
    let (_, app) = app();
    let mut request = post("/api/reportes-de-pago", &payment(), true);
    request
        .headers_mut()
        .insert(header::ORIGIN, http::HeaderValue::from_static(SITE));
    let (_, headers, _) = send(&app, request).await;
    assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

/// Collects what the JSON log layer writes.
#[derive(Clone, Default)]
struct LogBuffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_are_json_lines_with_the_request_id_and_no_personal_data() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (_, app) = app();
    let (status, headers, body) = send(&app, post("/api/reportes-de-pago", &report(), true)).await;
    assert_eq!(status, StatusCode::CREATED);
    let answer: Value = serde_json::from_str(&body).expect("json");
    let id = headers["x-request-id"].to_str().expect("ascii").to_owned();
    let key = answer["clave"].as_str().expect("access key").to_owned();
    lookup(&app, &answer["numero"], &key).await;

    let text = String::from_utf8(logs.0.lock().expect("log buffer").clone()).expect("utf-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["request_id"].as_str() == Some(id.as_str())),
        "{text}"
    );
    let fields =
        help_forms::testing::valid_fields(FormId::PaymentReport, OffsetDateTime::now_utc());
    let personal = [
        "nombre",
        "correo",
        "direccion_envio",
        "referencia",
        "banco_origen",
    ];
    for (name, value) in fields
        .iter()
        .filter(|(n, _)| personal.contains(&n.as_str()))
    {
        assert!(
            !text.contains(value.as_str()),
            "the log shows {name}: {text}"
        );
    }
    assert!(!text.contains(&key), "the log shows the access key: {text}");
    assert!(
        !text.contains("IHDR"),
        "the log shows receipt bytes: {text}"
    );
}
