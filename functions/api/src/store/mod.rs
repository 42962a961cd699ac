//! Where tickets, receipts and votes live, behind one small trait with two
//! backends: [`local`] (SQLite + a folder, the embedded default) and the AWS
//! one in the `form-api-aws` crate (S3 + DynamoDB).
//!
//! The write protocol is the same for both and is driven by
//! [`crate::submit`]; see there for the order of writes and the compensation.

pub mod local;
#[cfg(test)]
pub mod memory;
pub mod record;

use async_trait::async_trait;
use bytes::Bytes;
use help_forms::validate::{Details, SpamSignal};
use help_forms::{FormId, ReceiptKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// A ticket number, as customers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TicketNumber(pub u64);

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The digest identifying one submission, whatever number of times it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(pub String);

/// A claim left pending, with the receipt it may have uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingClaim {
    pub key: IdempotencyKey,
    pub receipt_key: Option<String>,
}

/// Where a receipt is (or will be) stored: derived from the idempotency key,
/// so a retried submission writes the same object instead of a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRef {
    pub key: String,
    pub kind: ReceiptKind,
    pub size: u64,
}

impl ReceiptRef {
    pub fn for_submission(idempotency: &IdempotencyKey, kind: ReceiptKind, size: u64) -> Self {
        Self {
            key: format!("comprobantes/{}.{}", idempotency.0, kind.extension()),
            kind,
            size,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "abierto")]
    Open,
    #[serde(rename = "en-revision")]
    InReview,
    #[serde(rename = "respondido")]
    Answered,
    #[serde(rename = "cerrado")]
    Closed,
}

impl Status {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Open => "Abierto",
            Self::InReview => "En revisión",
            Self::Answered => "Respondido",
            Self::Closed => "Cerrado",
        }
    }
}

/// One status change made by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    #[serde(rename = "fecha", with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(rename = "estado")]
    pub status: Status,
    /// Shown to the customer on the status page.
    #[serde(rename = "mensaje")]
    pub message: Option<String>,
}

/// "¿Fue útil la respuesta?" counts of one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleVotes {
    #[serde(rename = "articulo")]
    pub article: String,
    #[serde(rename = "si")]
    pub yes: u64,
    pub no: u64,
}

/// A ticket about to be recorded.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub form: FormId,
    pub created_at: OffsetDateTime,
    pub name: String,
    pub email: String,
    pub summary: String,
    pub details: Details,
    pub receipt: Option<ReceiptRef>,
    /// SHA-256 of the access key; the key itself is never stored.
    pub access_hash: String,
    pub spam: Option<SpamSignal>,
}

/// A recorded ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub number: TicketNumber,
    pub form: FormId,
    pub created_at: OffsetDateTime,
    pub status: Status,
    /// What staff last told the customer, shown on the status page.
    pub status_message: Option<String>,
    /// Every status change by staff, oldest first.
    pub history: Vec<StatusChange>,
    /// Incremented by each change: staff writes are conditional on it.
    pub version: u64,
    pub name: String,
    pub email: String,
    pub summary: String,
    pub details: Details,
    pub receipt: Option<ReceiptRef>,
    pub access_hash: String,
    pub spam: Option<SpamSignal>,
}

/// The outcome of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request owns the submission and must finish or abandon it.
    Owned,
    /// An earlier request already recorded this submission.
    Done(TicketNumber),
    /// An earlier request is still writing it.
    InProgress,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend refused for now (throttling, timeout): worth retrying.
    #[error("almacenamiento no disponible: {0}")]
    Unavailable(String),
    /// A conditional write lost: someone else holds or changed the record.
    #[error("conflicto de escritura: {0}")]
    Conflict(String),
    #[error("error de almacenamiento: {0}")]
    Other(String),
}

impl StoreError {
    pub fn other(e: impl fmt::Display) -> Self {
        Self::Other(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Records the intent to write submission `key` (with the storage key of
    /// its receipt, if any), unless it exists. A pending claim older than
    /// `stale_before` is taken over: its writer crashed or timed out.
    async fn claim(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Claim>;

    async fn put_receipt(&self, receipt: &ReceiptRef, bytes: Bytes) -> StoreResult<()>;

    /// Allocates the next ticket number and, atomically, records the ticket
    /// and marks the claim done. Fails with `Conflict` if `owner` no longer
    /// holds the claim.
    async fn commit(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        ticket: &NewTicket,
    ) -> StoreResult<TicketNumber>;

    /// Compensation: deletes the receipt (if any) and releases the claim, so
    /// nothing of a failed submission remains and a retry starts afresh.
    /// Returns the ticket number instead, touching nothing, when `owner`'s
    /// commit did land (only its answer was lost).
    async fn abandon(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
    ) -> StoreResult<Option<TicketNumber>>;

    /// Pending claims (no ticket) created before `before`: submissions whose
    /// writer died and whose customer never retried. See [`crate::submit::sweep`].
    async fn stale_claims(&self, before: OffsetDateTime) -> StoreResult<Vec<PendingClaim>>;

    /// Replaces a ticket's access key hash (a replayed submission gets a new key).
    async fn replace_access_hash(&self, number: TicketNumber, access_hash: &str)
    -> StoreResult<()>;

    async fn ticket(&self, number: TicketNumber) -> StoreResult<Option<Ticket>>;

    async fn receipt(&self, receipt: &ReceiptRef) -> StoreResult<Option<Bytes>>;

    /// Adds one "useful" or "not useful" vote to an article, atomically.
    async fn vote(&self, article: &str, useful: bool) -> StoreResult<()>;

    /// (yes, no) votes of an article.
    async fn votes(&self, article: &str) -> StoreResult<(u64, u64)>;

    // Staff operations (`ayuda-staff`); the function never calls them.

    /// Every ticket, in no particular order.
    async fn tickets(&self) -> StoreResult<Vec<Ticket>>;

    /// Applies `change` if the ticket is still at `expected_version`, so two
    /// staff members acting at once cannot overwrite each other (`Conflict`).
    async fn set_status(
        &self,
        number: TicketNumber,
        expected_version: u64,
        change: &StatusChange,
    ) -> StoreResult<()>;

    async fn all_votes(&self) -> StoreResult<Vec<ArticleVotes>>;
}
