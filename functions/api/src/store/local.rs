//! The embedded default backend: tickets in SQLite, receipts as files.
//! Needs nothing but a writable folder; `site-gen serve` uses it.

use super::{
    Claim, IdempotencyKey, NewTicket, ReceiptRef, Status, Store, StoreError, StoreResult, Ticket,
    TicketNumber,
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
    spam TEXT
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
        // Keys are "comprobantes/<hex>.<ext>", built by ReceiptRef: no traversal.
        self.dir.join(&receipt.key)
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

fn json<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(column: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[async_trait]
impl Store for LocalStore {
    async fn claim(
        &self,
        key: &IdempotencyKey,
        owner: &str,
        receipt: Option<&ReceiptRef>,
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<Claim> {
        let (key, owner, receipt_key) = (
            key.0.clone(),
            owner.to_owned(),
            receipt.map(|r| r.key.clone()),
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
                tx.execute(
                    "INSERT INTO tickets (form, created_at, status, name, email, summary, details, receipt, access_hash, spam)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        t.form.slug(),
                        rfc3339(t.created_at),
                        json(&Status::Open)?,
                        t.name,
                        t.email,
                        t.summary,
                        json(&t.details)?,
                        t.receipt.as_ref().map(json).transpose()?,
                        t.access_hash,
                        t.spam.as_ref().map(json).transpose()?,
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
        receipt: Option<&ReceiptRef>,
    ) -> StoreResult<()> {
        let (k, o) = (key.0.clone(), owner.to_owned());
        let holds = self
            .with_db(move |db| {
                db.query_row(
                    "SELECT 1 FROM claims WHERE key = ?1 AND owner = ?2 AND ticket IS NULL",
                    [&k, &o],
                    |_| Ok(()),
                )
                .optional()
            })
            .await?
            .is_some();
        if !holds {
            return Ok(()); // another request took the submission over: its receipt now
        }
        if let Some(receipt) = receipt {
            match tokio::fs::remove_file(self.receipt_path(receipt)).await {
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
                "SELECT form, created_at, status, status_message, name, email, summary, details, receipt, access_hash, spam
                 FROM tickets WHERE number = ?1",
                [number.0],
                |r| {
                    let form: String = r.get(0)?;
                    let created: String = r.get(1)?;
                    let receipt: Option<String> = r.get(8)?;
                    let spam: Option<String> = r.get(10)?;
                    Ok(Ticket {
                        number,
                        form: help_forms::FormId::from_slug(&form).ok_or_else(|| {
                            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, form.into())
                        })?,
                        created_at: OffsetDateTime::parse(&created, &time::format_description::well_known::Rfc3339)
                            .map_err(|e| {
                                rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
                            })?,
                        status: from_json(2, &r.get::<_, String>(2)?)?,
                        status_message: r.get(3)?,
                        name: r.get(4)?,
                        email: r.get(5)?,
                        summary: r.get(6)?,
                        details: from_json(7, &r.get::<_, String>(7)?)?,
                        receipt: receipt.map(|t| from_json(8, &t)).transpose()?,
                        access_hash: r.get(9)?,
                        spam: spam.map(|t| from_json(10, &t)).transpose()?,
                    })
                },
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
}
