//! Every staff command on a ticket created through the form, on the local
//! backend and on S3 + DynamoDB (moto, when `MOTO_URL` is set; required when
//! `REQUIRE_MOTO=1`), plus two staff members changing a status at once.

use axum::body::Body;
use form_api::store::{Status, StatusChange, TicketNumber};
use form_api::{ApiConfig, Store, StoreError};
use help_forms::testing::{self, Multipart};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::process::Command;
use std::sync::Arc;
use tower::ServiceExt;

/// The receipt: a PNG header marked as this suite's.
fn receipt_bytes() -> Vec<u8> {
    [testing::PNG, b"staff"].concat()
}

/// A backend plus how to point the staff binary at it.
struct Backend {
    store: Arc<dyn Store>,
    env: Vec<(&'static str, String)>,
    _dir: tempfile::TempDir,
}

fn local() -> Backend {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(form_api::LocalStore::open(dir.path()).expect("store"));
    let env = vec![("STAFF_DATA_DIR", dir.path().display().to_string())];
    Backend {
        store,
        env,
        _dir: dir,
    }
}

async fn moto() -> Option<Backend> {
    let store = form_api_aws::testing::moto_store("staff").await?;
    let env = vec![
        ("RECEIPTS_BUCKET", store.bucket().to_owned()),
        ("TICKETS_TABLE", store.table().to_owned()),
    ];
    Some(Backend {
        store: Arc::new(store),
        env,
        _dir: tempfile::tempdir().expect("temp dir"),
    })
}

impl Backend {
    fn is_aws(&self) -> bool {
        self.env.iter().any(|(n, _)| *n == "RECEIPTS_BUCKET")
    }

    fn router(&self) -> axum::Router {
        let forms = form_api::site_forms(include_str!("../../../site.toml")).expect("site.toml");
        form_api::router(
            self.store.clone(),
            ApiConfig {
                forms,
                site_url: String::new(),
                cors_origin: None,
            },
        )
    }

    fn staff(&self, args: &[&str]) -> (bool, String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ayuda-staff"));
        for (name, value) in &self.env {
            match *name {
                "STAFF_DATA_DIR" => command.args(["--data-dir", value]),
                _ => command.env(name, value),
            };
        }
        if !self.is_aws() {
            command.env_remove("RECEIPTS_BUCKET");
        }
        let out = command.args(args).output().expect("run ayuda-staff");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn report_payment(app: &axum::Router) -> (u64, String) {
    // A deposit in dollars with a printed invoice, by its own customer.
    let body = Multipart::payment_report(time::OffsetDateTime::now_utc())
        .set_all(&[
            ("ordenes", "20002, 20001"),
            ("monto", "250,00"),
            ("moneda", "USD"),
            ("metodo", "deposito"),
            ("banco_destino", "mercantil"),
            ("referencia", "DEP-7788"),
            (
                "direccion_envio",
                "Calle Bolívar 12, Casa 3, Valencia, Carabobo 2001",
            ),
            ("nombre", "Luis Gómez"),
            ("correo", "luis@example.com"),
        ])
        .without("banco_origen")
        .receipt("d.png", "image/png", &receipt_bytes());
    let request = Request::post("/api/reportes-de-pago")
        .header(header::CONTENT_TYPE, body.content_type())
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.body()))
        .expect("request");
    let (status, answer) = send(app, request).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    (
        answer["numero"].as_u64().expect("number"),
        answer["clave"].as_str().expect("key").to_owned(),
    )
}

/// A support ticket through the ticket form; returns its number.
async fn open_ticket(app: &axum::Router) -> u64 {
    let body = Multipart::valid(help_forms::FormId::Ticket, time::OffsetDateTime::now_utc());
    let request = Request::post("/api/tickets")
        .header(header::CONTENT_TYPE, body.content_type())
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.body()))
        .expect("request");
    let (status, answer) = send(app, request).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["numero"].as_u64().expect("number")
}

