//! Property-based fuzzing of request parsing and validation: arbitrary bytes,
//! multipart-ish bodies and field maps through `read_urlencoded`, the router
//! (both content types) and `help_forms::validate` directly. Properties: no
//! panic, never a 5xx, nothing stored on a 4xx, anything accepted is clean.
//!
//! `PROPTEST_CASES` sets the cases per property (default 64 here so the
//! suite stays fast); `FUZZ_SECONDS` bounds each property's running time.
//! `tests/fuzz.sh` runs a longer, bounded session.

use e2e::LocalApp;
use e2e::body::{BOUNDARY, Part, URLENCODED, multipart, multipart_type, urlencoded};
use e2e::inventory::Inventory;
use help_forms::text::{SAFE_LINE, SAFE_TEXT, full_match, html_length};
use help_forms::validate::Details;
use help_forms::{FormId, RawFile, RawSubmission, validate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const FIELD_NAMES: &[&str] = &[
    "ordenes",
    "monto",
    "moneda",
    "metodo",
    "banco_destino",
    "fecha",
    "referencia",
    "banco_origen",
    "comprobante",
    "factura_fisica",
    "direccion_envio",
    "nombre",
    "correo",
    "departamento",
    "asunto",
    "mensaje",
    "adjunto",
    "sitio_web",
    "tiempo_de_llenado",
    "idempotencia",
];

/// A runner with the configured number of cases and no failure files.
fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// When this property must stop generating new work (`FUZZ_SECONDS`).
fn deadline() -> Option<Instant> {
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|s| Instant::now() + Duration::from_secs(s))
}

/// Checks `property` on the configured number of values of `strategy`;
/// values drawn after the `FUZZ_SECONDS` deadline pass untried. Panics with
/// `guarantee` and the minimal failing value if the property fails.
fn check_property<S: Strategy>(
    strategy: &S,
    guarantee: &str,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let deadline = deadline();
    runner()
        .run(strategy, |value| {
            if deadline.is_some_and(|d| Instant::now() > d) {
                return Ok(());
            }
            property(value)
        })
        .expect(guarantee);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Values near the rules' edges and far from them.
fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("10452, 10453".to_owned()),
        Just("1.234,56".to_owned()),
        Just("Bs".to_owned()),
        Just("transferencia".to_owned()),
        Just("banesco".to_owned()),
        Just("soporte-tecnico".to_owned()),
        Just(e2e::body::today()),
        Just("0012345".to_owned()),
        Just("José Núñez".to_owned()),
        Just("jose@example.com".to_owned()),
        Just("si".to_owned()),
        Just("No puedo acceder al correo".to_owned()),
        Just("Desde ayer no puedo entrar al webmail de mi dominio.".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("{{7*7}} ${7*7}".to_owned()),
        Just("0b5c7a36-6a5e-4d4e-9b0c-6d7f9a1e2b3c".to_owned()),
        Just("1500".to_owned()),
        "[0-9.,]{0,24}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        ".{0,120}",
        any::<String>(),
    ]
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => prop::sample::select(FIELD_NAMES).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z]{1,8}\\.(png|jpg|pdf|webp)",
        1 => ".{0,16}",
    ]
}

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(e2e::PNG.to_vec()),
        Just(b"\xff\xd8\xff\xe0".to_vec()),
        Just(b"RIFF\x10\0\0\0WEBPVP8 ".to_vec()),
        Just(b"%PDF-1.7\n".to_vec()),
        Just(b"GIF89a".to_vec()),
        Just(Vec::new()),
    ];
    (header, prop::collection::vec(any::<u8>(), 0..64)).prop_map(|(mut h, rest)| {
        h.extend(rest);
        h
    })
}

fn form() -> impl Strategy<Value = FormId> {
    prop::sample::select(FormId::ALL.to_vec())
}

/// A raw submission: mostly known fields, sometimes a file.
fn raw_submission() -> impl Strategy<Value = RawSubmission> {
    let fields = prop::collection::vec((field_name(), text_value()), 0..22);
    let files = prop::collection::vec(
        (
            prop::sample::select(vec!["comprobante", "adjunto", "nombre", "otro"]),
            file_name(),
            file_bytes(),
        ),
        0..3,
    );
    (fields, files).prop_map(|(fields, files)| RawSubmission {
        fields,
        files: files
            .into_iter()
            .map(|(field, file_name, bytes)| RawFile {
                field: field.to_owned(),
                file_name,
                bytes: bytes.into(),
            })
            .collect(),
    })
}

/// A complete valid submission with one field replaced, for depth: most
/// random maps fail early on a missing field.
fn near_valid() -> impl Strategy<Value = (FormId, RawSubmission)> {
    (form(), field_name(), text_value()).prop_map(|(form, name, value)| {
        let mut fields = e2e::body::valid_fields(form, None);
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
        (
            form,
            RawSubmission {
                fields,
                files: Vec::new(),
            },
        )
    })
}

