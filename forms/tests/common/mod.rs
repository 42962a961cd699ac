//! Shared test fixtures: the forms configuration and a valid submission.
#![allow(dead_code)] // each test binary uses part of it

use help_forms::spec::names;
use help_forms::testing;
use help_forms::{FormId, FormsConfig, RawFile, RawSubmission};
use time::OffsetDateTime;
use time::macros::datetime;

pub const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

/// The `[forms]` table of a site configuration file.
fn forms_table(text: &str) -> FormsConfig {
    #[derive(serde::Deserialize)]
    struct File {
        forms: FormsConfig,
    }
    toml::from_str::<File>(text).expect("config parses").forms
}

pub fn config() -> FormsConfig {
    forms_table(include_str!("../fixtures/forms.toml"))
}

/// The real site's `[forms]`, beside the tests' fixture.
pub fn site_config() -> FormsConfig {
    forms_table(include_str!("../../../site.toml"))
}

/// A submission every rule accepts at [`NOW`]; a payment report carries
/// the page's idempotency key.
pub fn valid_fields(form: FormId) -> Vec<(String, String)> {
    let mut fields = testing::valid_fields(form, NOW);
    if form == FormId::PaymentReport {
        testing::set_field(&mut fields, names::IDEMPOTENCY, testing::IDEMPOTENCY_KEY);
    }
    fields
}

pub fn with(form: FormId, changes: &[(&str, &str)]) -> RawSubmission {
    let mut fields = valid_fields(form);
    for (name, value) in changes {
        testing::set_field(&mut fields, name, value);
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