async fn every_command_works_on(backend: Backend) {
    let app = backend.router();
    let (number, key) = report_payment(&app).await;
    let n = number.to_string();

    let ticket = open_ticket(&app).await;
    let numbers = |args: &[&str]| -> Vec<u64> {
        let (ok, out, err) = backend.staff(&[&["list", "--json"], args].concat());
        assert!(ok, "{err}");
        let list: Vec<Value> = serde_json::from_str(&out).expect("json");
        list.iter()
            .map(|t| t["numero"].as_u64().expect("number"))
            .collect()
    };
    assert_eq!(numbers(&[]), [ticket, number], "newest first");
    assert_eq!(numbers(&["--tipo", "reporte-de-pago"]), [number]);
    assert_eq!(numbers(&["--tipo", "ticket"]), [ticket]);
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(numbers(&["--desde", &today.to_string()]).len(), 2);
    assert_eq!(
        numbers(&["--desde", &today.next_day().expect("date").to_string()]),
        [0u64; 0]
    );
    let (ok, table, _) = backend.staff(&["list"]);
    let rows: Vec<&str> = table.lines().collect();
    assert!(ok && rows[0].trim_start().starts_with("NÚMERO"), "{table}");
    assert!(
        rows[1].trim_start().starts_with(&format!("{ticket} ")) && rows[1].contains("ticket"),
        "{table}"
    );
    assert!(
        rows[2].trim_start().starts_with(&format!("{number} ")) && rows[2].contains("Abierto"),
        "{table}"
    );

    // A closed ticket leaves the default list, which shows what is left to do.
    let (ok, _, err) = backend.staff(&["status", &ticket.to_string(), "cerrado"]);
    assert!(ok, "{err}");
    assert_eq!(numbers(&[]), [number]);
    assert_eq!(numbers(&["--todos"]), [ticket, number]);
    assert_eq!(numbers(&["--estado", "cerrado"]), [ticket]);

    let (ok, out, err) = backend.staff(&["show", &n, "--json"]);
    assert!(ok, "{err}");
    let shown: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(shown["detalles"]["monto"], "250,00");
    assert_eq!(
        shown["detalles"]["direccion_envio"],
        "Calle Bolívar 12, Casa 3, Valencia, Carabobo 2001"
    );
    assert_eq!(shown["comprobante"]["tipo"], "png");
    let (ok, text, _) = backend.staff(&["show", &n]);
    assert!(ok, "{text}");
    for line in [
        "Nro. de orden del servicio: 20001, 20002",
        "Monto: 250,00",
        "Moneda: USD",
        "Método de pago: Depósito bancario",
        "Banco destino: Mercantil (cuenta corriente)",
        "Nro. de depósito o transferencia: DEP-7788",
        "Dirección de envío de la factura: Calle Bolívar 12, Casa 3, Valencia, Carabobo 2001",
        "Comprobante: image/png (",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "{line:?} in\n{text}"
        );
    }
    assert!(
        !text.contains("Banco de origen"),
        "a deposit has no origin bank: {text}"
    );

    let saved = backend._dir.path().join("comprobante.png");
    let (ok, _, err) = backend.staff(&["receipt", &n, "--salida", saved.to_str().expect("utf-8")]);
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read(&saved).expect("saved"),
        receipt_bytes(),
        "the receipt is saved byte-identical"
    );

    let (ok, url, err) = backend.staff(&["receipt", &n, "--url", "--minutos", "2"]);
    if backend.is_aws() {
        assert!(ok, "{err}");
        let url = url.trim();
        assert!(url.contains("X-Amz-Expires=120"), "{url}");
        let answer = reqwest::get(url).await.expect("download");
        assert_eq!(answer.status(), reqwest::StatusCode::OK, "{url}");
        let bytes = answer.bytes().await.expect("bytes");
        assert_eq!(
            bytes.as_ref(),
            receipt_bytes(),
            "the signed link gives the receipt"
        );
    } else {
        assert!(!ok && err.contains("--url solo funciona con S3"), "{err}");
    }

    let (ok, _, err) = backend.staff(&[
        "status",
        &n,
        "en-revision",
        "--mensaje",
        "Estamos verificando su pago.",
    ]);
    assert!(ok, "{err}");
    let lookup = Request::get(format!("/api/tickets/{number}?clave={key}"))
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .expect("request");
    let (status, answer) = send(&app, lookup).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["estado"], "En revisión");
    assert_eq!(answer["mensaje"], "Estamos verificando su pago.");
    let (_, text, _) = backend.staff(&["show", &n]);
    assert!(
        text.lines()
            .any(|l| l.ends_with("En revisión — Estamos verificando su pago.")),
        "the history shows the change: {text}"
    );

    let (_, filtered, _) = backend.staff(&["list", "--estado", "abierto", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&filtered).expect("json"),
        Value::Array(vec![])
    );

    for useful in [false, false, true] {
        backend
            .store
            .vote("como-hacer-un-reporte-de-pago", useful)
            .await
            .expect("vote");
    }
    backend
        .store
        .vote("como-abrir-un-ticket", true)
        .await
        .expect("vote");
    let (ok, out, _) = backend.staff(&["votes", "--json"]);
    let votes: Value = serde_json::from_str(&out).expect("json");
    assert!(ok);
    assert_eq!(
        votes[0]["articulo"], "como-hacer-un-reporte-de-pago",
        "most negative first: {votes}"
    );
    assert_eq!(
        (votes[0]["si"].as_u64(), votes[0]["no"].as_u64()),
        (Some(1), Some(2))
    );
}

async fn only_one_of_two_simultaneous_status_changes_wins(backend: Backend) {
    let (number, _) = report_payment(&backend.router()).await;
    let ticket = backend
        .store
        .ticket(TicketNumber(number))
        .await
        .expect("read")
        .expect("ticket");
    let change = |status, message: &str| StatusChange {
        at: time::OffsetDateTime::now_utc(),
        status,
        message: Some(message.to_owned()),
    };
    let (answered, closed) = (
        change(Status::Answered, "Pago confirmado."),
        change(Status::Closed, "Duplicado."),
    );
    let (a, b) = tokio::join!(
        backend
            .store
            .set_status(ticket.number, ticket.version, &answered),
        backend
            .store
            .set_status(ticket.number, ticket.version, &closed),
    );
    let conflicts = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Err(StoreError::Conflict(_))))
        .count();
    assert_eq!(
        (a.is_ok() as u8 + b.is_ok() as u8, conflicts),
        (1, 1),
        "{a:?} {b:?}"
    );
    let after = backend
        .store
        .ticket(ticket.number)
        .await
        .expect("read")
        .expect("ticket");
    assert_eq!(after.history.len(), 1, "no lost or doubled update");
    assert_eq!(after.status, after.history[0].status);
}

