//! A store that delegates to another and fails the calls it is told to.

use async_trait::async_trait;
use bytes::Bytes;
use form_api::store::{
    ArticleVotes, Claim, IdempotencyKey, NewTicket, PendingClaim, ReceiptRef, StatusChange, Store,
    StoreError, StoreResult, Ticket, TicketNumber,
};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use time::OffsetDateTime;

/// The calls of the write protocol (and the lookups) that can be made to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Claim,
    PutReceipt,
    Commit,
    Abandon,
    ReplaceAccessHash,
    Ticket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing is done and the backend says "not now" (throttling).
    Throttle,
    /// Nothing is done and the call fails for good.
    Fail,
    /// The work is done, then the answer is lost (a timeout after the write).
    LoseAnswer,
    /// The call waits this long, then does its work: a slow backend.
    Slow(std::time::Duration),
}

pub struct FaultyStore<S> {
    inner: S,
    plan: Mutex<HashMap<Op, VecDeque<Option<Fault>>>>,
    calls: Mutex<Vec<(Op, Option<Fault>)>>,
}

impl<S: Store> FaultyStore<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            plan: Mutex::default(),
            calls: Mutex::default(),
        }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The next calls of `op` meet these faults in order (`None`: the call
    /// passes); later calls pass.
    pub fn inject(&self, op: Op, faults: impl IntoIterator<Item = Option<Fault>>) {
        self.plan
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(op)
            .or_default()
            .extend(faults);
    }

    /// Every call so far, with the fault it met.
    pub fn calls(&self) -> Vec<(Op, Option<Fault>)> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many injected faults were actually met.
    pub fn faults_met(&self) -> usize {
        self.calls().iter().filter(|(_, f)| f.is_some()).count()
    }

    /// How many calls of `op` were made.
    pub fn count(&self, op: Op) -> usize {
        self.calls().iter().filter(|(o, _)| *o == op).count()
    }

    fn next(&self, op: Op) -> Option<Fault> {
        let fault = self
            .plan
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&op)
            .and_then(VecDeque::pop_front)
            .flatten();
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((op, fault));
        fault
    }

    async fn run<T>(
        &self,
        op: Op,
        work: impl std::future::Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        match self.next(op) {
            None => work.await,
            Some(Fault::Throttle) => Err(StoreError::Unavailable(format!(
                "{op:?}: ProvisionedThroughputExceeded (inyectado)"
            ))),
            Some(Fault::Fail) => Err(StoreError::Other(format!("{op:?}: fallo inyectado"))),
            Some(Fault::Slow(wait)) => {
                tokio::time::sleep(wait).await;
                work.await
            }
            Some(Fault::LoseAnswer) => {
                let _ = work.await;
                Err(StoreError::Unavailable(format!(
                    "{op:?}: tiempo agotado (inyectado, la escritura sí ocurrió)"
                )))
            }
        }
    }
}

#[async_trait]
impl<S: Store> Store for FaultyStore<S> {
    async fn claim(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Claim> {
        self.run(
            Op::Claim,
            self.inner.claim(key, owner, receipt_key, now, stale_before),
        )
        .await
    }

    async fn put_receipt(&self, receipt: &ReceiptRef, bytes: Bytes) -> StoreResult<()> {
        self.run(Op::PutReceipt, self.inner.put_receipt(receipt, bytes))
            .await
    }

    async fn commit(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        ticket: &NewTicket,
    ) -> StoreResult<TicketNumber> {
        self.run(Op::Commit, self.inner.commit(key, owner, ticket))
            .await
    }

    async fn abandon(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
    ) -> StoreResult<Option<TicketNumber>> {
        self.run(Op::Abandon, self.inner.abandon(key, owner, receipt_key))
            .await
    }

    async fn stale_claims(&self, before: OffsetDateTime) -> StoreResult<Vec<PendingClaim>> {
        self.inner.stale_claims(before).await
    }

    async fn replace_access_hash(
        &self,
        number: TicketNumber,
        access_hash: &str,
    ) -> StoreResult<()> {
        self.run(
            Op::ReplaceAccessHash,
            self.inner.replace_access_hash(number, access_hash),
        )
        .await
    }

    async fn ticket(&self, number: TicketNumber) -> StoreResult<Option<Ticket>> {
        self.run(Op::Ticket, self.inner.ticket(number)).await
    }

    async fn receipt(&self, receipt: &ReceiptRef) -> StoreResult<Option<Bytes>> {
        self.inner.receipt(receipt).await
    }

    async fn vote(&self, article: &str, useful: bool) -> StoreResult<()> {
        self.inner.vote(article, useful).await
    }

    async fn votes(&self, article: &str) -> StoreResult<(u64, u64)> {
        self.inner.votes(article).await
    }

    async fn tickets(&self) -> StoreResult<Vec<Ticket>> {
        self.inner.tickets().await
    }

    async fn set_status(
        &self,
        number: TicketNumber,
        expected_version: u64,
        change: &StatusChange,
    ) -> StoreResult<()> {
        self.inner
            .set_status(number, expected_version, change)
            .await
    }

    async fn all_votes(&self) -> StoreResult<Vec<ArticleVotes>> {
        self.inner.all_votes().await
    }
}
