//! Load: hundreds of concurrent valid submissions over real HTTP on
//! 127.0.0.1 (the router under `axum::serve`, reqwest as the client, at most
//! 64 in flight): exactly that many unique, complete tickets and receipts,
//! each receipt the one its sender sent. Latencies are printed (p50, p99),
//! not asserted: they depend on the machine.

use e2e::aws::{AwsFixture, ClientPolicy};
use e2e::body::{BOUNDARY, multipart_type, payment_with_receipt, unique_png};
use e2e::inventory::Inventory;
use e2e::proxy::FaultProxy;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

const IN_FLIGHT: usize = 64;

struct Outcome {
    number: u64,
    receipt: Vec<u8>,
    latency: Duration,
}

/// Posts `count` distinct payment reports to `base`, `IN_FLIGHT` at a time.
async fn submit_all(base: &str, count: usize, receipt_size: usize) -> (Vec<Outcome>, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(IN_FLIGHT)
        .build()
        .expect("client");
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let (client, permits) = (client.clone(), permits.clone());
            let url = format!("{base}/api/reportes-de-pago");
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await.expect("semaphore");
                let key = e2e::body::new_key();
                let receipt = unique_png(&format!("carga-{i}-{key}"), receipt_size);
                let body = payment_with_receipt(&key, &receipt);
                let sent = Instant::now();
                let answer = client
                    .post(url)
                    .header("content-type", multipart_type(BOUNDARY))
                    .header("accept", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("the server answers");
                let status = answer.status();
                let json: serde_json::Value = answer.json().await.expect("JSON answer");
                let latency = sent.elapsed();
                assert_eq!(status, reqwest::StatusCode::CREATED, "{json}");
                Outcome {
                    number: json["numero"].as_u64().expect("number"),
                    receipt,
                    latency,
                }
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(count);
    for task in tasks {
        outcomes.push(task.await.expect("submission task"));
    }
    (outcomes, started.elapsed())
}

/// Every submission has its own ticket, numbered 1..=count, with exactly
/// the receipt it sent, and nothing else is stored.
fn assert_all_stored(inventory: &Inventory, outcomes: &[Outcome]) {
    let count = outcomes.len();
    inventory.assert_consistent();
    assert_eq!(inventory.tickets.len(), count, "{}", inventory.describe());
    assert_eq!(inventory.receipts.len(), count);
    assert!(inventory.pending_claims().is_empty());
    let numbers: BTreeSet<u64> = outcomes.iter().map(|o| o.number).collect();
    assert_eq!(numbers.len(), count, "every answer has its own number");
    assert_eq!(numbers, (1..=count as u64).collect(), "no gaps, no extras");
    let receipts: BTreeMap<u64, &Vec<u8>> = inventory
        .tickets
        .iter()
        .map(|t| {
            let (key, _, _) = t.receipt.as_ref().expect("every ticket has its receipt");
            (t.number, &inventory.receipts[key])
        })
        .collect();
    for outcome in outcomes {
        assert!(
            receipts[&outcome.number] == &outcome.receipt,
            "ticket {} holds another sender's receipt",
            outcome.number
        );
    }
}

fn report(backend: &str, outcomes: &[Outcome], wall: Duration) {
    let mut latencies: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    latencies.sort();
    println!(
        "carga {backend}: {} envíos, {IN_FLIGHT} en paralelo, {:.1} s, {:.0} envíos/s; latencia p50 {:?}, p99 {:?}, máx {:?}",
        outcomes.len(),
        wall.as_secs_f64(),
        outcomes.len() as f64 / wall.as_secs_f64(),
        e2e::percentile(&latencies, 50),
        e2e::percentile(&latencies, 99),
        latencies.last().copied().unwrap_or_default(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_reports_on_the_local_store_make_five_hundred_complete_tickets() {
    let app = e2e::LocalApp::new();
    let addr = e2e::serve(app.router.clone()).await;
    let (outcomes, wall) = submit_all(&format!("http://{addr}"), 500, 8 * 1024).await;
    report("local", &outcomes, wall);
    assert_all_stored(&app.inventory(), &outcomes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_reports_against_moto_make_a_hundred_complete_tickets() {
    let Some(moto) = e2e::moto_url() else { return };
    let policy = ClientPolicy {
        attempts: 3,
        attempt_timeout: Duration::from_secs(30),
    };
    // Requests reach moto one at a time (see FaultProxy::start_serialized);
    // the router, the SDK clients and the store still run 64 at once.
    let proxy = FaultProxy::start_serialized(&moto).await;
    let fixture = AwsFixture::new(&moto, &proxy.url, policy).await;
    let addr = e2e::serve(e2e::router(Arc::new(fixture.store.clone()))).await;
    let (outcomes, wall) = submit_all(&format!("http://{addr}"), 100, 8 * 1024).await;
    report("moto", &outcomes, wall);
    assert_all_stored(&fixture.inventory().await, &outcomes);
}
