//! The hostile-input corpus (`tests/corpus/*.toml`), table-driven: every
//! case is posted to the router over a local store in its own temporary
//! folder. A refused case must get its status with the Spanish answer (the
//! fields in error for a 422) and leave the folder empty: no ticket, no
//! claim, no receipt file; its HTML answer (no JavaScript) echoes labels and
//! messages only, never the input. An accepted case (plain text the rules
//! allow, spam) must be stored completely, with the declared spam flag and
//! receipt kind, and come back escaped on the status page.
//!
//! Case format: see `tests/corpus/README.md`.

use e2e::body::{BOUNDARY, Part, URLENCODED, expand_dates, multipart, multipart_type, urlencoded};
use e2e::{Answer, LocalApp, forms_config, get};
use help_forms::FormId;
use help_forms::render::escape;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const DEFAULT_KEY: &str = "0b5c7a36-6a5e-4d4e-9b0c-6d7f9a1e2b3c";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    #[serde(default)]
    defaults: Defaults,
    case: Vec<Case>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Defaults {
    form: Option<String>,
    encoding: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    form: Option<String>,
    /// multipart (default) | urlencoded | raw
    encoding: Option<String>,
    /// The Content-Type header; "" sends none.
    content_type: Option<String>,
    /// The Content-Length header, when it should lie.
    content_length: Option<String>,
    referer: Option<String>,
    /// The boundary the multipart body is written with.
    boundary: Option<String>,
    /// "valid" (default): a complete valid submission; "empty": nothing.
    base: Option<String>,
    #[serde(default)]
    set: BTreeMap<String, String>,
    #[serde(default)]
    set_bytes: BTreeMap<String, Vec<Segment>>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    add: Vec<(String, String)>,
    #[serde(default)]
    files: Vec<FileSpec>,
    /// A raw body, for `encoding = "raw"`.
    body: Option<Vec<Segment>>,
    /// Cut the body to this many bytes.
    truncate: Option<usize>,

    expect: u16,
    #[serde(default)]
    errors: Vec<String>,
    #[serde(default)]
    messages: BTreeMap<String, String>,
    /// Accepted cases: "Honeypot", "TooFast" or "none" (default).
    spam: Option<String>,
    /// Accepted cases: "png", "jpeg", "webp", "pdf" or "none" (default).
    receipt: Option<String>,
    /// Accepted cases: text that the status page shows (escaped).
    shown: Option<String>,
    #[serde(default)]
    stored: Vec<String>,
    #[serde(default)]
    not_stored: Vec<String>,
}

/// A piece of a byte string: text, hex, a repeated text or byte, or the
/// multipart parts of the case's valid submission (without the closing line).
#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
struct Segment {
    text: Option<String>,
    hex: Option<String>,
    repeat: Option<String>,
    repeat_hex: Option<String>,
    count: Option<usize>,
    valid_parts: Option<bool>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default = "receipt_field")]
    field: String,
    name: String,
    #[serde(rename = "type", default = "octet_stream")]
    content_type: String,
    body: Vec<Segment>,
}

fn receipt_field() -> String {
    "comprobante".into()
}

fn octet_stream() -> String {
    "application/octet-stream".into()
}

fn hex_bytes(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).expect("valid hex in the corpus")
}

fn bytes_of(segments: &[Segment], form: FormId) -> Vec<u8> {
    let mut out = Vec::new();
    for s in segments {
        if let Some(text) = &s.text {
            out.extend_from_slice(text.as_bytes());
        }
        if let Some(hex) = &s.hex {
            out.extend(hex_bytes(hex));
        }
        if let Some(text) = &s.repeat {
            out.extend(
                text.repeat(s.count.expect("repeat needs count"))
                    .into_bytes(),
            );
        }
        if let Some(hex) = &s.repeat_hex {
            out.extend(hex_bytes(hex).repeat(s.count.expect("repeat_hex needs count")));
        }
        if s.valid_parts == Some(true) {
            let parts = e2e::body::text_parts(&e2e::body::valid_fields(form, Some(DEFAULT_KEY)));
            let mut body = multipart(BOUNDARY, &parts);
            body.truncate(body.len() - format!("--{BOUNDARY}--\r\n").len());
            out.extend(body);
        }
    }
    out
}

struct Request {
    form: FormId,
    content_type: Option<String>,
    body: Vec<u8>,
    /// Every hostile string this request carries, to look for in answers.
    hostile: Vec<String>,
}

