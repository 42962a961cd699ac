//! The embedded default backend: tickets in SQLite, receipts as files.
//! Needs nothing but a writable folder; `site-gen serve` uses it.

use super::record::{NewTicketRecord, RecordError, TicketRecord, record_change};
use super::{
    ArticleVotes, Claim, IdempotencyKey, NewTicket, PendingClaim, ReceiptRef, StatusChange, Store,
    StoreError, StoreResult, Ticket, TicketNumber,
};
use async_trait::async_trait;
use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    receipt_key TEXT,
    created_at INTEGER NOT NULL,
    ticket INTEGER
);
CREATE TABLE IF NOT EXISTS tickets (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    form TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    receipt TEXT,
    access_hash TEXT NOT NULL,
    spam TEXT,
    history TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS votes (
    article TEXT PRIMARY KEY,
    yes INTEGER NOT NULL DEFAULT 0,
    no INTEGER NOT NULL DEFAULT 0
);
";

#[derive(Clone)]
pub struct LocalStore {
    db: Arc<Mutex<Connection>>,
    dir: PathBuf,
}

impl LocalStore {
    /// Opens (creating if needed) the store in `dir`: `tickets.sqlite3` and
    /// a `comprobantes/` folder.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        std::fs::create_dir_all(dir.join("comprobantes"))
            .with_context(|| format!("no se pudo crear la carpeta de datos {}", dir.display()))?;
        let path = dir.join("tickets.sqlite3");
        let db = Connection::open(&path)
            .with_context(|| format!("no se pudo abrir {}", path.display()))?;
        db.execute_batch(SCHEMA)
            .with_context(|| format!("no se pudo preparar {}", path.display()))?;
        Ok(Self {
            db: Arc::new(Mutex::new(db)),
            dir: dir.to_owned(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn receipt_path(&self, receipt: &ReceiptRef) -> PathBuf {
        self.receipt_file(&receipt.key)
    }

    fn receipt_file(&self, key: &str) -> PathBuf {
        // Keys are "comprobantes/<hex>.<ext>", built by ReceiptRef: no traversal.
        self.dir.join(key)
    }

    async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut db = db.lock().unwrap_or_else(|poison| poison.into_inner());
            work(&mut db)
        })
        .await
        .map_err(StoreError::other)?
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
                StoreError::Unavailable(e.to_string())
            }
            other => StoreError::other(other),
        })
    }
}

const TICKET_COLUMNS: &str = "number, form, created_at, status, status_message, name, email, summary, details, receipt, access_hash, spam, history, version";

fn ticket_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ticket> {
    TicketRecord {
        number: r.get(0)?,
        form: r.get(1)?,
        created_at: r.get(2)?,
        status: r.get(3)?,
        status_message: r.get(4)?,
        name: r.get(5)?,
        email: r.get(6)?,
        summary: r.get(7)?,
        details: r.get(8)?,
        receipt: r.get(9)?,
        access_hash: r.get(10)?,
        spam: r.get(11)?,
        history: r.get(12)?,
        version: r.get(13)?,
    }
    .decode()
    .map_err(|e| {
        let column = TICKET_COLUMNS
            .split(", ")
            .position(|name| name == e.field)
            .unwrap_or(0);
        from_sql(column, e)
    })
}

fn from_sql(column: usize, e: RecordError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.source)
}

fn to_sql(e: RecordError) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(e.source)
}

