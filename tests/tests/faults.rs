//! Faults against both backends, through the router: the receipt store
//! fails, the ticket store fails or throttles, a write lands but its answer
//! is lost, a call hangs past its timeout, the process crashes between the
//! two writes, the client retries. After each: no ticket without its
//! receipt, no orphan receipt (only one a pending claim names, which its
//! retry reuses), and a retried submission gets the same ticket.
//!
//! Local backend: a wrapper store failing chosen calls of a LocalStore.
//! AWS backend: the real SDK against moto through a fault-injecting proxy
//! (`e2e::proxy`), which answers throttling errors, drops connections or
//! holds requests for the calls it is told to.

use e2e::LocalApp;
use e2e::aws::{AwsFixture, ClientPolicy};
use e2e::body::{BOUNDARY, multipart_type, new_key, payment_with_receipt, unique_png};
use e2e::faulty::{Fault, FaultyStore, Op};
use e2e::inventory::Inventory;
use e2e::proxy::{Action, FaultProxy, Matcher};
use form_api::LocalStore;
use form_api::store::{Claim, IdempotencyKey, ReceiptRef, Store};
use help_forms::{FormId, RawFile, RawSubmission, ReceiptKind};
use http::StatusCode;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// One submission from the customer's side: the same body on every retry.
struct Customer {
    key: String,
    receipt: Vec<u8>,
}

impl Customer {
    fn new(seed: &str) -> Self {
        Self {
            key: new_key(),
            receipt: unique_png(seed, 3000),
        }
    }

    async fn send(&self, router: &axum::Router) -> (StatusCode, serde_json::Value) {
        let answer = e2e::post(
            router,
            FormId::PaymentReport,
            &multipart_type(BOUNDARY),
            payment_with_receipt(&self.key, &self.receipt),
            true,
        )
        .await;
        (answer.status, answer.json())
    }

    /// Sends the submission, which must be refused for now.
    async fn send_refused(&self, router: &axum::Router) {
        let (status, answer) = self.send(router).await;
        assert_unavailable(status, &answer);
    }

    /// Sends the submission, which must get a ticket; the answer.
    async fn send_accepted(&self, router: &axum::Router) -> serde_json::Value {
        let (status, answer) = self.send(router).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        answer
    }

    /// The idempotency key and receipt location the server derives.
    fn server_side(&self) -> (help_forms::Submission, IdempotencyKey, ReceiptRef) {
        let raw = RawSubmission {
            fields: e2e::body::valid_fields(FormId::PaymentReport, Some(&self.key)),
            files: vec![RawFile {
                field: "comprobante".into(),
                file_name: help_forms::testing::RECEIPT_FILE_NAME.into(),
                bytes: self.receipt.clone().into(),
            }],
        };
        let submission = help_forms::validate(
            FormId::PaymentReport,
            &raw,
            &e2e::forms_config(),
            OffsetDateTime::now_utc(),
        )
        .expect("a valid submission");
        let key = form_api::submit::idempotency_key(&submission, &raw.fields);
        let receipt = ReceiptRef::for_submission(&key, ReceiptKind::Png, self.receipt.len() as u64);
        (submission, key, receipt)
    }
}

fn assert_nothing_kept(inventory: &Inventory) {
    assert!(inventory.is_empty(), "{}", inventory.describe());
}

fn assert_unavailable(status: StatusCode, answer: &serde_json::Value) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("No pudimos registrar su envío")),
        "{answer}"
    );
}

fn number(answer: &serde_json::Value) -> u64 {
    answer["numero"].as_u64().expect("a ticket number")
}

/// One ticket, with this customer's receipt, and nothing else.
fn assert_one_complete_ticket(inventory: &Inventory, customer: &Customer, number: u64) {
    inventory.assert_consistent();
    assert_eq!(inventory.tickets.len(), 1, "{}", inventory.describe());
    assert_eq!(inventory.tickets[0].number, number);
    assert_eq!(inventory.receipts.len(), 1, "{}", inventory.describe());
    assert_eq!(
        inventory.receipts.values().next().map(Vec::as_slice),
        Some(customer.receipt.as_slice())
    );
    assert!(
        inventory.pending_claims().is_empty(),
        "{}",
        inventory.describe()
    );
}

// ---------------------------------------------------------------- local

struct Local {
    app: LocalApp,
    store: Arc<FaultyStore<LocalStore>>,
    router: axum::Router,
}

fn local() -> Local {
    let app = LocalApp::new();
    let store = Arc::new(FaultyStore::new(app.store.as_ref().clone()));
    let router = e2e::router(store.clone());
    Local { app, store, router }
}

/// Makes every claim in the local store look `seconds` older (time passing).
fn age_local_claims(dir: &Path, seconds: i64) {
    let db = rusqlite::Connection::open(dir.join("tickets.sqlite3")).expect("database");
    db.execute("UPDATE claims SET created_at = created_at - ?1", [seconds])
        .expect("age claims");
}

