//! What can go wrong while reading a template: fatal [`ParseError`]s and the
//! [`Problem`]s found along the way, each with a [`Location`].
//!
//! Owns the shapes and the wording of the messages only; the readers decide
//! when to raise them. It must not print anything or choose a severity for
//! the validator: it says which problems stop the IR from being built
//! ([`ProblemKind::is_fatal`]) and which ones CloudFormation itself rejects
//! ([`ProblemKind::rejected_by_cloudformation`]).

use std::fmt;

use thiserror::Error;

/// The largest template CloudFormation accepts: 1,000,000 bytes, the limit
/// for a template body uploaded to S3 (`TemplateURL`). Inline bodies
/// (`TemplateBody`) are limited to 51,200 bytes; that quota is the
/// validator's to check, since the reader cannot know how the template will
/// be sent. Source: the CloudFormation quotas page.
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

/// The deepest nesting of lists and maps the reader accepts. Real templates
/// stay far below it (an IAM policy inside a resource is about ten levels);
/// the limit keeps recursive code over the tree safe on hostile input.
pub const MAX_DEPTH: usize = 100;

/// How many nodes YAML alias expansion may produce in one document, all
/// aliases together (aliases used as keys included: each costs a node).
/// Expanding aliases copies the anchored value, so a few nested anchors can
/// otherwise expand to billions of nodes ("billion laughs"). CloudFormation
/// rejects aliases outright; hagen expands them within this budget (and
/// [`MAX_ALIAS_BYTES`]) so it can still check the rest of the template.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// How many bytes of text (scalars, keys and tags) YAML alias expansion may
/// produce in one document, all aliases together, keys included. Without it
/// a few aliases of one large string multiply it: 40,000 aliases of a
/// 600 KB string are 24 GB, within [`MAX_ALIAS_NODES`]. The same figure as
/// [`MAX_TEMPLATE_BYTES`]: expansion may at most double the text.
pub const MAX_ALIAS_BYTES: usize = 1_000_000;

/// How many problems the reader keeps for one document. Past it, problems
/// are counted, not kept: the last one, [`ProblemKind::Omitted`], says how
/// many more there were (and whether CloudFormation rejects any of them).
/// Each problem holds its path, so an unbounded list costs memory in
/// proportion to problems times nesting (a million `yes` values under a
/// long key); nobody reads past the first thousand anyway.
pub const MAX_PROBLEMS: usize = 1_000;

/// How many characters of a key, name or value a problem quotes (in its
/// path and its message). CloudFormation's names are at most 255
/// characters, so a real name is never cut; a longer text is cut and marked
/// with `...`, so that a problem's size does not depend on the input's.
pub const MAX_QUOTED_CHARS: usize = 256;

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, with `...` when cut.
pub(super) fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

/// Adds a problem to a document's list, within [`MAX_PROBLEMS`]: past it
/// the last entry is a [`ProblemKind::Omitted`] that counts the rest.
/// Texts in the problem are cut to [`MAX_QUOTED_CHARS`]; `path` is only
/// built when the problem is kept (its segments should be cut already).
pub(super) fn record(
    problems: &mut Vec<Problem>,
    kind: ProblemKind,
    path: impl FnOnce() -> Vec<String>,
    location: Location,
) {
    if problems.len() >= MAX_PROBLEMS {
        let fatal = kind.is_fatal();
        let rejected = kind.rejected_by_cloudformation();
        if let Some(Problem {
            kind:
                ProblemKind::Omitted {
                    count,
                    fatal: f,
                    rejected: r,
                },
            ..
        }) = problems.last_mut()
        {
            *count += 1;
            *f |= fatal;
            *r |= rejected;
        } else {
            problems.push(Problem {
                kind: ProblemKind::Omitted {
                    count: 1,
                    fatal,
                    rejected,
                },
                path: Vec::new(),
                location,
            });
        }
        return;
    }
    problems.push(Problem {
        kind: kind.clipped(),
        path: path(),
        location,
    });
}

