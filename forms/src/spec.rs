//! The one definition of each form: every field, its Spanish texts and its rules.
//!
//! [`crate::render`] turns these into HTML attributes and [`crate::validate`]
//! enforces the very same values, so the two cannot drift apart.

use crate::Amount;
use crate::config::{Choice, FormsConfig};
use crate::receipt::{ACCEPT, MAX_RECEIPT_BYTES};
use crate::text::{SAFE_LINE, SAFE_TEXT};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FormId {
    #[serde(rename = "reporte-de-pago")]
    PaymentReport,
    #[serde(rename = "ticket")]
    Ticket,
}

impl FormId {
    pub const ALL: [Self; 2] = [Self::PaymentReport, Self::Ticket];

    /// The name used in the Markdown directive `{{ formulario("…") }}`.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::PaymentReport => "reporte-de-pago",
            Self::Ticket => "ticket",
        }
    }

    /// Prefix of the field ids in the rendered form, short because every
    /// field repeats it in `id`, `for` and `aria-describedby`.
    pub const fn id_prefix(self) -> &'static str {
        match self {
            Self::PaymentReport => "pago",
            Self::Ticket => "ticket",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// The API route (below the API base URL) the form posts to.
    pub const fn endpoint(self) -> &'static str {
        match self {
            Self::PaymentReport => "reportes-de-pago",
            Self::Ticket => "tickets",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Self::PaymentReport => "Formulario de reporte de pago",
            Self::Ticket => "Formulario para abrir un ticket",
        }
    }

    pub const fn submit_label(self) -> &'static str {
        match self {
            Self::PaymentReport => "Enviar reporte de pago",
            Self::Ticket => "Enviar ticket",
        }
    }

    /// What the customer reads once the submission is stored.
    pub const fn received_message(self) -> &'static str {
        match self {
            Self::PaymentReport => "Recibimos su reporte de pago.",
            Self::Ticket => "Recibimos su ticket.",
        }
    }

    pub fn fields(self, config: &FormsConfig) -> Vec<Field> {
        match self {
            Self::PaymentReport => payment_report_fields(config),
            Self::Ticket => ticket_fields(config),
        }
    }
}

/// Field names are part of the HTTP interface: the pages post them and the
/// function reads them.
pub mod names {
    pub const NAME: &str = "nombre";
    pub const EMAIL: &str = "correo";
    pub const ORDERS: &str = "ordenes";
    pub const AMOUNT: &str = "monto";
    pub const CURRENCY: &str = "moneda";
    pub const METHOD: &str = "metodo";
    pub const DESTINATION_BANK: &str = "banco_destino";
    pub const DATE: &str = "fecha";
    pub const REFERENCE: &str = "referencia";
    pub const ORIGIN_BANK: &str = "banco_origen";
    pub const RECEIPT: &str = "comprobante";
    pub const WANTS_INVOICE: &str = "factura_fisica";
    pub const SHIPPING_ADDRESS: &str = "direccion_envio";
    pub const DEPARTMENT: &str = "departamento";
    pub const SUBJECT: &str = "asunto";
    pub const MESSAGE: &str = "mensaje";
    pub const ATTACHMENT: &str = "adjunto";
    /// Honeypot: hidden from people, filled in by bots.
    pub const HONEYPOT: &str = "sitio_web";
    /// Set by the page's script: milliseconds between showing the form and
    /// submitting it. Measured on the client alone, so clock skew cannot matter.
    pub const FILL_TIME: &str = "tiempo_de_llenado";
    /// Set by the page's script once per form; a resubmission reuses it.
    pub const IDEMPOTENCY: &str = "idempotencia";
}

/// `local@domain.tld`: the WHATWG e-mail grammar (what `type=email` checks)
/// plus a dot in the domain, which the browser checks through `pattern`.
pub const EMAIL_PATTERN: &str = r"[a-zA-Z0-9.!#$%&'*+\/=?\^_`\{\|\}~\-]+@[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)+";
/// The longest address SMTP can carry.
pub const EMAIL_MAX_LENGTH: usize = 254;
/// One to twenty order numbers separated by commas or spaces.
pub const ORDERS_PATTERN: &str = r"[1-9][0-9]{0,9}([ ,;]+[1-9][0-9]{0,9}){0,19}";
/// A bank reference: letters, digits and hyphens.
pub const REFERENCE_PATTERN: &str = r"[A-Za-z0-9\-]{4,30}";
/// Idempotency keys the page's script generates (UUID v4).
pub const IDEMPOTENCY_PATTERN: &str =
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    /// Spanish help shown under the label.
    pub help: Option<String>,
    pub control: Control,
    pub required: Required,
    /// Shown when a required field is empty.
    pub missing: &'static str,
    /// Shown when the value breaks the field's format.
    pub invalid: &'static str,
}

#[derive(Debug, Clone)]
pub enum Control {
    Text(TextRules),
    TextArea(TextRules),
    /// Money, typed the Spanish or the plain way; at most `max`.
    Amount {
        max: Amount,
    },
    Select(Vec<Choice>),
    /// A calendar date no later than today and no older than `max_age_days`.
    Date {
        max_age_days: u16,
    },
    Checkbox,
    File {
        accept: &'static str,
        max_bytes: usize,
    },
    /// A text field people never see; anything in it marks the submission as spam.
    Honeypot,
    /// Filled in by the page's script.
    Hidden {
        pattern: &'static str,
    },
}

