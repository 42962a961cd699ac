//! Receipts (screenshots or scans) recognised by their bytes, never by the
//! file name or the content type the browser claims.

/// 4 MiB: after base64 (+33 %) plus the other fields it stays under the
/// 6 MB limit of a synchronous Lambda request.
pub const MAX_RECEIPT_BYTES: usize = 4 * 1024 * 1024;

/// What the HTML `accept` attribute offers; the server checks magic bytes.
pub const ACCEPT: &str =
    ".png,.jpg,.jpeg,.webp,.pdf,image/png,image/jpeg,image/webp,application/pdf";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptKind {
    Png,
    Jpeg,
    Webp,
    Pdf,
}

impl ReceiptKind {
    /// Recognises the file from its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some(Self::Webp),
            [b'%', b'P', b'D', b'F', b'-', ..] => Some(Self::Pdf),
            _ => None,
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }

    pub const fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::Webp, Self::Pdf]
            .into_iter()
            .find(|k| k.extension() == ext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_recognised_by_its_magic_bytes() {
        assert_eq!(
            ReceiptKind::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ReceiptKind::Png)
        );
        assert_eq!(
            ReceiptKind::sniff(b"\xff\xd8\xff\xe0rest"),
            Some(ReceiptKind::Jpeg)
        );
        assert_eq!(
            ReceiptKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(ReceiptKind::Webp)
        );
        assert_eq!(ReceiptKind::sniff(b"%PDF-1.7\n"), Some(ReceiptKind::Pdf));
    }

    #[test]
    fn other_bytes_are_not_receipts() {
        for bytes in [
            &b""[..],
            b"GIF89a",
            b"<svg/>",
            b"RIFF\0\0\0\0WAVE",
            b"\x89PNG",
            b"PK\x03\x04",
        ] {
            assert_eq!(ReceiptKind::sniff(bytes), None);
        }
    }
}