#[async_trait]
impl Store for LocalStore {
    async fn claim(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Claim> {
        let (key, owner, receipt_key) = (
            key.0.clone(),
            owner.to_owned(),
            receipt_key.map(str::to_owned),
        );
        self.with_db(move |db| {
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let existing: Option<(Option<u64>, i64)> = tx
                .query_row(
                    "SELECT ticket, created_at FROM claims WHERE key = ?1",
                    [&key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let outcome = match existing {
                Some((Some(number), _)) => Claim::Done(TicketNumber(number)),
                Some((None, created)) if created >= stale_before.unix_timestamp() => {
                    Claim::InProgress
                }
                _ => {
                    tx.execute(
                        "INSERT OR REPLACE INTO claims (key, owner, receipt_key, created_at, ticket)
                         VALUES (?1, ?2, ?3, ?4, NULL)",
                        params![key, owner, receipt_key, now.unix_timestamp()],
                    )?;
                    Claim::Owned
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn put_receipt(&self, receipt: &ReceiptRef, bytes: Bytes) -> StoreResult<()> {
        let path = self.receipt_path(receipt);
        let partial = path.with_extension("parcial");
        // Write then rename: a crash never leaves a truncated receipt.
        tokio::fs::write(&partial, &bytes)
            .await
            .map_err(StoreError::other)?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(StoreError::other)
    }

    async fn commit(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        ticket: &NewTicket,
    ) -> StoreResult<TicketNumber> {
        let (key, owner, t) = (key.0.clone(), owner.to_owned(), ticket.clone());
        let number = self
            .with_db(move |db| {
                let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let holds: bool = tx
                    .query_row("SELECT owner = ?2 AND ticket IS NULL FROM claims WHERE key = ?1", [&key, &owner], |r| {
                        r.get(0)
                    })
                    .optional()?
                    .unwrap_or(false);
                if !holds {
                    return Ok(None);
                }
                let record = NewTicketRecord::new(&t).map_err(to_sql)?;
                tx.execute(
                    "INSERT INTO tickets (form, created_at, status, name, email, summary, details, receipt, access_hash, spam)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        record.form,
                        record.created_at,
                        record.status,
                        t.name,
                        t.email,
                        t.summary,
                        record.details,
                        record.receipt,
                        t.access_hash,
                        record.spam,
                    ],
                )?;
                let number = tx.last_insert_rowid() as u64;
                tx.execute("UPDATE claims SET ticket = ?2 WHERE key = ?1", params![key, number])?;
                tx.commit()?;
                Ok(Some(TicketNumber(number)))
            })
            .await?;
        number.ok_or_else(|| {
            StoreError::Conflict("la reserva del envío pasó a otra solicitud".into())
        })
    }

    async fn abandon(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt_key: Option<&str>,
    ) -> StoreResult<Option<TicketNumber>> {
        let (k, o) = (key.0.clone(), owner.to_owned());
        let claim: Option<Option<u64>> = self
            .with_db(move |db| {
                db.query_row(
                    "SELECT ticket FROM claims WHERE key = ?1 AND owner = ?2",
                    [&k, &o],
                    |r| r.get(0),
                )
                .optional()
            })
            .await?;
        match claim {
            // Another request took the submission over: its receipt now.
            None => return Ok(None),
            Some(Some(number)) => return Ok(Some(TicketNumber(number))),
            Some(None) => {}
        }
        if let Some(receipt_key) = receipt_key {
            match tokio::fs::remove_file(self.receipt_file(receipt_key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(StoreError::other(e));
                }
                _ => {}
            }
        }
        let (k, o) = (key.0.clone(), owner.to_owned());
        self.with_db(move |db| {
            db.execute(
                "DELETE FROM claims WHERE key = ?1 AND owner = ?2 AND ticket IS NULL",
                [&k, &o],
            )
            .map(drop)
        })
        .await?;
        Ok(None)
    }

    async fn stale_claims(&self, before: OffsetDateTime) -> StoreResult<Vec<PendingClaim>> {
        self.with_db(move |db| {
            let mut query = db.prepare(
                "SELECT key, receipt_key FROM claims WHERE ticket IS NULL AND created_at < ?1",
            )?;
            let rows = query.query_map([before.unix_timestamp()], |r| {
                Ok(PendingClaim {
                    key: IdempotencyKey(r.get(0)?),
                    receipt_key: r.get(1)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn replace_access_hash(
        &self,
        number: TicketNumber,
        access_hash: &str,
    ) -> StoreResult<()> {
        let hash = access_hash.to_owned();
        self.with_db(move |db| {
            db.execute(
                "UPDATE tickets SET access_hash = ?2 WHERE number = ?1",
                params![number.0, hash],
            )
            .map(drop)
        })
        .await
    }

    async fn ticket(&self, number: TicketNumber) -> StoreResult<Option<Ticket>> {
        self.with_db(move |db| {
            db.query_row(
                &format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE number = ?1"),
                [number.0],
                ticket_from_row,
            )
            .optional()
        })
        .await
    }

    async fn receipt(&self, receipt: &ReceiptRef) -> StoreResult<Option<Bytes>> {
        match tokio::fs::read(self.receipt_path(receipt)).await {
            Ok(bytes) => Ok(Some(bytes.into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::other(e)),
        }
    }

    async fn vote(&self, article: &str, useful: bool) -> StoreResult<()> {
        let article = article.to_owned();
        self.with_db(move |db| {
            let column = if useful { "yes" } else { "no" };
            db.execute(
                &format!(
                    "INSERT INTO votes (article, {column}) VALUES (?1, 1)
                     ON CONFLICT(article) DO UPDATE SET {column} = {column} + 1"
                ),
                [&article],
            )
            .map(drop)
        })
        .await
    }

    async fn votes(&self, article: &str) -> StoreResult<(u64, u64)> {
        let article = article.to_owned();
        self.with_db(move |db| {
            db.query_row(
                "SELECT yes, no FROM votes WHERE article = ?1",
                [&article],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map(Option::unwrap_or_default)
        })
        .await
    }

    async fn tickets(&self) -> StoreResult<Vec<Ticket>> {
        self.with_db(|db| {
            let mut statement = db.prepare(&format!("SELECT {TICKET_COLUMNS} FROM tickets"))?;
            statement.query_map([], ticket_from_row)?.collect()
        })
        .await
    }

    async fn set_status(
        &self,
        number: TicketNumber,
        expected_version: u64,
        change: &StatusChange,
    ) -> StoreResult<()> {
        let change = change.clone();
        let updated = self
            .with_db(move |db| {
                let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let history: Option<String> = tx
                    .query_row(
                        "SELECT history FROM tickets WHERE number = ?1 AND version = ?2",
                        params![number.0, expected_version],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(history) = history else { return Ok(false) };
                let (status, history) =
                    record_change(&history, &change).map_err(|e| from_sql(0, e))?;
                tx.execute(
                    "UPDATE tickets SET status = ?3, status_message = ?4, history = ?5, version = version + 1
                     WHERE number = ?1 AND version = ?2",
                    params![number.0, expected_version, status, change.message, history],
                )?;
                tx.commit()?;
                Ok(true)
            })
            .await?;
        if updated {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "el ticket {number} cambió mientras tanto"
            )))
        }
    }

    async fn all_votes(&self) -> StoreResult<Vec<ArticleVotes>> {
        self.with_db(|db| {
            let mut statement = db.prepare("SELECT article, yes, no FROM votes")?;
            statement
                .query_map([], |r| {
                    Ok(ArticleVotes {
                        article: r.get(0)?,
                        yes: r.get(1)?,
                        no: r.get(2)?,
                    })
                })?
                .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Status;
    use crate::submit::{self, SubmitError};
    use help_forms::validate::{Attachment, Details, TicketRequest};
    use help_forms::{FormId, ReceiptKind, Submission};

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nlocal";

    fn submission(key: &str) -> Submission {
        Submission {
            form: FormId::Ticket,
            name: "Ana Pérez".into(),
            email: help_forms::Email::parse("ana@example.com").expect("valid"),
            details: Details::Ticket(TicketRequest {
                departamento: "facturacion".into(),
                asunto: "Factura duplicada".into(),
                mensaje: "Recibí dos facturas por el mismo servicio este mes.".into(),
            }),
            attachment: Some(Attachment {
                kind: ReceiptKind::Png,
                bytes: Bytes::from_static(PNG),
            }),
            idempotency_key: Some(key.into()),
            spam: None,
        }
    }

    fn open() -> (tempfile::TempDir, LocalStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalStore::open(dir.path()).expect("open");
        (dir, store)
    }

    fn receipts(store: &LocalStore) -> usize {
        std::fs::read_dir(store.dir().join("comprobantes"))
            .expect("dir")
            .count()
    }

    #[tokio::test]
    async fn a_recorded_ticket_and_its_receipt_survive_reopening_the_store() {
        let (dir, store) = open();
        let s = submission("k1");
        let key = submit::idempotency_key(&s, &[]);
        let done = submit::record(&store, &s, &key, OffsetDateTime::now_utc())
            .await
            .expect("recorded");
        drop(store);

        let store = LocalStore::open(dir.path()).expect("reopen");
        let ticket = store
            .ticket(done.number)
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(ticket.status, Status::Open);
        assert_eq!(ticket.details, s.details);
        assert_eq!(
            ticket.access_hash,
            submit::hash_access_key(&done.access_key)
        );
        let receipt = ticket.receipt.expect("receipt");
        assert_eq!(
            store.receipt(&receipt).await.expect("read").as_deref(),
            Some(PNG)
        );
    }

    #[tokio::test]
    async fn concurrent_duplicates_share_one_ticket_and_one_receipt_file() {
        let (_dir, store) = open();
        let s = submission("k2");
        let key = submit::idempotency_key(&s, &[]);
        let now = OffsetDateTime::now_utc();
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (store, s, key) = (store.clone(), s.clone(), key.clone());
                tokio::spawn(async move { submit::record(&store, &s, &key, now).await })
            })
            .collect();
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.push(task.await.expect("join").expect("recorded").number);
        }
        numbers.dedup();
        assert_eq!(numbers, vec![TicketNumber(1)]);
        assert_eq!(receipts(&store), 1);
        assert_eq!(store.ticket(TicketNumber(2)).await.expect("read"), None);
    }

    #[tokio::test]
    async fn a_claim_left_by_a_crashed_writer_is_taken_over_once_stale() {
        let (_dir, store) = open();
        let s = submission("k3");
        let key = submit::idempotency_key(&s, &[]);
        let receipt = ReceiptRef::for_submission(&key, ReceiptKind::Png, PNG.len() as u64);
        let then = OffsetDateTime::now_utc() - time::Duration::minutes(5);
        // The crashed writer claimed and uploaded, but never committed.
        let claim = store
            .claim(
                &key,
                "crashed",
                Some(receipt.key.as_str()),
                then,
                then - submit::STALE_AFTER,
            )
            .await;
        assert_eq!(claim.expect("claim"), Claim::Owned);
        store
            .put_receipt(&receipt, Bytes::from_static(PNG))
            .await
            .expect("upload");

        let done = submit::record(&store, &s, &key, OffsetDateTime::now_utc())
            .await
            .expect("taken over");
        assert_eq!(done.number, TicketNumber(1));
        assert_eq!(receipts(&store), 1, "the same receipt file was reused");
        let late = store.commit(&key, "crashed", &new_ticket(&s)).await;
        assert!(
            matches!(late, Err(StoreError::Conflict(_))),
            "the crashed writer cannot commit any more"
        );
    }

    #[tokio::test]
    async fn abandoning_removes_the_receipt_and_the_claim() {
        let (_dir, store) = open();
        let s = submission("k4");
        let key = submit::idempotency_key(&s, &[]);
        let receipt = ReceiptRef::for_submission(&key, ReceiptKind::Png, PNG.len() as u64);
        let now = OffsetDateTime::now_utc();
        store
            .claim(
                &key,
                "me",
                Some(receipt.key.as_str()),
                now,
                now - submit::STALE_AFTER,
            )
            .await
            .expect("claim");
        store
            .put_receipt(&receipt, Bytes::from_static(PNG))
            .await
            .expect("upload");
        // Someone else cannot abandon my claim.
        store
            .abandon(&key, "other", Some(receipt.key.as_str()))
            .await
            .expect("no-op");
        assert_eq!(receipts(&store), 1);
        store
            .abandon(&key, "me", Some(receipt.key.as_str()))
            .await
            .expect("abandon");
        assert_eq!(receipts(&store), 0);
        let again = store
            .claim(
                &key,
                "retry",
                Some(receipt.key.as_str()),
                now,
                now - submit::STALE_AFTER,
            )
            .await;
        assert_eq!(again.expect("claim"), Claim::Owned);
    }

    #[tokio::test]
    async fn a_pending_claim_makes_a_duplicate_wait_then_give_up() {
        let (_dir, store) = open();
        let s = submission("k5");
        let key = submit::idempotency_key(&s, &[]);
        let now = OffsetDateTime::now_utc();
        store
            .claim(&key, "slow", None, now, now - submit::STALE_AFTER)
            .await
            .expect("claim");
        let result = submit::record(&store, &s, &key, now).await;
        assert!(matches!(result, Err(SubmitError::StillInProgress)));
        assert_eq!(store.ticket(TicketNumber(1)).await.expect("read"), None);
    }

    #[tokio::test]
    async fn votes_accumulate_per_article() {
        let (_dir, store) = open();
        for useful in [true, true, false] {
            store
                .vote("como-abrir-un-ticket", useful)
                .await
                .expect("vote");
        }
        assert_eq!(
            store.votes("como-abrir-un-ticket").await.expect("votes"),
            (2, 1)
        );
        assert_eq!(store.votes("otro").await.expect("votes"), (0, 0));
    }

    fn new_ticket(s: &Submission) -> NewTicket {
        NewTicket {
            form: s.form,
            created_at: OffsetDateTime::now_utc(),
            name: s.name.clone(),
            email: s.email.to_string(),
            summary: s.summary(),
            details: s.details.clone(),
            receipt: None,
            access_hash: String::new(),
            spam: None,
        }
    }
}
