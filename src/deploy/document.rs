//! Templates as comparable documents: the deployed template's text (YAML or
//! JSON, as CloudFormation returns it) and the synthesized [`Template`],
//! both read into one JSON value tree with long-form intrinsics.
//!
//! Owns only what the review and the diff need to compare two templates
//! resource by resource. It is not the project's template parser (that
//! reads into the IR and reports positions); it never fails on content it
//! does not understand, it just compares it as data.

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Value};

use crate::template::Template;

/// A template as a JSON value tree (long-form intrinsics: `{"Ref": "X"}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document(pub Value);

impl Document {
    /// The synthesized template as a document.
    pub fn from_template(template: &Template) -> Document {
        // The JSON writer is the canonical long form; reading it back cannot
        // fail, but never panic over it.
        Document(serde_json::from_str(&template.to_json()).unwrap_or(Value::Null))
    }

    /// Reads a template's text, JSON or YAML (with short-form tags).
    pub fn parse(text: &str) -> Result<Document, String> {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            return Ok(Document(v));
        }
        let docs = Yaml::load_from_str(text).map_err(|e| e.to_string())?;
        match docs.first() {
            Some(doc) => Ok(Document(yaml_to_json(doc)?)),
            None => Ok(Document(Value::Object(Map::new()))),
        }
    }

    /// One top-level section (`Resources`, `Parameters`, `Outputs`).
    pub fn section(&self, name: &str) -> Option<&Map<String, Value>> {
        self.0.get(name)?.as_object()
    }

    /// A resource's declaration by logical ID.
    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.section("Resources")?.get(logical_id)
    }

    /// A resource's `Type`.
    pub fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resource(logical_id)?.get("Type")?.as_str()
    }

    /// A resource's `Properties` (empty when it has none).
    pub fn properties(&self, logical_id: &str) -> Map<String, Value> {
        self.resource(logical_id)
            .and_then(|r| r.get("Properties"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }
}

fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => serde_json::Number::from_f64(f.into_inner())
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(f.to_string())),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

fn key_text(key: &Yaml) -> Result<String, String> {
    match yaml_to_json(key)? {
        Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

fn yaml_to_json(node: &Yaml) -> Result<Value, String> {
    Ok(match node {
        Yaml::Value(s) => scalar(s),
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .map(yaml_to_json)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(key_text(k)?, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tag, inner) => {
            let inner = yaml_to_json(inner)?;
            if tag.handle != "!" {
                return Ok(inner);
            }
            let (name, arg) = match (tag.suffix.as_str(), inner) {
                ("Ref", arg) => ("Ref".to_owned(), arg),
                ("Condition", arg) => ("Condition".to_owned(), arg),
                ("GetAtt", Value::String(dotted)) => {
                    let arg = match dotted.split_once('.') {
                        Some((res, attr)) => Value::Array(vec![res.into(), attr.into()]),
                        None => Value::String(dotted),
                    };
                    ("Fn::GetAtt".to_owned(), arg)
                }
                (other, arg) => (format!("Fn::{other}"), arg),
            };
            let mut m = Map::new();
            m.insert(name, arg);
            Value::Object(m)
        }
        Yaml::Alias(_) => return Err("YAML aliases are not supported in templates".into()),
        Yaml::BadValue => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_form_yaml_reads_as_long_form() {
        let d = Document::parse(
            "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: !Ref Vpc\n      Name: !GetAtt Db.Endpoint.Address\n      Azs: !Select [0, !GetAZs '']\n",
        )
        .unwrap();
        assert_eq!(
            d.properties("Sg"),
            json!({
                "VpcId": {"Ref": "Vpc"},
                "Name": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
                "Azs": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
            })
            .as_object()
            .unwrap()
            .clone()
        );
        assert_eq!(d.resource_type("Sg"), Some("AWS::EC2::SecurityGroup"));
    }

    #[test]
    fn yaml_and_json_of_the_same_template_compare_equal() {
        let yaml = Document::parse("Resources:\n  T:\n    Type: AWS::SNS::Topic\n").unwrap();
        let json = Document::parse(r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#).unwrap();
        assert_eq!(yaml, json);
    }

    #[test]
    fn unreadable_text_is_an_error_not_a_panic() {
        assert!(Document::parse("Resources: [unclosed").is_err());
    }
}