#[derive(Debug, Clone)]
pub struct TextRules {
    pub input_type: &'static str,
    pub pattern: &'static str,
    pub min_length: Option<usize>,
    pub max_length: usize,
    pub inputmode: Option<&'static str>,
    pub autocomplete: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    Always,
    Optional,
    /// Required when the select `field` has one of `values`; otherwise not sent.
    WhenOneOf {
        field: &'static str,
        values: Vec<String>,
    },
    /// Required when the checkbox `field` is ticked; otherwise not sent.
    WhenChecked {
        field: &'static str,
    },
}

/// The most characters an amount may have.
pub const AMOUNT_MAX_LENGTH: usize = 20;

/// The value a ticked checkbox submits.
pub const CHECKED: &str = "si";

fn text(
    pattern: &'static str,
    min: Option<usize>,
    max: usize,
    autocomplete: &'static str,
) -> TextRules {
    TextRules {
        input_type: "text",
        pattern,
        min_length: min,
        max_length: max,
        inputmode: None,
        autocomplete,
    }
}

fn contact_fields() -> [Field; 2] {
    [
        Field {
            name: names::NAME,
            label: "Nombre y apellido",
            help: None,
            control: Control::Text(text(SAFE_LINE, Some(2), 100, "name")),
            required: Required::Always,
            missing: "Indique su nombre y apellido.",
            invalid: "Escriba su nombre sin caracteres de control (entre 2 y 100 caracteres).",
        },
        Field {
            name: names::EMAIL,
            label: "Correo electrónico",
            help: Some("Le escribiremos a esta dirección sobre su solicitud.".into()),
            control: Control::Text(TextRules {
                input_type: "email",
                inputmode: Some("email"),
                ..text(EMAIL_PATTERN, None, EMAIL_MAX_LENGTH, "email")
            }),
            required: Required::Always,
            missing: "Indique su correo electrónico.",
            invalid: "Escriba un correo electrónico válido, por ejemplo nombre@dominio.com.",
        },
    ]
}

fn file_field(name: &'static str, label: &'static str, help: &str) -> Field {
    Field {
        name,
        label,
        help: Some(format!(
            "{help} Formatos aceptados: PNG, JPEG, WebP o PDF, de hasta {} MB.",
            MAX_RECEIPT_BYTES / (1024 * 1024)
        )),
        control: Control::File {
            accept: ACCEPT,
            max_bytes: MAX_RECEIPT_BYTES,
        },
        required: Required::Optional,
        missing: "",
        invalid: "Adjunte una imagen PNG, JPEG o WebP, o un PDF, de hasta 4 MB.",
    }
}

fn anti_spam_fields() -> [Field; 3] {
    // Hidden values only tune spam and duplicate detection: a bad one is
    // ignored rather than shown to a person who cannot fix it.
    let hidden = |name, pattern| Field {
        name,
        label: "",
        help: None,
        control: Control::Hidden { pattern },
        required: Required::Optional,
        missing: "",
        invalid: "",
    };
    [
        Field {
            name: names::HONEYPOT,
            label: "Deje este campo vacío",
            help: None,
            control: Control::Honeypot,
            required: Required::Optional,
            missing: "",
            invalid: "",
        },
        hidden(names::FILL_TIME, "[0-9]{1,12}"),
        hidden(names::IDEMPOTENCY, IDEMPOTENCY_PATTERN),
    ]
}