/// Sorts problems by location, keeping [`ProblemKind::Omitted`] last.
pub(super) fn sort(problems: &mut [Problem]) {
    problems.sort_by_key(|p| (matches!(p.kind, ProblemKind::Omitted { .. }), p.location));
}

/// A 1-based line and column (in characters) inside the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line, counting from 1.
    pub line: usize,
    /// Column in characters (not bytes), counting from 1.
    pub column: usize,
}

impl Location {
    /// A location from 1-based line and column.
    pub fn new(line: usize, column: usize) -> Self {
        Location { line, column }
    }
}

impl Default for Location {
    fn default() -> Self {
        Location { line: 1, column: 1 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The two notations a template can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (ECMA-404), intrinsics in long form only.
    Json,
    /// YAML, with short-form tags such as `!Ref`.
    Yaml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        })
    }
}

/// One thing found wrong or worth knowing in a readable document, with
/// where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What it is.
    pub kind: ProblemKind,
    /// Path from the top of the document to the value concerned
    /// (`["Resources", "Db", "Properties", "Port"]`, list indices as
    /// strings, short-form tags as their long name such as `Fn::Select`).
    pub path: Vec<String>,
    /// Where in the source text.
    pub location: Location,
}

impl Problem {
    /// The logical ID the problem is about, when it sits inside a
    /// `Resources`, `Parameters`, `Outputs`, `Conditions`, `Mappings` or
    /// `Rules` entry.
    pub fn logical_id(&self) -> Option<&str> {
        match self.path.as_slice() {
            [section, id, ..]
                if matches!(
                    section.as_str(),
                    "Resources" | "Parameters" | "Outputs" | "Conditions" | "Mappings" | "Rules"
                ) =>
            {
                Some(id)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)
    }
}

/// The kinds of [`Problem`].
///
/// Fatal kinds ([`ProblemKind::is_fatal`]) describe documents the
/// [`crate::template::Template`] IR cannot hold; the others leave a usable
/// template and are returned beside it for the validator to report.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProblemKind {
    /// A value of the wrong type where the template format requires a
    /// particular one (the template is a list, `Properties` is a string ...).
    #[error("{what} must be {expected}; found {found}")]
    WrongType {
        /// What was being read (`Resources`, `resource "Db" Properties` ...).
        what: String,
        /// What the format requires there.
        expected: &'static str,
        /// What the document has.
        found: String,
    },
    /// A required entry is absent.
    #[error("{what} has no {key}; {hint}")]
    MissingKey {
        /// What is missing it.
        what: String,
        /// The missing key.
        key: &'static str,
        /// What to add.
        hint: &'static str,
    },
    /// A key the template format does not define at this place.
    #[error("{}", unknown_key_message(what, key, allowed))]
    UnknownKey {
        /// Where the key stands (`the template`, `resource "Db"`).
        what: String,
        /// The key as written.
        key: String,
        /// The keys allowed there.
        allowed: &'static [&'static str],
    },
    /// A `DeletionPolicy` or `UpdateReplacePolicy` that is not one of
    /// CloudFormation's four.
    #[error(
        "{attribute} {value:?} is not a policy CloudFormation knows; use Delete, Retain, RetainExceptOnCreate or Snapshot"
    )]
    UnknownPolicy {
        /// `DeletionPolicy` or `UpdateReplacePolicy`.
        attribute: &'static str,
        /// The value as written.
        value: String,
    },
    /// The same key twice in one map. YAML and JSON readers silently keep
    /// one of them, so the other is lost without a word.
    #[error(
        "duplicate key {key:?} (first at line {}, column {}); keep one of them, readers silently drop the other",
        first.line, first.column
    )]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// Where the key was first written.
        first: Location,
    },
    /// A YAML map key that is not a plain string (a list, a map, a tagged
    /// value). CloudFormation keys are strings.
    #[error("map keys must be plain strings; found {found}")]
    NonStringKey {
        /// What the key is.
        found: String,
    },
    /// An intrinsic function whose argument does not have the shape
    /// CloudFormation requires. The value is kept as the one-entry map it
    /// was written as (`{"Fn::Select": [...]}`) unless the IR can hold it.
    #[error("{function} {expected}; found {found}")]
    IntrinsicShape {
        /// Long name of the function (`Fn::Select`).
        function: &'static str,
        /// The shape CloudFormation requires, as a phrase.
        expected: &'static str,
        /// What the document has.
        found: String,
    },
    /// A YAML alias (`*name`). CloudFormation rejects templates that use
    /// them; hagen expands it so the rest can still be checked.
    #[error(
        "YAML alias: CloudFormation rejects templates that use aliases (\"YAML aliases are not allowed\"); write the value out in full"
    )]
    Alias,
    /// A YAML merge key (`<<`). CloudFormation does not merge maps; the
    /// entry is kept as an ordinary key named `<<`.
    #[error(
        "YAML merge key `<<`: CloudFormation does not support merging maps, it reads `<<` as an ordinary key; write the entries out in full"
    )]
    MergeKey,
    /// A YAML tag CloudFormation does not support (`!!binary`,
    /// `!!timestamp`, `!!set`, tags with other handles). The value is read
    /// as if the tag were absent.
    #[error(
        "YAML tag {tag} is not supported by CloudFormation; remove it (the value was read without it)"
    )]
    UnsupportedTag {
        /// The tag as written (`!!binary`).
        tag: String,
    },
    /// A plain YAML scalar that CloudFormation's YAML 1.1 reader turns into
    /// something other than what a YAML 1.2 reader (and most editors)
    /// would show: `yes` is a boolean, `0755` an octal number, `1:30` a
    /// base-60 number. Read here as CloudFormation reads it.
    #[error(
        "plain {text:?} is read by CloudFormation (YAML 1.1) as {reading}; quote it if you meant the string"
    )]
    Yaml11Scalar {
        /// The scalar as written.
        text: String,
        /// What it was read as (`the boolean true`, `the number 493`).
        reading: String,
    },
    /// An entry that only a transform can expand (`Fn::ForEach::Name` from
    /// `AWS::LanguageExtensions`). hagen reads templates before transforms
    /// run, so the entry is left out of the IR.
    #[error(
        "{key} is expanded by the AWS::LanguageExtensions transform, which hagen does not run; the entry is skipped and not checked"
    )]
    NeedsTransform {
        /// The key as written.
        key: String,
    },
    /// More problems than [`MAX_PROBLEMS`]: the rest are counted here, not
    /// listed. Always the last problem of a list, at the first one left out.
    #[error(
        "{count} more problem{} found and not listed (hagen lists at most {MAX_PROBLEMS}); fix the ones above and validate again",
        if *count == 1 { " was" } else { "s were" }
    )]
    Omitted {
        /// How many were left out.
        count: usize,
        /// Whether any of them is fatal.
        fatal: bool,
        /// Whether CloudFormation rejects any of them.
        rejected: bool,
    },
}

