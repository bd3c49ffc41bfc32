//! Writes an [`Expr`] tree as idiomatic CloudFormation YAML.
//!
//! Owns formatting only: short-form tags (`!Ref`, `!GetAtt A.B`, `!Sub`, ...)
//! wherever YAML allows them, quotes only where a plain scalar would be read
//! back as something else, literal block scalars for multi-line strings, and
//! short flow sequences (`!Select [0, !GetAZs '']`) where they fit on a line.
//! The output is a pure function of the tree, so it is byte-for-byte
//! deterministic. Reading YAML back is `super::parse`'s job.

use indexmap::IndexMap;

use super::expr::{Expr, Intrinsic};

/// Longest line we try to keep a flow sequence on before breaking it into a
/// block sequence.
const MAX_FLOW_WIDTH: usize = 100;

/// Renders a template (or any value) as YAML text ending in a newline.
pub fn to_yaml(root: &Expr) -> String {
    let mut w = Writer { out: String::new() };
    match root {
        Expr::Map(m) if !m.is_empty() => w.map_body(m, 0, false),
        Expr::List(l) if !l.is_empty() => w.seq_body(l, 0, false),
        other => w.node(other, 0),
    }
    w.out
}

struct Writer {
    out: String,
}

/// A node cannot carry two tags (`!Base64 !Sub ...` is not YAML), and a map
/// argument reads badly after a tag: such functions are written in long form,
/// as a one-entry map (`Fn::Base64: !Sub ...`).
fn long_form(value: &Expr) -> Option<IndexMap<String, Expr>> {
    let f = value.as_fn()?;
    let arg = f.argument();
    if matches!(arg, Expr::Fn(_) | Expr::Map(_)) {
        let mut m = IndexMap::new();
        m.insert(f.long_name().to_owned(), arg);
        Some(m)
    } else {
        None
    }
}

