//! The marker object that stands for an intrinsic function in the JSON
//! instance hagen validates against a resource schema.
//!
//! Owns the marker's shape only: `{"$hagen:fn": "Fn::Join", "$hagen:kind":
//! "scalar", "$hagen:text": "!Join ..."}`. The kind says what the function
//! returns (a scalar, a list, or anything); the text is how the function was
//! written, for messages and so that two different intrinsics never compare
//! equal under `uniqueItems`. Building markers from templates is
//! `super::instance`'s job; checking them is `super::keywords`'.

use serde_json::{Value as Json, json};

/// The key every marker has; no CloudFormation property uses it.
pub const FN_KEY: &str = "$hagen:fn";
const KIND_KEY: &str = "$hagen:kind";
const TEXT_KEY: &str = "$hagen:text";

/// What kind of value an intrinsic function returns, as far as hagen can
/// tell before deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string, number or boolean (`!Ref`, `!Sub`, `!Join`, `!GetAtt X.Arn`).
    Scalar,
    /// A list (`!GetAZs`, `!Split`, `!Cidr`, `!Ref` of a list parameter).
    List,
    /// Unknown: accepted anywhere.
    Any,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Scalar => "scalar",
            Kind::List => "list",
            Kind::Any => "any",
        }
    }

    /// "a single value", "a list", "a value", for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Scalar => "a single value",
            Kind::List => "a list",
            Kind::Any => "a value",
        }
    }
}

/// A marker for the intrinsic `name` (long form) written as `text`.
pub fn make(name: &str, kind: Kind, text: &str) -> Json {
    json!({ FN_KEY: name, KIND_KEY: kind.as_str(), TEXT_KEY: text })
}

/// Whether a JSON value is a marker.
pub fn is_marker(v: &Json) -> bool {
    v.as_object().is_some_and(|m| m.contains_key(FN_KEY))
}

/// The kind recorded in a marker (`Any` for anything else).
pub fn kind(v: &Json) -> Kind {
    match v.get(KIND_KEY).and_then(Json::as_str) {
        Some("scalar") => Kind::Scalar,
        Some("list") => Kind::List,
        _ => Kind::Any,
    }
}

/// How the intrinsic was written.
pub fn text(v: &Json) -> Option<&str> {
    v.get(TEXT_KEY).and_then(Json::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_their_kind_and_text() {
        let m = make("Fn::Split", Kind::List, "!Split [',', !Ref X]");
        assert!(is_marker(&m));
        assert_eq!(kind(&m), Kind::List);
        assert_eq!(text(&m), Some("!Split [',', !Ref X]"));
        assert!(!is_marker(&json!({"Ref": "X"})));
    }
}
