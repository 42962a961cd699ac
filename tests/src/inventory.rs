//! Everything a store holds, read behind its back (SQLite and the folder, or
//! S3 and DynamoDB), to prove what was and was not written.

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTicket {
    pub number: u64,
    /// (key, kind, size) as recorded with the ticket.
    pub receipt: Option<(String, String, u64)>,
    /// The spam signal as stored (`"Honeypot"`, `"TooFast"`).
    pub spam: Option<String>,
    /// Name, e-mail, summary and every text of the details.
    pub texts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    pub key: String,
    pub receipt_key: Option<String>,
    pub ticket: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub tickets: Vec<StoredTicket>,
    pub claims: Vec<StoredClaim>,
    /// Receipt objects or files by key (`comprobantes/<hex>.<ext>`).
    pub receipts: BTreeMap<String, Vec<u8>>,
    /// Files in the data folder that are neither the database nor receipts.
    pub stray: Vec<String>,
}

fn string_leaves(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| string_leaves(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| string_leaves(v, out)),
        other => out.push(other.to_string()),
    }
}

fn texts(name: String, email: String, summary: String, details: &str) -> Vec<String> {
    let mut texts = vec![name, email, summary];
    match serde_json::from_str::<serde_json::Value>(details) {
        Ok(value) => string_leaves(&value, &mut texts),
        Err(_) => texts.push(details.to_owned()),
    }
    texts
}

fn receipt_of(json: Option<String>) -> Option<(String, String, u64)> {
    let value: serde_json::Value = serde_json::from_str(&json?).ok()?;
    Some((
        value["key"].as_str()?.to_owned(),
        value["kind"].as_str()?.to_owned(),
        value["size"].as_u64()?,
    ))
}

fn spam_of(json: Option<String>) -> Option<String> {
    let json = json?;
    Some(
        serde_json::from_str::<String>(&json)
            .unwrap_or(json)
            .to_string(),
    )
}

impl Inventory {
    /// Reads a [`form_api::LocalStore`] folder: `tickets.sqlite3` and `comprobantes/`.
    pub fn of_local(dir: &Path) -> Self {
        let db = rusqlite::Connection::open_with_flags(
            dir.join("tickets.sqlite3"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("the local store's database opens");
        let mut tickets_query = db
            .prepare("SELECT number, name, email, summary, details, receipt, spam FROM tickets ORDER BY number")
            .expect("tickets table");
        let tickets = tickets_query
            .query_map([], |r| {
                Ok(StoredTicket {
                    number: r.get(0)?,
                    texts: texts(r.get(1)?, r.get(2)?, r.get(3)?, &r.get::<_, String>(4)?),
                    receipt: receipt_of(r.get(5)?),
                    spam: spam_of(r.get(6)?),
                })
            })
            .expect("query tickets")
            .collect::<Result<Vec<_>, _>>()
            .expect("read tickets");
        let mut claims_query = db
            .prepare("SELECT key, receipt_key, ticket FROM claims ORDER BY key")
            .expect("claims table");
        let claims = claims_query
            .query_map([], |r| {
                Ok(StoredClaim {
                    key: r.get(0)?,
                    receipt_key: r.get(1)?,
                    ticket: r.get(2)?,
                })
            })
            .expect("query claims")
            .collect::<Result<Vec<_>, _>>()
            .expect("read claims");

        let mut inventory = Self {
            tickets,
            claims,
            ..Self::default()
        };
        walk(dir, dir, &mut inventory);
        inventory
    }

    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
            && self.claims.is_empty()
            && self.receipts.is_empty()
            && self.stray.is_empty()
    }

    pub fn pending_claims(&self) -> Vec<&StoredClaim> {
        self.claims.iter().filter(|c| c.ticket.is_none()).collect()
    }

    /// What a summary of a failed check shows.
    pub fn describe(&self) -> String {
        format!(
            "{} tickets {:?}, {} claims ({} pending), receipts {:?}, stray files {:?}",
            self.tickets.len(),
            self.tickets.iter().map(|t| t.number).collect::<Vec<_>>(),
            self.claims.len(),
            self.pending_claims().len(),
            self.receipts.keys().collect::<Vec<_>>(),
            self.stray
        )
    }

    /// Every way the store could be half-written, as a list of problems:
    /// a ticket without its receipt (or with a different size or kind), a
    /// receipt nobody references, a finished claim without its ticket, a
    /// receipt outside `comprobantes/<hex>.<ext>`, or a stray file.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for ticket in &self.tickets {
            if let Some((key, kind, size)) = &ticket.receipt {
                match self.receipts.get(key) {
                    None => problems.push(format!("ticket {} has no receipt {key}", ticket.number)),
                    Some(bytes) => {
                        if bytes.len() as u64 != *size {
                            problems.push(format!(
                                "receipt {key} has {} bytes, ticket {} says {size}",
                                bytes.len(),
                                ticket.number
                            ));
                        }
                        let sniffed = help_forms::ReceiptKind::sniff(bytes);
                        let by_key = help_forms::ReceiptKind::from_extension(
                            key.rsplit('.').next().unwrap_or(""),
                        );
                        let recorded = serde_json::from_value::<help_forms::ReceiptKind>(
                            serde_json::Value::String(kind.clone()),
                        )
                        .ok();
                        if sniffed.is_none() || sniffed != by_key || sniffed != recorded {
                            problems.push(format!(
                                "receipt {key} recorded as {kind} but its bytes are {sniffed:?}"
                            ));
                        }
                    }
                }
            }
        }
        for key in self.receipts.keys() {
            if !is_receipt_key(key) {
                problems.push(format!("receipt stored under an unexpected key {key:?}"));
            }
            let by_ticket = self
                .tickets
                .iter()
                .any(|t| t.receipt.as_ref().is_some_and(|(k, _, _)| k == key));
            let by_pending = self
                .claims
                .iter()
                .any(|c| c.ticket.is_none() && c.receipt_key.as_deref() == Some(key.as_str()));
            if !by_ticket && !by_pending {
                problems.push(format!("orphan receipt {key}"));
            }
        }
        for claim in &self.claims {
            let missing = claim
                .ticket
                .filter(|n| !self.tickets.iter().any(|t| t.number == *n));
            if let Some(number) = missing {
                problems.push(format!(
                    "claim {} points to missing ticket {number}",
                    claim.key
                ));
            }
        }
        let mut numbers: Vec<u64> = self.tickets.iter().map(|t| t.number).collect();
        numbers.dedup();
        if numbers.len() != self.tickets.len() {
            problems.push("duplicate ticket numbers".into());
        }
        for file in &self.stray {
            problems.push(format!("stray file {file}"));
        }
        problems
    }

    /// Panics with the problems, if any.
    pub fn assert_consistent(&self) {
        let problems = self.problems();
        assert!(
            problems.is_empty(),
            "the store is half-written: {problems:#?}\n{}",
            self.describe()
        );
    }
}