impl Writer {
    fn pad(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// Writes `key: value` entries at `indent`. With `inline_first`, the
    /// first entry continues the current line (after `- `).
    fn map_body(&mut self, map: &IndexMap<String, Expr>, indent: usize, inline_first: bool) {
        for (i, (key, value)) in map.iter().enumerate() {
            if !(i == 0 && inline_first) {
                self.pad(indent);
            }
            self.out.push_str(&scalar_string(key, false));
            self.out.push(':');
            self.after_key(value, indent);
        }
    }

    /// Writes `- item` entries at `indent`.
    fn seq_body(&mut self, items: &[Expr], indent: usize, inline_first: bool) {
        for (i, item) in items.iter().enumerate() {
            if !(i == 0 && inline_first) {
                self.pad(indent);
            }
            self.out.push('-');
            if let Some(m) = long_form(item) {
                self.out.push(' ');
                self.map_body(&m, indent + 2, true);
                continue;
            }
            match item {
                Expr::Map(m) if !m.is_empty() => {
                    self.out.push(' ');
                    self.map_body(m, indent + 2, true);
                }
                Expr::List(l) if !l.is_empty() && flow(item).is_none() => {
                    self.out.push(' ');
                    self.seq_body(l, indent + 2, true);
                }
                _ => {
                    self.out.push(' ');
                    self.node(item, indent + 2);
                }
            }
        }
    }

    /// Writes the value of a map entry whose `key:` has just been written.
    fn after_key(&mut self, value: &Expr, indent: usize) {
        if let Some(m) = long_form(value) {
            self.out.push('\n');
            self.map_body(&m, indent + 2, false);
            return;
        }
        match value {
            Expr::Map(m) if !m.is_empty() => {
                self.out.push('\n');
                self.map_body(m, indent + 2, false);
            }
            Expr::List(l) if !l.is_empty() => {
                self.out.push('\n');
                self.seq_body(l, indent + 2, false);
            }
            _ => {
                self.out.push(' ');
                self.node(value, indent + 2);
            }
        }
    }

    /// Writes a scalar, an empty collection or an intrinsic starting on the
    /// current line; continuation lines are indented by `indent`.
    fn node(&mut self, value: &Expr, indent: usize) {
        match value {
            Expr::String(s) if literal_block_fits(s) && (indent > 0 || !starts_blank(s)) => {
                self.literal_block(s, indent)
            }
            Expr::Fn(f) => self.intrinsic(f, indent),
            Expr::Map(m) if !m.is_empty() => {
                self.out.push('\n');
                self.map_body(m, indent, false);
            }
            Expr::List(l) if !l.is_empty() => match flow(value) {
                Some(text) if indent + text.len() <= MAX_FLOW_WIDTH => {
                    self.out.push_str(&text);
                    self.out.push('\n');
                }
                _ => {
                    self.out.push('\n');
                    self.seq_body(l, indent, false);
                }
            },
            other => {
                self.out.push_str(&scalar(other, false));
                self.out.push('\n');
            }
        }
    }

    fn intrinsic(&mut self, f: &Intrinsic, indent: usize) {
        if let Some(text) = flow_fn(f)
            && indent + text.len() <= MAX_FLOW_WIDTH
        {
            self.out.push_str(&text);
            self.out.push('\n');
            return;
        }
        let tag = format!("!{}", f.short_name());
        match f.argument() {
            // A scalar argument keeps the short form: `!Sub |` + block.
            Expr::String(s) => {
                self.out.push_str(&tag);
                self.out.push(' ');
                self.node(&Expr::String(s), indent);
            }
            // Callers write these in long form (see `long_form`); at the top
            // level, a one-entry map is all that is left.
            arg @ (Expr::Fn(_) | Expr::Map(_)) => {
                let mut long = IndexMap::new();
                long.insert(f.long_name().to_owned(), arg);
                self.map_body(&long, indent, true);
            }
            Expr::List(items) => {
                self.out.push_str(&tag);
                self.out.push('\n');
                self.seq_body(&items, indent, false);
            }
            other => {
                self.out.push_str(&tag);
                self.out.push(' ');
                self.node(&other, indent);
            }
        }
    }

    fn literal_block(&mut self, s: &str, indent: usize) {
        let body = s.trim_end_matches('\n');
        let trailing = s.len() - body.len();
        self.out.push('|');
        let first = body.lines().find(|l| !l.is_empty()).unwrap_or("");
        if first.starts_with(' ') {
            // The indentation cannot be detected from content that starts
            // with spaces: state it.
            self.out.push('2');
        }
        match trailing {
            0 => self.out.push('-'),
            1 => {}
            _ => self.out.push('+'),
        }
        self.out.push('\n');
        for line in body.split('\n') {
            if !line.is_empty() {
                self.pad(indent);
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        for _ in 1..trailing {
            self.out.push('\n');
        }
    }
}

/// Whether a string is best written as a literal block scalar: it has line
/// breaks, and nothing a literal block would alter (lines of only spaces,
/// carriage returns and other control characters, leading or trailing blank
/// content).
fn literal_block_fits(s: &str) -> bool {
    s.contains('\n')
        && !s.trim().is_empty()
        && !s.starts_with('\n')
        && !s.chars().any(|c| must_escape(c) && c != '\n' && c != '\t')
        && !s
            .split('\n')
            .any(|l| !l.is_empty() && l.trim_matches([' ', '\t']).is_empty())
        && !s.split('\n').any(|l| l.ends_with(' ') || l.ends_with('\t'))
}

/// Whether the first non-empty line starts with a space or tab. A literal
/// block at the top level (indentation 0) cannot say so: the indentation
/// indicator counts from the parent's indentation, and a leading tab is
/// refused, so such strings are double-quoted there.
fn starts_blank(s: &str) -> bool {
    s.split('\n')
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with([' ', '\t']))
}

/// A single-line flow rendering of a value, when it has one.
fn flow(value: &Expr) -> Option<String> {
    match value {
        Expr::String(s) if s.contains('\n') => None,
        Expr::Map(m) if m.is_empty() => Some("{}".into()),
        Expr::Map(_) => None,
        Expr::List(items) => {
            let parts: Option<Vec<String>> = items.iter().map(flow).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Expr::Fn(f) => flow_fn(f),
        other => Some(scalar(other, true)),
    }
}

/// A single-line short-form rendering of an intrinsic, when it has one.
fn flow_fn(f: &Intrinsic) -> Option<String> {
    let tag = f.short_name();
    match f {
        Intrinsic::Ref(name) | Intrinsic::Condition(name) => {
            Some(format!("!{tag} {}", scalar_string(name, true)))
        }
        // `A.B.C` is read as resource `A`: a resource name with a dot (or
        // an empty name) needs the list form.
        Intrinsic::GetAtt {
            resource,
            attribute,
        } if !resource.is_empty() && !resource.contains('.') => Some(format!(
            "!GetAtt {}",
            scalar_string(&format!("{resource}.{attribute}"), true)
        )),
        Intrinsic::Sub { variables, .. } if !variables.is_empty() => None,
        _ => match f.argument() {
            Expr::String(s) if !s.contains('\n') => {
                Some(format!("!{tag} {}", scalar_string(&s, true)))
            }
            list @ Expr::List(_) => Some(format!("!{tag} {}", flow(&list)?)),
            _ => None,
        },
    }
}

/// A scalar's text, plain where that reads back as the same value.
fn scalar(value: &Expr, in_flow: bool) -> String {
    match value {
        Expr::Null => "null".into(),
        Expr::Bool(b) => b.to_string(),
        Expr::Int(n) => n.to_string(),
        Expr::Float(x) => float_text(*x),
        Expr::String(s) => scalar_string(s, in_flow),
        Expr::List(_) => "[]".into(),
        Expr::Map(_) => "{}".into(),
        Expr::Fn(f) => flow_fn(f).unwrap_or_default(),
    }
}

fn float_text(x: f64) -> String {
    if x.is_nan() {
        ".nan".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else {
        let s = x.to_string();
        if s.contains(['.', 'e', 'E']) {
            s
        } else {
            format!("{s}.0")
        }
    }
}

/// A string scalar: plain when safe, single-quoted when it fits on a line,
/// double-quoted with escapes otherwise.
fn scalar_string(s: &str, in_flow: bool) -> String {
    if plain_is_safe(s, in_flow) {
        s.to_owned()
    } else if !s.chars().any(must_escape) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// Characters that must be written as escapes in a double-quoted scalar:
/// control characters, the byte-order mark (YAML refuses it inside a
/// document), the two non-characters YAML does not print, and the Unicode
/// line and paragraph separators, which YAML 1.1 readers (CloudFormation's)
/// take for line breaks.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}'
        )
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if must_escape(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Words that YAML 1.1 (which CloudFormation's and cfn-lint's parsers
/// follow) or YAML 1.2 would read as null or a boolean.
const RESERVED_WORDS: &[&str] = &[
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "=",
];

/// Whether `s` can be written as a plain scalar and read back as the same
/// string by YAML 1.1 and 1.2 parsers alike. Conservative: when in doubt, quote.
fn plain_is_safe(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.starts_with([' ', '\t']) || s.ends_with([' ', '\t', ':']) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if s.chars().any(must_escape) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    if in_flow && s.contains([',', '[', ']', '{', '}', ':']) {
        return false;
    }
    // saphyr refuses a plain scalar whose last word is a lone `-` before a
    // flow indicator (`[a -, b]`); other readers accept it, quoting suits all.
    if in_flow && s.rsplit([' ', '\t']).next() == Some("-") {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if RESERVED_WORDS.contains(&lower.as_str()) {
        return false;
    }
    if [".inf", "+.inf", "-.inf", ".nan"].contains(&lower.as_str()) {
        return false;
    }
    !looks_numeric(s)
}

/// Numbers, dates, times and sexagesimals in any YAML version: anything that
/// starts like a number and is made only of characters numbers, dates and
/// times use.
fn looks_numeric(s: &str) -> bool {
    let mut chars = s.chars();
    let starts_like_number = match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('+' | '-' | '.') => {
            matches!(chars.next(), Some(c) if c.is_ascii_digit() || c == '.' || c == '_')
        }
        _ => false,
    };
    starts_like_number
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() || "+-._:xXoObBtTzZ ".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Expr)>) -> Expr {
        Expr::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    fn r(name: &str) -> Expr {
        Expr::func(Intrinsic::Ref(name.into()))
    }

    #[test]
    fn strings_that_yaml_would_misread_are_quoted() {
        for s in [
            "yes",
            "No",
            "on",
            "null",
            "~",
            "80",
            "1.5",
            "2010-09-09",
            "0x1F",
            "1e3",
            "",
            "*",
            "-1",
            "a: b",
            "a #b",
            "x:",
            " lead",
            "!Ref",
            "@x",
            "12:30",
        ] {
            assert!(!plain_is_safe(s, false), "{s:?} must be quoted");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "swiftcode",
            "10.0.0.0/16",
            "0.0.0.0/0",
            "AWS::Region",
            "/health",
            "ami-123",
            "t3.micro",
            "Fn::Base64",
            "A value with spaces",
        ] {
            assert!(plain_is_safe(s, false), "{s:?} should be plain");
        }
    }

    #[test]
    fn colons_are_quoted_inside_flow_sequences() {
        assert_eq!(scalar_string("AWS::Region", true), "'AWS::Region'");
        assert_eq!(scalar_string("AWS::Region", false), "AWS::Region");
    }

    #[test]
    fn short_forms_are_used_where_legal() {
        let select = Expr::func(Intrinsic::Select {
            index: Expr::Int(0),
            list: Expr::func(Intrinsic::GetAZs(Expr::string(""))),
        });
        let doc = map(vec![
            ("A", r("Vpc")),
            (
                "B",
                Expr::func(Intrinsic::GetAtt {
                    resource: "Db".into(),
                    attribute: "Endpoint.Address".into(),
                }),
            ),
            ("C", select),
        ]);
        assert_eq!(
            to_yaml(&doc),
            "A: !Ref Vpc\nB: !GetAtt Db.Endpoint.Address\nC: !Select [0, !GetAZs '']\n"
        );
    }

    #[test]
    fn a_function_of_a_function_uses_the_long_form_outside() {
        let user_data = Expr::func(Intrinsic::Base64(Expr::func(Intrinsic::Sub {
            template: "#!/bin/bash\necho ${AWS::Region}\n".into(),
            variables: IndexMap::new(),
        })));
        let doc = map(vec![("UserData", user_data)]);
        assert_eq!(
            to_yaml(&doc),
            "UserData:\n  Fn::Base64: !Sub |\n    #!/bin/bash\n    echo ${AWS::Region}\n"
        );
    }

    #[test]
    fn multi_line_strings_get_literal_blocks_with_the_right_chomping() {
        let doc = map(vec![
            ("Keep", Expr::string("a\nb\n")),
            ("Strip", Expr::string("a\nb")),
            ("Plus", Expr::string("a\n\n")),
            ("Indented", Expr::string("  a\nb\n")),
        ]);
        assert_eq!(
            to_yaml(&doc),
            "Keep: |\n  a\n  b\nStrip: |-\n  a\n  b\nPlus: |+\n  a\n\nIndented: |2\n    a\n  b\n"
        );
    }

    #[test]
    fn lists_of_maps_and_long_lists_are_block_sequences() {
        let tags = Expr::List(vec![map(vec![
            ("Key", Expr::string("Project")),
            ("Value", Expr::string("swiftcode")),
        ])]);
        let doc = map(vec![("Tags", tags), ("Empty", Expr::List(vec![]))]);
        assert_eq!(
            to_yaml(&doc),
            "Tags:\n  - Key: Project\n    Value: swiftcode\nEmpty: []\n"
        );
    }

    #[test]
    fn sub_with_variables_is_a_tagged_block_sequence() {
        let mut vars = IndexMap::new();
        vars.insert("Name".to_string(), r("Env"));
        let doc = map(vec![(
            "V",
            Expr::func(Intrinsic::Sub {
                template: "x-${Name}".into(),
                variables: vars,
            }),
        )]);
        assert_eq!(
            to_yaml(&doc),
            "V: !Sub\n  - x-${Name}\n  - Name: !Ref Env\n"
        );
    }

    /// Regression: a byte-order mark inside a string was written raw, and
    /// YAML readers refuse it inside a document; U+2028/U+2029 written raw
    /// are line breaks to YAML 1.1 readers such as CloudFormation's.
    #[test]
    fn byte_order_marks_and_unicode_line_separators_are_escaped() {
        assert_eq!(scalar_string("\u{feff}x", false), "\"\\uFEFFx\"");
        assert_eq!(scalar_string("a\u{2028}b", false), "\"a\\u2028b\"");
        assert_eq!(scalar_string("a\u{2029}b", true), "\"a\\u2029b\"");
        assert!(!literal_block_fits("a\u{feff}\nb\n"));
    }

    /// Regression: `!GetAtt A.B.C` reads as resource `A`, so a resource name
    /// containing a dot was read back as a different resource.
    #[test]
    fn get_att_of_a_dotted_resource_name_uses_the_list_form() {
        let odd = Expr::func(Intrinsic::GetAtt {
            resource: "a.b".into(),
            attribute: "C".into(),
        });
        assert_eq!(to_yaml(&map(vec![("V", odd)])), "V: !GetAtt [a.b, C]\n");
    }

    /// Regression: `!FindInMap [0! -, a, b]` could not be read back; a
    /// plain scalar ending in a lone dash inside a flow sequence is refused
    /// by saphyr.
    #[test]
    fn a_trailing_lone_dash_is_quoted_in_flow_sequences() {
        assert_eq!(scalar_string("0! -", true), "'0! -'");
        assert_eq!(scalar_string("a  -", true), "'a  -'");
        assert_eq!(scalar_string("a -", false), "a -");
        assert_eq!(scalar_string("a -b", true), "a -b");
    }

    /// Regression: a top-level string whose first line starts with a space
    /// or tab was written as `|2` or `|` + tab at indentation 0, which reads
    /// back as a different string or not at all.
    #[test]
    fn a_top_level_block_that_starts_with_blanks_is_double_quoted() {
        assert_eq!(to_yaml(&Expr::string("  a\nb\n")), "\"  a\\nb\\n\"\n");
        assert_eq!(to_yaml(&Expr::string("\ta\n")), "\"\\ta\\n\"\n");
        assert_eq!(to_yaml(&Expr::string("a\n  b\n")), "|\na\n  b\n");
    }

    /// Regression: `._` was written plain, and PyYAML (cfn-lint) matches it
    /// as a float (then fails to build it).
    #[test]
    fn a_dot_followed_by_an_underscore_is_quoted() {
        assert!(!plain_is_safe("._", false));
        assert!(!plain_is_safe("-_1", false));
        assert!(plain_is_safe("_x", false));
    }

    #[test]
    fn floats_keep_a_fraction_so_they_read_back_as_floats() {
        assert_eq!(float_text(3.0), "3.0");
        assert_eq!(float_text(0.25), "0.25");
    }
}
