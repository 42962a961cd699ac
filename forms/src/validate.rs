//! Server-side enforcement of the form definitions in [`crate::spec`].
//!
//! [`validate`] checks every field against the same rules the HTML carries,
//! reports every error at once, and parses the values into types that cannot
//! hold bad values.

use crate::amount::{AMOUNT_PATTERN, Amount};
use crate::checked::{Email, Reference};
use crate::config::FormsConfig;
use crate::receipt::ReceiptKind;
use crate::spec::{AMOUNT_MAX_LENGTH, CHECKED, Control, Field, FormId, Required, names};
use crate::text::{full_match, html_length};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Duration, OffsetDateTime};

/// A submission as it arrived: text fields in order, then file parts.
#[derive(Debug, Clone, Default)]
pub struct RawSubmission {
    pub fields: Vec<(String, String)>,
    pub files: Vec<RawFile>,
}

#[derive(Debug, Clone)]
pub struct RawFile {
    pub field: String,
    pub file_name: String,
    pub bytes: Bytes,
}

/// A validated submission.
#[derive(Debug, Clone)]
pub struct Submission {
    pub form: FormId,
    pub name: String,
    pub email: Email,
    pub details: Details,
    pub attachment: Option<Attachment>,
    /// The key the page's script generated, when it ran.
    pub idempotency_key: Option<String>,
    pub spam: Option<SpamSignal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub kind: ReceiptKind,
    pub bytes: Bytes,
}

