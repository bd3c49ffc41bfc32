//! Errors in configuration: where they are (file, line, column, key), what
//! is wrong, and what to do, with the offending line quoted and underlined.
//!
//! Owns the error types and their text. It does not decide what is valid;
//! that is `super::file` (shape and values) and `super::resolve`
//! (environments).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// A place in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// The quoted source line of a problem and the columns to underline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The whole line, without its newline.
    pub text: String,
    /// 0-based character range to underline (at least one character wide).
    pub underline: Range<usize>,
}

/// One thing wrong in a configuration file, or in the configuration an
/// environment resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it is. `None` when the value at fault is a built-in default,
    /// not written in any file (then [`Problem::value`] says so).
    pub location: Option<Location>,
    /// The dotted key concerned (`environments.prod.blueprint.asg.min`),
    /// when there is one.
    pub key: Option<String>,
    /// The value the key resolved to, as TOML (`2`, `"t3.medium"`), when the
    /// problem is about a resolved value rather than about the text; says
    /// `(built-in default)` when no file set it.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do, or what was probably meant.
    pub help: Option<String>,
    /// The line as written, for the caret display.
    pub snippet: Option<Snippet>,
}

impl Problem {
    /// The width of the line-number gutter of the caret display.
    fn gutter(&self) -> usize {
        self.location
            .as_ref()
            .map_or(1, |l| l.line.to_string().len())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        match (&self.key, &self.value) {
            (Some(key), Some(value)) => write!(f, "`{key}` = {value}: ")?,
            (Some(key), None) => write!(f, "`{key}`: ")?,
            (None, _) => {}
        }
        f.write_str(&self.message)?;
        if let (Some(snippet), Some(location)) = (&self.snippet, &self.location) {
            let number = location.line.to_string();
            let gutter = " ".repeat(number.len());
            let width = snippet
                .underline
                .end
                .saturating_sub(snippet.underline.start);
            write!(
                f,
                "\n{gutter} |\n{number} | {}\n{gutter} | {}{}",
                snippet.text,
                " ".repeat(snippet.underline.start),
                "^".repeat(width.max(1))
            )?;
        }
        if let Some(help) = &self.help {
            let pad = " ".repeat(self.gutter());
            write!(f, "\n{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Why the configuration could not be loaded or an environment resolved.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file holds more than [`super::MAX_FILE_BYTES`] bytes: no
    /// configuration needs that, so it is probably the wrong file (or a
    /// device such as `/dev/zero`). Refused before more than the limit is
    /// read.
    #[error("{}", too_large(path, *bytes))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size when known without reading it (a regular file);
        /// `None` when reading stopped at the limit.
        bytes: Option<u64>,
    },
    /// The file was read but is not a valid configuration: TOML syntax, an
    /// unknown key, a wrong type or a bad value. Every problem found is listed.
    #[error("{}", render_problems(problems))]
    Invalid {
        /// The problems, in file order.
        problems: Vec<Problem>,
    },
    /// `--env` (or `default_environment`) names an environment that neither
    /// hagen nor the file defines.
    #[error("{}", unknown_environment(name, known, suggestion.as_deref(), file.as_deref()))]
    UnknownEnvironment {
        /// The name asked for.
        name: String,
        /// Every environment that exists.
        known: Vec<String>,
        /// The closest known name, if one is close.
        suggestion: Option<String>,
        /// The configuration file consulted, if any.
        file: Option<PathBuf>,
    },
    /// The blueprint's configuration type cannot be used as a `blueprint`
    /// table: its defaults do not serialize to a TOML table, or do not
    /// read back. A bug in the blueprint, not in the file.
    #[error(
        "the blueprint's configuration type is not usable as a [blueprint] table: {message}; \
         this is a bug in the blueprint (its defaults must serialize to a TOML table and read back)"
    )]
    Blueprint {
        /// What went wrong.
        message: String,
    },
}

impl ConfigError {
    /// Whether this is a mistake in the blueprint's code rather than in
    /// the user's file or command line.
    pub fn is_blueprint_bug(&self) -> bool {
        matches!(self, ConfigError::Blueprint { .. })
    }