/// The guarantees of anything `validate` accepts.
fn check_accepted(form: FormId, raw: &RawSubmission) -> Result<(), TestCaseError> {
    let config = e2e::forms_config();
    let now = time::OffsetDateTime::now_utc();
    let Ok(submission) = validate(form, raw, &config, now) else {
        return Ok(());
    };
    let name_len = html_length(&submission.name);
    prop_assert!((2..=100).contains(&name_len), "name length {name_len}");
    prop_assert!(full_match(SAFE_LINE, &submission.name));
    prop_assert!(submission.email.as_str().contains('@') && submission.email.as_str().len() <= 254);
    prop_assert!(full_match(SAFE_LINE, &submission.summary()));
    if let Some(attachment) = &submission.attachment {
        prop_assert_eq!(
            help_forms::ReceiptKind::sniff(&attachment.bytes),
            Some(attachment.kind)
        );
        prop_assert!(attachment.bytes.len() <= help_forms::MAX_RECEIPT_BYTES);
    }
    match &submission.details {
        Details::Payment(p) => {
            prop_assert!(p.monto.cents() > 0 && p.monto <= config.max_amount);
            prop_assert!(!p.ordenes.is_empty() && p.ordenes.len() <= 20);
            prop_assert!(p.ordenes.iter().all(|&o| o > 0));
            prop_assert!(p.fecha <= (now + time::Duration::hours(14)).date());
            prop_assert!(p.fecha >= now.date() - time::Duration::days(90));
            prop_assert!(config.currencies.contains(&p.moneda));
            prop_assert!(p.referencia.as_str().len() >= 4 && p.referencia.as_str().len() <= 30);
        }
        Details::Ticket(t) => {
            prop_assert!(full_match(SAFE_LINE, &t.asunto));
            prop_assert!(full_match(SAFE_TEXT, &t.mensaje));
            prop_assert!((20..=5000).contains(&html_length(&t.mensaje)));
            prop_assert!(config.departments.iter().any(|d| d.value == t.departamento));
        }
    }
    Ok(())
}

fn check_refused(form: FormId, raw: &RawSubmission) -> Result<(), TestCaseError> {
    let config = e2e::forms_config();
    if let Err(errors) = validate(form, raw, &config, time::OffsetDateTime::now_utc()) {
        prop_assert!(!errors.is_empty());
        let fields = form.fields(&config);
        for (name, message) in errors.iter() {
            prop_assert!(
                fields.iter().any(|f| f.name == name),
                "unknown field {name}"
            );
            prop_assert!(!message.is_empty(), "empty message for {name}");
        }
    }
    Ok(())
}

#[test]
fn validate_never_panics_and_anything_it_accepts_is_clean() {
    check_property(
        &(form(), raw_submission()),
        "validate holds its guarantees",
        |(form, raw)| {
            check_accepted(form, &raw)?;
            check_refused(form, &raw)
        },
    );
}

#[test]
fn near_valid_submissions_are_either_clean_or_refused_with_known_fields() {
    let accepted = Cell::new(0u32);
    check_property(
        &near_valid(),
        "validate holds its guarantees",
        |(form, raw)| {
            let config = e2e::forms_config();
            if validate(form, &raw, &config, time::OffsetDateTime::now_utc()).is_ok() {
                accepted.set(accepted.get() + 1);
            }
            check_accepted(form, &raw)?;
            check_refused(form, &raw)
        },
    );
    println!("near-valid: {} accepted", accepted.get());
}

#[test]
fn read_urlencoded_never_panics_nor_lets_invalid_utf8_through() {
    let rt = runtime();
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        "([a-z_%0-9A-F=&+]|%[0-9A-Fa-f]{2}){0,200}".prop_map(String::into_bytes),
    ];
    check_property(&bytes, "read_urlencoded holds its guarantees", |bytes| {
        let result = rt.block_on(form_api::body::read_urlencoded(axum::body::Body::from(
            bytes.clone(),
        )));
        match result {
            Ok(raw) => {
                prop_assert!(raw.fields.len() <= 40);
                prop_assert!(raw.files.is_empty());
                for (name, value) in &raw.fields {
                    let replaced = name.contains(char::REPLACEMENT_CHARACTER)
                        || value.contains(char::REPLACEMENT_CHARACTER);
                    prop_assert!(!replaced, "replacement character in {name:?}={value:?}");
                }
            }
            Err(form_api::body::BodyError::Malformed(_)) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
        Ok(())
    });
}

