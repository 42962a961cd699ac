//! The `[forms]` table of `site.toml`: the options both sides must agree on.

use crate::Amount;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormsConfig {
    /// Accepted currencies; the form shows a selector only when there are several.
    pub currencies: Vec<String>,
    /// Largest amount one report may declare.
    pub max_amount: Amount,
    /// How far back a payment date may be.
    pub max_payment_age_days: u16,
    pub payment_methods: Vec<PaymentMethod>,
    pub destination_banks: Vec<Choice>,
    pub departments: Vec<Choice>,
}

/// One option of a `<select>`: the submitted value and its Spanish label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethod {
    pub value: String,
    pub label: String,
    /// A transfer also asks for the bank the money came from.
    #[serde(default)]
    pub is_transfer: bool,
}

impl FormsConfig {
    /// Rejects configurations that would render an unusable form.
    pub fn check(&self) -> Result<(), String> {
        let non_empty = [
            ("currencies", self.currencies.len()),
            ("payment_methods", self.payment_methods.len()),
            ("destination_banks", self.destination_banks.len()),
            ("departments", self.departments.len()),
        ];
        match non_empty.iter().find(|(_, len)| *len == 0) {
            Some((name, _)) => Err(format!("[forms] {name} no puede estar vacío")),
            None => Ok(()),
        }
    }

    pub fn transfer_values(&self) -> impl Iterator<Item = &str> {
        self.payment_methods
            .iter()
            .filter(|m| m.is_transfer)
            .map(|m| m.value.as_str())
    }
}