/// What distinguishes the two forms; stored as JSON with the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "tipo")]
pub enum Details {
    #[serde(rename = "reporte-de-pago")]
    Payment(PaymentReport),
    #[serde(rename = "ticket")]
    Ticket(TicketRequest),
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentReport {
    pub ordenes: Vec<u64>,
    pub monto: Amount,
    pub moneda: String,
    pub metodo: String,
    pub banco_destino: String,
    #[serde(with = "iso_date")]
    pub fecha: Date,
    pub referencia: Reference,
    pub banco_origen: Option<String>,
    /// Present when the customer asked for the printed fiscal invoice.
    pub direccion_envio: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRequest {
    pub departamento: String,
    pub asunto: String,
    pub mensaje: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpamSignal {
    /// The hidden field people never see was filled in.
    Honeypot,
    /// The form was sent faster than a person can fill it in.
    TooFast,
}

/// Below this, nobody has read the form before sending it.
pub const MIN_FILL_MILLIS: u64 = 3_000;

impl Submission {
    /// A one-line Spanish summary for the status page: no personal data.
    pub fn summary(&self) -> String {
        match &self.details {
            Details::Payment(p) => {
                let orders = p
                    .ordenes
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                let noun = if p.ordenes.len() == 1 {
                    "orden"
                } else {
                    "órdenes"
                };
                format!(
                    "Reporte de pago de {} {} ({noun} {orders})",
                    p.monto, p.moneda
                )
            }
            Details::Ticket(t) => format!("Ticket: {}", t.asunto),
        }
    }
}

/// Every field error of one submission, in form order, in Spanish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    /// `{"campo": "mensaje", …}` for the page's script.
    pub fn to_map(&self) -> BTreeMap<&'static str, &str> {
        self.iter().collect()
    }
}

/// Validates a raw submission of `form` at time `now`.
pub fn validate(
    form: FormId,
    raw: &RawSubmission,
    config: &FormsConfig,
    now: OffsetDateTime,
) -> Result<Submission, FieldErrors> {
    let fields = form.fields(config);
    let mut errors = FieldErrors::default();
    let mut values = Values::default();
    let mut attachment = None;
    let mut spam = None;
    let mut idempotency_key = None;

    for field in &fields {
        let texts: Vec<&str> = raw
            .fields
            .iter()
            .filter(|(n, _)| n == field.name)
            .map(|(_, v)| v.as_str())
            .collect();
        let files: Vec<&RawFile> = raw.files.iter().filter(|f| f.field == field.name).collect();
        if texts.len() + files.len() > 1 {
            errors.push(field.name, "Este campo se envió más de una vez.");
            continue;
        }
        let text = texts.first().copied().unwrap_or("");
        match &field.control {
            Control::Honeypot => {
                if !text.is_empty() {
                    spam = Some(SpamSignal::Honeypot);
                }
            }
            Control::Hidden { pattern } => {
                let valid = (!text.is_empty() && full_match(pattern, text)).then_some(text);
                match field.name {
                    names::FILL_TIME
                        if valid
                            .and_then(|t| t.parse::<u64>().ok())
                            .is_some_and(|ms| ms < MIN_FILL_MILLIS) =>
                    {
                        spam = spam.or(Some(SpamSignal::TooFast));
                    }
                    names::IDEMPOTENCY => idempotency_key = valid.map(str::to_owned),
                    _ => {}
                }
            }
            Control::File { max_bytes, .. } => match files.first() {
                // Browsers send an empty, nameless part when no file was chosen.
                Some(file) if !(file.bytes.is_empty() && file.file_name.is_empty()) => {
                    match check_file(file, *max_bytes) {
                        Ok(kind) => {
                            attachment = Some(Attachment {
                                kind,
                                bytes: file.bytes.clone(),
                            })
                        }
                        Err(message) => errors.push(field.name, message),
                    }
                }
                _ if !text.is_empty() => errors.push(field.name, field.invalid),
                _ => {}
            },
            _ if !files.is_empty() => errors.push(field.name, field.invalid),
            _ => {
                if !applies(field, raw) {
                    continue;
                }
                match check_value(field, text) {
                    Ok(Some(value)) => values.set(field.name, value),
                    Ok(None) => {}
                    Err(message) => errors.push(field.name, message),
                }
            }
        }
    }

    let details = match form {
        FormId::PaymentReport => {
            payment_report(&mut values, &mut errors, config, now).map(Details::Payment)
        }
        FormId::Ticket => Some(Details::Ticket(TicketRequest {
            departamento: values.take(names::DEPARTMENT),
            asunto: values.take(names::SUBJECT),
            mensaje: values.take(names::MESSAGE),
        })),
    };
    // The field's pattern already held, so the typed parse cannot fail.
    let email = values.get(names::EMAIL).and_then(Email::parse);
    match (details, email) {
        (Some(details), Some(email)) if errors.is_empty() => Ok(Submission {
            form,
            name: values.take(names::NAME),
            email,
            details,
            attachment,
            idempotency_key,
            spam,
        }),
        _ => Err(errors),
    }
}

/// Checks one field's submitted text against its rules, the same ones the
/// HTML carries. `Ok(None)`: empty and not required.
pub fn check_value(field: &Field, raw: &str) -> Result<Option<String>, String> {
    // Browsers submit textarea line breaks as CRLF but count them as one
    // character for `maxlength`.
    let normalized = raw.replace("\r\n", "\n");
    let value = normalized.trim();
    if value.is_empty() {
        return match field.required {
            Required::Optional => Ok(None),
            _ => Err(field.missing.to_owned()),
        };
    }
    let invalid = || Err(field.invalid.to_owned());
    match &field.control {
        Control::Text(rules) | Control::TextArea(rules) => {
            let len = html_length(value);
            if len > rules.max_length
                || rules.min_length.is_some_and(|min| len < min)
                || !full_match(rules.pattern, value)
            {
                return invalid();
            }
        }
        Control::Amount { .. } => {
            if html_length(value) > AMOUNT_MAX_LENGTH || !full_match(AMOUNT_PATTERN, value) {
                // The typed parse tells zero apart from other malformed input.
                return Err(value
                    .parse::<Amount>()
                    .err()
                    .map_or_else(|| field.invalid.to_owned(), |e| e.to_string()));
            }
        }
        Control::Select(choices) => {
            if !choices.iter().any(|c| c.value == value) {
                return invalid();
            }
        }
        Control::Checkbox => {
            if value != CHECKED {
                return invalid();
            }
        }
        Control::Date { .. } => {
            if !full_match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) {
                return invalid();
            }
        }
        Control::File { .. } | Control::Honeypot | Control::Hidden { .. } => return invalid(),
    }
    Ok(Some(value.to_owned()))
}

