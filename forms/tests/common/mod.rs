//! Shared test fixtures: the forms configuration and a valid submission.
#![allow(dead_code)] // each test binary uses part of it

use help_forms::{FormId, FormsConfig, RawFile, RawSubmission};
use time::OffsetDateTime;
use time::macros::datetime;

pub const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub fn config() -> FormsConfig {
    #[derive(serde::Deserialize)]
    struct File {
        forms: FormsConfig,
    }
    let text = include_str!("../fixtures/forms.toml");
    toml::from_str::<File>(text)
        .expect("fixture config parses")
        .forms
}

/// A submission every rule accepts.
pub fn valid_fields(form: FormId) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = match form {
        FormId::PaymentReport => &[
            ("ordenes", "10452, 10453"),
            ("monto", "1.234,56"),
            ("moneda", "Bs"),
            ("metodo", "transferencia"),
            ("banco_destino", "banesco"),
            ("fecha", "2026-11-25"),
            ("referencia", "ab-0012345"),
            ("banco_origen", "Banco de Venezuela"),
            ("factura_fisica", "si"),
            (
                "direccion_envio",
                "Av. Principal de Las Mercedes, Edificio Sol, piso 3, Caracas 1060",
            ),
            ("nombre", "José Núñez"),
            ("correo", "jose@example.com"),
            ("sitio_web", ""),
            ("tiempo_de_llenado", "45000"),
            ("idempotencia", "0b5c7a36-6a5e-4d4e-9b0c-6d7f9a1e2b3c"),
        ],
        FormId::Ticket => &[
            ("nombre", "Ana Pérez"),
            ("correo", "ana@example.com"),
            ("departamento", "soporte-tecnico"),
            ("asunto", "No puedo acceder al correo"),
            (
                "mensaje",
                "Desde ayer el webmail me dice que la contraseña es incorrecta.",
            ),
            ("sitio_web", ""),
        ],
    };
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn with(form: FormId, changes: &[(&str, &str)]) -> RawSubmission {
    let mut fields = valid_fields(form);
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    RawSubmission {
        fields,
        files: Vec::new(),
    }
}

pub fn without(form: FormId, names: &[&str]) -> RawSubmission {
    let fields = valid_fields(form)
        .into_iter()
        .filter(|(n, _)| !names.contains(&n.as_str()))
        .collect();
    RawSubmission {
        fields,
        files: Vec::new(),
    }
}

pub fn file(field: &str, name: &str, bytes: &[u8]) -> RawFile {
    RawFile {
        field: field.to_owned(),
        file_name: name.to_owned(),
        bytes: bytes.to_vec().into(),
    }
}
