//! The AWS backend against moto, optionally through a [`crate::proxy::FaultProxy`].

use crate::inventory::{Inventory, StoredClaim, StoredTicket};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use form_api_aws::AwsStore;
use std::collections::HashMap;
use std::time::Duration;

/// How the SDK clients retry and time out: the SDK's standard strategy, with
/// `attempts` tries, short back-offs (tests should be quick) and a
/// per-attempt timeout, so a hung connection becomes an error.
#[derive(Debug, Clone, Copy)]
pub struct ClientPolicy {
    pub attempts: u32,
    pub attempt_timeout: Duration,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        Self {
            attempts: 2,
            attempt_timeout: Duration::from_secs(2),
        }
    }
}

async fn shared_config(policy: ClientPolicy) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(form_api_aws::https_client())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "e2e",
        ))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(policy.attempts)
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(policy.attempt_timeout)
                .build(),
        )
        .load()
        .await
}

/// SDK clients for `endpoint` (moto or the proxy in front of it).
pub async fn clients(
    endpoint: &str,
    policy: ClientPolicy,
) -> (aws_sdk_s3::Client, aws_sdk_dynamodb::Client) {
    let shared = shared_config(policy).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&shared)
            .endpoint_url(endpoint)
            .force_path_style(true)
            .build(),
    );
    let dynamo = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&shared)
            .endpoint_url(endpoint)
            .build(),
    );
    (s3, dynamo)
}

/// A new bucket and table on moto (unique names), and a store using them
/// through `endpoint` (moto itself or a proxy in front of it).
pub struct AwsFixture {
    pub store: AwsStore,
    /// Clients straight to moto, for inspection behind the store's back.
    pub direct: AwsStore,
}

impl AwsFixture {
    pub async fn new(moto: &str, endpoint: &str, policy: ClientPolicy) -> Self {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let (bucket, table) = (
            format!("comprobantes-{}", &suffix[..12]),
            format!("tickets-{}", &suffix[..12]),
        );
        let (s3, dynamo) = clients(moto, ClientPolicy::default()).await;
        let direct = AwsStore::new(s3, dynamo, bucket.clone(), table.clone());
        direct
            .create_bucket_and_table()
            .await
            .expect("bucket and table on moto");
        let (s3, dynamo) = clients(endpoint, policy).await;
        Self {
            store: AwsStore::new(s3, dynamo, bucket, table),
            direct,
        }
    }

    /// Everything in the bucket and the table.
    pub async fn inventory(&self) -> Inventory {
        let direct = &self.direct;
        let mut inventory = Inventory::default();
        let mut token = None;
        loop {
            let page = direct
                .s3()
                .list_objects_v2()
                .bucket(direct.bucket())
                .set_continuation_token(token.take())
                .send()
                .await
                .expect("list objects");
            for object in page.contents() {
                let key = object.key().unwrap_or("").to_owned();
                let bytes = direct
                    .s3()
                    .get_object()
                    .bucket(direct.bucket())
                    .key(&key)
                    .send()
                    .await
                    .expect("get object")
                    .body
                    .collect()
                    .await
                    .expect("object bytes")
                    .to_vec();
                inventory.receipts.insert(key, bytes);
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let mut start = None;
        loop {
            let page = direct
                .dynamo()
                .scan()
                .table_name(direct.table())
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .expect("scan table");
            for item in page.items() {
                add_item(&mut inventory, item);
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        inventory.tickets.sort_by_key(|t| t.number);
        inventory.claims.sort_by(|a, b| a.key.cmp(&b.key));
        inventory
    }
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> Option<u64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

fn add_item(inventory: &mut Inventory, item: &HashMap<String, AttributeValue>) {
    let pk = text(item, "pk").unwrap_or_default();
    if let Some(key) = pk.strip_prefix("ENVIO#") {
        inventory.claims.push(StoredClaim {
            key: key.to_owned(),
            receipt_key: text(item, "comprobante"),
            ticket: number(item, "ticket"),
        });
    } else if pk.starts_with("TICKET#") {
        let receipt = text(item, "comprobante")
            .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
            .and_then(|v| {
                Some((
                    v["key"].as_str()?.to_owned(),
                    v["kind"].as_str()?.to_owned(),
                    v["size"].as_u64()?,
                ))
            });
        let spam = text(item, "spam").map(|json| serde_json::from_str(&json).unwrap_or(json));
        let mut texts = vec![
            text(item, "nombre").unwrap_or_default(),
            text(item, "correo").unwrap_or_default(),
            text(item, "resumen").unwrap_or_default(),
        ];
        texts.extend(text(item, "detalles"));
        inventory.tickets.push(StoredTicket {
            number: number(item, "numero").unwrap_or(0),
            receipt,
            spam,
            texts,
        });
    }
}