    /// The problems listed by an [`ConfigError::Invalid`] error (empty for the other kinds).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

fn too_large(path: &Path, bytes: Option<u64>) -> String {
    let size = match bytes {
        Some(n) => format!("{n} bytes"),
        None => format!(
            "more than {} bytes (reading stopped there)",
            super::MAX_FILE_BYTES
        ),
    };
    format!(
        "configuration file {} is {size}; hagen reads at most {} bytes of configuration: \
         give the path of a hagen.toml (see docs/config.md)",
        path.display(),
        super::MAX_FILE_BYTES
    )
}

fn render_problems(problems: &[Problem]) -> String {
    let mut text = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            text.push_str("\n\n");
        }
        text.push_str(&p.to_string());
    }
    if problems.len() > 1 {
        text.push_str(&format!(
            "\n\n{} problems in the configuration file",
            problems.len()
        ));
    }
    text
}

fn unknown_environment(
    name: &str,
    known: &[String],
    suggestion: Option<&str>,
    file: Option<&Path>,
) -> String {
    let mut text = format!("unknown environment `{name}`");
    if let Some(s) = suggestion {
        text.push_str(&format!("; did you mean `{s}`?"));
    }
    text.push_str(&format!("\nknown environments: {}", known.join(", ")));
    match file {
        Some(file) => text.push_str(&format!(
            "\nto add one, add an [environments.{name}] table to {}",
            file.display()
        )),
        None => text.push_str(&format!(
            "\nto add one, create hagen.toml with an [environments.{name}] table (see docs/config.md)"
        )),
    }
    text
}

