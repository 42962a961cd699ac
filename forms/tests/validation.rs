//! Server-side validation: valid submissions, each invalid case, conditional
//! rules, Spanish amounts and receipts recognised by their bytes.

mod common;

use common::{NOW, config, file, with, without};
use help_forms::testing::PNG;
use help_forms::validate::{Details, SpamSignal};
use help_forms::{Amount, FormId, ReceiptKind, validate};

fn payment_errors(changes: &[(&str, &str)]) -> help_forms::FieldErrors {
    validate(
        FormId::PaymentReport,
        &with(FormId::PaymentReport, changes),
        &config(),
        NOW,
    )
    .expect_err("the submission should be refused")
}

#[test]
fn a_complete_payment_report_is_parsed_into_typed_values() {
    let mut raw = with(FormId::PaymentReport, &[]);
    raw.files.push(file("comprobante", "captura.png", PNG));
    let s = validate(FormId::PaymentReport, &raw, &config(), NOW).expect("valid");
    let Details::Payment(p) = &s.details else {
        panic!("payment details expected")
    };
    assert_eq!(p.ordenes, vec![10452, 10453]);
    assert_eq!(p.monto, Amount::from_cents(123_456).expect("positive"));
    assert_eq!(p.moneda, "Bs");
    assert_eq!(p.referencia, "AB-0012345");
    assert_eq!(p.banco_origen.as_deref(), Some("Banco de Venezuela"));
    assert!(
        p.direccion_envio
            .as_deref()
            .is_some_and(|a| a.starts_with("Av. Principal"))
    );
    assert_eq!(
        s.attachment.as_ref().map(|a| a.kind),
        Some(ReceiptKind::Png)
    );
    assert_eq!(
        s.idempotency_key.as_deref(),
        Some("0b5c7a36-6a5e-4d4e-9b0c-6d7f9a1e2b3c")
    );
    assert_eq!(s.spam, None);
    assert_eq!(
        s.summary(),
        "Reporte de pago de 1.234,56 Bs (órdenes 10452, 10453)"
    );
}

#[test]
fn a_complete_ticket_is_parsed() {
    let s = validate(FormId::Ticket, &with(FormId::Ticket, &[]), &config(), NOW).expect("valid");
    assert!(matches!(&s.details, Details::Ticket(t) if t.departamento == "soporte-tecnico"));
    assert_eq!(s.summary(), "Ticket: No puedo acceder al correo");
}

#[test]
fn spanish_and_plain_amounts_are_the_same_amount() {
    for input in ["1.234,56", "1234,56", "1234.56"] {
        let s = validate(
            FormId::PaymentReport,
            &with(FormId::PaymentReport, &[("monto", input)]),
            &config(),
            NOW,
        )
        .expect("valid");
        let Details::Payment(p) = s.details else {
            panic!()
        };
        assert_eq!(
            p.monto,
            Amount::from_cents(123_456).expect("positive"),
            "{input}"
        );
    }
}

#[test]
fn every_error_is_reported_at_once_in_spanish() {
    let errors = payment_errors(&[("monto", "abc"), ("correo", "no"), ("referencia", "")]);
    assert_eq!(
        errors.get("monto"),
        Some("Escriba el monto con números, por ejemplo 1.234,56.")
    );
    assert_eq!(
        errors.get("correo"),
        Some("Escriba un correo electrónico válido, por ejemplo nombre@dominio.com.")
    );
    assert_eq!(
        errors.get("referencia"),
        Some("Indique el número del depósito o de la transferencia.")
    );
    assert_eq!(errors.iter().count(), 3);
}