fn build(case: &Case, defaults: &Defaults) -> Request {
    let form_slug = case
        .form
        .clone()
        .or_else(|| defaults.form.clone())
        .unwrap_or_else(|| "reporte-de-pago".into());
    let form = FormId::from_slug(&form_slug).expect("known form in the corpus");
    let encoding = case
        .encoding
        .clone()
        .or_else(|| defaults.encoding.clone())
        .unwrap_or_else(|| "multipart".into());
    let boundary = case.boundary.clone().unwrap_or_else(|| BOUNDARY.into());

    let mut fields: Vec<(String, Vec<u8>)> = match case.base.as_deref().unwrap_or("valid") {
        "valid" => e2e::body::valid_fields(form, Some(DEFAULT_KEY))
            .into_iter()
            .map(|(n, v)| (n, v.into_bytes()))
            .collect(),
        "empty" => Vec::new(),
        other => panic!("unknown base {other}"),
    };
    fields.retain(|(n, _)| !case.remove.contains(n));
    let mut hostile = Vec::new();
    let set = |fields: &mut Vec<(String, Vec<u8>)>, name: &str, value: Vec<u8>| match fields
        .iter_mut()
        .find(|(n, _)| n == name)
    {
        Some(field) => field.1 = value,
        None => fields.push((name.to_owned(), value)),
    };
    for (name, value) in &case.set {
        let value = expand_dates(value);
        hostile.push(value.clone());
        set(&mut fields, name, value.into_bytes());
    }
    for (name, segments) in &case.set_bytes {
        set(&mut fields, name, bytes_of(segments, form));
    }
    for (name, value) in &case.add {
        hostile.push(value.clone());
        hostile.push(name.clone());
        fields.push((name.clone(), expand_dates(value).into_bytes()));
    }
    for file in &case.files {
        hostile.push(file.name.clone());
    }

    let (default_type, mut body) = match encoding.as_str() {
        "multipart" => {
            let mut parts: Vec<Part> = fields
                .into_iter()
                .map(|(name, value)| Part::Text { name, value })
                .collect();
            parts.extend(case.files.iter().map(|f| Part::File {
                name: f.field.clone(),
                file_name: f.name.clone(),
                content_type: f.content_type.clone(),
                bytes: bytes_of(&f.body, form),
            }));
            (
                Some(multipart_type(&boundary)),
                multipart(&boundary, &parts),
            )
        }
        "urlencoded" => {
            assert!(case.files.is_empty(), "{}: files need multipart", case.name);
            (Some(URLENCODED.to_owned()), urlencoded(&fields))
        }
        "raw" => (
            None,
            bytes_of(case.body.as_deref().unwrap_or_default(), form),
        ),
        other => panic!("unknown encoding {other}"),
    };
    if let Some(n) = case.truncate {
        body.truncate(n);
    }
    let content_type = match &case.content_type {
        Some(t) if t.is_empty() => None,
        Some(t) => Some(t.clone()),
        None => default_type,
    };
    Request {
        form,
        content_type,
        body,
        hostile,
    }
}

async fn send(app: &LocalApp, case: &Case, request: &Request, json: bool) -> Answer {
    let mut http = http::Request::post(format!("/api/{}", request.form.endpoint()));
    if let Some(content_type) = &request.content_type {
        http = http.header(http::header::CONTENT_TYPE, content_type);
    }
    http = http.header(
        http::header::CONTENT_LENGTH,
        case.content_length
            .clone()
            .unwrap_or_else(|| request.body.len().to_string()),
    );
    if let Some(referer) = &case.referer {
        http = http.header(http::header::REFERER, referer);
    }
    if json {
        http = http.header(http::header::ACCEPT, "application/json");
    }
    e2e::send(
        &app.router,
        http.body(axum::body::Body::from(request.body.clone()))
            .expect("request"),
    )
    .await
}

fn expected_error(status: u16) -> &'static str {
    match status {
        400 => "El formulario llegó dañado o incompleto. Recargue la página e inténtelo de nuevo.",
        413 => {
            "El envío es demasiado grande: el comprobante puede pesar hasta 4 MB (PNG, JPEG, WebP o PDF)."
        }
        415 => {
            "El formulario debe enviarse como multipart/form-data o application/x-www-form-urlencoded."
        }
        422 => "Revise los campos marcados.",
        _ => "",
    }
}

/// Characters that mean something in HTML.
fn is_markup(text: &str) -> bool {
    text.contains(['<', '>', '"', '\'', '&'])
}

