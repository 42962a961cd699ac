//! Valid submissions and the two encodings browsers use.

use help_forms::FormId;
use time::{Duration, OffsetDateTime};

pub const BOUNDARY: &str = "----limite-e2e-7d3f";

pub fn multipart_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

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

/// Every field of a complete, valid submission as the page sends it, with
/// the script's fill time and idempotency key.
pub fn valid_fields(form: FormId, idempotency_key: Option<&str>) -> Vec<(String, String)> {
    let today = today();
    let mut fields: Vec<(&str, &str)> = match form {
        FormId::PaymentReport => vec![
            ("ordenes", "10452"),
            ("monto", "1.234,56"),
            ("moneda", "Bs"),
            ("metodo", "transferencia"),
            ("banco_destino", "banesco"),
            ("fecha", &today),
            ("referencia", "0012345"),
            ("banco_origen", "Banco de Venezuela"),
            ("nombre", "José Núñez"),
            ("correo", "jose@example.com"),
        ],
        FormId::Ticket => vec![
            ("nombre", "Ana Pérez"),
            ("correo", "ana@example.com"),
            ("departamento", "soporte-tecnico"),
            ("asunto", "No puedo acceder al correo"),
            (
                "mensaje",
                "Desde ayer no puedo entrar al webmail de mi dominio.",
            ),
        ],
    };
    fields.push(("sitio_web", ""));
    fields.push(("tiempo_de_llenado", "45000"));
    if let Some(key) = idempotency_key {
        fields.push(("idempotencia", key));
    }
    fields
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A new idempotency key as the page's script makes one.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub enum Part {
    Text {
        name: String,
        value: Vec<u8>,
    },
    File {
        name: String,
        file_name: String,
        content_type: String,
        bytes: Vec<u8>,
    },
}

impl Part {
    pub fn text(name: &str, value: &str) -> Self {
        Self::Text {
            name: name.to_owned(),
            value: value.as_bytes().to_vec(),
        }
    }

    pub fn file(name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        Self::File {
            name: name.to_owned(),
            file_name: file_name.to_owned(),
            content_type: content_type.to_owned(),
            bytes: bytes.to_vec(),
        }
    }
}

pub fn text_parts(fields: &[(String, String)]) -> Vec<Part> {
    fields.iter().map(|(n, v)| Part::text(n, v)).collect()
}

/// The body a browser sends for `parts` (names are written as given).
pub fn multipart(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text { name, value } => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value);
            }
            Part::File {
                name,
                file_name,
                content_type,
                bytes,
            } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                         Content-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
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
    let mut parts = text_parts(&valid_fields(FormId::PaymentReport, Some(key)));
    parts.push(Part::file(
        "comprobante",
        "captura.png",
        "image/png",
        receipt,
    ));
    multipart(BOUNDARY, &parts)
}

/// A PNG receipt that is unique to `seed` and `size` bytes long.
pub fn unique_png(seed: &str, size: usize) -> Vec<u8> {
    let mut bytes = crate::PNG.to_vec();
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
