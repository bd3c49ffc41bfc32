//! Reads JSON text into the located [`Node`] tree.
//!
//! serde_json is the authority on what is valid JSON: it checks the whole
//! text first, and its error (with line and column) is the one reported.
//! Then a small scanner walks the text, which is now known to be valid, to
//! record where each value and key starts; string literals and numbers are
//! still decoded by serde_json, so values are exactly what serde_json reads.
//! Numbers: integers that fit `i64` are integers, everything else (a
//! fraction, an exponent, integers beyond `i64`) is a float.
//!
//! Owns JSON only; nothing here knows CloudFormation.

use serde::de::IgnoredAny;

use super::error::{Format, Location, MAX_DEPTH, ParseError, Problem, clip};
use super::node::{Kind, MapBuilder, Node};

/// The document's tree and the problems met while reading it.
pub(super) struct Read {
    pub root: Node,
    pub problems: Vec<Problem>,
}

/// Reads one JSON document. `file` names the source in errors.
pub(super) fn read(text: &str, file: &str) -> Result<Read, ParseError> {
    // Depth first: serde_json checks nesting without recursing, so the
    // limit is ours to enforce, before anything recursive runs.
    check_depth(text, file)?;
    if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
        return Err(ParseError::Syntax {
            file: file.to_owned(),
            format: Format::Json,
            location: char_location(text, e.line(), e.column()),
            message: error_message(&e),
        });
    }
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        cursor: Cursor {
            line: 1,
            column: 1,
            byte: 0,
        },
        path: Vec::new(),
        problems: Vec::new(),
        file,
    };
    let root = scanner.value()?;
    Ok(Read {
        root,
        problems: scanner.problems,
    })
}

/// serde_json's message without its own " at line L column C" suffix (the
/// location is reported separately).
fn error_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    }
}

/// serde_json counts columns in bytes; report characters, like YAML does.
fn char_location(text: &str, line: usize, byte_column: usize) -> Location {
    let line = line.max(1);
    let line_text = text.split('\n').nth(line - 1).unwrap_or("");
    let chars = line_text
        .char_indices()
        .take_while(|(i, _)| *i < byte_column)
        .count();
    Location::new(line, chars.max(1))
}