impl ProblemKind {
    /// Whether the [`crate::template::Template`] IR cannot hold the
    /// document because of this problem. Any fatal problem makes
    /// [`super::parse_template`] return [`ParseError::Invalid`].
    pub fn is_fatal(&self) -> bool {
        match self {
            ProblemKind::Omitted { fatal, .. } => *fatal,
            _ => matches!(
                self,
                ProblemKind::WrongType { .. }
                    | ProblemKind::MissingKey { .. }
                    | ProblemKind::UnknownKey { .. }
                    | ProblemKind::UnknownPolicy { .. }
                    | ProblemKind::DuplicateKey { .. }
                    | ProblemKind::NonStringKey { .. }
            ),
        }
    }

    /// The same problem with every text it quotes from the input cut to
    /// [`MAX_QUOTED_CHARS`]. (`what` phrases are built from names already
    /// cut, and keep their closing quote.)
    fn clipped(self) -> Self {
        use ProblemKind as K;
        match self {
            K::WrongType {
                what,
                expected,
                found,
            } => K::WrongType {
                what,
                expected,
                found: clip(&found),
            },
            K::MissingKey { .. } => self,
            K::UnknownKey { what, key, allowed } => K::UnknownKey {
                what,
                key: clip(&key),
                allowed,
            },
            K::UnknownPolicy { attribute, value } => K::UnknownPolicy {
                attribute,
                value: clip(&value),
            },
            K::DuplicateKey { key, first } => K::DuplicateKey {
                key: clip(&key),
                first,
            },
            K::NonStringKey { found } => K::NonStringKey {
                found: clip(&found),
            },
            K::IntrinsicShape {
                function,
                expected,
                found,
            } => K::IntrinsicShape {
                function,
                expected,
                found: clip(&found),
            },
            K::UnsupportedTag { tag } => K::UnsupportedTag { tag: clip(&tag) },
            K::Yaml11Scalar { text, reading } => K::Yaml11Scalar {
                text: clip(&text),
                reading: clip(&reading),
            },
            K::NeedsTransform { key } => K::NeedsTransform { key: clip(&key) },
            other @ (K::Alias | K::MergeKey | K::Omitted { .. }) => other,
        }
    }

