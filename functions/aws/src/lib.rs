//! The AWS backend of the form function: receipts in S3 (private, encrypted
//! at rest), and tickets, submission claims, the ticket counter and vote
//! counters in one DynamoDB table keyed by `pk`:
//!
//! | `pk`                | what                                        |
//! |---------------------|---------------------------------------------|
//! | `ENVIO#<key>`       | a submission's claim (see `form_api::submit`) |
//! | `CONTADOR#tickets`  | the last ticket number handed out           |
//! | `TICKET#<n>`        | a ticket                                    |
//! | `VOTOS#<slug>`      | "¿Fue útil?" counts of an article           |

#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use bytes::Bytes;
use form_api::store::record::{NewTicketRecord, RecordError, TicketRecord, record_change};
use form_api::store::{
    ArticleVotes, Claim, IdempotencyKey, NewTicket, PendingClaim, ReceiptRef, StatusChange, Store,
    StoreError, StoreResult, Ticket, TicketNumber,
};
use std::collections::HashMap;
use time::OffsetDateTime;

type Item = HashMap<String, AttributeValue>;

/// The HTTPS client of every SDK client here: hyper + rustls with ring.
pub fn https_client() -> aws_sdk_s3::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Time limits for every call. A submission makes at most four calls in a
/// row (claim, receipt, commit, and a compensation when one fails), and the
/// function has 20 seconds (infra/template.yaml): a stuck call must fail in
/// time for the customer to get the Spanish 503 rather than a gateway 504.
fn timeouts() -> aws_config::timeout::TimeoutConfig {
    use std::time::Duration;
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_millis(4500))
        .build()
}

#[derive(Clone)]
pub struct AwsStore {
    s3: aws_sdk_s3::Client,
    dynamo: aws_sdk_dynamodb::Client,
    bucket: String,
    table: String,
}

impl AwsStore {
    pub fn new(
        s3: aws_sdk_s3::Client,
        dynamo: aws_sdk_dynamodb::Client,
        bucket: String,
        table: String,
    ) -> Self {
        Self {
            s3,
            dynamo,
            bucket,
            table,
        }
    }

    /// Clients from the environment: credentials and region as the SDK finds
    /// them, `AWS_ENDPOINT_URL` for a local server, bucket and table from
    /// `RECEIPTS_BUCKET` and `TICKETS_TABLE`; `S3_FORCE_PATH_STYLE=1` for
    /// servers without virtual-host buckets.
    pub async fn from_env() -> anyhow::Result<Self> {
        use anyhow::Context;
        let bucket =
            std::env::var("RECEIPTS_BUCKET").context("falta la variable RECEIPTS_BUCKET")?;
        let table = std::env::var("TICKETS_TABLE").context("falta la variable TICKETS_TABLE")?;
        Ok(Self::connect(bucket, table).await)
    }

    /// Clients configured from the environment, for the given bucket and table.
    pub async fn connect(bucket: String, table: String) -> Self {
        let shared = aws_config::from_env()
            .http_client(https_client())
            .timeout_config(timeouts())
            .load()
            .await;
        let path_style =
            std::env::var("S3_FORCE_PATH_STYLE").is_ok_and(|v| v == "1" || v == "true");
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&shared)
                .force_path_style(path_style)
                .build(),
        );
        Self::new(s3, aws_sdk_dynamodb::Client::new(&shared), bucket, table)
    }

    /// Creates the bucket and the table this store uses, as the SAM template
    /// does in AWS: for tests and local development against an emulator.
    pub async fn create_bucket_and_table(&self) -> anyhow::Result<()> {
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        self.s3.create_bucket().bucket(&self.bucket).send().await?;
        self.dynamo
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("pk")
                    .key_type(KeyType::Hash)
                    .build()?,
            )
            .send()
            .await?;
        Ok(())
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn s3(&self) -> &aws_sdk_s3::Client {
        &self.s3
    }

    pub fn dynamo(&self) -> &aws_sdk_dynamodb::Client {
        &self.dynamo
    }

    /// A URL that lets whoever holds it download one receipt for `valid_for`,
    /// signed with the caller's own credentials: for the staff, never the site.
    pub async fn presigned_receipt_url(
        &self,
        receipt: &ReceiptRef,
        valid_for: std::time::Duration,
    ) -> anyhow::Result<String> {
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(valid_for)?;
        let request = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(&receipt.key)
            .presigned(config)
            .await?;
        Ok(request.uri().to_owned())
    }

    async fn get(&self, pk: String) -> StoreResult<Option<Item>> {
        let out = self
            .dynamo
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.item)
    }
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: impl ToString) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

