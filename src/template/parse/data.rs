//! Plain data documents (JSON, or YAML read as CloudFormation reads it),
//! with the line and column of every value: what `hagen deploy
//! --parameters FILE` and `--tags FILE` read, so that their errors point at
//! a line the same way template errors do.
//!
//! Owns the public shape of the reader's tree only; reading is the
//! template reader's (`super::read`), limits and all.

use super::error::{Location, ParseError};
use super::node::{Kind, Node};

/// One value of a data document and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    /// Where the value starts.
    pub at: Location,
    /// The value.
    pub value: DataValue,
}

/// The value of a [`Data`] node.
#[derive(Debug, Clone, PartialEq)]
pub enum DataValue {
    /// `null`, `~` or nothing.
    Null,
    /// A string, number or boolean, as its text (`80`, `true`).
    Scalar(String),
    /// A list.
    List(Vec<Data>),
    /// A map, in document order, each key with where it is written.
    Map(Vec<(String, Location, Data)>),
    /// A YAML tag such as `!Ref`: never data, named in errors.
    Tagged(String),
}

impl Data {
    /// The value named for messages: `a list`, `the string "x"`, ...
    pub fn describe(&self) -> String {
        match &self.value {
            DataValue::Null => "nothing (null)".into(),
            DataValue::Scalar(s) if s.chars().count() <= 40 => format!("the value {s:?}"),
            DataValue::Scalar(_) => "a long value".into(),
            DataValue::List(_) => "a list".into(),
            DataValue::Map(_) => "a map".into(),
            DataValue::Tagged(tag) => format!("the tag !{tag}"),
        }
    }
}

/// Reads a JSON or YAML document (`source` names it in errors). Duplicate
/// keys and syntax errors are errors with their line; the size and depth
/// limits are the template reader's.
pub fn read_data(text: &str, source: &str) -> Result<Data, ParseError> {
    if text.len() > super::MAX_TEMPLATE_BYTES {
        return Err(ParseError::TooLarge {
            file: source.to_owned(),
            bytes: Some(text.len()),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let ((root, problems), _) = super::read(text, source)?;
    if let Some(p) = problems.into_iter().find(|p| p.kind.is_fatal()) {
        return Err(ParseError::Invalid {
            file: source.to_owned(),
            problems: vec![p],
        });
    }
    Ok(convert(root))
}

fn convert(node: Node) -> Data {
    let value = match node.kind {
        Kind::Null => DataValue::Null,
        Kind::Bool(b) => DataValue::Scalar(b.to_string()),
        Kind::Int(n) => DataValue::Scalar(n.to_string()),
        Kind::Float(x) => DataValue::Scalar(x.to_string()),
        Kind::String(s) => DataValue::Scalar(s),
        Kind::Seq(items) => DataValue::List(items.into_iter().map(convert).collect()),
        Kind::Map(entries) => DataValue::Map(
            entries
                .into_iter()
                .map(|(k, e)| (k, e.key_at, convert(e.value)))
                .collect(),
        ),
        Kind::Tagged(tag, _) => DataValue::Tagged(tag),
    };
    Data { at: node.at, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_give_the_same_tree_with_lines() {
        let json = read_data("{\n  \"A\": 1,\n  \"B\": [\"x\"]\n}\n", "p.json").unwrap();
        let yaml = read_data("A: 1\nB:\n  - x\n", "p.yaml").unwrap();
        let DataValue::Map(j) = &json.value else {
            panic!("{json:?}")
        };
        let DataValue::Map(y) = &yaml.value else {
            panic!("{yaml:?}")
        };
        assert_eq!(j[0].0, "A");
        assert_eq!(j[0].2.value, DataValue::Scalar("1".into()));
        assert_eq!(j[1].1.line, 3);
        assert_eq!(y[1].2.at.line, 3, "the list item's line");
    }

    #[test]
    fn duplicate_keys_and_bad_syntax_are_errors_with_a_line() {
        let e = read_data("A: 1\nA: 2\n", "p.yaml").unwrap_err();
        assert!(e.to_string().contains("p.yaml:2"), "{e}");
        let e = read_data("[\"a\",\n", "p.json").unwrap_err();
        assert!(e.to_string().contains("p.json"), "{e}");
    }
}