    /// Whether CloudFormation refuses a template with this problem (as
    /// opposed to reading it in a way the author may not expect, or
    /// needing a transform hagen does not run). The validator reports
    /// these as errors.
    pub fn rejected_by_cloudformation(&self) -> bool {
        match self {
            ProblemKind::Omitted { rejected, .. } => *rejected,
            _ => !matches!(
                self,
                ProblemKind::Yaml11Scalar { .. } | ProblemKind::NeedsTransform { .. }
            ),
        }
    }
}

fn unknown_key_message(what: &str, key: &str, allowed: &[&str]) -> String {
    let mut msg = format!("{what} has an unknown key {key:?}");
    if let Some(near) = closest(key, allowed) {
        msg.push_str(&format!("; did you mean {near:?}?"));
    } else {
        msg.push_str(&format!(
            "; the keys allowed here are {}",
            allowed.join(", ")
        ));
    }
    msg
}

/// The allowed word closest to `word`, when it is close enough to be a typo
/// (case differences, or at most a third of the letters edited).
///
/// The distance is never below the difference in length, so a candidate
/// that differs by more than its threshold is skipped unmeasured: a
/// 1 MB key costs no more than a short one.
fn closest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let length = word.chars().count();
    let lower = word.to_lowercase();
    allowed
        .iter()
        .filter_map(|candidate| {
            let threshold = candidate.chars().count().max(3) / 3;
            if length.abs_diff(candidate.chars().count()) > threshold {
                return None;
            }
            let distance = edit_distance(&lower, &candidate.to_lowercase());
            (distance <= threshold).then_some((distance, *candidate))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Why a template could not be read at all.
///
/// Every variant names the source (`file`) and, where there is one, the
/// line and column; the messages say what to do.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ParseError {
    /// The text is larger than any template CloudFormation accepts.
    #[error(
        "{file}: the template is {}; CloudFormation accepts at most {MAX_TEMPLATE_BYTES} bytes (uploaded to S3; 51,200 inline): split it into nested stacks",
        size_text(*bytes)
    )]
    TooLarge {
        /// Source name.
        file: String,
        /// Size of the text in bytes; `None` when reading stopped at the
        /// limit (standard input, a pipe, a device: see [`crate::input`]).
        bytes: Option<usize>,
    },
    /// The bytes are not UTF-8 text.
    #[error("{file}:{location}: the template is not UTF-8 text; save it as UTF-8")]
    NotUtf8 {
        /// Source name.
        file: String,
        /// Where the first invalid byte is.
        location: Location,
    },
    /// Malformed YAML or JSON, as the parser reports it.
    #[error("{file}:{location}: malformed {format}: {message}")]
    Syntax {
        /// Source name.
        file: String,
        /// The notation the text was read as.
        format: Format,
        /// Where the parser stopped.
        location: Location,
        /// The parser's explanation.
        message: String,
    },
    /// YAML aliases expand to more nodes than [`MAX_ALIAS_NODES`] or more
    /// text than [`MAX_ALIAS_BYTES`].
    #[error(
        "{file}:{location}: YAML aliases expand to more than {limit} {unit} (an alias bomb?); CloudFormation rejects aliases anyway: write the values out in full"
    )]
    AliasLimit {
        /// Source name.
        file: String,
        /// The alias that went over the budget.
        location: Location,
        /// The budget: [`MAX_ALIAS_NODES`] or [`MAX_ALIAS_BYTES`].
        limit: usize,
        /// What the budget counts: `values` or `bytes of text`.
        unit: &'static str,
    },
    /// Lists and maps nested deeper than [`MAX_DEPTH`].
    #[error(
        "{file}:{location}: lists and maps are nested more than {limit} levels deep; no CloudFormation template needs that, flatten the value"
    )]
    TooDeep {
        /// Source name.
        file: String,
        /// The list or map that went over the limit.
        location: Location,
        /// The limit, [`MAX_DEPTH`].
        limit: usize,
    },
    /// The text is well-formed YAML or JSON but not a template the IR can
    /// hold. `problems` lists every problem found, fatal or not, in source
    /// order, so all of them can be fixed at once.
    #[error("{}", invalid_message(file, problems))]
    Invalid {
        /// Source name.
        file: String,
        /// Every problem found; at least one is fatal.
        problems: Vec<Problem>,
    },
}