/// The checks of an HTML page that shows stored values: no hostile text
/// raw, and `shown` escaped.
fn check_page(page: &str, request: &Request, case: &Case, problems: &mut Vec<String>) {
    for value in &request.hostile {
        if is_markup(value) && page.contains(value.as_str()) {
            problems.push(format!("the page shows {value:?} unescaped"));
        }
    }
    if let Some(shown) = case.shown.as_ref().filter(|s| !page.contains(&escape(s))) {
        problems.push(format!("the page does not show {shown:?} escaped"));
    }
}

async fn check_refused(
    app: &LocalApp,
    case: &Case,
    request: &Request,
    answer: &Answer,
    problems: &mut Vec<String>,
) {
    let json = answer.json();
    if !answer
        .header("content-type")
        .starts_with("application/json")
    {
        problems.push(format!(
            "JSON answer has type {:?}",
            answer.header("content-type")
        ));
    }
    if json["error"] != expected_error(case.expect) {
        problems.push(format!("unexpected error text: {}", answer.text()));
    }
    let fields: BTreeSet<String> = json["campos"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let expected: BTreeSet<String> = case.errors.iter().cloned().collect();
    if (case.expect == 422 || case.expect == 413) && fields != expected {
        problems.push(format!("fields in error {fields:?}, expected {expected:?}"));
    }
    for (field, message) in &case.messages {
        if json["campos"][field] != message.as_str() {
            problems.push(format!(
                "message of {field}: {}, expected {message:?}",
                json["campos"][field]
            ));
        }
    }
    let inventory = app.inventory();
    if !inventory.is_empty() {
        problems.push(format!("something was stored: {}", inventory.describe()));
    }

    // The same request without JavaScript: an HTML page with the labels and
    // messages, never the input.
    let html = send(app, case, request, false).await;
    let page = html.text();
    if html.status.as_u16() != case.expect {
        problems.push(format!("HTML answer status {}", html.status));
    }
    if !html.header("content-type").starts_with("text/html") {
        problems.push(format!(
            "HTML answer has type {:?}",
            html.header("content-type")
        ));
    }
    if !html
        .header("content-security-policy")
        .starts_with("default-src 'none'")
    {
        problems.push("HTML answer without its Content-Security-Policy".into());
    }
    if case.expect == 422 {
        let labels = request.form.fields(&forms_config());
        for name in &case.errors {
            let label = labels
                .iter()
                .find(|f| f.name == name)
                .map_or(name.as_str(), |f| f.label);
            if !page.contains(&format!("<strong>{}</strong>: ", escape(label))) {
                problems.push(format!("HTML page does not name the field {label:?}"));
            }
        }
    }
    for value in &request.hostile {
        let value = value.trim();
        if value.chars().count() >= 5 && (page.contains(value) || page.contains(&escape(value))) {
            problems.push(format!("HTML page echoes the input {value:?}"));
        }
    }
    for marker in ["<script", "<img", "<svg", "onerror", "onload"] {
        if page.contains(marker) {
            problems.push(format!("HTML page contains {marker:?}"));
        }
    }
    let inventory = app.inventory();
    if !inventory.is_empty() {
        problems.push(format!(
            "something was stored by the HTML request: {}",
            inventory.describe()
        ));
    }
}

async fn check_accepted(
    app: &LocalApp,
    case: &Case,
    request: &Request,
    answer: &Answer,
    problems: &mut Vec<String>,
) {
    let json = answer.json();
    let (Some(number), Some(key)) = (json["numero"].as_u64(), json["clave"].as_str()) else {
        problems.push(format!("no ticket number or key: {}", answer.text()));
        return;
    };
    let inventory = app.inventory();
    problems.extend(inventory.problems());
    if inventory.tickets.len() != 1 || !inventory.pending_claims().is_empty() {
        problems.push(format!(
            "expected one finished ticket: {}",
            inventory.describe()
        ));
        return;
    }
    let ticket = &inventory.tickets[0];
    if ticket.number != number {
        problems.push(format!(
            "stored number {} ≠ answered {number}",
            ticket.number
        ));
    }
    let spam = case.spam.clone().unwrap_or_else(|| "none".into());
    if ticket.spam.clone().unwrap_or_else(|| "none".into()) != spam {
        problems.push(format!("spam flag {:?}, expected {spam}", ticket.spam));
    }
    let receipt = case.receipt.clone().unwrap_or_else(|| "none".into());
    let stored_kind = ticket
        .receipt
        .as_ref()
        .map_or("none".to_owned(), |(_, kind, _)| kind.clone());
    if stored_kind != receipt {
        problems.push(format!("receipt {stored_kind}, expected {receipt}"));
    }
    for value in &case.stored {
        if !ticket.texts.iter().any(|t| t.contains(value.as_str())) {
            problems.push(format!(
                "{value:?} was not stored as typed: {:?}",
                ticket.texts
            ));
        }
    }
    for value in &case.not_stored {
        let in_texts = ticket.texts.iter().any(|t| t.contains(value.as_str()));
        let in_files = inventory
            .receipts
            .values()
            .any(|b| b.windows(value.len()).any(|w| w == value.as_bytes()));
        if in_texts || in_files {
            problems.push(format!("{value:?} was stored"));
        }
    }

    let lookup = format!("/api/tickets/{number}?clave={key}");
    let page = get(&app.router, &lookup, false).await;
    if page.status != http::StatusCode::OK {
        problems.push(format!("status page answered {}", page.status));
    }
    check_page(&page.text(), request, case, problems);
    let status = get(&app.router, &lookup, true).await.json();
    let carried = |shown: &&String| {
        !status["resumen"]
            .as_str()
            .is_some_and(|r| r.contains(shown.as_str()))
    };
    if let Some(shown) = case.shown.as_ref().filter(carried) {
        problems.push(format!("JSON status does not carry {shown:?}: {status}"));
    }

    // Posted again without JavaScript: the same ticket, a 303 to its page.
    let again = send(app, case, request, false).await;
    if again.status != http::StatusCode::SEE_OTHER {
        problems.push(format!("the HTML post answered {}", again.status));
    } else {
        let location = again.header("location");
        let page = get(&app.router, &format!("/api/{location}"), false).await;
        if !page
            .text()
            .contains(&format!("Su número de ticket es <strong>{number}</strong>"))
        {
            problems.push(format!("the replay did not lead to ticket {number}"));
        }
        check_page(&page.text(), request, case, problems);
    }
    let after = app.inventory();
    if after.tickets.len() != 1 {
        problems.push(format!("the replay stored again: {}", after.describe()));
    }
}

async fn run_case(case: &Case, defaults: &Defaults) -> Vec<String> {
    let app = LocalApp::new();
    let request = build(case, defaults);
    let answer = send(&app, case, &request, true).await;
    let mut problems = Vec::new();
    if answer.status.is_server_error() {
        problems.push(format!("server error {}: {}", answer.status, answer.text()));
    }
    if answer.status.as_u16() != case.expect {
        let text = answer.text();
        problems.push(format!(
            "status {}, expected {}: {}",
            answer.status,
            case.expect,
            text.chars().take(300).collect::<String>()
        ));
        let inventory = app.inventory();
        if !answer.status.is_success() && !inventory.is_empty() {
            problems.push(format!("something was stored: {}", inventory.describe()));
        }
        return problems;
    }
    if answer.status.is_success() {
        check_accepted(&app, case, &request, &answer, &mut problems).await;
    } else {
        check_refused(&app, case, &request, &answer, &mut problems).await;
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_case_is_refused_cleanly_or_stored_exactly_as_declared() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("corpus file");
        let corpus: CorpusFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let defaults = std::sync::Arc::new(corpus.defaults);
        for case in corpus.case {
            assert!(
                names.insert(case.name.clone()),
                "duplicate case name {:?}",
                case.name
            );
            cases.push((file.clone(), case, defaults.clone()));
        }
    }
    let total = cases.len();
    let refused = cases.iter().filter(|(_, c, _)| c.expect >= 400).count();

    // Each case has its own store and folder: run a few at once.
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(6));
    let tasks: Vec<_> = cases
        .into_iter()
        .map(|(file, case, defaults)| {
            let permits = permits.clone();
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await.expect("semaphore");
                let problems = run_case(&case, &defaults).await;
                (file, case.name, problems)
            })
        })
        .collect();
    let mut failures = Vec::new();
    for task in tasks {
        let (file, name, problems) = task.await.expect("a case panicked");
        if !problems.is_empty() {
            failures.push(format!("{file}: {name}\n    {}", problems.join("\n    ")));
        }
    }
    println!(
        "corpus: {total} cases in {} files ({refused} refused, {} accepted)",
        files.len(),
        total - refused
    );
    assert!(
        total >= 80,
        "the corpus should have at least 80 cases, has {total}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
