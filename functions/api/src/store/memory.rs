//! An in-process store for handler tests, with switches to make a write fail.

use super::{
    ArticleVotes, Claim, IdempotencyKey, NewTicket, PendingClaim, ReceiptRef, Status, StatusChange,
    Store, StoreError, StoreResult, Ticket, TicketNumber,
};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    pub fail_receipt_upload: AtomicBool,
    pub fail_commit: AtomicBool,
    /// The commit is written but the caller is told it failed.
    pub lose_commit_answer: AtomicBool,
    /// Ticket lookups and votes fail as if the database were down.
    pub fail_reads_and_votes: AtomicBool,
}

struct MemoryClaim {
    owner: String,
    created: OffsetDateTime,
    /// Set once committed.
    ticket: Option<TicketNumber>,
    receipt_key: Option<String>,
}

#[derive(Default)]
struct State {
    claims: HashMap<String, MemoryClaim>,
    receipts: BTreeMap<String, Bytes>,
    tickets: BTreeMap<u64, Ticket>,
    votes: HashMap<String, (u64, u64)>,
}

impl MemoryStore {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn ticket_count(&self) -> usize {
        self.state().tickets.len()
    }

    pub fn receipt_count(&self) -> usize {
        self.state().receipts.len()
    }

    pub fn claim_count(&self) -> usize {
        self.state().claims.len()
    }

    fn fail_if(switch: &AtomicBool, what: &str) -> StoreResult<()> {
        if switch.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(what.into()));
        }
        Ok(())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn claim(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Claim> {
        let mut state = self.state();
        match state.claims.get(&key.0) {
            Some(MemoryClaim {
                ticket: Some(number),
                ..
            }) => return Ok(Claim::Done(*number)),
            Some(claim) if claim.created >= stale_before => return Ok(Claim::InProgress),
            _ => {}
        }
        state.claims.insert(
            key.0.clone(),
            MemoryClaim {
                owner: owner.to_owned(),
                created: now,
                ticket: None,
                receipt_key: receipt_key.map(str::to_owned),
            },
        );
        Ok(Claim::Owned)
    }

    async fn put_receipt(&self, receipt: &ReceiptRef, bytes: Bytes) -> StoreResult<()> {
        Self::fail_if(&self.fail_receipt_upload, "receipt store down")?;
        self.state().receipts.insert(receipt.key.clone(), bytes);
        Ok(())
    }

    async fn commit(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        t: &NewTicket,
    ) -> StoreResult<TicketNumber> {
        Self::fail_if(&self.fail_commit, "ticket store throttled")?;
        let mut state = self.state();
        let number = TicketNumber(state.tickets.len() as u64 + 1);
        match state.claims.get_mut(&key.0) {
            Some(claim) if claim.owner == owner && claim.ticket.is_none() => {
                claim.ticket = Some(number)
            }
            _ => return Err(StoreError::Conflict("claim lost".into())),
        }
        state.tickets.insert(
            number.0,
            Ticket {
                number,
                form: t.form,
                created_at: t.created_at,
                status: Status::Open,
                status_message: None,
                history: Vec::new(),
                version: 0,
                name: t.name.clone(),
                email: t.email.clone(),
                summary: t.summary.clone(),
                details: t.details.clone(),
                receipt: t.receipt.clone(),
                access_hash: t.access_hash.clone(),
                spam: t.spam,
            },
        );
        Self::fail_if(&self.lose_commit_answer, "answer lost")?;
        Ok(number)
    }

    async fn abandon(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
    ) -> StoreResult<Option<TicketNumber>> {
        let mut state = self.state();
        match state.claims.get(&key.0) {
            Some(claim) if claim.owner != owner => {}
            Some(MemoryClaim {
                ticket: Some(number),
                ..
            }) => return Ok(Some(*number)),
            Some(_) => {
                if let Some(receipt_key) = receipt_key {
                    state.receipts.remove(receipt_key);
                }
                state.claims.remove(&key.0);
            }
            _ => {}
        }
        Ok(None)
    }

    async fn stale_claims(&self, before: OffsetDateTime) -> StoreResult<Vec<PendingClaim>> {
        Ok(self
            .state()
            .claims
            .iter()
            .filter(|(_, claim)| claim.ticket.is_none() && claim.created < before)
            .map(|(key, claim)| PendingClaim {
                key: IdempotencyKey(key.clone()),
                receipt_key: claim.receipt_key.clone(),
            })
            .collect())
    }

    async fn replace_access_hash(
        &self,
        number: TicketNumber,
        access_hash: &str,
    ) -> StoreResult<()> {
        if let Some(t) = self.state().tickets.get_mut(&number.0) {
            t.access_hash = access_hash.to_owned();
        }
        Ok(())
    }

    async fn ticket(&self, number: TicketNumber) -> StoreResult<Option<Ticket>> {
        Self::fail_if(&self.fail_reads_and_votes, "database down")?;
        Ok(self.state().tickets.get(&number.0).cloned())
    }

    async fn receipt(&self, receipt: &ReceiptRef) -> StoreResult<Option<Bytes>> {
        Ok(self.state().receipts.get(&receipt.key).cloned())
    }

    async fn vote(&self, article: &str, useful: bool) -> StoreResult<()> {
        Self::fail_if(&self.fail_reads_and_votes, "database down")?;
        let mut state = self.state();
        let entry = state.votes.entry(article.to_owned()).or_default();
        if useful {
            entry.0 += 1
        } else {
            entry.1 += 1
        }
        Ok(())
    }

    async fn votes(&self, article: &str) -> StoreResult<(u64, u64)> {
        Ok(self.state().votes.get(article).copied().unwrap_or_default())
    }

    async fn tickets(&self) -> StoreResult<Vec<Ticket>> {
        Ok(self.state().tickets.values().cloned().collect())
    }

    async fn set_status(
        &self,
        number: TicketNumber,
        expected_version: u64,
        change: &StatusChange,
    ) -> StoreResult<()> {
        let mut state = self.state();
        let ticket = state
            .tickets
            .get_mut(&number.0)
            .ok_or_else(|| StoreError::Other("no ticket".into()))?;
        if ticket.version != expected_version {
            return Err(StoreError::Conflict("changed meanwhile".into()));
        }
        ticket.status = change.status;
        ticket.status_message = change.message.clone();
        ticket.history.push(change.clone());
        ticket.version += 1;
        Ok(())
    }

    async fn all_votes(&self) -> StoreResult<Vec<ArticleVotes>> {
        Ok(self
            .state()
            .votes
            .iter()
            .map(|(a, (y, n))| ArticleVotes {
                article: a.clone(),
                yes: *y,
                no: *n,
            })
            .collect())
    }
}
