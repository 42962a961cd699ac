//! HTML for a form, from its definition in [`crate::spec`].
//!
//! Without JavaScript the form posts normally and the browser enforces the
//! attributes. `assets/forms.js` adds inline Spanish messages (it creates
//! each field's `<p class="error-campo" id="…-error">` and adds it to the
//! control's `aria-describedby`), shows conditional fields only when they
//! apply and checks the file size early.

use crate::FormsConfig;
use crate::amount::AMOUNT_PATTERN;
use crate::spec::{AMOUNT_MAX_LENGTH, CHECKED, Control, Field, FormId, Required, TextRules};
use std::fmt::Write;

/// The directive named a form that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("formulario desconocido «{0}»; los disponibles son: reporte-de-pago, ticket")]
pub struct UnknownForm(pub String);

/// Renders the form named `form_slug` (as written in the Markdown directive),
/// posting to `api_url` (no trailing slash needed).
pub fn render_form(
    form_slug: &str,
    config: &FormsConfig,
    api_url: &str,
) -> Result<String, UnknownForm> {
    let form = FormId::from_slug(form_slug).ok_or_else(|| UnknownForm(form_slug.to_owned()))?;
    Ok(render(form, config, api_url))
}

pub fn render(form: FormId, config: &FormsConfig, api_url: &str) -> String {
    let slug = form.slug();
    let mut html = String::with_capacity(8 * 1024);
    let _ = write!(
        html,
        r#"<form class="formulario" id="formulario-{slug}" method="post" action="{action}" enctype="multipart/form-data" data-formulario="{slug}" aria-labelledby="formulario-{slug}-titulo">
<h2 id="formulario-{slug}-titulo">{title}</h2>
<p class="formulario-nota">Los campos marcados con <span class="obligatorio" aria-hidden="true">*</span><span class="solo-lectores">asterisco</span> son obligatorios.</p>
<div class="formulario-resumen" role="alert" tabindex="-1" hidden></div>
"#,
        action = escape(&format!(
            "{}/{}",
            api_url.trim_end_matches('/'),
            form.endpoint()
        )),
        title = escape(form.title()),
    );
    for field in form.fields(config) {
        render_field(&mut html, form.id_prefix(), &field);
    }
    let _ = write!(
        html,
        r#"<div class="formulario-acciones"><button type="submit" class="boton boton-principal">{}</button></div>
<div class="formulario-resultado" role="status" tabindex="-1" hidden></div>
</form>
"#,
        escape(form.submit_label())
    );
    html
}