fn size_text(bytes: Option<usize>) -> String {
    match bytes {
        Some(n) => format!("{n} bytes"),
        None => format!("more than {MAX_TEMPLATE_BYTES} bytes (reading stopped there)"),
    }
}

fn invalid_message(file: &str, problems: &[Problem]) -> String {
    let fatal: Vec<&Problem> = problems.iter().filter(|p| p.kind.is_fatal()).collect();
    let lines: Vec<String> = fatal
        .iter()
        .map(|p| format!("{file}:{}: {}", p.location, p.kind))
        .collect();
    if lines.len() == 1 {
        lines.concat()
    } else {
        format!(
            "{file}: the template cannot be read ({} problems):\n  {}",
            lines.len(),
            lines.join("\n  ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(
            closest("Propertes", &["Type", "Properties"]),
            Some("Properties")
        );
        assert_eq!(closest("dependson", &["DependsOn"]), Some("DependsOn"));
        assert_eq!(closest("Zebra", &["Type", "Properties"]), None);
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn the_logical_id_comes_from_the_path() {
        let p = Problem {
            kind: ProblemKind::Alias,
            path: vec!["Resources".into(), "Db".into(), "Properties".into()],
            location: Location::new(3, 5),
        };
        assert_eq!(p.logical_id(), Some("Db"));
        let top = Problem {
            path: vec!["Description".into()],
            ..p
        };
        assert_eq!(top.logical_id(), None);
    }

    #[test]
    fn an_invalid_template_with_one_problem_reads_as_one_line() {
        let err = ParseError::Invalid {
            file: "t.yaml".into(),
            problems: vec![Problem {
                kind: ProblemKind::MissingKey {
                    what: "resource \"Db\"".into(),
                    key: "Type",
                    hint: "add its resource type",
                },
                path: vec!["Resources".into(), "Db".into()],
                location: Location::new(4, 3),
            }],
        };
        assert_eq!(
            err.to_string(),
            "t.yaml:4:3: resource \"Db\" has no Type; add its resource type"
        );
    }
}
