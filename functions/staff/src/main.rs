//! `ayuda-staff`: what the staff need to act on tickets, on the same storage
//! as the form function: the local store (`--data-dir`) or S3 + DynamoDB
//! when `RECEIPTS_BUCKET` and `TICKETS_TABLE` are set.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use form_api::Store;
use form_api::store::{Ticket, TicketNumber};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
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
    /// Guarda el comprobante de un ticket en un archivo.
    Receipt {
        numero: u64,
        #[arg(long, value_name = "ARCHIVO")]
        salida: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let store: Arc<dyn Store> = if std::env::var("RECEIPTS_BUCKET").is_ok() {
        Arc::new(form_api_aws::AwsStore::from_env().await?)
    } else {
        Arc::new(form_api::LocalStore::open(&cli.data_dir)?)
    };
    match cli.command {
        Command::Show { numero, json } => {
            let ticket = find(store.as_ref(), numero).await?;
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
                print!("{}", as_text(&ticket, receipt.as_deref()));
            }
        }
        Command::Receipt { numero, salida } => {
            let ticket = find(store.as_ref(), numero).await?;
            let Some(reference) = &ticket.receipt else {
                bail!("el ticket {numero} no tiene comprobante")
            };
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
    }
    Ok(())
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
    })
}

fn as_text(ticket: &Ticket, receipt: Option<&[u8]>) -> String {
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
    if let Ok(serde_json::Value::Object(details)) = serde_json::to_value(&ticket.details) {
        for (name, value) in details {
            out.push_str(&format!(
                "{name}: {}\n",
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned)
            ));
        }
    }
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
    out
}