fn render_field(html: &mut String, id_prefix: &str, field: &Field) {
    let id = format!("{id_prefix}-{}", field.name.replace('_', "-"));
    let help_id = format!("{id}-ayuda");
    let condition = match &field.required {
        Required::WhenOneOf { field, values } => {
            format!(
                r#" data-si-campo="{field}" data-si-valores="{}""#,
                escape(&values.join(" "))
            )
        }
        Required::WhenChecked { field } => {
            format!(r#" data-si-campo="{field}" data-si-valores="{CHECKED}""#)
        }
        Required::Always | Required::Optional => String::new(),
    };
    // Conditional fields are shown and required by the script once they
    // apply; without it they stay visible, optional for the browser, and the
    // server enforces them.
    let required = if field.required == Required::Always {
        " required"
    } else {
        ""
    };
    let described = if field.help.is_some() {
        format!(r#" aria-describedby="{help_id}""#)
    } else {
        String::new()
    };
    // An optional field has no "missing" message. A list, a box or a file
    // cannot hold a malformed value in the browser (the file's type is
    // judged by the server), so only typed fields carry `data-invalido`.
    let missing = if field.missing.is_empty() {
        String::new()
    } else {
        format!(r#" data-falta="{}""#, escape(field.missing))
    };
    let invalid = match field.control {
        Control::Select(_) | Control::Checkbox | Control::File { .. } => String::new(),
        _ => format!(r#" data-invalido="{}""#, escape(field.invalid)),
    };
    let common = format!(
        r#"id="{id}" name="{name}"{described}{missing}{invalid}{required}"#,
        name = field.name,
    );
    let label = |html: &mut String| {
        // forms.css adds the asterisk, hidden from screen readers, which
        // announce `required` themselves.
        let class = if field.required == Required::Always {
            r#" class="requerido""#
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<label for="{id}"{class}>{}</label>"#,
            escape(field.label)
        );
    };
    let help = |html: &mut String| {
        if let Some(text) = &field.help {
            let _ = write!(
                html,
                r#"<p class="ayuda" id="{help_id}">{}</p>"#,
                escape(text)
            );
        }
    };
    match &field.control {
        // The script fills these in; only the server checks their pattern.
        Control::Hidden { .. } => {
            let _ = writeln!(
                html,
                r#"<input type="hidden" name="{}" value="">"#,
                field.name
            );
            return;
        }
        Control::Honeypot => {
            let _ = writeln!(
                html,
                r#"<div class="trampa" aria-hidden="true"><label for="{id}">{}</label><input type="text" id="{id}" name="{}" tabindex="-1" autocomplete="off" value=""></div>"#,
                escape(field.label),
                field.name
            );
            return;
        }
        _ => {}
    }

    let _ = write!(
        html,
        r#"<div class="{}"{condition}>"#,
        box_class(&field.control)
    );
    match &field.control {
        Control::Checkbox => {
            let _ = write!(
                html,
                r#"<input type="checkbox" value="{CHECKED}" {common}>"#
            );
            label(html);
            help(html);
        }
        other => {
            label(html);
            help(html);
            render_control(html, other, &common);
        }
    }
    html.push_str("</div>\n");
}

fn render_control(html: &mut String, control: &Control, common: &str) {
    match control {
        Control::Text(rules) => {
            let _ = write!(
                html,
                r#"<input type="{}" {common}{} pattern="{}" autocomplete="{}">"#,
                rules.input_type,
                length_and_mode(rules),
                escape(rules.pattern),
                rules.autocomplete
            );
        }
        Control::Amount { max } => {
            let _ = write!(
                html,
                r#"<input type="text" {common} maxlength="{AMOUNT_MAX_LENGTH}" inputmode="decimal" pattern="{}" autocomplete="transaction-amount" data-monto-maximo="{}.{:02}">"#,
                escape(AMOUNT_PATTERN),
                max.cents() / 100,
                max.cents() % 100
            );
        }
        Control::TextArea(rules) => {
            // `pattern` is not valid on a textarea: the script applies `data-patron`.
            let _ = write!(
                html,
                r#"<textarea {common}{} data-patron="{}" autocomplete="{}" rows="4"></textarea>"#,
                length_and_mode(rules),
                escape(rules.pattern),
                rules.autocomplete
            );
        }
        Control::Select(choices) => {
            let _ = write!(
                html,
                r#"<select {common}><option value="">Elija una opción</option>"#
            );
            for choice in choices {
                let _ = write!(
                    html,
                    r#"<option value="{}">{}</option>"#,
                    escape(&choice.value),
                    escape(&choice.label)
                );
            }
            html.push_str("</select>");
        }
        Control::Date { max_age_days } => {
            // `min`/`max` depend on the reader's today, which a static page
            // cannot know: the script sets them from `data-dias-maximos`.
            let _ = write!(
                html,
                r#"<input type="date" {common} data-dias-maximos="{max_age_days}">"#
            );
        }
        Control::File { accept, max_bytes } => {
            let _ = write!(
                html,
                r#"<input type="file" {common} accept="{accept}" data-bytes-maximos="{max_bytes}">"#
            );
        }
        Control::Checkbox | Control::Honeypot | Control::Hidden { .. } => {}
    }
}

fn length_and_mode(rules: &TextRules) -> String {
    let mut attrs = format!(r#" maxlength="{}""#, rules.max_length);
    if let Some(min) = rules.min_length {
        let _ = write!(attrs, r#" minlength="{min}""#);
    }
    if let Some(mode) = rules.inputmode {
        let _ = write!(attrs, r#" inputmode="{mode}""#);
    }
    attrs
}

/// The class of a field's box: a checkbox goes before its label.
fn box_class(control: &Control) -> &'static str {
    match control {
        Control::Checkbox => "campo campo-casilla",
        _ => "campo",
    }
}

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