#[test]
fn each_invalid_value_gets_its_field_error() {
    let cases: &[(&str, &str, &str)] = &[
        ("ordenes", "", "Indique el número de orden"),
        ("ordenes", "10452-10453", "Escriba solo números de orden"),
        ("ordenes", "0", "Escriba solo números de orden"),
        ("monto", "0", "El monto debe ser mayor que cero."),
        ("monto", "-5", "Escriba el monto con números"),
        ("monto", "1e309", "Escriba el monto con números"),
        ("monto", "1,234567890123", "Escriba el monto con números"),
        (
            "monto",
            "100.000.000,01",
            "El monto no puede superar 100.000.000,00.",
        ),
        ("moneda", "EUR", "Elija una de las monedas"),
        ("metodo", "efectivo", "Elija uno de los métodos"),
        ("banco_destino", "otro", "Elija uno de los bancos"),
        (
            "fecha",
            "2026-11-29",
            "La fecha del pago no puede ser futura.",
        ),
        ("fecha", "2026-08-01", "La fecha es demasiado antigua"),
        ("fecha", "2026-02-30", "Indique una fecha válida"),
        ("fecha", "27/11/2026", "Indique una fecha válida"),
        ("referencia", "12 34", "Escriba entre 4 y 30 letras"),
        ("referencia", "<script>", "Escriba entre 4 y 30 letras"),
        ("nombre", "J", "Escriba su nombre"),
        ("nombre", "Ana\u{202E}zeréP", "Escriba su nombre"),
        (
            "correo",
            "ana@localhost",
            "Escriba un correo electrónico válido",
        ),
        ("factura_fisica", "yes", "Marque la casilla"),
        (
            "direccion_envio",
            "Caracas",
            "Escriba la dirección completa",
        ),
    ];
    for (field, value, expected) in cases {
        let errors = payment_errors(&[(field, value)]);
        let message = errors
            .get(field)
            .unwrap_or_else(|| panic!("{field}={value:?}: no error in {errors:?}"));
        assert!(
            message.starts_with(expected),
            "{field}={value:?}: {message}"
        );
    }
}

#[test]
fn the_payment_date_is_judged_by_the_customers_calendar_not_utc() {
    use time::macros::datetime;
    let date_at = |now, date| {
        validate(
            FormId::PaymentReport,
            &with(FormId::PaymentReport, &[("fecha", date)]),
            &config(),
            now,
        )
        .map(|_| ())
        .map_err(|e| e.get("fecha").map(str::to_owned))
    };
    // 22:00 on 26 November in Caracas (UTC−4): its page allows 90 days back
    // from the 26th, and "today" is the 26th.
    let caracas_evening = datetime!(2026-11-27 02:00 UTC);
    assert_eq!(date_at(caracas_evening, "2026-08-28"), Ok(()));
    assert_eq!(date_at(caracas_evening, "2026-11-26"), Ok(()));
    // 08:00 on 28 November in Kiribati (UTC+14) while it is still the 27th in UTC.
    assert_eq!(
        date_at(datetime!(2026-11-27 18:00 UTC), "2026-11-28"),
        Ok(())
    );
    // No calendar anywhere is two days ahead, or 92 days back.
    assert!(date_at(NOW, "2026-11-29").is_err());
    assert!(date_at(NOW, "2026-08-27").is_err());
}

#[test]
fn the_origin_bank_is_required_for_a_transfer_only() {
    let errors = payment_errors(&[("banco_origen", "")]);
    assert_eq!(
        errors.get("banco_origen"),
        Some("Indique el banco desde el que hizo la transferencia.")
    );

    let raw = with(
        FormId::PaymentReport,
        &[("metodo", "deposito"), ("banco_origen", "")],
    );
    let s = validate(FormId::PaymentReport, &raw, &config(), NOW)
        .expect("a deposit needs no origin bank");
    let Details::Payment(p) = s.details else {
        panic!()
    };
    assert_eq!(p.banco_origen, None);

    // Sent anyway for a deposit (no script hid it): ignored, not stored.
    let raw = with(FormId::PaymentReport, &[("metodo", "deposito")]);
    let Details::Payment(p) = validate(FormId::PaymentReport, &raw, &config(), NOW)
        .expect("valid")
        .details
    else {
        panic!()
    };
    assert_eq!(p.banco_origen, None);
}

