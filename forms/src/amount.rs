//! Money amounts typed the Spanish way ("1.234,56") or the plain way ("1234.56").

use std::fmt;
use std::str::FromStr;

/// An exact, positive amount in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount {
    cents: u64,
}

/// Spanish grouping: thousands dots, optional decimal comma ("1.234,56", "1.234").
const GROUPED: &str = r"[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]{1,2})?";
/// Plain digits with one optional separator and at most two decimals
/// ("1234,56", "1234.56", "0,50"), never zero.
const PLAIN: &str = r"0*[1-9][0-9]{0,11}([.,][0-9]{1,2})?|0{1,12}[.,](0[1-9]|[1-9][0-9]?)";
/// The HTML `pattern` of the amount field: either form, so the browser
/// refuses zero too. "1.234" is one thousand two hundred thirty-four.
pub const AMOUNT_PATTERN: &str = r"[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]{1,2})?|0*[1-9][0-9]{0,11}([.,][0-9]{1,2})?|0{1,12}[.,](0[1-9]|[1-9][0-9]?)";
/// Zero written any way the pattern would otherwise accept, for a clearer message.
const ZERO: &str = r"0{1,12}([.,]0{1,2})?";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Escriba el monto con números, por ejemplo 1.234,56.")]
    Malformed,
    #[error("El monto debe ser mayor que cero.")]
    Zero,
}

impl Amount {
    /// `None` for zero: an amount is always positive.
    pub const fn from_cents(cents: u64) -> Option<Self> {
        if cents == 0 {
            None
        } else {
            Some(Self { cents })
        }
    }

    pub const fn cents(self) -> u64 {
        self.cents
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let input = input.trim();
        let (integer, decimals) = if crate::text::full_match(GROUPED, input) {
            let (int, dec) = input.split_once(',').unwrap_or((input, ""));
            (int.replace('.', ""), dec)
        } else if crate::text::full_match(PLAIN, input) {
            let (int, dec) = input.split_once(['.', ',']).unwrap_or((input, ""));
            (int.to_owned(), dec)
        } else if crate::text::full_match(ZERO, input) {
            return Err(AmountError::Zero);
        } else {
            return Err(AmountError::Malformed);
        };
        let units: u64 = integer.parse().map_err(|_| AmountError::Malformed)?;
        let cents: u64 = match decimals.len() {
            0 => 0,
            1 => {
                decimals
                    .parse::<u64>()
                    .map_err(|_| AmountError::Malformed)?
                    * 10
            }
            _ => decimals.parse().map_err(|_| AmountError::Malformed)?,
        };
        let total = units
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .ok_or(AmountError::Malformed)?;
        Ok(Self { cents: total })
    }
}

/// Spanish formatting: thousands with '.', decimals with ','.
impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = (self.cents / 100).to_string();
        let mut grouped = String::with_capacity(units.len() + units.len() / 3);
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(digit);
        }
        write!(f, "{grouped},{:02}", self.cents % 100)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_pattern_is_both_accepted_forms() {
        assert_eq!(AMOUNT_PATTERN, format!("{GROUPED}|{PLAIN}"));
    }

    #[test]
    fn spanish_and_plain_amounts_mean_the_same() {
        for input in ["1.234,56", "1234,56", "1234.56", " 1234,56 "] {
            assert_eq!(
                input.parse::<Amount>(),
                Ok(Amount::from_cents(123_456).expect("positive")),
                "{input}"
            );
        }
    }

    #[test]
    fn thousands_dots_without_decimals_are_thousands() {
        assert_eq!(
            "1.234".parse::<Amount>(),
            Ok(Amount::from_cents(123_400).expect("positive"))
        );
        assert_eq!(
            "1.234.567".parse::<Amount>(),
            Ok(Amount::from_cents(123_456_700).expect("positive"))
        );
        assert_eq!(
            "1.234.567,8".parse::<Amount>(),
            Ok(Amount::from_cents(123_456_780).expect("positive"))
        );
    }

    #[test]
    fn one_decimal_digit_means_tenths() {
        assert_eq!(
            "12,5".parse::<Amount>(),
            Ok(Amount::from_cents(1250).expect("positive"))
        );
        assert_eq!(
            "0.05".parse::<Amount>(),
            Ok(Amount::from_cents(5).expect("positive"))
        );
        assert_eq!(
            "0,5".parse::<Amount>(),
            Ok(Amount::from_cents(50).expect("positive"))
        );
        assert_eq!(
            "007".parse::<Amount>(),
            Ok(Amount::from_cents(700).expect("positive"))
        );
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for input in [
            "",
            "abc",
            "-5",
            "1,234",
            "1.2345",
            "12,345",
            "1e309",
            "1.234.56",
            "1,234.56",
            "0,123456789012",
            "12.34.56,7",
            "1 234",
            "∞",
            "١٢٣",
        ] {
            assert_eq!(
                input.parse::<Amount>(),
                Err(AmountError::Malformed),
                "{input}"
            );
        }
    }

    #[test]
    fn zero_is_refused() {
        assert_eq!("0".parse::<Amount>(), Err(AmountError::Zero));
        assert_eq!("0,00".parse::<Amount>(), Err(AmountError::Zero));
        assert_eq!("000.0".parse::<Amount>(), Err(AmountError::Zero));
        assert_eq!(Amount::from_cents(0), None);
    }

    #[test]
    fn amounts_display_in_spanish() {
        assert_eq!(
            Amount::from_cents(123_456).expect("positive").to_string(),
            "1.234,56"
        );
        assert_eq!(Amount::from_cents(5).expect("positive").to_string(), "0,05");
        assert_eq!(
            Amount::from_cents(10_000_000_000)
                .expect("positive")
                .to_string(),
            "100.000.000,00"
        );
    }
}
