//! The help center's forms, defined once.
//!
//! Each form is a list of [`spec::Field`]s: names, Spanish labels and help,
//! HTML constraints and error messages. [`render`] turns a form into the HTML
//! embedded in the tutorials, and [`validate`] enforces the same rules on the
//! server, parsing into types that cannot hold bad values. No I/O here: the
//! caller passes the configuration and the current time.

pub mod amount;
pub mod assets;
pub mod checked;
pub mod config;
pub mod receipt;
pub mod render;
pub mod spec;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
pub mod validate;

pub use amount::Amount;
pub use checked::{Email, Reference};
pub use config::FormsConfig;
pub use receipt::{MAX_RECEIPT_BYTES, ReceiptKind};
pub use render::{UnknownForm, render_form};
pub use spec::FormId;
pub use validate::{FieldErrors, RawFile, RawSubmission, Submission, validate};