fn payment_report_fields(config: &FormsConfig) -> Vec<Field> {
    let [name, email] = contact_fields();
    let mut fields = vec![
        Field {
            name: names::ORDERS,
            label: "Nro. de orden del servicio",
            help: Some(
                "El número que identifica cada servicio en la sección Órdenes. Si paga varios, sepárelos con comas."
                    .into(),
            ),
            // No `inputmode="numeric"`: phone keypads it brings up lack the comma
            // that separates several orders.
            control: Control::Text(text(ORDERS_PATTERN, None, 250, "off")),
            required: Required::Always,
            missing: "Indique el número de orden del servicio que pagó.",
            invalid: "Escriba solo números de orden separados por comas, por ejemplo 10452, 10453.",
        },
        Field {
            name: names::AMOUNT,
            label: "Monto",
            help: Some(format!(
                "Use coma para los decimales, por ejemplo 1.234,56. Máximo {}.",
                config.max_amount
            )),
            control: Control::Amount { max: config.max_amount },
            required: Required::Always,
            missing: "Indique el monto pagado.",
            invalid: "Escriba el monto con números, por ejemplo 1.234,56.",
        },
    ];
    if config.currencies.len() > 1 {
        fields.push(Field {
            name: names::CURRENCY,
            label: "Moneda",
            help: None,
            control: Control::Select(
                config
                    .currencies
                    .iter()
                    .map(|c| Choice {
                        value: c.clone(),
                        label: c.clone(),
                    })
                    .collect(),
            ),
            required: Required::Always,
            missing: "Elija la moneda del pago.",
            invalid: "Elija una de las monedas de la lista.",
        });
    }
    fields.extend([
        Field {
            name: names::METHOD,
            label: "Método de pago",
            help: None,
            control: Control::Select(
                config
                    .payment_methods
                    .iter()
                    .map(|m| Choice { value: m.value.clone(), label: m.label.clone() })
                    .collect(),
            ),
            required: Required::Always,
            missing: "Elija el método de pago.",
            invalid: "Elija uno de los métodos de pago de la lista.",
        },
        Field {
            name: names::DESTINATION_BANK,
            label: "Banco destino",
            help: Some("La cuenta de la empresa en la que hizo el pago.".into()),
            control: Control::Select(config.destination_banks.clone()),
            required: Required::Always,
            missing: "Elija el banco en el que hizo el pago.",
            invalid: "Elija uno de los bancos de la lista.",
        },
        Field {
            name: names::DATE,
            label: "Fecha del pago",
            help: Some(format!(
                "No puede ser una fecha futura ni de hace más de {} días.",
                config.max_payment_age_days
            )),
            control: Control::Date { max_age_days: config.max_payment_age_days },
            required: Required::Always,
            missing: "Indique la fecha del pago.",
            invalid: "Indique una fecha válida: no futura ni demasiado antigua.",
        },
        Field {
            name: names::REFERENCE,
            label: "Nro. de depósito o transferencia",
            help: Some("Tal como aparece en el comprobante: letras, números o guiones, sin espacios.".into()),
            control: Control::Text(text(REFERENCE_PATTERN, Some(4), 30, "off")),
            required: Required::Always,
            missing: "Indique el número del depósito o de la transferencia.",
            invalid: "Escriba entre 4 y 30 letras, números o guiones, sin espacios.",
        },
        Field {
            name: names::ORIGIN_BANK,
            label: "Banco de origen",
            help: Some("Solo si pagó por transferencia: el banco desde el que la hizo.".into()),
            control: Control::Text(text(SAFE_LINE, Some(2), 60, "off")),
            required: Required::WhenOneOf {
                field: names::METHOD,
                values: config.transfer_values().map(str::to_owned).collect(),
            },
            missing: "Indique el banco desde el que hizo la transferencia.",
            invalid: "Escriba el nombre del banco (entre 2 y 60 caracteres).",
        },
        file_field(
            names::RECEIPT,
            "Comprobante (opcional)",
            "Una captura de pantalla de la transferencia o un escaneo del depósito.",
        ),
        Field {
            name: names::WANTS_INVOICE,
            label: "Deseo recibir la factura fiscal en físico",
            help: Some(
                "Solo si añadió a su orden el adicional de envío de factura fiscal y lo pagó; si no lo incluyó, \
                 haga una orden adicional con el envío. No realizamos envíos con cobro en destino."
                    .into(),
            ),
            control: Control::Checkbox,
            required: Required::Optional,
            missing: "",
            invalid: "Marque la casilla o déjela sin marcar.",
        },
        Field {
            name: names::SHIPPING_ADDRESS,
            label: "Dirección de envío de la factura",
            help: Some("Dirección exacta y completa: calle, edificio o casa, ciudad, estado y código postal.".into()),
            control: Control::TextArea(text(SAFE_TEXT, Some(20), 300, "street-address")),
            required: Required::WhenChecked { field: names::WANTS_INVOICE },
            missing: "Indique la dirección completa a la que enviaremos la factura.",
            invalid: "Escriba la dirección completa (entre 20 y 300 caracteres).",
        },
        name,
        email,
    ]);
    fields.extend(anti_spam_fields());
    fields
}

fn ticket_fields(config: &FormsConfig) -> Vec<Field> {
    let [name, email] = contact_fields();
    let mut fields = vec![
        name,
        email,
        Field {
            name: names::DEPARTMENT,
            label: "Departamento",
            help: None,
            control: Control::Select(config.departments.clone()),
            required: Required::Always,
            missing: "Elija el departamento.",
            invalid: "Elija uno de los departamentos de la lista.",
        },
        Field {
            name: names::SUBJECT,
            label: "Asunto",
            help: None,
            control: Control::Text(text(SAFE_LINE, Some(5), 120, "off")),
            required: Required::Always,
            missing: "Escriba el asunto del ticket.",
            invalid: "Escriba un asunto de entre 5 y 120 caracteres.",
        },
        Field {
            name: names::MESSAGE,
            label: "Mensaje",
            help: Some("Describa su consulta con el mayor detalle posible.".into()),
            control: Control::TextArea(text(SAFE_TEXT, Some(20), 5000, "off")),
            required: Required::Always,
            missing: "Escriba su mensaje.",
            invalid: "Escriba un mensaje de entre 20 y 5000 caracteres.",
        },
        file_field(
            names::ATTACHMENT,
            "Archivo adjunto (opcional)",
            "Una captura o un documento que ayude a entender el caso.",
        ),
    ];
    fields.extend(anti_spam_fields());
    fields
}
