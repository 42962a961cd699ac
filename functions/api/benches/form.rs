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
use help_forms::{FormId, FormsConfig, RawSubmission, validate};
use http::{HeaderMap, HeaderValue, Request, header};
use http_body_util::BodyExt;
use std::hint::black_box;
use std::sync::Arc;
use time::OffsetDateTime;
use tower::ServiceExt;

const BOUNDARY: &str = "----bench-7MA4YWxkTrZu0gW";
const RECEIPT_BYTES: usize = 1024 * 1024;

fn forms() -> FormsConfig {
    form_api::site_forms(include_str!("../../../site.toml")).expect("site.toml has valid [forms]")
}

/// A PNG of exactly `size` bytes: noise in stored deflate blocks (like real
/// compressed image data, no long runs for the multipart parser to skip),
/// padded with a `tEXt` chunk. Same construction as `bench-probe`.
fn png(size: usize) -> Vec<u8> {
    let width: usize = 256;
    let row = 1 + width * 3;
    let overhead = 8 + 25 + 12 + 6 + 12 + 8 + 12;
    let stored_len = |n: usize| 2 + n + 5 * n.div_ceil(65_535).max(1) + 4;
    let mut height = size.saturating_sub(overhead) / (row + 1);
    while height > 1 && stored_len(height * row) + overhead > size {
        height -= 1;
    }
    let height = height.max(1);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut raw = Vec::with_capacity(height * row);
    for _ in 0..height {
        let mut line = vec![0u8; row]; // line[0]: filter "none"
        for byte in &mut line[1..] {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *byte = (seed >> 24) as u8;
        }
        raw.extend_from_slice(&line);
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    let pad = size.saturating_sub(out.len() + 24).max(8);
    let mut text = b"Comment\0".to_vec();
    text.resize(pad, b'.');
    chunk(&mut out, b"tEXt", &text);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in &out[start..] {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    out.extend_from_slice(&(!crc).to_be_bytes());
}

/// Two days ago, so that the payment date is valid against the real clock
/// (the router validates with `now_utc`).
fn payment_date() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    (OffsetDateTime::now_utc() - time::Duration::days(2))
        .date()
        .format(&format)
        .expect("date formats")
}

/// The multipart body of a complete payment report with its receipt.
fn payment_body(idempotency: &str, receipt: &[u8]) -> Vec<u8> {
    let date = payment_date();
    let fields = [
        ("ordenes", "10452, 10453"),
        ("monto", "1.234,56"),
        ("moneda", "Bs"),
        ("metodo", "transferencia"),
        ("banco_destino", "banesco"),
        ("fecha", date.as_str()),
        ("referencia", "ab-0012345"),
        ("banco_origen", "Banco de Venezuela"),
        ("factura_fisica", "si"),
        (
            "direccion_envio",
            "Av. Principal de Las Mercedes, Edificio Sol, piso 3, Caracas 1060",
        ),
        ("nombre", "José Núñez"),
        ("correo", "jose@example.com"),
        ("sitio_web", ""),
        ("tiempo_de_llenado", "45000"),
        ("idempotencia", idempotency),
    ];
    let mut body = Vec::with_capacity(receipt.len() + 4096);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"comprobante\"; filename=\"comprobante.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(receipt);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_headers(len: usize) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("multipart/form-data; boundary={BOUNDARY}"))
            .expect("valid header"),
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
    let body = bytes::Bytes::from(payment_body(
        "0b5c7a36-6a5e-4d4e-9b0c-6d7f9a1e2b3c",
        &receipt,
    ));
    let headers = multipart_headers(body.len());
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
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body))
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
