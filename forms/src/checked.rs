//! Text values that can only exist once they meet their field's rules.

use crate::spec::{EMAIL_MAX_LENGTH, EMAIL_PATTERN, REFERENCE_PATTERN};
use crate::text::{full_match, html_length};
use std::fmt;

/// An e-mail address as the form's `pattern` and `maxlength` allow it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (html_length(text) <= EMAIL_MAX_LENGTH && full_match(EMAIL_PATTERN, text))
            .then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A deposit or transfer reference: letters, digits and hyphens, kept in
/// capitals so "ab-12" and "AB-12" are the same payment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reference(String);

impl Reference {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        full_match(REFERENCE_PATTERN, text).then(|| Self(text.to_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($type:ident, $what:literal) => {
        impl TryFrom<String> for $type {
            type Error = String;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text).ok_or_else(|| format!(concat!($what, " no válido: {:?}"), text))
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<&str> for $type {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_conversions!(Email, "correo");
string_conversions!(Reference, "número de referencia");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_needs_a_dotted_domain_and_fits_the_field() {
        assert_eq!(
            Email::parse(" ana@example.com ").map(String::from),
            Some("ana@example.com".to_owned())
        );
        assert_eq!(Email::parse("ana@localhost"), None);
        assert_eq!(Email::parse("ana perez@example.com"), None);
        let long = format!("{}@example.com", "a".repeat(EMAIL_MAX_LENGTH));
        assert_eq!(Email::parse(&long), None);
    }

    #[test]
    fn a_reference_is_kept_in_capitals_and_refuses_other_characters() {
        assert_eq!(Reference::parse("ab-0012").expect("valid"), "AB-0012");
        assert_eq!(Reference::parse("12 34"), None);
        assert_eq!(Reference::parse("<script>"), None);
    }

    #[test]
    fn stored_values_are_checked_again_when_read() {
        assert!(serde_json::from_str::<Email>(r#""ana@example.com""#).is_ok());
        assert!(serde_json::from_str::<Email>(r#""<b>@x""#).is_err());
        assert!(serde_json::from_str::<Reference>(r#""12 34""#).is_err());
    }
}