#[tokio::test]
async fn local_when_the_receipt_upload_fails_nothing_is_kept_and_the_retry_gets_a_ticket() {
    let l = local();
    let customer = Customer::new("local-put-falla");
    l.store.inject(Op::PutReceipt, [Some(Fault::Fail)]);
    customer.send_refused(&l.router).await;
    assert_nothing_kept(&l.app.inventory());

    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
    assert_eq!(l.store.faults_met(), 1);
}

#[tokio::test]
async fn local_when_the_receipt_is_written_but_the_answer_is_lost_it_is_removed() {
    let l = local();
    let customer = Customer::new("local-put-perdida");
    l.store.inject(Op::PutReceipt, [Some(Fault::LoseAnswer)]);
    customer.send_refused(&l.router).await;
    assert_nothing_kept(&l.app.inventory());

    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
}

#[tokio::test]
async fn local_when_the_ticket_store_throttles_the_receipt_is_removed_and_the_retry_succeeds() {
    let l = local();
    let customer = Customer::new("local-commit-limitado");
    l.store.inject(Op::Commit, [Some(Fault::Throttle)]);
    customer.send_refused(&l.router).await;
    assert_nothing_kept(&l.app.inventory());

    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
}

#[tokio::test]
async fn local_when_the_ticket_store_fails_the_receipt_is_removed() {
    let l = local();
    let customer = Customer::new("local-commit-falla");
    l.store
        .inject(Op::Commit, [Some(Fault::Fail), Some(Fault::Fail)]);
    for _ in 0..2 {
        customer.send_refused(&l.router).await;
        assert_nothing_kept(&l.app.inventory());
    }
    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
}

#[tokio::test]
async fn local_when_the_ticket_lands_but_the_answer_is_lost_the_customer_and_the_retry_get_that_ticket()
 {
    let l = local();
    let customer = Customer::new("local-commit-perdido");
    l.store.inject(Op::Commit, [Some(Fault::LoseAnswer)]);
    let (status, first) = customer.send(&l.router).await;
    // The compensation found the claim done: the ticket exists, complete,
    // and the customer is told so instead of "nothing was saved".
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let inventory = l.app.inventory();
    assert_eq!(inventory.tickets.len(), 1, "{}", inventory.describe());
    let stored = inventory.tickets[0].number;
    assert_eq!(number(&first), stored);
    assert_one_complete_ticket(&inventory, &customer, stored);

    let retry = customer.send_accepted(&l.router).await;
    assert_eq!(
        number(&retry),
        stored,
        "the retry gets the ticket already made"
    );
    assert_one_complete_ticket(&l.app.inventory(), &customer, stored);
    // The retry's key opens the ticket.
    let key = retry["clave"].as_str().expect("key");
    let page = e2e::get(
        &l.router,
        &format!("/api/tickets/{stored}?clave={key}"),
        true,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn local_when_the_claim_cannot_be_written_nothing_is() {
    let l = local();
    let customer = Customer::new("local-reserva");
    l.store.inject(Op::Claim, [Some(Fault::Throttle)]);
    customer.send_refused(&l.router).await;
    assert!(l.app.inventory().is_empty());
    assert_eq!(
        l.store.count(Op::PutReceipt),
        0,
        "no upload without a claim"
    );

    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
}

#[tokio::test]
async fn local_when_the_compensation_fails_too_the_pending_claim_lets_a_later_retry_finish() {
    let l = local();
    let customer = Customer::new("local-compensacion");
    l.store.inject(Op::Commit, [Some(Fault::Fail)]);
    l.store.inject(Op::Abandon, [Some(Fault::Fail)]);
    customer.send_refused(&l.router).await;
    // Left behind: the receipt, named by the pending claim; no ticket.
    let inventory = l.app.inventory();
    inventory.assert_consistent();
    assert!(inventory.tickets.is_empty());
    assert_eq!(
        inventory.pending_claims().len(),
        1,
        "{}",
        inventory.describe()
    );
    assert_eq!(inventory.receipts.len(), 1);

    // Once the claim is stale (its writer is gone), the retry takes it over.
    age_local_claims(l.app.dir.path(), 120);
    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
}

#[tokio::test]
async fn local_a_crash_between_the_receipt_and_the_ticket_is_completed_by_the_retry() {
    let l = local();
    let customer = Customer::new("local-caida");
    let (_, key, receipt) = customer.server_side();
    let then = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    // The first request claimed and uploaded, then its process died.
    let claim = l
        .store
        .claim(
            &key,
            "proceso-caido",
            Some(receipt.key.as_str()),
            then,
            then - form_api::submit::STALE_AFTER,
        )
        .await
        .expect("claim");
    assert_eq!(claim, Claim::Owned);
    l.store
        .put_receipt(&receipt, customer.receipt.clone().into())
        .await
        .expect("upload");
    let inventory = l.app.inventory();
    assert!(inventory.tickets.is_empty());
    assert_eq!(inventory.receipts.len(), 1);
    inventory.assert_consistent();

    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
    let again = customer.send(&l.router).await;
    assert_eq!(number(&again.1), number(&answer));
}

#[tokio::test]
async fn local_a_crash_right_after_the_claim_is_completed_by_the_retry() {
    let l = local();
    let customer = Customer::new("local-caida-temprana");
    let (_, key, receipt) = customer.server_side();
    let then = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    l.store
        .claim(
            &key,
            "proceso-caido",
            Some(receipt.key.as_str()),
            then,
            then - form_api::submit::STALE_AFTER,
        )
        .await
        .expect("claim");
    let answer = customer.send_accepted(&l.router).await;
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&answer));
}