/// Whether a conditional field applies, judged on the raw controlling value.
fn applies(field: &Field, raw: &RawSubmission) -> bool {
    let value_of = |name: &str| {
        raw.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    };
    match &field.required {
        Required::Always | Required::Optional => true,
        Required::WhenOneOf { field, values } => {
            value_of(field).is_some_and(|v| values.iter().any(|x| x == v))
        }
        Required::WhenChecked { field } => value_of(field) == Some(CHECKED),
    }
}

fn check_file(file: &RawFile, max_bytes: usize) -> Result<ReceiptKind, String> {
    if file.bytes.is_empty() {
        return Err("El archivo está vacío. Adjunte el comprobante de nuevo.".into());
    }
    if file.bytes.len() > max_bytes {
        return Err(format!(
            "El archivo pesa más de {} MB. Adjunte una imagen o un PDF más liviano.",
            max_bytes / (1024 * 1024)
        ));
    }
    ReceiptKind::sniff(&file.bytes)
        .ok_or_else(|| "El archivo no es una imagen PNG, JPEG o WebP ni un PDF.".to_owned())
}

fn payment_report(
    values: &mut Values,
    errors: &mut FieldErrors,
    config: &FormsConfig,
    now: OffsetDateTime,
) -> Option<PaymentReport> {
    let orders = values.get(names::ORDERS).map(|text| {
        let mut orders: Vec<u64> = text
            .split([',', ';', ' '])
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        orders.sort_unstable();
        orders.dedup();
        orders
    });
    let amount = values
        .get(names::AMOUNT)
        .and_then(|text| match text.parse::<Amount>() {
            Ok(amount) if amount <= config.max_amount => Some(amount),
            Ok(_) => {
                errors.push(
                    names::AMOUNT,
                    format!("El monto no puede superar {}.", config.max_amount),
                );
                None
            }
            Err(e) => {
                errors.push(names::AMOUNT, e.to_string());
                None
            }
        });
    let date = values.get(names::DATE).and_then(|text| {
        let result = payment_date(text, config.max_payment_age_days, now);
        if let Err(message) = &result {
            errors.push(names::DATE, *message);
        }
        result.ok()
    });
    let reference = values.get(names::REFERENCE).and_then(Reference::parse);
    let currency = match config.currencies.as_slice() {
        [only] => only.clone(),
        _ => values.take(names::CURRENCY),
    };
    Some(PaymentReport {
        ordenes: orders?,
        monto: amount?,
        moneda: currency,
        metodo: values.take(names::METHOD),
        banco_destino: values.take(names::DESTINATION_BANK),
        fecha: date?,
        referencia: reference?,
        banco_origen: values.remove(names::ORIGIN_BANK),
        direccion_envio: values.remove(names::SHIPPING_ADDRESS),
    })
}

/// A payment date: not in the future for anyone and not older than allowed
/// for anyone. The page judges by the customer's own calendar, which runs
/// from 12 hours behind UTC (UTC−12) to 14 hours ahead (UTC+14), so the
/// server accepts every day that is today somewhere.
fn payment_date(text: &str, max_age_days: u16, now: OffsetDateTime) -> Result<Date, &'static str> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, &format)
        .map_err(|_| "Indique una fecha válida, por ejemplo 2026-03-15.")?;
    let latest = (now + Duration::hours(14)).date();
    let earliest = (now - Duration::hours(12)).date() - Duration::days(i64::from(max_age_days));
    if date > latest {
        Err("La fecha del pago no puede ser futura.")
    } else if date < earliest {
        Err(
            "La fecha es demasiado antigua: reporte este pago abriendo un ticket al departamento de Facturación.",
        )
    } else {
        Ok(date)
    }
}

/// Checked field values awaiting typed assembly.
#[derive(Default)]
struct Values(Vec<(&'static str, String)>);

impl Values {
    fn set(&mut self, name: &'static str, value: String) {
        self.0.push((name, value));
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn remove(&mut self, name: &str) -> Option<String> {
        let index = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.swap_remove(index).1)
    }

    /// A required value; only called once its field has no error, and the
    /// empty default is never stored because errors stop the submission.
    fn take(&mut self, name: &str) -> String {
        self.remove(name).unwrap_or_default()
    }
}
