//! Valid submissions and the two encodings browsers use. The example
//! values and the multipart writer are `help_forms::testing`'s.

use help_forms::FormId;
use help_forms::spec::names;
use help_forms::testing::Multipart;
pub use help_forms::testing::{Part, multipart, multipart_type, text_parts};
use time::{Duration, OffsetDateTime};

/// The boundary of every multipart body here (the corpus spells it out).
pub const BOUNDARY: &str = "----limite-e2e-7d3f";

pub const URLENCODED: &str = "application/x-www-form-urlencoded";

/// Today (UTC) as the date field submits it.
pub fn today() -> String {
    OffsetDateTime::now_utc().date().to_string()
}

/// Replaces `{hoy}`, `{hoy+N}` and `{hoy-N}` (days) with ISO dates.
pub fn expand_dates(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{hoy") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let offset = &after[..end];
        let days = match offset.as_bytes().first() {
            None => Some(0),
            Some(b'+') => offset[1..].parse::<i64>().ok(),
            Some(b'-') => offset[1..].parse::<i64>().ok().map(|d| -d),
            _ => None,
        };
        match days {
            Some(days) => out.push_str(
                &(OffsetDateTime::now_utc() + Duration::days(days))
                    .date()
                    .to_string(),
            ),
            None => out.push_str(&rest[start..start + 4 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every field of a valid submission as the page sends it, with the
/// script's fill time and idempotency key: `help_forms::testing`'s, less the
/// printed invoice (the corpus's cases add it).
pub fn valid_fields(form: FormId, idempotency_key: Option<&str>) -> Vec<(String, String)> {
    let mut fields = help_forms::testing::valid_fields(form, OffsetDateTime::now_utc());
    fields.retain(|(n, _)| n != names::WANTS_INVOICE && n != names::SHIPPING_ADDRESS);
    if let Some(key) = idempotency_key {
        help_forms::testing::set_field(&mut fields, names::IDEMPOTENCY, key);
    }
    fields
}

/// A new idempotency key as the page's script makes one.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `application/x-www-form-urlencoded`, as browsers encode it.
pub fn urlencoded(fields: &[(String, Vec<u8>)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name.as_bytes()), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A valid payment report with a receipt, as multipart, with its own key.
pub fn payment_with_receipt(key: &str, receipt: &[u8]) -> Vec<u8> {
    Multipart::from_fields(&valid_fields(FormId::PaymentReport, Some(key)))
        .boundary(BOUNDARY)
        .receipt(help_forms::testing::RECEIPT_FILE_NAME, "image/png", receipt)
        .body()
}

/// A PNG receipt that is unique to `seed` and `size` bytes long.
pub fn unique_png(seed: &str, size: usize) -> Vec<u8> {
    let mut bytes = help_forms::testing::PNG.to_vec();
    bytes.extend_from_slice(seed.as_bytes());
    let mut i = 0u8;
    while bytes.len() < size {
        bytes.push(i);
        i = i.wrapping_add(31);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_placeholders_become_iso_dates() {
        assert_eq!(expand_dates("{hoy}"), today());
        assert_ne!(expand_dates("{hoy+2}"), today());
        assert_eq!(expand_dates("{{7*7}} ${x}"), "{{7*7}} ${x}");
        assert_eq!(expand_dates("{hoyx}"), "{hoyx}");
    }

    #[test]
    fn urlencoding_escapes_everything_but_the_safe_set() {
        assert_eq!(
            urlencoded(&[("a b".into(), "ñ&=".as_bytes().to_vec())]),
            b"a+b=%C3%B1%26%3D"
        );
    }
}