/// Sends `body` to the router and checks: no 5xx, and the store changed
/// only on a 2xx, by one consistent ticket at most.
fn check_router(
    rt: &tokio::runtime::Runtime,
    app: &LocalApp,
    form: FormId,
    content_type: &str,
    body: Vec<u8>,
) -> Result<u16, TestCaseError> {
    let before = app.inventory();
    let answer = rt.block_on(e2e::post(&app.router, form, content_type, body, true));
    let after = app.inventory();
    let status = answer.status.as_u16();
    prop_assert!(status < 500, "server error {status}: {}", answer.text());
    prop_assert!(
        matches!(status, 201 | 400 | 409 | 413 | 415 | 422),
        "unexpected status {status}: {}",
        answer.text()
    );
    let grew = after.tickets.len() - before.tickets.len();
    if status >= 400 {
        prop_assert_eq!(
            summary(&before),
            summary(&after),
            "a {} stored something",
            status
        );
    } else {
        prop_assert!(grew <= 1);
        prop_assert!(after.problems().is_empty(), "{:?}", after.problems());
    }
    Ok(status)
}

/// Checks [`check_router`] on the requests (form, content type, body)
/// made from values of `strategy`, as [`check_property`] does, and counts
/// the answers by status.
fn check_router_property<S: Strategy>(
    app: &LocalApp,
    strategy: &S,
    request: impl Fn(S::Value) -> (FormId, String, Vec<u8>),
) -> BTreeMap<u16, u32> {
    let rt = runtime();
    let statuses = RefCell::new(BTreeMap::<u16, u32>::new());
    check_property(strategy, "the router holds its guarantees", |value| {
        let (form, content_type, body) = request(value);
        let status = check_router(&rt, app, form, &content_type, body)?;
        *statuses.borrow_mut().entry(status).or_default() += 1;
        Ok(())
    });
    statuses.into_inner()
}

fn summary(inventory: &Inventory) -> (usize, usize, usize, usize) {
    (
        inventory.tickets.len(),
        inventory.claims.len(),
        inventory.receipts.len(),
        inventory.stray.len(),
    )
}

#[test]
fn arbitrary_bytes_never_break_the_router_nor_store_anything() {
    let app = LocalApp::new();
    let content_type = prop_oneof![
        Just(multipart_type(BOUNDARY)),
        Just(URLENCODED.to_owned()),
        Just("multipart/form-data".to_owned()),
        "[ -~]{0,60}",
    ];
    let strategy = (
        form(),
        content_type,
        prop::collection::vec(any::<u8>(), 0..1024),
    );
    check_router_property(&app, &strategy, |request| request);
    assert!(app.inventory().tickets.is_empty());
}

/// A multipart body of random parts, then damaged: cut, spliced or with
/// its line ends changed.
fn multipart_ish() -> impl Strategy<Value = Vec<u8>> {
    let part = prop_oneof![
        (field_name(), text_value()).prop_map(|(n, v)| Part::text(&n, &v)),
        (field_name(), file_name(), file_bytes()).prop_map(|(n, f, b)| Part::file(
            &n,
            &f,
            "image/png",
            &b
        )),
    ];
    let damage = prop_oneof![
        3 => Just(None),
        1 => (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 0..16)).prop_map(Some),
    ];
    (
        prop::collection::vec(part, 0..16),
        damage,
        prop::option::weighted(0.25, any::<prop::sample::Index>()),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(parts, damage, cut, lf_only)| {
            let mut body = multipart(BOUNDARY, &parts);
            if let Some((at, bytes)) = damage {
                let at = at.index(body.len() + 1);
                body.splice(at..at, bytes);
            }
            if let Some(cut) = cut {
                body.truncate(cut.index(body.len() + 1));
            }
            if lf_only {
                body = String::from_utf8_lossy(&body)
                    .replace("\r\n", "\n")
                    .into_bytes();
            }
            body
        })
}

#[test]
fn multipart_ish_bodies_never_break_the_router_nor_store_on_a_refusal() {
    let app = LocalApp::new();
    let statuses = check_router_property(&app, &(form(), multipart_ish()), |(form, body)| {
        (form, multipart_type(BOUNDARY), body)
    });
    println!("multipart-ish statuses: {statuses:?}");
    app.inventory().assert_consistent();
}

#[test]
fn field_maps_in_both_encodings_never_break_the_router() {
    let app = LocalApp::new();
    let statuses = check_router_property(
        &app,
        &(near_valid(), any::<bool>()),
        |((form, raw), as_multipart)| {
            let (content_type, body) = if as_multipart {
                (
                    multipart_type(BOUNDARY),
                    multipart(BOUNDARY, &e2e::body::text_parts(&raw.fields)),
                )
            } else {
                let fields: Vec<(String, Vec<u8>)> = raw
                    .fields
                    .iter()
                    .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
                    .collect();
                (URLENCODED.to_owned(), urlencoded(&fields))
            };
            (form, content_type, body)
        },
    );
    println!("field maps statuses: {statuses:?}");
    assert!(
        statuses.contains_key(&201) && statuses.keys().any(|s| *s >= 400),
        "the generator should reach both outcomes: {statuses:?}"
    );
    app.inventory().assert_consistent();
}
