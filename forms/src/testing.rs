//! Valid example submissions and the request bodies a browser sends for
//! them, for tests, benchmarks and the benchmark probe (cargo feature
//! `testing`; never enabled by the deployed function).
//!
//! The example values live here once: [`valid_fields`] (every field of a
//! submission that every rule accepts), [`payment_date`] (a date inside the
//! allowed window), [`PNG`] and [`png`] (receipts the server recognises).
//! [`Multipart`] builds a `multipart/form-data` body from them and lets a
//! test override or drop any field and choose the file part's name, type
//! and bytes; [`Part`] and [`multipart`] write any other body, odd ones
//! included, to the letter.

use crate::spec::{FormId, names};
use time::{Duration, OffsetDateTime};

/// The smallest PNG header the server recognises as a PNG receipt.
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// An idempotency key as the page's script makes one.
pub const IDEMPOTENCY_KEY: &str = "0b5c7a36-6a5e-4d4e-9b0c-6d7f9a1e2b3c";

/// The boundary [`Multipart`] uses unless told otherwise.
pub const BOUNDARY: &str = "----limite-7MA4YWxkTrZu0gW";

/// The name of the receipt in a [`Multipart::payment_report`].
pub const RECEIPT_FILE_NAME: &str = "captura.png";

/// A payment date every rule accepts at `now`: two days before, inside the
/// allowed window whatever the customer's time zone.
pub fn payment_date(now: OffsetDateTime) -> String {
    (now - Duration::days(2)).date().to_string()
}

