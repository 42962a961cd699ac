//! Criterion benchmarks of the form function's hot paths (issue 8). Run by
//! `bench/run.sh`, or alone: `cargo bench -p form-api --bench form`.
//!
//! - `submission/parse_validate_payment_1MiB_png`: `body::read_submission`
//!   on a prebuilt multipart body (a payment report with a 1 MiB PNG
//!   receipt) plus `help_forms::validate`. Target: < 2 ms of CPU.
//! - `submission/validate_payment_1MiB_png`: `validate` alone.
//! - `ticket_answer/html_page`: `pages::ticket`, the status page.
//! - `ticket_answer/router_get_{json,html}`: a whole status lookup through
//!   the router (SQLite lookup on the local store, key check, answer).

use axum::body::Body;
use criterion::{Criterion, criterion_group, criterion_main};
use form_api::store::{Status, Ticket, TicketNumber};
use form_api::{ApiConfig, LocalStore, body::read_submission, pages, router};
use help_forms::spec::names;
use help_forms::testing::{IDEMPOTENCY_KEY, Multipart, RECEIPT_FILE_NAME, png};
use help_forms::{FormId, FormsConfig, RawSubmission, validate};
use http::{HeaderMap, HeaderValue, Request, header};
use http_body_util::BodyExt;
use std::hint::black_box;
use std::sync::Arc;
use time::OffsetDateTime;
use tower::ServiceExt;

const RECEIPT_BYTES: usize = 1024 * 1024;

fn forms() -> FormsConfig {
    form_api::site_forms(include_str!("../../../site.toml")).expect("site.toml has valid [forms]")
}

/// The multipart body of a complete payment report with `receipt` (from
/// `help_forms::testing::png`: noise, like real compressed image data, no
/// long runs for the multipart parser to skip), dated two days ago so that
/// it is valid against the real clock (the router validates with `now_utc`).
fn payment_body(idempotency: &str, receipt: &[u8]) -> Multipart {
    Multipart::payment_report(OffsetDateTime::now_utc())
        .set(names::IDEMPOTENCY, idempotency)
        .receipt(RECEIPT_FILE_NAME, "image/png", receipt)
}

fn multipart_headers(body: &Multipart, len: usize) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&body.content_type()).expect("valid header"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn submission(c: &mut Criterion) {
    let config = forms();
    let rt = runtime();
    let receipt = png(RECEIPT_BYTES);
    let multipart = payment_body(IDEMPOTENCY_KEY, &receipt);
    let body = bytes::Bytes::from(multipart.body());
    let headers = multipart_headers(&multipart, body.len());
    let now = OffsetDateTime::now_utc();

    // The fixture must be a valid, non-spam submission.
    let raw: RawSubmission = rt
        .block_on(read_submission(&headers, Body::from(body.clone())))
        .expect("multipart parses");
    let valid = validate(FormId::PaymentReport, &raw, &config, now).expect("valid submission");
    assert_eq!(
        valid.attachment.as_ref().map(|a| a.bytes.len()),
        Some(RECEIPT_BYTES)
    );
    assert!(valid.spam.is_none());

    let mut group = c.benchmark_group("submission");
    group.throughput(criterion::Throughput::Bytes(body.len() as u64));
    group.bench_function("parse_validate_payment_1MiB_png", |b| {
        b.iter(|| {
            let raw = rt
                .block_on(read_submission(&headers, Body::from(body.clone())))
                .expect("multipart parses");
            black_box(validate(FormId::PaymentReport, &raw, &config, now).is_ok())
        });
    });
    group.bench_function("validate_payment_1MiB_png", |b| {
        b.iter(|| {
            black_box(validate(FormId::PaymentReport, black_box(&raw), &config, now).is_ok())
        });
    });
    group.finish();
}

fn ticket_answer(c: &mut Criterion) {
    let config = forms();
    let rt = runtime();
    let now = OffsetDateTime::now_utc();
    let mut group = c.benchmark_group("ticket_answer");

    let ticket = Ticket {
        number: TicketNumber(10_452),
        form: FormId::PaymentReport,
        created_at: now,
        status: Status::InReview,
        status_message: Some(
            "Estamos verificando su pago con el banco; le avisaremos por correo.".into(),
        ),
        history: Vec::new(),
        version: 1,
        name: "José Núñez".into(),
        email: "jose@example.com".into(),
        summary: "Reporte de pago de 1.234,56 Bs (órdenes 10452, 10453)".into(),
        details: help_forms::validate::Details::Ticket(help_forms::validate::TicketRequest {
            departamento: "facturacion".into(),
            asunto: "Pago".into(),
            mensaje: "Pago".into(),
        }),
        receipt: None,
        access_hash: String::new(),
        spam: None,
    };
    group.bench_function("html_page", |b| {
        b.iter(|| black_box(pages::ticket(black_box(&ticket), false, "")));
    });

    // A real ticket in a local store, looked up through the router.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(LocalStore::open(dir.path()).expect("local store"));
    let app = router(
        store,
        ApiConfig {
            forms: config,
            site_url: String::new(),
            cors_origin: None,
        },
    );
    let receipt = png(64 * 1024);
    let body = payment_body("1c6d8b47-7b6f-4e5f-8c1d-7e8a0b2f3c4d", &receipt);
    let request = Request::post("/api/reportes-de-pago")
        .header(header::CONTENT_TYPE, body.content_type())
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.body()))
        .expect("request");
    let created = rt.block_on(async {
        let response = app.clone().oneshot(request).await.expect("router answers");
        assert_eq!(response.status(), http::StatusCode::CREATED);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON answer")
    });
    let number = created["numero"].as_u64().expect("numero");
    let key = created["clave"].as_str().expect("clave").to_owned();
    let uri = format!("/api/tickets/{number}?clave={key}");
    for (name, accept) in [
        ("router_get_json", "application/json"),
        ("router_get_html", "text/html"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let request = Request::get(&uri)
                        .header(header::ACCEPT, accept)
                        .body(Body::empty())
                        .expect("request");
                    let response = app.clone().oneshot(request).await.expect("router answers");
                    assert_eq!(response.status(), http::StatusCode::OK);
                    black_box(
                        response
                            .into_body()
                            .collect()
                            .await
                            .expect("body")
                            .to_bytes(),
                    )
                })
            });
        });
    }
    group.finish();
}

criterion_group!(benches, submission, ticket_answer);
criterion_main!(benches);
