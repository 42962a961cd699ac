//! The forms' script and styles, concatenated by `site-gen` into the site's
//! single JS and CSS files.

pub const FORMS_JS: &str = include_str!("../assets/forms.js");
pub const FORMS_CSS: &str = include_str!("../assets/forms.css");