/// Refuses nesting deeper than [`MAX_DEPTH`], at the bracket that goes over.
/// Works on any text: brackets inside strings are skipped, and invalid JSON
/// is left for serde_json to report.
fn check_depth(text: &str, file: &str) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let mut cursor = Cursor {
                        line: 1,
                        column: 1,
                        byte: 0,
                    };
                    return Err(ParseError::TooDeep {
                        file: file.to_owned(),
                        location: cursor.advance(text, i),
                        limit: MAX_DEPTH,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Line and column of a byte offset, moved forward incrementally so a
/// one-line (minified) template costs linear time, not quadratic.
struct Cursor {
    line: usize,
    column: usize,
    byte: usize,
}

impl Cursor {
    fn advance(&mut self, text: &str, to: usize) -> Location {
        if to > self.byte {
            let skipped = text.get(self.byte..to).unwrap_or("");
            for c in skipped.chars() {
                if c == '\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
            }
            self.byte = to;
        }
        Location::new(self.line, self.column)
    }
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    cursor: Cursor,
    path: Vec<String>,
    problems: Vec<Problem>,
    file: &'t str,
}

impl Scanner<'_> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn here(&mut self) -> Location {
        self.cursor.advance(self.text, self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// An error for text serde_json accepted but the scanner could not
    /// follow; it cannot happen, and is reported rather than panicking.
    fn unexpected(&mut self, message: &str) -> ParseError {
        let location = self.here();
        ParseError::Syntax {
            file: self.file.to_owned(),
            format: Format::Json,
            location,
            message: message.to_owned(),
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        self.skip_whitespace();
        let at = self.here();
        let kind = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected("expected a value")),
        };
        Ok(Node::new(at, kind))
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, ParseError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Kind, ParseError> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        let literal = &self.text[start..self.pos];
        match serde_json::from_str::<serde_json::Number>(literal) {
            Ok(n) => Ok(match n.as_i64() {
                Some(i) => Kind::Int(i),
                None => Kind::Float(n.as_f64().unwrap_or(f64::NAN)),
            }),
            Err(e) => {
                self.pos = start;
                Err(self.unexpected(&error_message(&e)))
            }
        }
    }

    /// A string literal, decoded by serde_json when it has escapes.
    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut escapes = false;
        loop {
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => {
                    escapes = true;
                    self.pos += 2;
                }
                Some(_) => self.pos += 1,
                None => return Err(self.unexpected("unterminated string")),
            }
        }
        self.pos += 1;
        let literal = self.text.get(start..self.pos).unwrap_or("\"\"");
        if !escapes {
            return Ok(literal[1..literal.len() - 1].to_owned());
        }
        serde_json::from_str::<String>(literal).map_err(|e| {
            self.pos = start;
            self.unexpected(&error_message(&e))
        })
    }

    fn array(&mut self) -> Result<Kind, ParseError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Kind::Seq(items));
        }
        loop {
            self.path.push(items.len().to_string());
            let item = self.value();
            self.path.pop();
            items.push(item?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Kind::Seq(items));
                }
                _ => return Err(self.unexpected("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self) -> Result<Kind, ParseError> {
        self.pos += 1;
        let mut map = MapBuilder::default();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Kind::Map(map.finish()));
        }
        loop {
            self.skip_whitespace();
            let key_at = self.here();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("expected a key"));
            }
            let key = self.string()?;
            self.expect(b':')?;
            self.path.push(clip(&key));
            let value = self.value();
            self.path.pop();
            map.insert(key, key_at, value?, &self.path, &mut self.problems);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Kind::Map(map.finish()));
                }
                _ => return Err(self.unexpected("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::error::ProblemKind;

    fn root(text: &str) -> Node {
        match read(text, "t.json") {
            Ok(r) => r.root,
            Err(e) => panic!("{e}"),
        }
    }

    fn err(text: &str) -> String {
        match read(text, "t.json") {
            Ok(r) => panic!("expected an error, got {:?}", r.root),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn values_and_keys_are_located() {
        let r = root("{\n  \"A\": [1, \"x\"],\n  \"B\": {\"C\": null}\n}");
        assert_eq!(r.at, Location::new(1, 1));
        let m = r.as_map().unwrap();
        assert_eq!(m["A"].key_at, Location::new(2, 3));
        assert_eq!(m["A"].value.at, Location::new(2, 8));
        let Kind::Seq(items) = &m["A"].value.kind else {
            panic!("list")
        };
        assert_eq!(items[1].at, Location::new(2, 12));
        assert_eq!(items[1].kind, Kind::String("x".into()));
        let b = m["B"].value.as_map().unwrap();
        assert_eq!(b["C"].key_at, Location::new(3, 9));
        assert_eq!(b["C"].value.kind, Kind::Null);
    }

    #[test]
    fn numbers_keep_integer_and_float_apart() {
        let r = root(r#"[1, -2, 1.0, 1e3, 18446744073709551615, 9223372036854775807]"#);
        let Kind::Seq(items) = r.kind else {
            panic!("list")
        };
        let kinds: Vec<Kind> = items.into_iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Kind::Int(1),
                Kind::Int(-2),
                Kind::Float(1.0),
                Kind::Float(1000.0),
                Kind::Float(18446744073709551615.0),
                Kind::Int(i64::MAX),
            ]
        );
    }

    #[test]
    fn escapes_are_decoded_by_serde_json() {
        let r = root(r#"{"k\"ey": "a\u00e9\n\/b", "plain": "x"}"#);
        let m = r.as_map().unwrap();
        assert_eq!(m["k\"ey"].value.kind, Kind::String("a\u{e9}\n/b".into()));
        assert_eq!(m["plain"].value.kind, Kind::String("x".into()));
    }

    #[test]
    fn columns_count_characters_on_long_lines() {
        let r = root("{\"é\": [\"ü\", 2]}");
        let m = r.as_map().unwrap();
        let Kind::Seq(items) = &m["é"].value.kind else {
            panic!("list")
        };
        assert_eq!(items[1].at, Location::new(1, 13));
    }

    #[test]
    fn syntax_errors_use_serde_jsons_message_and_position_in_characters() {
        assert_eq!(
            err("{\n  \"a\": 1,\n}"),
            "t.json:3:1: malformed JSON: key must be a string"
        );
        assert_eq!(
            err("{\"é\": tru}"),
            "t.json:1:10: malformed JSON: expected ident"
        );
        assert_eq!(
            err("{\"a\": 1} x"),
            "t.json:1:10: malformed JSON: trailing characters"
        );
    }

    #[test]
    fn numbers_out_of_range_are_syntax_errors_at_the_number() {
        assert_eq!(
            err("{\"a\": 1e999}"),
            "t.json:1:7: malformed JSON: number out of range"
        );
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_positions() {
        let r = read("{\"R\": {\"A\": 1,\n \"A\": 2}}", "t.json").unwrap();
        assert_eq!(
            r.problems,
            vec![Problem {
                kind: ProblemKind::DuplicateKey {
                    key: "A".into(),
                    first: Location::new(1, 8)
                },
                path: vec!["R".into(), "A".into()],
                location: Location::new(2, 2),
            }]
        );
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_at_the_bracket() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            err(&text),
            format!(
                "t.json:1:{}: lists and maps are nested more than 100 levels deep; no CloudFormation template needs that, flatten the value",
                MAX_DEPTH + 1
            )
        );
        let brackets_in_strings = format!("[\"{}\"]", "[".repeat(500));
        assert!(read(&brackets_in_strings, "t.json").is_ok());
    }
}
