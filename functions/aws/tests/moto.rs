//! The AWS backend through the real AWS SDK against a real S3/DynamoDB
//! protocol server (moto) on 127.0.0.1, started by `scripts/test.sh`.
//! Without `MOTO_URL` these tests say so and pass, unless `REQUIRE_MOTO=1`
//! (set by the test script) makes a missing server a failure.

use aws_sdk_dynamodb::types::AttributeValue;
use axum::body::Body;
use form_api::{ApiConfig, Store};
use form_api_aws::AwsStore;
use help_forms::spec::names;
use help_forms::testing::{self, Multipart};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The receipt: a PNG header marked as this suite's.
fn receipt_bytes() -> Vec<u8> {
    [testing::PNG, b"moto"].concat()
}

async fn store() -> Option<AwsStore> {
    form_api_aws::testing::moto_store("ayuda").await
}

fn router(store: AwsStore) -> axum::Router {
    let forms = form_api::site_forms(include_str!("../../../site.toml")).expect("site.toml");
    form_api::router(
        Arc::new(store),
        ApiConfig {
            forms,
            site_url: String::new(),
            cors_origin: None,
        },
    )
}

/// A valid payment report with the receipt and the idempotency key `key`.
fn payment_body(key: &str) -> Vec<u8> {
    Multipart::payment_report(time::OffsetDateTime::now_utc())
        .set(names::IDEMPOTENCY, key)
        .receipt(testing::RECEIPT_FILE_NAME, "image/png", &receipt_bytes())
        .body()
}

async fn submit(app: &axum::Router, body: Vec<u8>) -> (StatusCode, Value) {
    let request = Request::post("/api/reportes-de-pago")
        .header(
            header::CONTENT_TYPE,
            testing::multipart_type(testing::BOUNDARY),
        )
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body))
        .expect("request");
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

#[tokio::test]
async fn a_report_stores_its_receipt_in_s3_and_its_ticket_in_dynamodb() {
    let Some(store) = store().await else { return };
    let app = router(store.clone());
    let (status, answer) = submit(&app, payment_body("3f2b1c0d-1111-4a4a-8b8b-000000000001")).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let number = answer["numero"].as_u64().expect("number");

    let ticket = store
        .ticket(form_api::store::TicketNumber(number))
        .await
        .expect("read")
        .expect("ticket exists");
    let receipt = ticket.receipt.clone().expect("receipt recorded");
    assert_eq!(receipt.size, receipt_bytes().len() as u64);
    let object = store
        .s3()
        .get_object()
        .bucket(bucket(&store))
        .key(&receipt.key)
        .send()
        .await
        .expect("object");
    assert_eq!(object.content_type(), Some("image/png"));
    assert_eq!(
        object.server_side_encryption(),
        Some(&aws_sdk_s3::types::ServerSideEncryption::Aes256)
    );
    assert_eq!(
        object
            .body
            .collect()
            .await
            .expect("bytes")
            .into_bytes()
            .as_ref(),
        receipt_bytes().as_slice(),
        "receipt bytes round-trip"
    );

    let item = store
        .dynamo()
        .get_item()
        .table_name(table(&store))
        .key("pk", AttributeValue::S(format!("TICKET#{number}")))
        .send()
        .await
        .expect("item")
        .item
        .expect("item exists");
    let text = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(text("formulario"), "reporte-de-pago");
    assert_eq!(text("estado"), "abierto");
    assert_eq!(text("nombre"), "José Núñez");
    assert_eq!(text("correo"), "jose@example.com");
    assert_eq!(
        text("resumen"),
        "Reporte de pago de 1.234,56 Bs (órdenes 10452, 10453)"
    );
    let details: Value = serde_json::from_str(&text("detalles")).expect("details json");
    assert_eq!(details["monto"], "1.234,56");
    assert_eq!(details["ordenes"], serde_json::json!([10452, 10453]));
    assert_eq!(details["banco_origen"], "Banco de Venezuela");
    assert!(
        details["direccion_envio"]
            .as_str()
            .is_some_and(|a| a.contains("Caracas"))
    );
    assert_eq!(
        text("clave_hash"),
        form_api::submit::hash_access_key(answer["clave"].as_str().expect("key"))
    );

    let lookup = Request::get(format!(
        "/api/tickets/{number}?clave={}",
        answer["clave"].as_str().expect("key")
    ))
    .header(header::ACCEPT, "application/json")
    .body(Body::empty())
    .expect("request");
    let response = app.clone().oneshot(lookup).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = serde_json::from_slice(
        &response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
    .expect("json");
    assert_eq!(body["estado"], "Abierto");
}

#[tokio::test]
async fn concurrent_duplicates_make_one_ticket_and_one_receipt() {
    let Some(store) = store().await else { return };
    let app = router(store.clone());
    let body = payment_body("3f2b1c0d-2222-4a4a-8b8b-000000000002");
    let answers = futures_join(&app, &body, 8).await;
    let numbers: std::collections::BTreeSet<u64> = answers
        .iter()
        .map(|(status, a)| {
            assert_eq!(*status, StatusCode::CREATED, "{a}");
            a["numero"].as_u64().expect("n")
        })
        .collect();
    assert_eq!(
        numbers.len(),
        1,
        "one ticket number for all duplicates: {numbers:?}"
    );
    let objects = store
        .s3()
        .list_objects_v2()
        .bucket(bucket(&store))
        .send()
        .await
        .expect("list");
    assert_eq!(objects.key_count(), Some(1));
    let key = objects.contents()[0].key().expect("object key");
    let ticket = store
        .ticket(form_api::store::TicketNumber(
            numbers.into_iter().next().expect("one"),
        ))
        .await
        .expect("read")
        .expect("ticket exists");
    assert_eq!(ticket.receipt.as_ref().map(|r| r.key.as_str()), Some(key));
    let object = store
        .s3()
        .get_object()
        .bucket(bucket(&store))
        .key(key)
        .send()
        .await
        .expect("object");
    let bytes = object.body.collect().await.expect("bytes").into_bytes();
    assert_eq!(bytes.as_ref(), receipt_bytes().as_slice());
    let counter = store
        .dynamo()
        .get_item()
        .table_name(table(&store))
        .key("pk", AttributeValue::S("CONTADOR#tickets".into()))
        .send()
        .await
        .expect("counter")
        .item
        .expect("counter exists");
    assert_eq!(
        counter
            .get("valor")
            .and_then(|v| v.as_n().ok())
            .map(String::as_str),
        Some("1")
    );
}

#[tokio::test]
async fn votes_are_atomic_counters() {
    let Some(store) = store().await else { return };
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.vote("como-abrir-un-ticket", i % 4 != 0).await
        }));
    }
    for task in tasks {
        task.await.expect("join").expect("vote");
    }
    assert_eq!(
        store.votes("como-abrir-un-ticket").await.expect("votes"),
        (15, 5)
    );
}

async fn futures_join(app: &axum::Router, body: &[u8], count: usize) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let (app, body) = (app.clone(), body.to_vec());
            tokio::spawn(async move { submit(&app, body).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("join"));
    }
    answers
}

fn bucket(store: &AwsStore) -> String {
    store.bucket().to_owned()
}

fn table(store: &AwsStore) -> String {
    store.table().to_owned()
}