#[tokio::test]
async fn every_staff_command_works_on_the_local_store() {
    every_command_works_on(local()).await;
}

#[tokio::test]
async fn every_staff_command_works_on_s3_and_dynamodb() {
    if let Some(backend) = moto().await {
        every_command_works_on(backend).await;
    }
}

#[tokio::test]
async fn simultaneous_status_changes_on_the_local_store_do_not_lose_updates() {
    only_one_of_two_simultaneous_status_changes_wins(local()).await;
}

/// moto applies concurrent conditional writes without serialising them (real
/// DynamoDB does), so against it the condition is proven one write at a time:
/// the second of two changes made from the same read is refused.
#[tokio::test]
async fn a_status_change_from_a_stale_read_is_refused_by_dynamodb() {
    let Some(backend) = moto().await else { return };
    let (number, _) = report_payment(&backend.router()).await;
    let read = backend
        .store
        .ticket(TicketNumber(number))
        .await
        .expect("read")
        .expect("ticket");
    let change = |status| StatusChange {
        at: time::OffsetDateTime::now_utc(),
        status,
        message: None,
    };
    let first = backend
        .store
        .set_status(read.number, read.version, &change(Status::Answered))
        .await;
    let second = backend
        .store
        .set_status(read.number, read.version, &change(Status::Closed))
        .await;
    assert!(first.is_ok(), "{first:?}");
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
    let after = backend
        .store
        .ticket(read.number)
        .await
        .expect("read")
        .expect("ticket");
    assert_eq!((after.status, after.history.len()), (Status::Answered, 1));
}

/// A writer that died after uploading, whose customer never came back, and
/// one still at work: `limpiar` removes the first's receipt and claim only.
async fn limpiar_removes_only_abandoned_half_written_submissions(backend: Backend) {
    use form_api::store::{Claim, IdempotencyKey, ReceiptRef};
    let (number, _) = report_payment(&backend.router()).await;
    let now = time::OffsetDateTime::now_utc();
    let half_written = |name: &'static str, at: time::OffsetDateTime| {
        let key = IdempotencyKey(format!("{name}-{}", now.unix_timestamp_nanos()));
        let receipt = ReceiptRef::for_submission(&key, help_forms::ReceiptKind::Png, 4);
        let store = backend.store.clone();
        async move {
            let claim = store
                .claim(
                    &key,
                    name,
                    Some(&receipt.key),
                    at,
                    at - form_api::submit::STALE_AFTER,
                )
                .await
                .expect("claim");
            assert_eq!(claim, Claim::Owned);
            store
                .put_receipt(&receipt, bytes::Bytes::from_static(b"\x89PNG"))
                .await
                .expect("upload");
            (key, receipt)
        }
    };
    let (dead, dead_receipt) = half_written("caido", now - time::Duration::hours(2)).await;
    let (alive, alive_receipt) = half_written("en-curso", now).await;

    let (ok, out, err) = backend.staff(&["limpiar", "--minutos", "30"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("liberados: 1; comprobantes huérfanos borrados: 1"),
        "{out}"
    );

    let store = backend.store.as_ref();
    let claim_again = |key: &IdempotencyKey, receipt: &ReceiptRef, owner: &'static str| {
        let (key, receipt_key) = (key.clone(), receipt.key.clone());
        async move {
            store
                .claim(
                    &key,
                    owner,
                    Some(&receipt_key),
                    now,
                    now - form_api::submit::STALE_AFTER,
                )
                .await
                .expect("claim")
        }
    };
    assert_eq!(store.receipt(&dead_receipt).await.expect("read"), None);
    assert_eq!(
        claim_again(&dead, &dead_receipt, "reintento").await,
        Claim::Owned,
        "the claim was released"
    );
    assert!(store.receipt(&alive_receipt).await.expect("read").is_some());
    assert_eq!(
        claim_again(&alive, &alive_receipt, "otro").await,
        Claim::InProgress,
        "a live writer keeps its claim"
    );
    let ticket = store
        .ticket(TicketNumber(number))
        .await
        .expect("read")
        .expect("ticket");
    let receipt = ticket.receipt.expect("receipt");
    assert!(
        store.receipt(&receipt).await.expect("read").is_some(),
        "tickets keep their receipts"
    );
}

#[tokio::test]
async fn limpiar_cleans_abandoned_submissions_on_the_local_store() {
    limpiar_removes_only_abandoned_half_written_submissions(local()).await;
}

#[tokio::test]
async fn limpiar_cleans_abandoned_submissions_on_s3_and_dynamodb() {
    if let Some(backend) = moto().await {
        limpiar_removes_only_abandoned_half_written_submissions(backend).await;
    }
}
