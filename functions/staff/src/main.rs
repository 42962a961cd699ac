//! `ayuda-staff`: what the staff need to act on tickets, on the same storage
//! as the form function: the local store (`--data-dir`) or S3 + DynamoDB
//! when `RECEIPTS_BUCKET` and `TICKETS_TABLE` are set.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use form_api::Store;
use form_api::StoreError;
use form_api::store::{Status, StatusChange, Ticket, TicketNumber};
use help_forms::FormsConfig;
use help_forms::spec::Control;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use time::format_description::well_known::Rfc3339;

/// Herramienta del personal: consultar tickets y comprobantes.
#[derive(Parser)]
#[command(name = "ayuda-staff", version, about)]
struct Cli {
    /// Carpeta del almacenamiento local (si no se usa AWS).
    #[arg(long, global = true, default_value = "data", value_name = "DIR")]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Muestra todos los datos de un ticket tal como se enviaron.
    Show {
        numero: u64,
        /// Salida JSON para scripts.
        #[arg(long)]
        json: bool,
    },
    /// Guarda el comprobante de un ticket en un archivo o, con AWS, da un
    /// enlace de descarga firmado que vence en unos minutos.
    Receipt {
        numero: u64,
        #[arg(
            long,
            value_name = "ARCHIVO",
            required_unless_present = "url",
            conflicts_with = "url"
        )]
        salida: Option<PathBuf>,
        /// Imprime un enlace de descarga firmado (solo con S3).
        #[arg(long)]
        url: bool,
        /// Minutos de validez del enlace.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60), requires = "url")]
        minutos: u64,
    },
    /// Lista los tickets por atender (todos menos los cerrados), los más
    /// recientes primero.
    List {
        /// Solo los de este estado (cerrado incluido).
        #[arg(long, value_enum, conflicts_with = "todos")]
        estado: Option<StatusArg>,
        /// También los cerrados.
        #[arg(long)]
        todos: bool,
        /// Solo reportes de pago o solo tickets.
        #[arg(long, value_parser = ["reporte-de-pago", "ticket"])]
        tipo: Option<String>,
        /// Solo los creados desde esta fecha (AAAA-MM-DD).
        #[arg(long, value_name = "FECHA")]
        desde: Option<String>,
        /// Incluir los marcados como spam.
        #[arg(long)]
        spam: bool,
        #[arg(long)]
        json: bool,
    },
    /// Cambia el estado de un ticket; el mensaje lo verá el cliente.
    Status {
        numero: u64,
        #[arg(value_enum)]
        estado: StatusArg,
        #[arg(long)]
        mensaje: Option<String>,
    },
    /// Borra los comprobantes de envíos que quedaron a medias (sin ticket)
    /// porque el proceso se interrumpió y el cliente no volvió a enviarlos.
    Limpiar {
        /// Solo los envíos pendientes desde hace más de estos minutos (al menos 1).
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(i64).range(1..))]
        minutos: i64,
    },
    /// Votos de "¿Fue útil la respuesta?" por artículo, los peores primero.
    Votes {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum StatusArg {
    Abierto,
    EnRevision,
    Respondido,
    Cerrado,
}

impl From<StatusArg> for Status {
    fn from(arg: StatusArg) -> Self {
        match arg {
            StatusArg::Abierto => Self::Open,
            StatusArg::EnRevision => Self::InReview,
            StatusArg::Respondido => Self::Answered,
            StatusArg::Cerrado => Self::Closed,
        }
    }
}

/// The form options, for the Spanish labels of what was chosen.
const SITE_TOML: &str = include_str!("../../../site.toml");

/// The storage the function writes to; the same rule picks it here.
enum Backend {
    Local(form_api::LocalStore),
    Aws(form_api_aws::AwsStore),
}

impl Backend {
    fn store(&self) -> &dyn Store {
        match self {
            Self::Local(store) => store,
            Self::Aws(store) => store,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let non_empty = |name| std::env::var(name).is_ok_and(|v| !v.is_empty());
    let backend = if non_empty("RECEIPTS_BUCKET") {
        Backend::Aws(form_api_aws::AwsStore::from_env().await?)
    } else {
        Backend::Local(form_api::LocalStore::open(&cli.data_dir)?)
    };
    let store = backend.store();
    match cli.command {
        Command::Show { numero, json } => {
            let ticket = find(store, numero).await?;
            let receipt = match &ticket.receipt {
                Some(r) => store.receipt(r).await?,
                None => None,
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&as_json(&ticket, receipt.as_deref()))?
                );
            } else {
                let forms = form_api::site_forms(SITE_TOML)?;
                print!("{}", as_text(&ticket, receipt.as_deref(), &forms));
            }
        }
        Command::Receipt {
            numero,
            salida,
            url,
            minutos,
        } => {
            let ticket = find(store, numero).await?;
            let Some(reference) = &ticket.receipt else {
                bail!("el ticket {numero} no tiene comprobante")
            };
            match (salida, &backend) {
                (Some(salida), _) => {
                    let bytes = store
                        .receipt(reference)
                        .await?
                        .with_context(|| format!("falta el comprobante {}", reference.key))?;
                    std::fs::write(&salida, &bytes)
                        .with_context(|| format!("no se pudo escribir {}", salida.display()))?;
                    println!(
                        "Comprobante del ticket {numero} guardado en {} ({} bytes)",
                        salida.display(),
                        bytes.len()
                    );
                }
                (None, Backend::Aws(aws)) if url => {
                    let valid_for = std::time::Duration::from_secs(minutos * 60);
                    println!("{}", aws.presigned_receipt_url(reference, valid_for).await?);
                }
                (None, _) => bail!(
                    "--url solo funciona con S3 (RECEIPTS_BUCKET); en el almacenamiento local use --salida ARCHIVO"
                ),
            }
        }
        Command::List {
            estado,
            todos,
            tipo,
            desde,
            spam,
            json,
        } => {
            let since = desde
                .map(|d| {
                    time::Date::parse(
                        &d,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )
                })
                .transpose()
                .context("--desde debe ser una fecha AAAA-MM-DD")?;
            let mut tickets: Vec<Ticket> = store
                .tickets()
                .await?
                .into_iter()
                .filter(|t| match estado {
                    Some(e) => t.status == Status::from(e),
                    None => todos || t.status != Status::Closed,
                })
                .filter(|t| tipo.as_deref().is_none_or(|k| t.form.slug() == k))
                .filter(|t| since.is_none_or(|d| t.created_at.date() >= d))
                .filter(|t| spam || t.spam.is_none())
                .collect();
            tickets.sort_by(|a, b| {
                b.created_at
                    .cmp(&a.created_at)
                    .then(b.number.cmp(&a.number))
            });
            if json {
                let list: Vec<_> = tickets.iter().map(|t| as_json(t, None)).collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                print!("{}", table(&tickets));
            }
        }
        Command::Status {
            numero,
            estado,
            mensaje,
        } => {
            let ticket = find(store, numero).await?;
            let change = StatusChange {
                at: time::OffsetDateTime::now_utc(),
                status: estado.into(),
                message: mensaje
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty()),
            };
            match store
                .set_status(ticket.number, ticket.version, &change)
                .await
            {
                Ok(()) => println!(
                    "Ticket {numero}: {} → {}",
                    ticket.status.label(),
                    change.status.label()
                ),
                Err(StoreError::Conflict(_)) => {
                    bail!(
                        "otra persona cambió el ticket {numero} al mismo tiempo; revíselo con `show` y repita"
                    )
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Limpiar { minutos } => {
            let done = form_api::submit::sweep(
                store,
                time::OffsetDateTime::now_utc(),
                time::Duration::minutes(minutos),
            )
            .await?;
            println!(
                "Envíos a medias liberados: {}; comprobantes huérfanos borrados: {}",
                done.claims_released, done.receipts_deleted
            );
        }
        Command::Votes { json } => {
            let mut votes = store.all_votes().await?;
            // Most negative first: what writers should fix.
            votes.sort_by_key(|v| {
                (
                    std::cmp::Reverse(v.no as i64 - v.yes as i64),
                    v.article.clone(),
                )
            });
            if json {
                println!("{}", serde_json::to_string_pretty(&votes)?);
            } else {
                println!("{:<64} {:>5} {:>5}", "ARTÍCULO", "SÍ", "NO");
                for v in &votes {
                    println!("{:<64} {:>5} {:>5}", v.article, v.yes, v.no);
                }
            }
        }
    }
    Ok(())
}

fn table(tickets: &[Ticket]) -> String {
    let mut out = format!(
        "{:>7}  {:<16}  {:<12}  {:<11}  {}\n",
        "NÚMERO", "TIPO", "ESTADO", "FECHA", "RESUMEN"
    );
    for t in tickets {
        out.push_str(&format!(
            "{:>7}  {:<16}  {:<12}  {:<11}  {}{}\n",
            t.number,
            t.form.slug(),
            t.status.label(),
            t.created_at.date(),
            t.summary,
            if t.spam.is_some() { "  [spam]" } else { "" }
        ));
    }
    out
}

/// The stored details under the form's own Spanish labels, with the
/// options' labels instead of their values; the fields the customer did not
/// fill in are left out.
fn details_text(ticket: &Ticket, forms: &FormsConfig) -> String {
    let Ok(serde_json::Value::Object(details)) = serde_json::to_value(&ticket.details) else {
        return String::new();
    };
    let mut out = String::new();
    for field in ticket.form.fields(forms) {
        let Some(value) = details.get(field.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let text = match value {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        let text = match &field.control {
            Control::Select(choices) => choices
                .iter()
                .find(|c| c.value == text)
                .map_or(text, |c| c.label.clone()),
            _ => text,
        };
        out.push_str(&format!("{}: {text}\n", field.label));
    }
    out
}

async fn find(store: &dyn Store, number: u64) -> anyhow::Result<Ticket> {
    store
        .ticket(TicketNumber(number))
        .await?
        .with_context(|| format!("no existe el ticket {number}"))
}

fn as_json(ticket: &Ticket, receipt: Option<&[u8]>) -> serde_json::Value {
    json!({
        "numero": ticket.number.0,
        "formulario": ticket.form.slug(),
        "estado": ticket.status.label(),
        "mensaje_estado": ticket.status_message,
        "fecha": ticket.created_at.format(&Rfc3339).unwrap_or_default(),
        "nombre": ticket.name,
        "correo": ticket.email,
        "resumen": ticket.summary,
        "detalles": ticket.details,
        "comprobante": ticket.receipt.as_ref().map(|r| json!({
            "tipo": r.kind,
            "bytes": r.size,
            "sha256": receipt.map(|b| hex::encode(Sha256::digest(b))),
        })),
        "spam": ticket.spam,
        "historial": ticket.history,
    })
}

fn as_text(ticket: &Ticket, receipt: Option<&[u8]>, forms: &FormsConfig) -> String {
    let mut out = format!(
        "Ticket {}  ({})\nEstado: {}\nFecha: {}\nNombre: {}\nCorreo: {}\nResumen: {}\n",
        ticket.number,
        ticket.form.slug(),
        ticket.status.label(),
        ticket.created_at,
        ticket.name,
        ticket.email,
        ticket.summary
    );
    out.push_str(&details_text(ticket, forms));
    match (&ticket.receipt, receipt) {
        (Some(r), Some(_)) => out.push_str(&format!(
            "Comprobante: {} ({} bytes)\n",
            r.kind.content_type(),
            r.size
        )),
        (Some(r), None) => out.push_str(&format!("Comprobante: FALTA {}\n", r.key)),
        (None, _) => out.push_str("Comprobante: ninguno\n"),
    }
    if ticket.spam.is_some() {
        out.push_str("Marcado como spam\n");
    }
    for change in &ticket.history {
        out.push_str(&format!(
            "{}: {}{}\n",
            change.at.format(&Rfc3339).unwrap_or_default(),
            change.status.label(),
            change
                .message
                .as_deref()
                .map(|m| format!(" — {m}"))
                .unwrap_or_default()
        ));
    }
    out
}
