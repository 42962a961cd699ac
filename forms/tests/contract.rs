//! The contract between the rendered HTML and the server: a value the HTML
//! allows is accepted by the server, and a value the server refuses is
//! blocked or flagged in the page. The HTML side is judged only from the
//! rendered attributes (plus the `data-*` rules `assets/forms.js` applies:
//! `data-patron`, `data-monto-maximo`, `data-dias-maximos`, `data-si-campo`),
//! so a rule changed on one side only makes this test fail.

mod common;

use common::{NOW, config, with};
use help_forms::spec::{Required, names};
use help_forms::{FormId, render_form, validate};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use time::Duration;

fn rendered(form: FormId) -> Html {
    Html::parse_fragment(&render_form(form.slug(), &config(), "/api").expect("known form"))
}

fn control<'a>(html: &'a Html, name: &str) -> ElementRef<'a> {
    let selector = Selector::parse(&format!(r#"[name="{name}"]"#)).expect("selector");
    html.select(&selector)
        .next()
        .unwrap_or_else(|| panic!("no control named {name}"))
}

fn full_match(pattern: &str, value: &str) -> bool {
    Regex::new(&format!("^(?:{pattern})$"))
        .expect("pattern compiles")
        .is_match(value)
}

/// What a browser running the page's script lets through, from the markup alone.
fn html_allows(html: &Html, name: &str, value: &str) -> bool {
    let el = control(html, name);
    let attr = |a: &str| el.value().attr(a);
    // The base submission satisfies every condition, so conditional fields are required.
    let conditional = el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().attr("data-si-campo").is_some());
    let required = attr("required").is_some() || conditional;
    if value.is_empty() {
        return !required;
    }
    let length = value.encode_utf16().count();
    if attr("maxlength").is_some_and(|m| length > m.parse().expect("number"))
        || attr("minlength").is_some_and(|m| length < m.parse().expect("number"))
    {
        return false;
    }
    if let Some(pattern) = attr("pattern").or(attr("data-patron")) {
        if !full_match(pattern, value) {
            return false;
        }
    }
    match (el.value().name(), attr("type")) {
        ("select", _) => el
            .select(&Selector::parse("option").expect("selector"))
            .any(|o| o.value().attr("value") == Some(value) && !value.is_empty()),
        (_, Some("checkbox")) => attr("value") == Some(value),
        (_, Some("date")) => {
            let days: i64 = attr("data-dias-maximos")
                .expect("date limit")
                .parse()
                .expect("number");
            let today = NOW.date();
            let (min, max) = (
                (today - Duration::days(days)).to_string(),
                today.to_string(),
            );
            full_match("[0-9]{4}-[0-9]{2}-[0-9]{2}", value)
                && time::Date::parse(
                    value,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .is_ok()
                && value >= min.as_str()
                && value <= max.as_str()
        }
        _ => match attr("data-monto-maximo") {
            Some(max) => {
                let grouped = full_match(r"[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]{1,2})?", value);
                let plain = if grouped {
                    value.replace('.', "").replace(',', ".")
                } else {
                    value.replace(',', ".")
                };
                plain.parse::<f64>().expect("pattern-checked number")
                    <= max.parse::<f64>().expect("number")
            }
            None => true,
        },
    }
}

fn server_accepts(form: FormId, name: &str, value: &str) -> bool {
    match validate(form, &with(form, &[(name, value)]), &config(), NOW) {
        Ok(_) => true,
        Err(errors) => errors.get(name).is_none(),
    }
}

/// (form, field, value, accepted by both sides?)
const CASES: &[(FormId, &str, &str, bool)] = {
    use FormId::{PaymentReport as P, Ticket as T};
    &[
        (P, "ordenes", "10452", true),
        (P, "ordenes", "10452, 10453", true),
        (P, "ordenes", "10452;10453 10454", true),
        (P, "ordenes", "", false),
        (P, "ordenes", "0", false),
        (P, "ordenes", "ORD-10452", false),
        (P, "ordenes", "12345678901", false),
        (P, "monto", "1.234,56", true),
        (P, "monto", "1234,56", true),
        (P, "monto", "1234.56", true),
        (P, "monto", "0,50", true),
        (P, "monto", "100.000.000,00", true),
        (P, "monto", "100.000.000,01", false),
        (P, "monto", "0", false),
        (P, "monto", "0,00", false),
        (P, "monto", "-1", false),
        (P, "monto", "1,234", false),
        (P, "monto", "12,345", false),
        (P, "monto", "1e309", false),
        (P, "monto", "1.5e3", false),
        (P, "monto", "", false),
        (P, "moneda", "Bs", true),
        (P, "moneda", "USD", true),
        (P, "moneda", "EUR", false),
        (P, "metodo", "pago-movil", true),
        (P, "metodo", "efectivo", false),
        (P, "metodo", "", false),
        (P, "banco_destino", "mercantil", true),
        (P, "banco_destino", "Mercantil", false),
        (P, "fecha", "2026-11-27", true),
        (P, "fecha", "2026-08-29", true),
        (P, "fecha", "2026-08-28", false),
        (P, "fecha", "2026-12-01", false),
        (P, "fecha", "2026-02-30", false),
        (P, "fecha", "", false),
        (P, "referencia", "0012345", true),
        (P, "referencia", "AB-99-X", true),
        (P, "referencia", "123", false),
        (P, "referencia", "12 34", false),
        (P, "referencia", "1234567890123456789012345678901", false),
        (P, "banco_origen", "Banco de Venezuela", true),
        (P, "banco_origen", "", false),
        (P, "banco_origen", "B", false),
        (P, "factura_fisica", "si", true),
        (P, "factura_fisica", "on", false),
        (
            P,
            "direccion_envio",
            "Calle 5, Casa 12, Maracaibo 4001",
            true,
        ),
        (P, "direccion_envio", "Maracaibo", false),
        (P, "direccion_envio", "", false),
        (P, "nombre", "María José Núñez", true),
        (P, "nombre", "<b>Ana</b> & \"Luis\"", true),
        (P, "nombre", "A", false),
        (P, "nombre", "Ana\u{202E}Luis", false),
        (P, "nombre", "Ana\u{0}", false),
        (P, "correo", "ana.perez+pagos@mi-dominio.com.ve", true),
        (P, "correo", "ana@localhost", false),
        (P, "correo", "ana@@example.com", false),
        (P, "correo", "ana perez@example.com", false),
        (P, "correo", "", false),
        (T, "departamento", "facturacion", true),
        (T, "departamento", "gerencia", false),
        (T, "asunto", "Ayuda con DNS", true),
        (T, "asunto", "Hola", false),
        (T, "asunto", "Línea\u{2066}oculta", false),
        (
            T,
            "mensaje",
            "Necesito ayuda con la configuración\r\nde mi dominio, por favor.",
            true,
        ),
        (T, "mensaje", "Muy corto", false),
        (
            T,
            "mensaje",
            "Texto con control \u{7} oculto dentro.",
            false,
        ),
    ]
};

#[test]
fn a_value_the_html_allows_is_accepted_by_the_server_and_vice_versa() {
    for form in FormId::ALL {
        let html = rendered(form);
        for (_, name, value, expected) in CASES.iter().filter(|c| c.0 == form) {
            let html_side = html_allows(&html, name, value);
            let server_side = server_accepts(form, name, value);
            assert_eq!(html_side, *expected, "HTML side of {name}={value:?}");
            assert_eq!(server_side, *expected, "server side of {name}={value:?}");
        }
    }
}

#[test]
fn every_field_is_rendered_with_the_rules_of_its_definition() {
    for form in FormId::ALL {
        let html = rendered(form);
        for field in form.fields(&config()) {
            let el = control(&html, field.name);
            let required = el.value().attr("required").is_some();
            assert_eq!(
                required,
                field.required == Required::Always,
                "required on {}",
                field.name
            );
            if field.name == names::HONEYPOT || el.value().attr("type") == Some("hidden") {
                continue;
            }
            let id = el.value().attr("id").expect("visible controls have an id");
            let label = Selector::parse(&format!(r#"label[for="{id}"]"#)).expect("selector");
            assert!(
                html.select(&label).next().is_some(),
                "{} has a label",
                field.name
            );
            // The help text, when there is one; forms.js adds the error box.
            let described = el.value().attr("aria-describedby");
            assert_eq!(
                described.is_some(),
                field.help.is_some(),
                "aria-describedby of {}",
                field.name
            );
            for target in described.into_iter().flat_map(|d| d.split(' ')) {
                let selector = Selector::parse(&format!("#{target}")).expect("selector");
                assert!(
                    html.select(&selector).next().is_some(),
                    "{} describedby {target} exists",
                    field.name
                );
            }
            assert_eq!(
                el.value().attr("data-falta"),
                Some(field.missing).filter(|m| !m.is_empty()),
                "{}",
                field.name
            );
        }
    }
}

#[test]
fn the_receipt_input_states_the_types_and_the_size_limit() {
    let html = rendered(FormId::PaymentReport);
    let receipt = control(&html, "comprobante");
    assert_eq!(
        receipt.value().attr("accept"),
        Some(help_forms::receipt::ACCEPT)
    );
    assert_eq!(receipt.value().attr("data-bytes-maximos"), Some("4194304"));
    let help = html
        .select(&Selector::parse("#pago-comprobante-ayuda").expect("selector"))
        .next();
    let text: String = help.expect("help text").text().collect();
    assert!(
        text.contains("PNG, JPEG, WebP o PDF, de hasta 4 MB"),
        "{text}"
    );
}

#[test]
fn the_invoice_box_states_the_shipping_rules() {
    let html = rendered(FormId::PaymentReport);
    let help = html
        .select(&Selector::parse("#pago-factura-fisica-ayuda").expect("selector"))
        .next();
    let text: String = help.expect("help text").text().collect();
    assert!(
        text.contains("adicional de envío de factura fiscal"),
        "{text}"
    );
    assert!(
        text.contains("No realizamos envíos con cobro en destino"),
        "{text}"
    );
}

#[test]
fn an_unknown_form_name_is_an_error() {
    assert!(render_form("encuesta", &config(), "/api").is_err());
}
