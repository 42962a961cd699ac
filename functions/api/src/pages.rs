//! The few HTML pages the function answers itself, for browsers without
//! JavaScript: the received/status page of a ticket and error pages.
//! Self-contained (one hashed inline style), so they need nothing from the
//! static site and satisfy a strict Content-Security-Policy.

use crate::store::Ticket;
use axum::response::{IntoResponse, Response};
use help_forms::render::escape;
use http::{HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const STYLE: &str = "body{font:1.05rem/1.6 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1.5rem;color:#1f2933}\
h1{font-size:1.6rem;line-height:1.25}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}\
dt{font-weight:600}dd{margin:0}.aviso{padding:.75rem 1rem;border-left:4px solid #1f7a3a;background:#e8f5ec}\
.errores{padding:.75rem 1rem;border-left:4px solid #b3261e;background:#fdecea}a{color:#1a4fa0}";

static CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    use std::fmt::Write;
    let digest = Sha256::digest(STYLE.as_bytes());
    let mut b64 = String::new();
    let _ = write!(b64, "{}", Base64(&digest));
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'sha256-{b64}'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
});

/// Standard base64 of a digest, for the CSP hash.
struct Base64<'a>(&'a [u8]);

impl std::fmt::Display for Base64<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for chunk in self.0.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    let index = (n >> (18 - 6 * i)) & 63;
                    write!(f, "{}", ALPHABET[index as usize] as char)?;
                } else {
                    f.write_str("=")?;
                }
            }
        }
        Ok(())
    }
}

pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>\n",
        title = escape(title)
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CONTENT_SECURITY_POLICY, CSP.clone());
    // The status URL carries the access key: never leak it.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn ticket(ticket: &Ticket, just_received: bool, site_url: &str) -> Response {
    let received = if just_received {
        format!(
            "<p class=\"aviso\" role=\"status\">{} Su número de ticket es <strong>{}</strong>. \
             Guarde esta página en sus marcadores: su dirección es la clave para consultar el estado.</p>",
            escape(ticket.form.received_message()),
            ticket.number
        )
    } else {
        String::new()
    };
    let message = ticket
        .status_message
        .as_deref()
        .map(|m| format!("<dt>Mensaje</dt><dd>{}</dd>", escape(m)))
        .unwrap_or_default();
    let body = format!(
        "{received}<dl><dt>Número</dt><dd>{number}</dd><dt>Estado</dt><dd class=\"estado\">{status}</dd>\
         <dt>Fecha</dt><dd>{date}</dd><dt>Resumen</dt><dd>{summary}</dd>{message}</dl>\
         <p><a href=\"{site}/\">Volver al centro de ayuda</a></p>",
        number = ticket.number,
        status = ticket.status.label(),
        date = spanish_date(ticket.created_at),
        summary = escape(&ticket.summary),
        site = escape(site_url),
    );
    page(StatusCode::OK, &format!("Ticket {}", ticket.number), &body)
}

pub fn not_found(site_url: &str) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Ticket no encontrado",
        &format!(
            "<p>No encontramos un ticket con ese número y clave. Revise que el enlace esté completo.</p>\
             <p><a href=\"{}/consultar-ticket/\">Consultar otro ticket</a></p>",
            escape(site_url)
        ),
    )
}

/// The errors of a form posted without JavaScript, each with its field label.
pub fn field_errors(errors: &[(String, String)], back: &str) -> Response {
    let items: String = errors
        .iter()
        .map(|(label, message)| {
            format!(
                "<li><strong>{}</strong>: {}</li>",
                escape(label),
                escape(message)
            )
        })
        .collect();
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Revise los datos del formulario",
        &format!(
            "<div class=\"errores\" role=\"alert\"><ul>{items}</ul></div>\
             <p>Use el botón <strong>Atrás</strong> de su navegador para volver al formulario sin perder lo que escribió, \
             o <a href=\"{}\">vuelva a la página del formulario</a>.</p>",
            escape(back)
        ),
    )
}

pub fn message(status: StatusCode, title: &str, text: &str, back: &str) -> Response {
    page(
        status,
        title,
        &format!(
            "<p>{}</p><p><a href=\"{}\">Volver</a></p>",
            escape(text),
            escape(back)
        ),
    )
}

pub fn spanish_date(t: time::OffsetDateTime) -> String {
    const MONTHS: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    format!(
        "{} de {} de {}",
        t.day(),
        MONTHS[usize::from(u8::from(t.month())) - 1],
        t.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(Base64(b"").to_string(), "");
        assert_eq!(Base64(b"f").to_string(), "Zg==");
        assert_eq!(Base64(b"fo").to_string(), "Zm8=");
        assert_eq!(Base64(b"foobar").to_string(), "Zm9vYmFy");
    }

    #[test]
    fn dates_read_in_spanish() {
        assert_eq!(
            spanish_date(time::macros::datetime!(2026-03-05 10:00 UTC)),
            "5 de marzo de 2026"
        );
    }
}