#[tokio::test]
async fn local_an_impatient_retry_while_the_first_is_still_writing_gets_the_same_ticket() {
    let l = local();
    let customer = Arc::new(Customer::new("local-impaciente"));
    l.store.inject(
        Op::PutReceipt,
        [Some(Fault::Slow(Duration::from_millis(600)))],
    );
    let first = {
        let (router, customer) = (l.router.clone(), customer.clone());
        tokio::spawn(async move { customer.send(&router).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let (status, second) = customer.send(&l.router).await;
    let (first_status, first) = first.await.expect("first request");
    assert_eq!(first_status, StatusCode::CREATED, "{first}");
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(number(&first), number(&second));
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&first));
}

#[tokio::test]
async fn local_a_replay_whose_new_key_cannot_be_saved_makes_no_second_ticket() {
    let l = local();
    let customer = Customer::new("local-clave");
    let (_, first) = customer.send(&l.router).await;
    l.store
        .inject(Op::ReplaceAccessHash, [Some(Fault::Throttle)]);
    customer.send_refused(&l.router).await;
    let retry = customer.send_accepted(&l.router).await;
    assert_eq!(number(&retry), number(&first));
    assert_one_complete_ticket(&l.app.inventory(), &customer, number(&first));
}

// ---------------------------------------------------------------- AWS

struct Aws {
    fixture: AwsFixture,
    proxy: FaultProxy,
    router: axum::Router,
}

/// A fresh bucket and table on moto, the store behind the fault proxy
/// (two attempts per SDK call, one-second attempt timeout).
async fn aws() -> Option<Aws> {
    let moto = e2e::moto_url()?;
    let proxy = FaultProxy::start(&moto).await;
    let policy = ClientPolicy {
        attempts: 2,
        attempt_timeout: Duration::from_secs(1),
    };
    let fixture = AwsFixture::new(&moto, &proxy.url, policy).await;
    let router = e2e::router(Arc::new(fixture.store.clone()));
    Some(Aws {
        fixture,
        proxy,
        router,
    })
}

const TRANSACTION: Matcher = Matcher::Dynamo("TransactWriteItems");

#[tokio::test]
async fn aws_when_s3_keeps_refusing_the_receipt_nothing_is_kept_and_the_retry_succeeds() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-s3-lento");
    t.proxy
        .add(Matcher::Receipt("PUT"), 0, 2, Action::s3_slow_down());
    customer.send_refused(&t.router).await;
    assert_eq!(t.proxy.faults_met(), 2, "{:#?}", t.proxy.seen());
    let inventory = t.fixture.inventory().await;
    assert_nothing_kept(&inventory);

    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

#[tokio::test]
async fn aws_a_single_throttled_transaction_is_absorbed_by_the_sdk_retry() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-un-limite");
    t.proxy.add(TRANSACTION, 0, 1, Action::dynamo_throttled());
    let answer = customer.send_accepted(&t.router).await;
    assert_eq!(t.proxy.faults_met(), 1, "{:#?}", t.proxy.seen());
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

#[tokio::test]
async fn aws_when_the_transaction_stays_throttled_the_receipt_is_deleted_and_the_claim_released() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-limitado");
    t.proxy.add(TRANSACTION, 0, 2, Action::dynamo_throttled());
    customer.send_refused(&t.router).await;
    let inventory = t.fixture.inventory().await;
    assert_nothing_kept(&inventory);

    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

#[tokio::test]
async fn aws_when_dynamodb_fails_with_server_errors_nothing_is_half_written() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-error-500");
    t.proxy
        .add(TRANSACTION, 0, 2, Action::dynamo_internal_error());
    customer.send_refused(&t.router).await;
    let inventory = t.fixture.inventory().await;
    assert_nothing_kept(&inventory);
    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

#[tokio::test]
async fn aws_when_the_transaction_lands_but_its_answer_is_lost_the_customer_and_the_retry_get_that_ticket()
 {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-respuesta-perdida");
    t.proxy.add(TRANSACTION, 0, 1, Action::ForwardThenDrop);
    let (status, first) = customer.send(&t.router).await;
    assert_eq!(t.proxy.faults_met(), 1, "{:#?}", t.proxy.seen());
    let inventory = t.fixture.inventory().await;
    assert_eq!(inventory.tickets.len(), 1, "{}", inventory.describe());
    let stored = inventory.tickets[0].number;
    assert_one_complete_ticket(&inventory, &customer, stored);
    // The SDK's own retry of the transaction either succeeded or met the
    // finished claim, which the compensation recognises: the customer sees
    // the ticket, never an error or a second one.
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(number(&first), stored);

    let retry = customer.send_accepted(&t.router).await;
    assert_eq!(number(&retry), stored);
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, stored);
}

