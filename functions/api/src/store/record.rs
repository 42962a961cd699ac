//! A ticket as text, the way both backends keep it (SQLite columns,
//! DynamoDB string attributes): the form's slug, the creation time in
//! RFC 3339, and JSON for the status, details, receipt, spam signal and
//! history. Encoding and decoding live here once; each backend only maps
//! these texts to its own columns or attributes.

use super::{NewTicket, Status, StatusChange, Ticket, TicketNumber};
use help_forms::FormId;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A stored field that could not be encoded or decoded. `field` is the
/// [`Ticket`] field's name.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct RecordError {
    pub field: &'static str,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl RecordError {
    fn new(
        field: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            field,
            source: source.into(),
        }
    }
}

pub type RecordResult<T> = Result<T, RecordError>;

fn to_json<T: serde::Serialize>(field: &'static str, value: &T) -> RecordResult<String> {
    serde_json::to_string(value).map_err(|e| RecordError::new(field, e))
}

fn from_json<T: serde::de::DeserializeOwned>(field: &'static str, text: &str) -> RecordResult<T> {
    serde_json::from_str(text).map_err(|e| RecordError::new(field, e))
}

/// The texts of a ticket about to be recorded: open, with no history yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicketRecord {
    pub form: &'static str,
    pub created_at: String,
    /// JSON: `"abierto"`.
    pub status: String,
    pub details: String,
    pub receipt: Option<String>,
    pub spam: Option<String>,
}

impl NewTicketRecord {
    pub fn new(t: &NewTicket) -> RecordResult<Self> {
        Ok(Self {
            form: t.form.slug(),
            created_at: t
                .created_at
                .format(&Rfc3339)
                .map_err(|e| RecordError::new("created_at", e))?,
            status: to_json("status", &Status::Open)?,
            details: to_json("details", &t.details)?,
            receipt: t
                .receipt
                .as_ref()
                .map(|r| to_json("receipt", r))
                .transpose()?,
            spam: t.spam.as_ref().map(|s| to_json("spam", s)).transpose()?,
        })
    }
}

/// Every stored text of a recorded ticket, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    pub number: u64,
    pub form: String,
    pub created_at: String,
    /// JSON: `"abierto"`.
    pub status: String,
    pub status_message: Option<String>,
    pub name: String,
    pub email: String,
    pub summary: String,
    pub details: String,
    pub receipt: Option<String>,
    pub access_hash: String,
    pub spam: Option<String>,
    pub history: String,
    pub version: u64,
}

impl TicketRecord {
    pub fn decode(self) -> RecordResult<Ticket> {
        Ok(Ticket {
            number: TicketNumber(self.number),
            form: FormId::from_slug(&self.form)
                .ok_or_else(|| RecordError::new("form", format!("formulario {}", self.form)))?,
            created_at: OffsetDateTime::parse(&self.created_at, &Rfc3339)
                .map_err(|e| RecordError::new("created_at", e))?,
            status: from_json("status", &self.status)?,
            status_message: self.status_message,
            name: self.name,
            email: self.email,
            summary: self.summary,
            details: from_json("details", &self.details)?,
            receipt: self.receipt.map(|t| from_json("receipt", &t)).transpose()?,
            access_hash: self.access_hash,
            spam: self.spam.map(|t| from_json("spam", &t)).transpose()?,
            history: from_json("history", &self.history)?,
            version: self.version,
        })
    }
}

/// A staff status change as stored: the new status (JSON) and the stored
/// `history` (JSON) with the change appended.
pub fn record_change(history: &str, change: &StatusChange) -> RecordResult<(String, String)> {
    let mut history: Vec<StatusChange> = from_json("history", history)?;
    history.push(change.clone());
    Ok((
        to_json("status", &change.status)?,
        to_json("history", &history)?,
    ))
}
