//! Stack parameters and tags from every place a user may write them:
//! `hagen.toml`, files (`--parameters FILE`, `--tags FILE`) and flags
//! (`--parameter`, `--tag`), each value with where it came from.
//!
//! Owns the accepted file shapes (the AWS CLI's JSON lists, `Key=Value`
//! lists, plain maps), the precedence (flags over files over `hagen.toml`,
//! a later file over an earlier one), and the check that every parameter
//! given is one the template declares, naming where the stray one was
//! written. Which values a change set finally sends is `super::params`'s.

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use thiserror::Error;

use crate::config::did_you_mean;
use crate::input::{ReadError, read_file_limited};
use crate::template::Template;
use crate::template::parse::{Data, DataValue, read_data};

/// The largest parameters or tags file hagen reads: far more than the 200
/// parameters and 50 tags a stack may have.
pub const MAX_INPUT_FILE_BYTES: usize = 1 << 20;

/// The parameters-file shapes, for error messages.
pub const PARAMETER_SHAPES: &str = "a list of {\"ParameterKey\": ..., \"ParameterValue\": ...} (or \"UsePreviousValue\": true) as the AWS CLI writes it, a list of \"Key=Value\" strings, or a map of Key: Value";

/// The tags-file shapes, for error messages.
pub const TAG_SHAPES: &str = "a list of {\"Key\": ..., \"Value\": ...} as the AWS CLI writes it, a list of \"Key=Value\" strings, or a map of Key: Value";

/// Where a parameter or tag value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag (`--parameter`, `--tag`).
    Flag(&'static str),
    /// A line of a parameters or tags file.
    File {
        /// The file as the user named it.
        path: String,
        /// The 1-based line.
        line: usize,
    },
    /// `hagen.toml`: the place (`hagen.toml:7:1`) and the dotted key.
    Config {
        /// `file:line:column`.
        place: String,
        /// The key as written (`environments.stage.parameters.ImageId`).
        key: String,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::File { path, line } => write!(f, "{path}:{line}"),
            Source::Config { place, key } => write!(f, "{place} (`{key}`)"),
        }
    }
}

/// One value with where it came from. `value` is `None` for the AWS CLI's
/// `"UsePreviousValue": true`: keep the deployed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    /// The value, or `None` to keep the deployed one.
    pub value: Option<String>,
    /// Where it was written.
    pub source: Source,
}

/// Why a parameters or tags file, or a parameter, was refused.
#[derive(Debug, Error)]
pub enum InputError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// What the operating system or the size limit said.
        reason: String,
    },
    /// The file is not JSON or YAML.
    #[error("{message}\n  = help: {what} files are JSON or YAML: {shapes}")]
    Syntax {
        /// The reader's message, with file and line.
        message: String,
        /// `parameters` or `tags`.
        what: &'static str,
        /// The accepted shapes.
        shapes: &'static str,
    },
    /// The file is JSON or YAML, in a shape hagen does not take.
    #[error("{path}:{line}: {problem}\n  = help: a {what} file is {shapes}")]
    Shape {
        /// The file.
        path: String,
        /// The line of the offending value.
        line: usize,
        /// What is wrong.
        problem: String,
        /// `parameters` or `tags`.
        what: &'static str,
        /// The accepted shapes.
        shapes: &'static str,
    },
    /// A parameter the template does not declare.
    #[error("{}", unknown_message(key, given_in, suggestion.as_deref(), declared))]
    UnknownParameter {
        /// The key as given.
        key: String,
        /// Where it was given.
        given_in: Source,
        /// The declared parameter closest to it.
        suggestion: Option<String>,
        /// Every declared parameter.
        declared: Vec<String>,
    },
}

impl InputError {
    /// Whether the error is about a file's contents or reading it (rather
    /// than a value the template does not take).
    pub fn is_unreadable(&self) -> bool {
        !matches!(self, InputError::UnknownParameter { .. })
    }
}

fn unknown_message(
    key: &str,
    source: &Source,
    suggestion: Option<&str>,
    declared: &[String],
) -> String {
    let hint = match suggestion {
        Some(s) => format!("; did you mean {s}?"),
        None if declared.is_empty() => "; it declares no parameters".to_owned(),
        None => format!("; it declares: {}", declared.join(", ")),
    };
    format!("parameter {key} (from {source}): the template declares no such parameter{hint}")
}

/// Reads a parameters or tags file with the size limit.
pub fn read_input_file(path: &Path) -> Result<String, InputError> {
    let name = path.display().to_string();
    let bytes = read_file_limited(path, MAX_INPUT_FILE_BYTES).map_err(|e| InputError::Read {
        path: name.clone(),
        reason: match e {
            ReadError::Io(e) => e.to_string(),
            other => other.to_string(),
        },
    })?;
    String::from_utf8(bytes).map_err(|_| InputError::Read {
        path: name,
        reason: "it is not UTF-8 text; save it as UTF-8".into(),
    })
}

