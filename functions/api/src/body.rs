//! Reading a form submission from the request body, with limits enforced
//! while streaming so an oversized upload is refused before it is buffered.

use axum::body::Body;
use futures_util::TryStreamExt;
use help_forms::{MAX_RECEIPT_BYTES, RawFile, RawSubmission};
use http::{HeaderMap, header};

/// The receipt plus room for the other fields; base64-encoded by API
/// Gateway it still fits Lambda's 6 MB synchronous request limit.
pub const MAX_BODY_BYTES: usize = MAX_RECEIPT_BYTES + 256 * 1024;
/// More parts than any form has, with room for a few unknown ones.
const MAX_PARTS: usize = 40;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The body, or the file in `field`, is over the limit.
    #[error("cuerpo demasiado grande")]
    TooLarge { field: Option<String> },
    #[error("formato no admitido")]
    UnsupportedType,
    #[error("formulario dañado: {0}")]
    Malformed(String),
}

pub async fn read_submission(headers: &HeaderMap, body: Body) -> Result<RawSubmission, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(BodyError::TooLarge { field: None });
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "multipart/form-data" => {
            let boundary = multer::parse_boundary(content_type)
                .map_err(|e| BodyError::Malformed(e.to_string()))?;
            read_multipart(body, boundary).await
        }
        "application/x-www-form-urlencoded" => read_urlencoded(body).await,
        _ => Err(BodyError::UnsupportedType),
    }
}

pub async fn read_urlencoded(body: Body) -> Result<RawSubmission, BodyError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| BodyError::TooLarge { field: None })?;
    let mut fields = Vec::new();
    for (name, value) in form_urlencoded::parse(&bytes) {
        // The decoder replaces invalid UTF-8 with U+FFFD; nobody types that.
        if name.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
            return Err(BodyError::Malformed("UTF-8 no válido".into()));
        }
        if fields.len() == MAX_PARTS {
            return Err(BodyError::Malformed("demasiados campos".into()));
        }
        fields.push((name.into_owned(), value.into_owned()));
    }
    Ok(RawSubmission {
        fields,
        files: Vec::new(),
    })
}

async fn read_multipart(body: Body, boundary: String) -> Result<RawSubmission, BodyError> {
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(MAX_BODY_BYTES as u64)
            .per_field(MAX_RECEIPT_BYTES as u64),
    );
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, limits);
    let mut raw = RawSubmission::default();
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(multer_error)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(BodyError::Malformed("demasiados campos".into()));
        }
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(multer_error)?;
        match file_name {
            Some(file_name) => raw.files.push(RawFile {
                field: name,
                file_name,
                bytes,
            }),
            None => {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| BodyError::Malformed(format!("UTF-8 no válido en {name}")))?;
                raw.fields.push((name, text));
            }
        }
    }
    Ok(raw)
}

fn multer_error(error: multer::Error) -> BodyError {
    match error {
        multer::Error::FieldSizeExceeded { field_name, .. } => {
            BodyError::TooLarge { field: field_name }
        }
        multer::Error::StreamSizeExceeded { .. } => BodyError::TooLarge { field: None },
        other => BodyError::Malformed(other.to_string()),
    }
}
