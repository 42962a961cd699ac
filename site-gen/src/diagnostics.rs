//! Build errors that point at a file and a line.
//!
//! Every problem found in the content is collected as a [`Diagnostic`]; the
//! build reports all of them at once, one per line, as
//! `content/x.md:12: mensaje`. Messages are in Spanish, like the rest of the
//! user-facing text, and say how to fix the problem.

use std::fmt;

/// One problem, located at a file (relative to the site root, with `/`
/// separators) and, when known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: Some(line),
            message: message.into(),
        }
    }

    pub fn without_line(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// All the problems of a failed build, sorted by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts and deduplicates, so the report is the same on every run.
    pub fn new(mut list: Vec<Diagnostic>) -> Self {
        list.sort();
        list.dedup();
        Diagnostics(list)
    }

    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Maps byte offsets of a text to 1-based line numbers.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines() {
        let index = LineIndex::new("uno\ndos\n\ncuatro");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(3), 1);
        assert_eq!(index.line(4), 2);
        assert_eq!(index.line(8), 3);
        assert_eq!(index.line(9), 4);
        assert_eq!(index.line(100), 4);
    }

    #[test]
    fn diagnostics_print_as_file_line_message_in_order() {
        let all = Diagnostics::new(vec![
            Diagnostic::new("content/b.md", 3, "dos"),
            Diagnostic::new("content/a.md", 12, "uno"),
            Diagnostic::without_line("site-gen/templates/base.html", "tres"),
        ]);
        assert_eq!(
            all.to_string(),
            "content/a.md:12: uno\ncontent/b.md:3: dos\nsite-gen/templates/base.html: tres"
        );
    }
}