/// Which kind of file is being read: the key names of the AWS CLI's list
/// entries and the words of the messages.
#[derive(Clone, Copy)]
struct Shape {
    what: &'static str,
    shapes: &'static str,
    key: &'static str,
    value: &'static str,
    keep: Option<&'static str>,
}

const PARAMETERS: Shape = Shape {
    what: "parameters",
    shapes: PARAMETER_SHAPES,
    key: "ParameterKey",
    value: "ParameterValue",
    keep: Some("UsePreviousValue"),
};

const TAGS: Shape = Shape {
    what: "tags",
    shapes: TAG_SHAPES,
    key: "Key",
    value: "Value",
    keep: None,
};

/// Parses a parameters file's text (`path` names it in messages), in
/// file order.
pub fn parse_parameters_file(path: &str, text: &str) -> Result<Vec<(String, Sourced)>, InputError> {
    parse_file(path, text, PARAMETERS)
}

/// Parses a tags file's text (`path` names it in messages), in file order.
/// Tags have no "keep the previous value".
pub fn parse_tags_file(path: &str, text: &str) -> Result<Vec<(String, Sourced)>, InputError> {
    parse_file(path, text, TAGS)
}

fn parse_file(path: &str, text: &str, shape: Shape) -> Result<Vec<(String, Sourced)>, InputError> {
    let root = read_data(text, path).map_err(|e| InputError::Syntax {
        message: e.to_string(),
        what: shape.what,
        shapes: shape.shapes,
    })?;
    let fail = |line: usize, problem: String| InputError::Shape {
        path: path.to_owned(),
        line,
        problem,
        what: shape.what,
        shapes: shape.shapes,
    };
    let at = |line: usize| Source::File {
        path: path.to_owned(),
        line,
    };
    let mut out = Vec::new();
    match root.value {
        DataValue::Map(entries) => {
            for (key, key_at, value) in entries {
                check_key(&key).map_err(|why| fail(key_at.line, why))?;
                let value = map_value(&key, &value).map_err(|why| fail(value.at.line, why))?;
                out.push((
                    key,
                    Sourced {
                        value: Some(value),
                        source: at(key_at.line),
                    },
                ));
            }
        }
        DataValue::List(items) => {
            for item in items {
                let line = item.at.line;
                let (key, value) = list_item(&item, shape).map_err(|why| fail(line, why))?;
                out.push((
                    key,
                    Sourced {
                        value,
                        source: at(line),
                    },
                ));
            }
        }
        DataValue::Null => {}
        _ => {
            return Err(fail(
                root.at.line,
                format!("found {}, not a list or a map", root.describe()),
            ));
        }
    }
    Ok(out)
}

fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        Err("a key is empty".into())
    } else {
        Ok(())
    }
}

/// A map's value: a scalar as written, a list of scalars joined with
/// commas (a `CommaDelimitedList` or `List<...>` parameter).
fn map_value(key: &str, value: &Data) -> Result<String, String> {
    match &value.value {
        DataValue::Scalar(s) => Ok(s.clone()),
        DataValue::List(items) => items
            .iter()
            .map(|i| match &i.value {
                DataValue::Scalar(s) => Ok(s.clone()),
                _ => Err(format!(
                    "{key}: a list value holds {}; list items are strings or numbers",
                    i.describe()
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join(",")),
        _ => Err(format!(
            "{key}: the value is {}; give a string, a number or a list of them",
            value.describe()
        )),
    }
}

/// One entry of a list: `"Key=Value"` or the AWS CLI's map.
fn list_item(item: &Data, shape: Shape) -> Result<(String, Option<String>), String> {
    match &item.value {
        DataValue::Scalar(pair) => match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), Some(v.to_owned()))),
            _ => Err(format!("the entry {pair:?} is not Key=Value")),
        },
        DataValue::Map(entries) => {
            let mut key = None;
            let mut value = None;
            let mut keep = false;
            for (k, _, v) in entries {
                let text = match &v.value {
                    DataValue::Scalar(s) => s.clone(),
                    _ => {
                        return Err(format!("{k} is {}; it must be a string", v.describe()));
                    }
                };
                if k == shape.key {
                    key = Some(text);
                } else if k == shape.value {
                    value = Some(text);
                } else if Some(k.as_str()) == shape.keep {
                    keep = text == "true";
                } else if k == "ResolvedValue" && shape.keep.is_some() {
                    // Written by `describe-stacks`; CloudFormation resolves it again.
                } else {
                    let known: Vec<&str> = [Some(shape.key), Some(shape.value), shape.keep]
                        .into_iter()
                        .flatten()
                        .collect();
                    let hint = did_you_mean(k, known.iter().copied())
                        .map(|s| format!("; did you mean {s}?"))
                        .unwrap_or_default();
                    return Err(format!(
                        "unknown key {k:?} in an entry (entries take {}){hint}",
                        known.join(", ")
                    ));
                }
            }
            let Some(key) = key.filter(|k| !k.is_empty()) else {
                return Err(format!("an entry has no {}", shape.key));
            };
            match (value, keep) {
                (Some(_), true) => Err(format!(
                    "{key} has both {} and {}; give one",
                    shape.value,
                    shape.keep.unwrap_or_default()
                )),
                (Some(v), false) => Ok((key, Some(v))),
                (None, true) => Ok((key, None)),
                (None, false) => Err(format!(
                    "{key} has no {}{}",
                    shape.value,
                    shape
                        .keep
                        .map(|k| format!(" (or {k}: true)"))
                        .unwrap_or_default()
                )),
            }
        }
        _ => Err(format!(
            "an entry is {}; entries are \"Key=Value\" strings or maps",
            item.describe()
        )),
    }
}