/// A configuration file's text, with what is needed to turn byte offsets
/// into lines and columns.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub(crate) fn new(path: &Path, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.char_indices()
                .filter(|&(_, c)| c == '\n')
                .map(|(i, _)| i + 1),
        );
        Source {
            path: path.to_owned(),
            text,
            line_starts,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    fn line_text(&self, index: usize) -> &str {
        let start = self.line_starts[index];
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    fn char_column(&self, line: usize, offset: usize) -> usize {
        let start = self.line_starts[line];
        let offset = offset.clamp(start, self.text.len());
        self.text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
    }

    /// The location of a byte offset.
    pub(crate) fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        Location {
            file: self.path.clone(),
            line: line + 1,
            column: self.char_column(line, offset) + 1,
        }
    }

    /// A problem at a byte span, quoting its first line (a window of
    /// [`MAX_SNIPPET_CHARS`] around the span when the line is longer).
    /// The key, message and help are cut to [`MAX_TEXT_CHARS`]: a problem's
    /// size does not depend on the file's.
    pub(crate) fn problem(
        &self,
        span: Range<usize>,
        key: Option<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Problem {
        let start = span.start.min(self.text.len());
        let line = self.line_index(start);
        let full = self.line_text(line);
        // A span at a CRLF line's end counts the `\r` the quoted line
        // leaves out: it underlines the end of the line instead.
        let from = self.char_column(line, start).min(full.chars().count());
        let line_end = self.line_starts[line] + full.len();
        let to = self.char_column(line, span.end.min(line_end)).max(from + 1);
        let snippet = window(full, from, to);
        Problem {
            location: Some(self.location(start)),
            key: key.map(|k| clip(&k)),
            value: None,
            message: clip(&message.into()),
            help: help.map(|h| clip(&h)),
            snippet: Some(snippet),
        }
    }
}

/// The most problems one configuration file reports; past it they are
/// counted, and the count is the last problem.
pub(crate) const MAX_PROBLEMS: usize = 100;

/// The most characters of a line a problem quotes.
pub(crate) const MAX_SNIPPET_CHARS: usize = 160;

/// The most characters of a key, message or help a problem holds.
pub(crate) const MAX_TEXT_CHARS: usize = 512;

/// `text` cut to [`MAX_TEXT_CHARS`] characters, with `...` when cut.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

/// The part of `line` a snippet shows: all of it when short enough, else
/// [`MAX_SNIPPET_CHARS`] characters from a little before the underline,
/// marked with `...` where cut; the underline moves with it.
fn window(line: &str, from: usize, to: usize) -> Snippet {
    let chars = line.chars().count();
    if chars <= MAX_SNIPPET_CHARS {
        return Snippet {
            text: line.to_owned(),
            underline: from..to,
        };
    }
    let start = from.saturating_sub(MAX_SNIPPET_CHARS / 4);
    let end = (start + MAX_SNIPPET_CHARS).min(chars);
    let mut text: String = if start > 0 {
        "...".into()
    } else {
        String::new()
    };
    let offset = text.chars().count();
    text.extend(line.chars().skip(start).take(end - start));
    if end < chars {
        text.push_str("...");
    }
    let shown_to = to.min(end).max(from + 1);
    Snippet {
        text,
        underline: (from - start + offset)..(shown_to - start + offset),
    }
}

/// The problem that stands for `count` problems left out.
pub(crate) fn omitted(count: usize) -> Problem {
    Problem {
        location: None,
        key: None,
        value: None,
        message: format!(
            "{count} more problem{} found and not listed (hagen lists at most {MAX_PROBLEMS}); fix the ones above and run again",
            if count == 1 { " was" } else { "s were" }
        ),
        help: None,
        snippet: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines_and_character_columns() {
        let src = Source::new(Path::new("h.toml"), "a = 1\nbé = 'x'\n".into());
        let loc = src.location(10);
        assert_eq!((loc.line, loc.column), (2, 4));
        assert_eq!(src.location(0).line, 1);
    }

    #[test]
    fn a_problem_quotes_its_line_and_underlines_the_span() {
        let src = Source::new(Path::new("h.toml"), "x = 1\naz_cont = 3\n".into());
        let p = src.problem(
            6..13,
            Some("az_cont".into()),
            "unknown key",
            Some("did you mean `az_count`?".into()),
        );
        assert_eq!(
            p.to_string(),
            "h.toml:2:1: `az_cont`: unknown key\n  |\n2 | az_cont = 3\n  | ^^^^^^^\n  = help: did you mean `az_count`?"
        );
    }

    /// Regression (hostile input, config snippets): 60,000 unknown keys on
    /// one 700 KB line each quoted the whole line (42 GB). A problem
    /// quotes a window of the line and at most MAX_TEXT_CHARS of its key.
    #[test]
    fn a_long_line_is_quoted_around_the_span() {
        let line = format!(
            "{}bad = 1{}",
            "a = 1, ".repeat(1000),
            ", z = 2".repeat(1000)
        );
        let src = Source::new(Path::new("h.toml"), format!("{line}\n"));
        let start = 7000;
        let key = "k".repeat(10_000);
        let p = src.problem(start..start + 3, Some(key), "unknown key", None);
        let snippet = p.snippet.as_ref().expect("snippet");
        assert_eq!(snippet.text.chars().count(), MAX_SNIPPET_CHARS + 6);
        assert!(snippet.text.starts_with("...") && snippet.text.ends_with("..."));
        let shown: String = snippet
            .text
            .chars()
            .skip(snippet.underline.start)
            .take(snippet.underline.len())
            .collect();
        assert_eq!(shown, "bad");
        assert_eq!(p.location.as_ref().map(|l| l.column), Some(7001));
        assert_eq!(p.key.as_ref().map(|k| k.len()), Some(MAX_TEXT_CHARS + 3));
    }

    /// Regression (found by the configuration fuzz test): a span at the
    /// end of a CRLF line counted the `\r` that the quoted line leaves
    /// out, so the underline started past the end of the line.
    #[test]
    fn a_span_at_a_crlf_line_end_is_underlined_at_the_end_of_the_line() {
        let src = Source::new(Path::new("h.toml"), "\"\r\n".into());
        let p = src.problem(2..3, None, "unterminated string", None);
        let snippet = p.snippet.expect("snippet");
        assert_eq!(snippet.text, "\"");
        assert_eq!(snippet.underline, 1..2);
    }

    #[test]
    fn a_span_past_the_end_of_its_line_is_cut_at_the_line() {
        let src = Source::new(Path::new("h.toml"), "[t]\nk = \"\"\"a\nb\"\"\"\n".into());
        let p = src.problem(8..18, None, "bad", None);
        let snippet = p.snippet.expect("snippet");
        assert_eq!(snippet.text, "k = \"\"\"a");
        assert_eq!(snippet.underline, 4..8);
    }
}
