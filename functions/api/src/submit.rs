//! Recording a validated submission: the write protocol shared by every backend.
//!
//! Order of writes, and why:
//! 1. **Claim** the idempotency key, naming the receipt's future location.
//!    The claim is the write-ahead record: whatever happens next, the store
//!    knows a receipt may exist for it. A second submission of the same form
//!    (double click, retry after a timeout) finds the claim and never makes a
//!    second ticket.
//! 2. **Upload the receipt** under a key derived from the idempotency key, so
//!    a retry overwrites the same object rather than leaving another.
//! 3. **Commit**: allocate the ticket number and, in one transaction, record
//!    the ticket and mark the claim done. A ticket therefore never exists
//!    without its receipt already stored.
//!
//! Compensation: if step 2 or 3 fails, the receipt is deleted and the claim
//! released ([`Store::abandon`]) before answering 503, so nothing is left
//! half-written and the customer's retry starts afresh. If the commit did
//! land and only its answer was lost, abandoning finds the completed claim
//! and the customer gets the ticket, not an error. If the process dies
//! between steps, the claim stays pending: a retry after [`STALE_AFTER`] takes
//! it over and reuses the same receipt key, so no orphan accumulates; if the
//! customer never retries, [`sweep`] (the staff's `ayuda-staff limpiar`)
//! deletes the receipt and releases the claim.

use crate::store::{Claim, IdempotencyKey, NewTicket, ReceiptRef, Store, StoreError, TicketNumber};

fn receipt_key(receipt: &Option<ReceiptRef>) -> Option<&str> {
    receipt.as_ref().map(|r| r.key.as_str())
}
use help_forms::Submission;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;
use time::OffsetDateTime;

/// A pending claim older than this belongs to a writer that died.
pub const STALE_AFTER: time::Duration = time::Duration::seconds(60);
/// How long a duplicate waits for the first request to finish.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(8);
const POLL_EVERY: Duration = Duration::from_millis(100);

/// A recorded submission and the key that lets its sender look it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub number: TicketNumber,
    /// Shown once to the customer; only its hash is stored.
    pub access_key: String,
    /// True when this request found the submission already recorded.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("el envío anterior del mismo formulario sigue en proceso")]
    StillInProgress,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The digest identifying a submission: the page's key when its script ran,
/// otherwise a hash of everything submitted, so a form posted twice without
/// JavaScript is still recognised.
pub fn idempotency_key(submission: &Submission, raw_fields: &[(String, String)]) -> IdempotencyKey {
    let mut hash = Sha256::new();
    hash.update(submission.form.slug());
    match &submission.idempotency_key {
        Some(key) => {
            hash.update(b"\0key\0");
            hash.update(key);
        }
        None => {
            hash.update(b"\0fields\0");
            for (name, value) in raw_fields
                .iter()
                .filter(|(n, _)| n != help_forms::spec::names::FILL_TIME)
            {
                hash.update((name.len() as u64).to_le_bytes());
                hash.update(name);
                hash.update((value.len() as u64).to_le_bytes());
                hash.update(value);
            }
            if let Some(attachment) = &submission.attachment {
                hash.update(b"\0file\0");
                hash.update(&attachment.bytes);
            }
        }
    }
    IdempotencyKey(hex::encode(&hash.finalize()[..16]))
}

pub fn new_access_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn hash_access_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Records `submission` exactly once.
pub async fn record(
    store: &dyn Store,
    submission: &Submission,
    key: &IdempotencyKey,
    now: OffsetDateTime,
) -> Result<Receipt, SubmitError> {
    let owner = uuid::Uuid::new_v4().to_string();
    let receipt = submission
        .attachment
        .as_ref()
        .map(|a| ReceiptRef::for_submission(key, a.kind, a.bytes.len() as u64));
    let access_key = new_access_key();
    let access_hash = hash_access_key(&access_key);

    let started = tokio::time::Instant::now();
    loop {
        let now = now + started.elapsed();
        match store
            .claim(key, &owner, receipt_key(&receipt), now, now - STALE_AFTER)
            .await?
        {
            Claim::Owned => break,
            Claim::Done(number) => {
                // Only the hash of the first key was kept: issue a fresh one.
                store.replace_access_hash(number, &access_hash).await?;
                return Ok(Receipt {
                    number,
                    access_key,
                    replayed: true,
                });
            }
            Claim::InProgress if started.elapsed() < WAIT_FOR_FIRST => {
                tokio::time::sleep(POLL_EVERY).await
            }
            Claim::InProgress => return Err(SubmitError::StillInProgress),
        }
    }

    let written = async {
        if let (Some(receipt), Some(attachment)) = (&receipt, &submission.attachment) {
            store.put_receipt(receipt, attachment.bytes.clone()).await?;
        }
        let ticket = NewTicket {
            form: submission.form,
            created_at: now,
            name: submission.name.clone(),
            email: submission.email.to_string(),
            summary: submission.summary(),
            details: submission.details.clone(),
            receipt: receipt.clone(),
            access_hash,
            spam: submission.spam,
        };
        store.commit(key, &owner, &ticket).await
    }
    .await;

    match written {
        Ok(number) => Ok(Receipt {
            number,
            access_key,
            replayed: false,
        }),
        Err(error) => match store.abandon(key, &owner, receipt_key(&receipt)).await {
            // The commit landed and only its answer was lost: the ticket,
            // with this request's access key, exists.
            Ok(Some(number)) => Ok(Receipt {
                number,
                access_key,
                replayed: false,
            }),
            Ok(None) => Err(error.into()),
            Err(cleanup) => {
                // The claim stays pending and names the receipt: a retry
                // takes it over once stale and rewrites the same object.
                tracing::error!(%cleanup, "compensation failed after a failed write");
                Err(error.into())
            }
        },
    }
}

/// What [`sweep`] cleaned up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    pub claims_released: usize,
    pub receipts_deleted: usize,
}

/// Cleans up after writers that died when their customer never retried:
/// every claim still pending after `older_than` (never less than
/// [`STALE_AFTER`], so a live writer is never touched) is first taken over,
/// so that a retry arriving meanwhile waits rather than racing the cleanup,
/// then abandoned: its receipt deleted and the claim released.
pub async fn sweep(
    store: &dyn Store,
    now: OffsetDateTime,
    older_than: time::Duration,
) -> Result<Sweep, StoreError> {
    let stale_before = now - older_than.max(STALE_AFTER);
    let owner = format!("limpieza-{}", uuid::Uuid::new_v4());
    let mut done = Sweep::default();
    for pending in store.stale_claims(stale_before).await? {
        let receipt = pending.receipt_key.as_deref();
        let claim = store
            .claim(&pending.key, &owner, receipt, now, stale_before)
            .await?;
        // Done or fresh again: a retry got there first and owns it now.
        if claim != Claim::Owned {
            continue;
        }
        store.abandon(&pending.key, &owner, receipt).await?;
        done.claims_released += 1;
        done.receipts_deleted += usize::from(receipt.is_some());
    }
    Ok(done)
}