/// Every field of a submission of `form` that every rule accepts at `now`,
/// in the page's order: the payment report with a transfer and a printed
/// invoice, the empty honeypot and a human fill time. No idempotency key
/// (add [`IDEMPOTENCY_KEY`] or another one) and no file.
pub fn valid_fields(form: FormId, now: OffsetDateTime) -> Vec<(String, String)> {
    let date = payment_date(now);
    let pairs: &[(&str, &str)] = match form {
        FormId::PaymentReport => &[
            (names::ORDERS, "10452, 10453"),
            (names::AMOUNT, "1.234,56"),
            (names::CURRENCY, "Bs"),
            (names::METHOD, "transferencia"),
            (names::DESTINATION_BANK, "banesco"),
            (names::DATE, &date),
            (names::REFERENCE, "ab-0012345"),
            (names::ORIGIN_BANK, "Banco de Venezuela"),
            (names::WANTS_INVOICE, "si"),
            (
                names::SHIPPING_ADDRESS,
                "Av. Principal de Las Mercedes, Edificio Sol, piso 3, Caracas 1060",
            ),
            (names::NAME, "José Núñez"),
            (names::EMAIL, "jose@example.com"),
            (names::HONEYPOT, ""),
            (names::FILL_TIME, "45000"),
        ],
        FormId::Ticket => &[
            (names::NAME, "Ana Pérez"),
            (names::EMAIL, "ana@example.com"),
            (names::DEPARTMENT, "soporte-tecnico"),
            (names::SUBJECT, "No puedo acceder al correo"),
            (
                names::MESSAGE,
                "Desde ayer el webmail me dice que la contraseña es incorrecta.",
            ),
            (names::HONEYPOT, ""),
            (names::FILL_TIME, "45000"),
        ],
    };
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// Sets `name` to `value` in `fields`: the first pair of that name, or a
/// new pair at the end.
pub fn set_field(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(pair) => value.clone_into(&mut pair.1),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    pub fn name(&self) -> &str {
        match self {
            Self::Text { name, .. } | Self::File { name, .. } => name,
        }
    }
}

/// One text part per field, in order.
pub fn text_parts(fields: &[(String, String)]) -> Vec<Part> {
    fields.iter().map(|(n, v)| Part::text(n, v)).collect()
}

/// The `Content-Type` of a multipart body with `boundary`.
pub fn multipart_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

/// The body a browser sends for `parts` (names are written as given).
pub fn multipart(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let payload: usize = parts
        .iter()
        .map(|p| match p {
            Part::Text { value, .. } => value.len(),
            Part::File { bytes, .. } => bytes.len(),
        })
        .sum();
    let mut body = Vec::with_capacity(payload + 160 * (parts.len() + 1));
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

/// A `multipart/form-data` body under construction: the fields of a
/// submission, then its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    boundary: String,
    parts: Vec<Part>,
}

impl Multipart {
    /// A body of one text part per field (no file), with [`BOUNDARY`].
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        Self {
            boundary: BOUNDARY.to_owned(),
            parts: text_parts(fields),
        }
    }

    /// A valid submission of `form` at `now` ([`valid_fields`]), no file.
    pub fn valid(form: FormId, now: OffsetDateTime) -> Self {
        Self::from_fields(&valid_fields(form, now))
    }

    /// A valid payment report at `now` with a [`PNG`] receipt
    /// ([`RECEIPT_FILE_NAME`], `image/png`); no idempotency key.
    pub fn payment_report(now: OffsetDateTime) -> Self {
        Self::valid(FormId::PaymentReport, now).receipt(RECEIPT_FILE_NAME, "image/png", PNG)
    }

    pub fn boundary(mut self, boundary: &str) -> Self {
        boundary.clone_into(&mut self.boundary);
        self
    }

    /// Sets text field `name` to `value`: the first part of that name
    /// becomes this text part, or it is added after the other text parts.
    pub fn set(self, name: &str, value: &str) -> Self {
        self.put(Part::text(name, value))
    }

    /// Sets several text fields, as [`Multipart::set`] does.
    pub fn set_all(self, fields: &[(&str, &str)]) -> Self {
        fields
            .iter()
            .fold(self, |body, (name, value)| body.set(name, value))
    }

    /// Drops every part named `name`, text or file.
    pub fn without(mut self, name: &str) -> Self {
        self.parts.retain(|p| p.name() != name);
        self
    }

    /// Sets file field `name`: the first part of that name becomes this
    /// file, or it is added at the end.
    pub fn file(self, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.put(Part::file(name, file_name, content_type, bytes))
    }

    /// Sets the receipt (`comprobante`), as [`Multipart::file`] does.
    pub fn receipt(self, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.file(names::RECEIPT, file_name, content_type, bytes)
    }

    /// Adds `part` at the end, whatever its name: duplicates included.
    pub fn push(mut self, part: Part) -> Self {
        self.parts.push(part);
        self
    }

    fn put(mut self, part: Part) -> Self {
        if let Some(existing) = self.parts.iter_mut().find(|p| p.name() == part.name()) {
            *existing = part;
        } else if matches!(part, Part::Text { .. }) {
            let at = self
                .parts
                .iter()
                .position(|p| matches!(p, Part::File { .. }))
                .unwrap_or(self.parts.len());
            self.parts.insert(at, part);
        } else {
            self.parts.push(part);
        }
        self
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The request's `Content-Type` header.
    pub fn content_type(&self) -> String {
        multipart_type(&self.boundary)
    }

    /// The request's body.
    pub fn body(&self) -> Vec<u8> {
        multipart(&self.boundary, &self.parts)
    }
}

/// A valid PNG of exactly `size` bytes (at least ~900): an RGB image of
/// noise in stored (uncompressed) deflate blocks, padded with a `tEXt`
/// chunk. Noise, like real compressed image data, gives multipart parsers
/// no long runs to skip. The same bytes for the same size.
pub fn png(size: usize) -> Vec<u8> {
    let width: usize = 256;
    let row = 1 + width * 3;
    // Signature 8, IHDR 25, IDAT 12 + zlib (2 + blocks + 4), tEXt 12 + 8, IEND 12.
    let overhead = 8 + 25 + 12 + 6 + 12 + 8 + 12;
    let budget = size.saturating_sub(overhead);
    let mut height = budget / (row + 1);
    while height > 0 && zlib_stored_len(height * row) + overhead > size {
        height -= 1;
    }
    let height = height.max(1);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut raw = Vec::with_capacity(height * row);
    for _ in 0..height {
        let mut line = vec![0u8; row]; // line[0]: filter "none"
        for byte in &mut line[1..] {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *byte = (seed >> 24) as u8;
        }
        raw.extend_from_slice(&line);
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    let used = out.len() + 12 + 12;
    let pad = size.saturating_sub(used).max(8);
    let mut text = b"Comment\0".to_vec();
    text.resize(pad, b'.');
    chunk(&mut out, b"tEXt", &text);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn zlib_stored_len(n: usize) -> usize {
    2 + n + 5 * n.div_ceil(65_535).max(1) + 4
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FormsConfig, RawFile, RawSubmission, ReceiptKind, validate};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

    fn config() -> FormsConfig {
        #[derive(serde::Deserialize)]
        struct File {
            forms: FormsConfig,
        }
        toml::from_str::<File>(include_str!("../tests/fixtures/forms.toml"))
            .expect("fixture config parses")
            .forms
    }

    #[test]
    fn the_example_values_pass_every_rule() {
        for form in [FormId::PaymentReport, FormId::Ticket] {
            let raw = RawSubmission {
                fields: valid_fields(form, NOW),
                files: vec![RawFile {
                    field: names::RECEIPT.into(),
                    file_name: RECEIPT_FILE_NAME.into(),
                    bytes: png(4096).into(),
                }],
            };
            let valid = validate(form, &raw, &config(), NOW).expect("valid");
            assert_eq!(valid.spam, None);
        }
        assert_eq!(payment_date(NOW), "2026-11-25");
    }

    #[test]
    fn pngs_have_the_requested_size_and_are_recognised() {
        for size in [1024, 64 * 1024, 1024 * 1024] {
            let bytes = png(size);
            assert_eq!(bytes.len(), size);
            assert_eq!(ReceiptKind::sniff(&bytes), Some(ReceiptKind::Png));
        }
        assert_eq!(ReceiptKind::sniff(PNG), Some(ReceiptKind::Png));
    }

    #[test]
    fn the_builder_sets_drops_and_keeps_the_file_last() {
        let body = Multipart::payment_report(NOW)
            .set(names::IDEMPOTENCY, IDEMPOTENCY_KEY)
            .set(names::AMOUNT, "12,00")
            .without(names::SHIPPING_ADDRESS)
            .boundary("xyz");
        let names: Vec<&str> = body.parts().iter().map(Part::name).collect();
        assert_eq!(names.last(), Some(&names::RECEIPT));
        assert_eq!(names[names.len() - 2], names::IDEMPOTENCY);
        assert!(!names.contains(&names::SHIPPING_ADDRESS));
        assert_eq!(body.content_type(), "multipart/form-data; boundary=xyz");
        let text = String::from_utf8_lossy(&body.body()).into_owned();
        assert!(text.starts_with(
            "--xyz\r\nContent-Disposition: form-data; name=\"ordenes\"\r\n\r\n10452, 10453\r\n"
        ));
        assert!(text.contains("name=\"monto\"\r\n\r\n12,00\r\n"));
        assert!(text.contains(
            "name=\"comprobante\"; filename=\"captura.png\"\r\nContent-Type: image/png\r\n\r\n"
        ));
        assert!(text.ends_with("\r\n--xyz--\r\n"));
    }
}