/// The partition key prefix of claims (one per submission).
const CLAIM_PREFIX: &str = "ENVIO#";

fn claim_pk(key: &IdempotencyKey) -> String {
    format!("{CLAIM_PREFIX}{}", key.0)
}

fn ticket_pk(number: TicketNumber) -> String {
    format!("TICKET#{}", number.0)
}

/// Throttling, timeouts and unreachable endpoints are worth a retry; a
/// failed condition is a conflict; anything else is a plain error.
fn classify<
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
>(
    error: SdkError<E, R>,
) -> StoreError {
    let code = error.code().unwrap_or("").to_owned();
    match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            StoreError::Unavailable(format!("{error:?}"))
        }
        _ if code == "ConditionalCheckFailedException" => StoreError::Conflict(code),
        _ if code.contains("Throughput")
            || code.contains("Throttl")
            || code == "RequestLimitExceeded"
            || code == "SlowDown"
            || code == "ServiceUnavailable" =>
        {
            StoreError::Unavailable(code)
        }
        _ => StoreError::Other(format!("{code} {}", error.message().unwrap_or(""))),
    }
}

fn is_condition_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.code() == Some("ConditionalCheckFailedException")
}

fn text(item: &Item, name: &str) -> StoreResult<String> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value.clone()),
        _ => Err(StoreError::Other(format!("falta el atributo {name}"))),
    }
}

fn optional_text(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value.clone()),
        _ => None,
    }
}

fn number(item: &Item, name: &str) -> Option<u64> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().ok(),
        _ => None,
    }
}

fn record_error(e: RecordError) -> StoreError {
    StoreError::other(e)
}

/// A ticket as a DynamoDB item.
pub fn ticket_item(number: TicketNumber, t: &NewTicket) -> StoreResult<Item> {
    let record = NewTicketRecord::new(t).map_err(record_error)?;
    let mut item = Item::from([
        ("pk".to_owned(), s(ticket_pk(number))),
        ("numero".to_owned(), n(number.0)),
        ("formulario".to_owned(), s(record.form)),
        ("creado".to_owned(), s(record.created_at)),
        ("estado".to_owned(), s(record.status.trim_matches('"'))),
        ("nombre".to_owned(), s(&t.name)),
        ("correo".to_owned(), s(&t.email)),
        ("resumen".to_owned(), s(&t.summary)),
        ("detalles".to_owned(), s(record.details)),
        ("clave_hash".to_owned(), s(&t.access_hash)),
        ("historial".to_owned(), s("[]")),
        ("version".to_owned(), n(0)),
    ]);
    if let Some(receipt) = record.receipt {
        item.insert("comprobante".to_owned(), s(receipt));
    }
    if let Some(spam) = record.spam {
        item.insert("spam".to_owned(), s(spam));
    }
    Ok(item)
}

fn ticket_from_item(item: &Item) -> StoreResult<Ticket> {
    TicketRecord {
        number: number(item, "numero").ok_or_else(|| StoreError::Other("falta numero".into()))?,
        form: text(item, "formulario")?,
        created_at: text(item, "creado")?,
        // Stored bare ("abierto"), for people reading the table.
        status: format!("\"{}\"", text(item, "estado")?),
        status_message: optional_text(item, "mensaje_estado"),
        name: text(item, "nombre")?,
        email: text(item, "correo")?,
        summary: text(item, "resumen")?,
        details: text(item, "detalles")?,
        receipt: optional_text(item, "comprobante"),
        access_hash: text(item, "clave_hash")?,
        spam: optional_text(item, "spam"),
        history: text(item, "historial")?,
        version: number(item, "version").unwrap_or(0),
    }
    .decode()
    .map_err(record_error)
}

