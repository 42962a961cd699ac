//! The contract between the rendered HTML and the server: a value the HTML
//! allows is accepted by the server, and a value the server refuses is
//! blocked or flagged in the page. The HTML side is judged only from the
//! rendered attributes (plus the `data-*` rules `assets/forms.js` applies:
//! `data-patron`, `data-monto-maximo`, `data-dias-maximos`, `data-si-campo`),
//! so a rule changed on one side only makes this test fail.

mod common;

use common::{NOW, config, site_config, with};
use help_forms::FormsConfig;
use help_forms::spec::{Control, Required, names};
use help_forms::{FormId, render_form, validate};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use time::Duration;

fn rendered(form: FormId) -> Html {
    rendered_with(form, &config())
}

fn rendered_with(form: FormId, config: &FormsConfig) -> Html {
    Html::parse_fragment(&render_form(form.slug(), config, "/api").expect("known form"))
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

/// What a browser running the page's script lets through, from the markup
/// alone, when the rest of the form holds `context`.
fn html_allows(
    html: &Html,
    form: FormId,
    name: &str,
    value: &str,
    context: &[(&str, &str)],
) -> bool {
    let el = control(html, name);
    let attr = |a: &str| el.value().attr(a);
    // A conditional field is enabled and required only while its condition
    // holds; otherwise the script disables it and the browser sends nothing.
    let condition = el.ancestors().filter_map(ElementRef::wrap).find_map(|a| {
        Some((
            a.value().attr("data-si-campo")?,
            a.value().attr("data-si-valores")?,
        ))
    });
    let required = match condition {
        Some((field, values)) => {
            let submission = with(form, context);
            let current = submission
                .fields
                .iter()
                .find(|(n, _)| n == field)
                .map_or("", |(_, v)| v.as_str());
            if !values.split(' ').any(|v| v == current) {
                return true; // disabled: nothing is sent
            }
            true // enabled: the script marks it required
        }
        None => attr("required").is_some(),
    };
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

fn server_accepts(form: FormId, name: &str, value: &str, context: &[(&str, &str)]) -> bool {
    let mut changes = context.to_vec();
    changes.push((name, value));
    match validate(form, &with(form, &changes), &config(), NOW) {
        Ok(_) => true,
        Err(errors) => errors.get(name).is_none(),
    }
}

/// One row: `field` = `value` while the rest of the form holds `when` (on
/// top of the valid example), and whether both sides accept it.
struct Case {
    form: FormId,
    field: &'static str,
    value: String,
    when: &'static [(&'static str, &'static str)],
    accepted: bool,
}

fn cases() -> Vec<Case> {
    use FormId::{PaymentReport as P, Ticket as T};
    const DEPOSIT: &[(&str, &str)] = &[("metodo", "deposito")];
    const NO_INVOICE: &[(&str, &str)] = &[("factura_fisica", "")];
    let long = |n: usize| "a".repeat(n);
    let email_of = |n: usize| format!("{}@example.com", "a".repeat(n - "@example.com".len()));
    let plain: &[(FormId, &str, &str, bool)] = &[
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
        (P, "moneda", "", false),
        (P, "metodo", "pago-movil", true),
        (P, "metodo", "efectivo", false),
        (P, "metodo", "", false),
        (P, "banco_destino", "mercantil", true),
        (P, "banco_destino", "Mercantil", false),
        (P, "banco_destino", "", false),
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
        (P, "referencia", "", false),
        (P, "banco_origen", "Banco de Venezuela", true),
        (P, "banco_origen", "", false),
        (P, "banco_origen", "B", false),
        (P, "factura_fisica", "si", true),
        (P, "factura_fisica", "", true),
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
        (P, "nombre", "", false),
        (P, "nombre", "Ana\u{202E}Luis", false),
        (P, "nombre", "Ana\u{0}", false),
        (P, "correo", "ana.perez+pagos@mi-dominio.com.ve", true),
        (P, "correo", "ana@localhost", false),
        (P, "correo", "ana@@example.com", false),
        (P, "correo", "ana perez@example.com", false),
        (P, "correo", "", false),
        (T, "nombre", "Ana Pérez", true),
        (T, "nombre", "", false),
        (T, "nombre", "A", false),
        (T, "correo", "ana@example.com", true),
        (T, "correo", "ana@localhost", false),
        (T, "correo", "", false),
        (T, "departamento", "facturacion", true),
        (T, "departamento", "gerencia", false),
        (T, "departamento", "", false),
        (T, "asunto", "Ayuda con DNS", true),
        (T, "asunto", "Hola", false),
        (T, "asunto", "", false),
        (T, "asunto", "Línea\u{2066}oculta", false),
        (
            T,
            "mensaje",
            "Necesito ayuda con la configuración\r\nde mi dominio, por favor.",
            true,
        ),
        (T, "mensaje", "Muy corto", false),
        (T, "mensaje", "", false),
        (
            T,
            "mensaje",
            "Texto con control \u{7} oculto dentro.",
            false,
        ),
    ];
    let mut cases: Vec<Case> = plain
        .iter()
        .map(|&(form, field, value, accepted)| Case {
            form,
            field,
            value: value.to_owned(),
            when: &[],
            accepted,
        })
        .collect();
    // Each text field at its maximum length, and one character over it.
    let at_and_over = |form, field, max: usize, make: &dyn Fn(usize) -> String| {
        [(max, true), (max + 1, false)].map(|(n, accepted)| Case {
            form,
            field,
            value: make(n),
            when: &[],
            accepted,
        })
    };
    for form in FormId::ALL {
        cases.extend(at_and_over(form, "nombre", 100, &long));
        cases.extend(at_and_over(form, "correo", 254, &email_of));
    }
    // Two orders padded with separators: the pattern holds, only the length varies.
    let padded_orders = |n: usize| format!("1{}2", " ".repeat(n - 2));
    cases.extend(at_and_over(P, "ordenes", 250, &padded_orders));
    cases.extend(at_and_over(P, "banco_origen", 60, &long));
    cases.extend(at_and_over(P, "direccion_envio", 300, &long));
    cases.extend(at_and_over(T, "asunto", 120, &long));
    cases.extend(at_and_over(T, "mensaje", 5000, &long));
    // The shortest address the server takes, and one character less.
    cases.extend([(20, true), (19, false)].map(|(n, accepted)| Case {
        form: P,
        field: "direccion_envio",
        value: long(n),
        when: &[],
        accepted,
    }));
    // Conditions that do not hold: the field is disabled in the page and
    // ignored by the server, whatever it holds.
    for (field, when) in [("banco_origen", DEPOSIT), ("direccion_envio", NO_INVOICE)] {
        for value in ["", "B"] {
            cases.push(Case {
                form: P,
                field,
                value: value.to_owned(),
                when,
                accepted: true,
            });
        }
    }
    cases
}

#[test]
fn a_value_the_html_allows_is_accepted_by_the_server_and_vice_versa() {
    for form in FormId::ALL {
        let html = rendered(form);
        for case in cases().iter().filter(|c| c.form == form) {
            let (name, value, when) = (case.field, case.value.as_str(), case.when);
            let html_side = html_allows(&html, form, name, value, when);
            let server_side = server_accepts(form, name, value, when);
            assert_eq!(
                html_side, case.accepted,
                "HTML side of {name}={value:?} with {when:?}"
            );
            assert_eq!(
                server_side, case.accepted,
                "server side of {name}={value:?} with {when:?}"
            );
        }
    }
}

#[test]
fn every_field_and_rule_has_a_row_in_the_table() {
    let cases = cases();
    for form in FormId::ALL {
        for field in form.fields(&config()) {
            if matches!(
                field.control,
                Control::Honeypot | Control::Hidden { .. } | Control::File { .. }
            ) {
                continue; // spam signals and files: see validation.rs and the receipt tests below
            }
            let rows: Vec<&Case> = cases
                .iter()
                .filter(|c| c.form == form && c.field == field.name)
                .collect();
            assert!(
                rows.iter().any(|c| c.accepted),
                "{} has an accepted row",
                field.name
            );
            assert!(
                rows.iter().any(|c| !c.accepted),
                "{} has a refused row",
                field.name
            );
            if field.required != Required::Optional {
                assert!(
                    rows.iter().any(|c| c.value.is_empty() && !c.accepted),
                    "{} has a missing-value row",
                    field.name
                );
            }
            if let Control::Text(rules) | Control::TextArea(rules) = &field.control {
                let longest = rows.iter().map(|c| c.value.encode_utf16().count()).max();
                assert!(
                    longest > Some(rules.max_length),
                    "{} has a row over its maxlength",
                    field.name
                );
            }
            if matches!(
                field.required,
                Required::WhenOneOf { .. } | Required::WhenChecked { .. }
            ) {
                assert!(
                    rows.iter().any(|c| !c.when.is_empty() && c.accepted),
                    "{} has a row where its condition does not hold",
                    field.name
                );
            }
        }
    }
}

#[test]
fn every_field_is_rendered_with_the_rules_of_its_definition() {
    for config in [config(), site_config()] {
        for form in FormId::ALL {
            let html = rendered_with(form, &config);
            for field in form.fields(&config) {
                assert_rendered_as_defined(&html, &field);
            }
        }
    }
}

fn assert_rendered_as_defined(html: &Html, field: &help_forms::spec::Field) {
    let el = control(html, field.name);
    let attr = |a: &str| el.value().attr(a);
    assert_eq!(
        attr("required").is_some(),
        field.required == Required::Always,
        "required on {}",
        field.name
    );
    if let Control::Text(rules) | Control::TextArea(rules) = &field.control {
        let number = |n: usize| n.to_string();
        assert_eq!(
            attr("maxlength"),
            Some(number(rules.max_length).as_str()),
            "maxlength of {}",
            field.name
        );
        assert_eq!(
            attr("minlength").map(str::to_owned),
            rules.min_length.map(number),
            "minlength of {}",
            field.name
        );
        assert_eq!(
            attr("pattern").or(attr("data-patron")),
            Some(rules.pattern),
            "pattern of {}",
            field.name
        );
        assert_eq!(
            attr("inputmode"),
            rules.inputmode,
            "inputmode of {}",
            field.name
        );
        assert_eq!(
            attr("autocomplete"),
            Some(rules.autocomplete),
            "autocomplete of {}",
            field.name
        );
    }
    if let Control::File { accept, .. } = &field.control {
        assert_eq!(attr("accept"), Some(*accept), "accept of {}", field.name);
    }
    if field.name == names::HONEYPOT || attr("type") == Some("hidden") {
        return;
    }
    let id = attr("id").expect("visible controls have an id");
    let label = Selector::parse(&format!(r#"label[for="{id}"]"#)).expect("selector");
    let label = html.select(&label).next();
    assert!(label.is_some(), "{} has a label", field.name);
    assert_eq!(
        label.and_then(|l| l.value().attr("class")) == Some("requerido"),
        field.required == Required::Always,
        "the label of {} is marked required exactly when the field is",
        field.name
    );
    // The script shows `data-invalido` for values a browser can hold.
    let typed = !matches!(
        field.control,
        Control::Select(_) | Control::Checkbox | Control::File { .. }
    );
    assert_eq!(
        attr("data-invalido"),
        typed.then_some(field.invalid),
        "data-invalido of {}",
        field.name
    );
    // The help text, when there is one; forms.js adds the error box.
    let described = attr("aria-describedby");
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
        attr("data-falta"),
        Some(field.missing).filter(|m| !m.is_empty()),
        "{}",
        field.name
    );
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
fn the_rendered_forms_match_their_snapshots() {
    for form in FormId::ALL {
        let html = render_form(form.slug(), &config(), "/api").expect("known form");
        insta::assert_snapshot!(form.slug(), html);
    }
}

#[test]
fn an_unknown_form_name_is_an_error() {
    assert!(render_form("encuesta", &config(), "/api").is_err());
}