#[test]
fn the_shipping_address_is_required_only_when_the_printed_invoice_is_asked_for() {
    let errors = payment_errors(&[("direccion_envio", "")]);
    assert_eq!(
        errors.get("direccion_envio"),
        Some("Indique la dirección completa a la que enviaremos la factura.")
    );

    let raw = without(
        FormId::PaymentReport,
        &["factura_fisica", "direccion_envio"],
    );
    let s = validate(FormId::PaymentReport, &raw, &config(), NOW).expect("no invoice, no address");
    let Details::Payment(p) = s.details else {
        panic!()
    };
    assert_eq!(p.direccion_envio, None);
}

#[test]
fn receipts_are_recognised_by_their_bytes_not_their_name() {
    let cases: &[(&str, &[u8], Option<&str>)] = &[
        ("captura.txt", PNG, None),
        ("deposito.pdf", b"%PDF-1.4\n%...", None),
        ("foto.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF", None),
        (
            "captura.png",
            b"GIF89a....",
            Some("El archivo no es una imagen PNG, JPEG o WebP ni un PDF."),
        ),
        (
            "factura.pdf",
            b"<html><script>",
            Some("El archivo no es una imagen PNG, JPEG o WebP ni un PDF."),
        ),
        (
            "vacio.png",
            b"",
            Some("El archivo está vacío. Adjunte el comprobante de nuevo."),
        ),
    ];
    for (name, bytes, expected) in cases {
        let mut raw = with(FormId::PaymentReport, &[]);
        raw.files.push(file("comprobante", name, bytes));
        let result = validate(FormId::PaymentReport, &raw, &config(), NOW);
        assert_eq!(
            result.as_ref().err().and_then(|e| e.get("comprobante")),
            *expected,
            "{name}"
        );
    }
}

#[test]
fn a_receipt_over_four_megabytes_is_refused() {
    let mut big = PNG.to_vec();
    big.resize(help_forms::MAX_RECEIPT_BYTES + 1, 0);
    let mut raw = with(FormId::PaymentReport, &[]);
    raw.files.push(file("comprobante", "grande.png", &big));
    let errors = validate(FormId::PaymentReport, &raw, &config(), NOW).expect_err("too big");
    assert!(
        errors
            .get("comprobante")
            .is_some_and(|m| m.starts_with("El archivo pesa más de 4 MB"))
    );
}

#[test]
fn an_empty_nameless_file_part_means_no_receipt() {
    let mut raw = with(FormId::PaymentReport, &[]);
    raw.files.push(file("comprobante", "", b""));
    let s = validate(FormId::PaymentReport, &raw, &config(), NOW).expect("valid without receipt");
    assert_eq!(s.attachment, None);
}

#[test]
fn a_field_sent_twice_is_refused() {
    let mut raw = with(FormId::PaymentReport, &[]);
    raw.fields.push(("monto".into(), "5,00".into()));
    let errors = validate(FormId::PaymentReport, &raw, &config(), NOW).expect_err("duplicate");
    assert_eq!(
        errors.get("monto"),
        Some("Este campo se envió más de una vez.")
    );
}

#[test]
fn honeypot_and_hurried_submissions_are_marked_as_spam_not_refused() {
    let raw = with(
        FormId::PaymentReport,
        &[("sitio_web", "http://spam.example")],
    );
    assert_eq!(
        validate(FormId::PaymentReport, &raw, &config(), NOW)
            .expect("valid")
            .spam,
        Some(SpamSignal::Honeypot)
    );
    let raw = with(FormId::PaymentReport, &[("tiempo_de_llenado", "800")]);
    assert_eq!(
        validate(FormId::PaymentReport, &raw, &config(), NOW)
            .expect("valid")
            .spam,
        Some(SpamSignal::TooFast)
    );
}

#[test]
fn a_malformed_idempotency_key_is_ignored() {
    let raw = with(
        FormId::PaymentReport,
        &[("idempotencia", "../../etc/passwd")],
    );
    assert_eq!(
        validate(FormId::PaymentReport, &raw, &config(), NOW)
            .expect("valid")
            .idempotency_key,
        None
    );
}
