//! Templates as comparable documents: the deployed template's text (YAML or
//! JSON, as CloudFormation returns it) and the synthesized [`Template`],
//! both brought to one JSON value tree with long-form intrinsics.
//!
//! Owns only the shape the review and the diff compare, resource by
//! resource. Reading text is the project's template parser
//! (`crate::template::parse`); both sides then go through the same JSON
//! writer, so a YAML short form and its JSON long form compare equal.

use serde_json::{Map, Value};

use crate::template::Template;
use crate::template::parse::parse_template;

/// A template as a JSON value tree (long-form intrinsics: `{"Ref": "X"}`),
/// plus its canonical YAML for text diffs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The tree.
    pub value: Value,
    /// The template as hagen writes YAML (short-form tags, usual order).
    pub yaml: String,
}

impl Document {
    /// The synthesized template as a document.
    pub fn from_template(template: &Template) -> Document {
        Document {
            // The JSON writer's output always reads back; never panic over it.
            value: serde_json::from_str(&template.to_json()).unwrap_or(Value::Null),
            yaml: template.to_yaml(),
        }
    }

    /// Reads a template's text, JSON or YAML (with short-form tags);
    /// callers name the stack in their own message around the error.
    pub fn parse(text: &str) -> Result<Document, String> {
        parse_template(text, "deployed template")
            .map(|parsed| Document::from_template(&parsed.template))
            .map_err(|e| e.to_string())
    }

    /// One top-level section (`Resources`, `Parameters`, `Outputs`).
    pub fn section(&self, name: &str) -> Option<&Map<String, Value>> {
        self.value.get(name)?.as_object()
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
