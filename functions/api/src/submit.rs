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
//! it over and reuses the same receipt key, so no orphan accumulates.

use crate::store::{Claim, IdempotencyKey, NewTicket, ReceiptRef, Store, StoreError, TicketNumber};
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
            .claim(key, &owner, receipt.as_ref(), now, now - STALE_AFTER)
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
        Err(error) => match store.abandon(key, &owner, receipt.as_ref()).await {
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