#[tokio::test]
async fn aws_when_the_receipt_upload_hangs_past_the_timeout_nothing_is_kept() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-colgado");
    t.proxy.add(
        Matcher::Receipt("PUT"),
        0,
        2,
        Action::Hang(Duration::from_secs(120)),
    );
    let started = std::time::Instant::now();
    customer.send_refused(&t.router).await;
    // Two attempts of one second each, not two hangs of two minutes: the
    // margin is wide so a busy machine cannot make this fail.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the timeout bounded the wait: {:?}",
        started.elapsed()
    );
    let inventory = t.fixture.inventory().await;
    assert_nothing_kept(&inventory);
    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

#[tokio::test]
async fn aws_when_the_connection_drops_before_the_claim_nothing_is_written() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-sin-conexion");
    t.proxy.add(Matcher::Dynamo("PutItem"), 0, 2, Action::Drop);
    customer.send_refused(&t.router).await;
    let inventory = t.fixture.inventory().await;
    assert_nothing_kept(&inventory);
    assert!(
        !t.proxy.seen().iter().any(|r| r.starts_with("PUT ")),
        "no upload without a claim: {:#?}",
        t.proxy.seen()
    );
    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

/// Makes the claims in the table look `seconds` older (time passing).
async fn age_aws_claims(fixture: &AwsFixture, key: &IdempotencyKey, seconds: i64) {
    use aws_sdk_dynamodb::types::AttributeValue;
    fixture
        .direct
        .dynamo()
        .update_item()
        .table_name(fixture.direct.table())
        .key("pk", AttributeValue::S(format!("ENVIO#{}", key.0)))
        .update_expression("SET #c = #c - :s")
        .expression_attribute_names("#c", "creado")
        .expression_attribute_values(":s", AttributeValue::N(seconds.to_string()))
        .send()
        .await
        .expect("age the claim");
}

#[tokio::test]
async fn aws_when_the_compensation_fails_too_a_later_retry_reuses_the_receipt_and_finishes() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-compensacion");
    t.proxy.add(TRANSACTION, 0, 2, Action::dynamo_throttled());
    t.proxy
        .add(Matcher::Receipt("DELETE"), 0, 2, Action::s3_slow_down());
    customer.send_refused(&t.router).await;
    assert_eq!(t.proxy.faults_met(), 4, "{:#?}", t.proxy.seen());
    let inventory = t.fixture.inventory().await;
    inventory.assert_consistent();
    assert!(inventory.tickets.is_empty());
    assert_eq!(
        inventory.pending_claims().len(),
        1,
        "{}",
        inventory.describe()
    );
    assert_eq!(inventory.receipts.len(), 1);

    let (_, key, _) = customer.server_side();
    age_aws_claims(&t.fixture, &key, 120).await;
    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
}

#[tokio::test]
async fn aws_a_crash_between_the_receipt_and_the_ticket_is_completed_by_the_retry() {
    let Some(t) = aws().await else { return };
    let customer = Customer::new("aws-caida");
    let (_, key, receipt) = customer.server_side();
    let then = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    let store = &t.fixture.store;
    let claim = store
        .claim(
            &key,
            "proceso-caido",
            Some(receipt.key.as_str()),
            then,
            then - form_api::submit::STALE_AFTER,
        )
        .await
        .expect("claim");
    assert_eq!(claim, Claim::Owned);
    store
        .put_receipt(&receipt, customer.receipt.clone().into())
        .await
        .expect("upload");
    let inventory = t.fixture.inventory().await;
    assert!(inventory.tickets.is_empty());
    assert_eq!(inventory.receipts.len(), 1);
    inventory.assert_consistent();

    let answer = customer.send_accepted(&t.router).await;
    assert_one_complete_ticket(&t.fixture.inventory().await, &customer, number(&answer));
    let (_, again) = customer.send(&t.router).await;
    assert_eq!(number(&again), number(&answer));
}