/// Values from flags (`KEY=VALUE`, already split), as [`Sourced`] entries.
pub fn from_flags(flag: &'static str, pairs: &IndexMap<String, String>) -> Vec<(String, Sourced)> {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                Sourced {
                    value: Some(v.clone()),
                    source: Source::Flag(flag),
                },
            )
        })
        .collect()
}

/// Layers values: each layer's keys replace earlier ones (so pass
/// `hagen.toml` first, then the files in order, then the flags).
pub fn layer(
    layers: impl IntoIterator<Item = Vec<(String, Sourced)>>,
) -> IndexMap<String, Sourced> {
    let mut merged = IndexMap::new();
    for values in layers {
        for (k, v) in values {
            merged.insert(k, v);
        }
    }
    merged
}

/// The values to send: `UsePreviousValue` entries are left out, so the
/// deployed value is kept (see `super::params::plan_parameters`).
pub fn values(merged: &IndexMap<String, Sourced>) -> IndexMap<String, String> {
    merged
        .iter()
        .filter_map(|(k, s)| s.value.clone().map(|v| (k.clone(), v)))
        .collect()
}

/// Refuses the first given parameter the template does not declare, naming
/// where it was written and the declared name closest to it. Parameters
/// from `hagen.toml` are checked too: an environment's values are for one
/// template.
pub fn check_known(
    template: &Template,
    merged: &IndexMap<String, Sourced>,
) -> Result<(), InputError> {
    let declared: Vec<String> = template.parameters.keys().cloned().collect();
    for (key, sourced) in merged {
        if !template.parameters.contains_key(key) {
            return Err(InputError::UnknownParameter {
                key: key.clone(),
                given_in: sourced.source.clone(),
                suggestion: did_you_mean(key, declared.iter().map(String::as_str))
                    .map(str::to_owned),
                declared,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Parameter;

    fn values_of(parsed: &[(String, Sourced)]) -> Vec<(String, Option<String>)> {
        parsed
            .iter()
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect()
    }

    fn pair(k: &str, v: &str) -> (String, Option<String>) {
        (k.to_owned(), Some(v.to_owned()))
    }

    #[test]
    fn the_aws_cli_parameters_shape_is_read_with_lines() {
        let text = r#"[
  {"ParameterKey": "ImageId", "ParameterValue": "ami-1"},
  {"ParameterKey": "Size", "UsePreviousValue": true}
]"#;
        let parsed = parse_parameters_file("p.json", text).unwrap();
        assert_eq!(
            values_of(&parsed),
            vec![pair("ImageId", "ami-1"), ("Size".into(), None)]
        );
        assert_eq!(
            parsed[1].1.source,
            Source::File {
                path: "p.json".into(),
                line: 3
            }
        );
    }

    #[test]
    fn key_value_lists_and_maps_are_read_in_json_and_yaml() {
        let list = parse_parameters_file("p.json", r#"["ImageId=ami-1", "Url=a=b"]"#).unwrap();
        assert_eq!(
            values_of(&list),
            vec![pair("ImageId", "ami-1"), pair("Url", "a=b")]
        );
        let map = parse_parameters_file(
            "p.yaml",
            "ImageId: ami-1\nPort: 443\nSubnets:\n  - subnet-a\n  - subnet-b\n",
        )
        .unwrap();
        assert_eq!(
            values_of(&map),
            vec![
                pair("ImageId", "ami-1"),
                pair("Port", "443"),
                pair("Subnets", "subnet-a,subnet-b")
            ]
        );
        assert_eq!(
            map[1].1.source,
            Source::File {
                path: "p.yaml".into(),
                line: 2
            }
        );
        let json_map = parse_parameters_file("p.json", r#"{"ImageId": "ami-1"}"#).unwrap();
        assert_eq!(values_of(&json_map), vec![pair("ImageId", "ami-1")]);
    }

    #[test]
    fn the_tag_shapes_are_read() {
        let aws = parse_tags_file("t.json", r#"[{"Key": "Team", "Value": "web"}]"#).unwrap();
        assert_eq!(values_of(&aws), vec![pair("Team", "web")]);
        let list = parse_tags_file("t.yaml", "- Team=web\n- Cost=1\n").unwrap();
        assert_eq!(
            values_of(&list),
            vec![pair("Team", "web"), pair("Cost", "1")]
        );
        let map = parse_tags_file("t.yaml", "Team: web\n").unwrap();
        assert_eq!(values_of(&map), vec![pair("Team", "web")]);
        let err = parse_tags_file("t.json", r#"[{"Key": "Team", "UsePreviousValue": true}]"#)
            .unwrap_err();
        assert!(err.to_string().contains("unknown key"), "{err}");
    }

    #[test]
    fn a_bad_shape_names_the_file_the_line_and_the_accepted_shapes() {
        let cases = [
            (
                "[\n  {\"ParameterKey\": \"A\"}\n]",
                "p.json:2: A has no ParameterValue",
            ),
            (
                "[\n  \"A\"\n]",
                "p.json:2: the entry \"A\" is not Key=Value",
            ),
            (
                "[\n  {\"ParameterKey\": \"A\", \"ParameterValu\": \"x\"}\n]",
                "did you mean ParameterValue?",
            ),
            ("\"just text\"", "p.json:1: found the value \"just text\""),
            ("A:\n  B: c\n", "p.json:2: A: the value is a map"),
            (
                "[{\"ParameterKey\": \"A\", \"ParameterValue\": \"x\", \"UsePreviousValue\": true}]",
                "has both",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_parameters_file("p.json", text).unwrap_err();
            let message = err.to_string();
            assert!(message.contains(expected), "{text}: {message}");
            assert!(message.contains("ParameterKey"), "{message}");
            assert!(err.is_unreadable());
        }
        let err = parse_parameters_file("p.json", "[\"a\",\n").unwrap_err();
        assert!(err.to_string().contains("p.json:"), "{err}");
        assert!(err.to_string().contains("Key=Value"), "{err}");
    }

    #[test]
    fn flags_win_over_files_and_files_over_the_configuration() {
        let config = vec![
            (
                "A".to_owned(),
                Sourced {
                    value: Some("toml".into()),
                    source: Source::Config {
                        place: "hagen.toml:3:1".into(),
                        key: "environments.stage.parameters.A".into(),
                    },
                },
            ),
            (
                "B".to_owned(),
                Sourced {
                    value: Some("toml".into()),
                    source: Source::Flag("x"),
                },
            ),
        ];
        let file = parse_parameters_file("p.yaml", "A: file\nC: file\n").unwrap();
        let mut flags = IndexMap::new();
        flags.insert("C".to_owned(), "flag".to_owned());
        let merged = layer([config, file, from_flags("--parameter", &flags)]);
        let v = values(&merged);
        assert_eq!(v["A"], "file");
        assert_eq!(v["B"], "toml");
        assert_eq!(v["C"], "flag");
    }

    #[test]
    fn use_previous_value_drops_a_lower_layer_value() {
        let config = parse_parameters_file("a.yaml", "A: old\n").unwrap();
        let file = parse_parameters_file(
            "b.json",
            r#"[{"ParameterKey":"A","UsePreviousValue":true}]"#,
        )
        .unwrap();
        let merged = layer([config, file]);
        assert!(values(&merged).is_empty());
    }

    #[test]
    fn unknown_parameters_name_their_source_and_the_close_match() {
        let mut t = Template::default();
        t.parameters.insert("ImageId".into(), Parameter::default());
        let merged = layer([parse_parameters_file("p.yaml", "Size: 1\nImageID: x\n").unwrap()]);
        let mut only = merged.clone();
        only.shift_remove("Size");
        let err = check_known(&t, &only).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parameter ImageID (from p.yaml:2): the template declares no such parameter; did you mean ImageId?"
        );
        assert!(!err.is_unreadable());
        let err = check_known(&t, &merged).unwrap_err();
        assert!(err.to_string().contains("it declares: ImageId"), "{err}");
    }
}