/// `comprobantes/<32 hex>.<png|jpg|webp|pdf>`: derived from the idempotency key.
pub fn is_receipt_key(key: &str) -> bool {
    let Some(file) = key.strip_prefix("comprobantes/") else {
        return false;
    };
    let Some((stem, ext)) = file.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && ["png", "jpg", "webp", "pdf"].contains(&ext)
}

fn walk(root: &Path, dir: &Path, inventory: &mut Inventory) {
    for entry in std::fs::read_dir(dir).expect("data folder") {
        let path = entry.expect("entry").path();
        let relative = path
            .strip_prefix(root)
            .expect("below root")
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            if relative != "comprobantes" {
                inventory.stray.push(format!("{relative}/"));
            }
            walk(root, &path, inventory);
        } else if relative.starts_with("comprobantes/") {
            let bytes = std::fs::read(&path).expect("receipt file");
            inventory.receipts.insert(relative, bytes);
        } else if !matches!(
            relative.as_str(),
            "tickets.sqlite3" | "tickets.sqlite3-wal" | "tickets.sqlite3-shm"
        ) {
            inventory.stray.push(relative);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_keys_are_hex_digests_with_a_known_extension() {
        assert!(is_receipt_key(
            "comprobantes/0123456789abcdef0123456789abcdef.png"
        ));
        assert!(!is_receipt_key("comprobantes/../x.png"));
        assert!(!is_receipt_key(
            "comprobantes/0123456789abcdef0123456789abcdef.html"
        ));
        assert!(!is_receipt_key(
            "otros/0123456789abcdef0123456789abcdef.png"
        ));
    }

    #[test]
    fn a_ticket_whose_receipt_is_missing_is_a_problem() {
        let inventory = Inventory {
            tickets: vec![StoredTicket {
                number: 1,
                receipt: Some((
                    "comprobantes/0123456789abcdef0123456789abcdef.png".into(),
                    "png".into(),
                    3,
                )),
                spam: None,
                texts: vec![],
            }],
            ..Inventory::default()
        };
        assert_eq!(inventory.problems().len(), 1);
        let orphan = Inventory {
            receipts: BTreeMap::from([(
                "comprobantes/0123456789abcdef0123456789abcdef.png".into(),
                crate::PNG.to_vec(),
            )]),
            ..Inventory::default()
        };
        assert_eq!(
            orphan.problems(),
            vec!["orphan receipt comprobantes/0123456789abcdef0123456789abcdef.png"]
        );
    }
}
