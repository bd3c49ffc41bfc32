//! Which transforms a template declares, and what hagen can still say
//! about a template that CloudFormation will transform before it runs.
//!
//! Owns reading the `Transform` section. AWS's own transforms are known:
//! `AWS::Serverless-2016-10-31` (SAM) adds the `AWS::Serverless::*` types,
//! `AWS::LanguageExtensions` adds `Fn::Length`, `Fn::ToJsonString`,
//! `Fn::ForEach` and default values in `Fn::FindInMap`, and
//! `AWS::CodeDeployBlueGreen` and `AWS::SecretsManager-2020-07-23` add
//! resources without new names for the author to write. Any other transform
//! (a macro of the account, `AWS::Include`) can turn anything into
//! anything, so the checks that judge names (resource types, functions)
//! stay silent for it.

use crate::template::{Expr, Template};

/// The SAM transform.
pub const SAM: &str = "AWS::Serverless-2016-10-31";
/// The language extensions transform.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// AWS transforms that add no names beyond the ones this module knows.
const PREDICTABLE: &[&str] = &[
    SAM,
    LANGUAGE_EXTENSIONS,
    "AWS::CodeDeployBlueGreen",
    "AWS::SecretsManager-2020-07-23",
];

/// The resource types the SAM transform expands, as its specification
/// lists them.
pub const SAM_TYPES: &[&str] = &[
    "AWS::Serverless::Api",
    "AWS::Serverless::Application",
    "AWS::Serverless::CapacityProvider",
    "AWS::Serverless::Connector",
    "AWS::Serverless::Function",
    "AWS::Serverless::GraphQLApi",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::SimpleTable",
    "AWS::Serverless::StateMachine",
    "AWS::Serverless::WebSocketApi",
];

/// What a template's `Transform` section declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transforms {
    /// The SAM transform is declared.
    pub sam: bool,
    /// The language extensions transform is declared.
    pub language_extensions: bool,
    /// Transforms whose output hagen cannot predict (macros,
    /// `AWS::Include`, a computed name), as written.
    pub opaque: Vec<String>,
}

impl Transforms {
    /// Reads the `Transform` section: a name, a list of names, or maps with
    /// a `Name` (and `Parameters`).
    pub fn of(template: &Template) -> Transforms {
        let mut out = Transforms::default();
        let Some(section) = &template.transform else {
            return out;
        };
        let entries: Vec<&Expr> = match section {
            Expr::List(items) => items.iter().collect(),
            other => vec![other],
        };
        for entry in entries {
            let name = match entry {
                Expr::String(s) => Some(s.as_str()),
                Expr::Map(m) => m.get("Name").and_then(Expr::as_str),
                _ => None,
            };
            match name {
                Some(SAM) => out.sam = true,
                Some(LANGUAGE_EXTENSIONS) => out.language_extensions = true,
                Some(n) if PREDICTABLE.contains(&n) => {}
                Some(n) => out.opaque.push(n.to_owned()),
                None => out.opaque.push(super::text::show(entry)),
            }
        }
        out
    }

    /// Whether every declared transform is one of AWS's whose names hagen
    /// knows, so that an unknown name is a mistake rather than a macro's
    /// input.
    pub fn predictable(&self) -> bool {
        self.opaque.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing;
    use serde_json::json;

    fn of(transform: serde_json::Value) -> Transforms {
        Transforms::of(&testing::template(json!({
            "Transform": transform,
            "Resources": {"T": {"Type": "AWS::SNS::Topic"}}
        })))
    }

    #[test]
    fn aws_transforms_are_known_and_macros_are_opaque() {
        let t = of(json!([SAM, LANGUAGE_EXTENSIONS]));
        assert!(t.sam && t.language_extensions && t.predictable());
        let t = of(json!({"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}));
        assert_eq!(t.opaque, vec!["AWS::Include".to_string()]);
        let t = of(json!("MyMacro"));
        assert!(!t.predictable());
        let none = Transforms::of(&testing::template(
            json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}),
        ));
        assert_eq!(none, Transforms::default());
    }
}