#[async_trait]
impl Store for AwsStore {
    async fn claim(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Claim> {
        let mut put = self
            .dynamo
            .put_item()
            .table_name(&self.table)
            .item("pk", s(claim_pk(key)))
            .item("propietario", s(owner))
            .item("creado", n(now.unix_timestamp()))
            // Free the claim if taken over while its writer is gone.
            .condition_expression(
                "attribute_not_exists(pk) OR (attribute_not_exists(ticket) AND creado < :stale)",
            )
            .expression_attribute_values(":stale", n(stale_before.unix_timestamp()));
        if let Some(receipt_key) = receipt_key {
            put = put.item("comprobante", s(receipt_key));
        }
        match put.send().await {
            Ok(_) => Ok(Claim::Owned),
            Err(e) if is_condition_failure(&e) => match self.get(claim_pk(key)).await? {
                Some(item) => Ok(number(&item, "ticket")
                    .map_or(Claim::InProgress, |t| Claim::Done(TicketNumber(t)))),
                // Abandoned between our two calls: the caller asks again.
                None => Ok(Claim::InProgress),
            },
            Err(e) => Err(classify(e)),
        }
    }

    async fn put_receipt(&self, receipt: &ReceiptRef, bytes: Bytes) -> StoreResult<()> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(&receipt.key)
            .content_type(receipt.kind.content_type())
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn commit(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        ticket: &NewTicket,
    ) -> StoreResult<TicketNumber> {
        // Atomic counter: numbers are never reused; a failed commit leaves a gap.
        let counter = self
            .dynamo
            .update_item()
            .table_name(&self.table)
            .key("pk", s("CONTADOR#tickets"))
            .update_expression("ADD #valor :uno")
            .expression_attribute_names("#valor", "valor")
            .expression_attribute_values(":uno", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(classify)?;
        let number = TicketNumber(
            counter
                .attributes
                .as_ref()
                .and_then(|a| number(a, "valor"))
                .ok_or_else(|| StoreError::Other("contador".into()))?,
        );
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(ticket_item(number, ticket)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::other)?;
        let done = Update::builder()
            .table_name(&self.table)
            .key("pk", s(claim_pk(key)))
            .update_expression("SET ticket = :numero")
            .condition_expression("propietario = :yo AND attribute_not_exists(ticket)")
            .expression_attribute_values(":numero", n(number.0))
            .expression_attribute_values(":yo", s(owner))
            .build()
            .map_err(StoreError::other)?;
        let result = self
            .dynamo
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(done).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(number),
            Err(e) if e.code() == Some("TransactionCanceledException") => {
                let reasons = e
                    .as_service_error()
                    .and_then(|s| match s {
                        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) => {
                            Some(c.cancellation_reasons().iter().filter_map(|r| r.code().map(str::to_owned)).collect::<Vec<_>>())
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                if reasons.iter().any(|r| r == "ConditionalCheckFailed") {
                    Err(StoreError::Conflict(format!(
                        "transacción cancelada: {reasons:?}"
                    )))
                } else {
                    Err(StoreError::Unavailable(format!(
                        "transacción cancelada: {reasons:?}"
                    )))
                }
            }
            Err(e) => Err(classify(e)),
        }
    }

    async fn abandon(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
    ) -> StoreResult<Option<TicketNumber>> {
        let claim = self.get(claim_pk(key)).await?;
        match claim.filter(|item| optional_text(item, "propietario").as_deref() == Some(owner)) {
            // Taken over: the receipt belongs to the new owner now.
            None => return Ok(None),
            Some(item) if number(&item, "ticket").is_some() => {
                return Ok(number(&item, "ticket").map(TicketNumber));
            }
            Some(_) => {}
        }
        if let Some(receipt_key) = receipt_key {
            self.s3
                .delete_object()
                .bucket(&self.bucket)
                .key(receipt_key)
                .send()
                .await
                .map_err(classify)?;
        }
        match self
            .dynamo
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(claim_pk(key)))
            .condition_expression("propietario = :yo AND attribute_not_exists(ticket)")
            .expression_attribute_values(":yo", s(owner))
            .send()
            .await
        {
            Ok(_) => Ok(None),
            Err(e) if is_condition_failure(&e) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    async fn replace_access_hash(
        &self,
        number: TicketNumber,
        access_hash: &str,
    ) -> StoreResult<()> {
        self.dynamo
            .update_item()
            .table_name(&self.table)
            .key("pk", s(ticket_pk(number)))
            .update_expression("SET clave_hash = :h")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":h", s(access_hash))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn ticket(&self, number: TicketNumber) -> StoreResult<Option<Ticket>> {
        self.get(ticket_pk(number))
            .await?
            .as_ref()
            .map(ticket_from_item)
            .transpose()
    }

    async fn receipt(&self, receipt: &ReceiptRef) -> StoreResult<Option<Bytes>> {
        match self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(&receipt.key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(
                out.body
                    .collect()
                    .await
                    .map_err(StoreError::other)?
                    .into_bytes(),
            )),
            Err(e) if e.code() == Some("NoSuchKey") => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    async fn vote(&self, article: &str, useful: bool) -> StoreResult<()> {
        self.dynamo
            .update_item()
            .table_name(&self.table)
            .key("pk", s(format!("VOTOS#{article}")))
            .update_expression("ADD #voto :uno")
            .expression_attribute_names("#voto", if useful { "si" } else { "no" })
            .expression_attribute_values(":uno", n(1))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn votes(&self, article: &str) -> StoreResult<(u64, u64)> {
        let item = self.get(format!("VOTOS#{article}")).await?;
        Ok(item.map_or((0, 0), |i| {
            (number(&i, "si").unwrap_or(0), number(&i, "no").unwrap_or(0))
        }))
    }

    async fn stale_claims(&self, before: OffsetDateTime) -> StoreResult<Vec<PendingClaim>> {
        let before = before.unix_timestamp();
        Ok(self
            .scan(CLAIM_PREFIX)
            .await?
            .iter()
            .filter(|item| number(item, "ticket").is_none())
            .filter(|item| number(item, "creado").is_some_and(|c| (c as i64) < before))
            .filter_map(|item| {
                let key = optional_text(item, "pk")?
                    .strip_prefix("ENVIO#")?
                    .to_owned();
                Some(PendingClaim {
                    key: IdempotencyKey(key),
                    receipt_key: optional_text(item, "comprobante"),
                })
            })
            .collect())
    }

    async fn tickets(&self) -> StoreResult<Vec<Ticket>> {
        self.scan("TICKET#")
            .await?
            .iter()
            .map(ticket_from_item)
            .collect()
    }

    async fn set_status(
        &self,
        number: TicketNumber,
        expected_version: u64,
        change: &StatusChange,
    ) -> StoreResult<()> {
        let current = self
            .get(ticket_pk(number))
            .await?
            .ok_or_else(|| StoreError::Other(format!("no existe el ticket {number}")))?;
        let (status, history) =
            record_change(&text(&current, "historial")?, change).map_err(record_error)?;
        let mut update = self
            .dynamo
            .update_item()
            .table_name(&self.table)
            .key("pk", s(ticket_pk(number)))
            .condition_expression("#version = :esperada")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":esperada", n(expected_version))
            .expression_attribute_values(":uno", n(1))
            .expression_attribute_values(":estado", s(status.trim_matches('"')))
            .expression_attribute_values(":historial", s(history));
        update = match &change.message {
            Some(message) => update
                .update_expression("SET estado = :estado, historial = :historial, mensaje_estado = :mensaje ADD #version :uno")
                .expression_attribute_values(":mensaje", s(message)),
            None => update.update_expression("SET estado = :estado, historial = :historial REMOVE mensaje_estado ADD #version :uno"),
        };
        match update.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Err(StoreError::Conflict(format!(
                "el ticket {number} cambió mientras tanto"
            ))),
            Err(e) => Err(classify(e)),
        }
    }

    async fn all_votes(&self) -> StoreResult<Vec<ArticleVotes>> {
        Ok(self
            .scan("VOTOS#")
            .await?
            .iter()
            .filter_map(|item| {
                let article = optional_text(item, "pk")?
                    .strip_prefix("VOTOS#")?
                    .to_owned();
                Some(ArticleVotes {
                    article,
                    yes: number(item, "si").unwrap_or(0),
                    no: number(item, "no").unwrap_or(0),
                })
            })
            .collect())
    }
}

impl AwsStore {
    /// Every item whose key starts with `prefix` (staff listings only).
    async fn scan(&self, prefix: &str) -> StoreResult<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .dynamo
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(pk, :prefijo)")
                .expression_attribute_values(":prefijo", s(prefix))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(classify)?;
            items.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn four_calls_that_each_time_out_still_end_before_the_function_does() {
        let template = include_str!("../../../infra/template.yaml");
        let seconds: u64 = template
            .lines()
            .find_map(|l| l.trim().strip_prefix("Timeout: "))
            .expect("the function's Timeout in template.yaml")
            .parse()
            .expect("a number of seconds");
        let per_call = super::timeouts()
            .operation_timeout()
            .expect("an operation timeout");
        assert!(per_call * 4 < std::time::Duration::from_secs(seconds));
    }
}
