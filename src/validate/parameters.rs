//! Parameter declarations: a known type, and a default that satisfies the
//! parameter's own constraints (rules HG215 and HG216).
//!
//! Owns CloudFormation's parameter constraint semantics: `AllowedValues`,
//! `AllowedPattern` (matched against the whole value), `MinLength` and
//! `MaxLength` for strings, `MinValue` and `MaxValue` for numbers; for list
//! types each item is checked. It does not know where parameters are used.

use regex::Regex;

use super::diagnostic::Diagnostic;
use super::rules;
use super::scenario::literal_text;
use super::text;
use crate::template::{Expr, Parameter, Template};

/// Checks every parameter's type and default.
pub fn check(template: &Template) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, p) in &template.parameters {
        if !known_type(&p.param_type) {
            let hint = match text::closest(&p.param_type, known_types().iter().map(String::as_str)) {
                Some(near) => format!("did you mean {near}?"),
                None => "use String, Number, List<Number>, CommaDelimitedList, an AWS-specific type such as AWS::EC2::Image::Id or List<AWS::EC2::Subnet::Id>, or a Systems Manager type such as AWS::SSM::Parameter::Value<String>".to_owned(),
            };
            out.push(
                rules::PARAMETER_TYPE
                    .diag(format!(
                        "parameter type {:?} is not one CloudFormation knows",
                        p.param_type
                    ))
                    .on(name)
                    .at(["Parameters", name, "Type"])
                    .hint(hint),
            );
        }
        if let Some(default) = &p.default {
            for problem in default_problems(p, default) {
                let mut d = rules::PARAMETER_DEFAULT
                    .diag(format!("parameter {name}: the default {problem}"))
                    .on(name)
                    .at(["Parameters", name, "Default"]);
                if let Some(c) = &p.constraint_description {
                    d = d.hint(format!("the constraint says: {c}"));
                } else {
                    d = d.hint("change the default or the constraint so they agree");
                }
                out.push(d);
            }
        }
    }
    out
}

/// The AWS-specific parameter types of the CloudFormation user guide
/// ("Supported AWS-specific parameter types"): a value CloudFormation
/// checks against the account at deploy time.
const AWS_TYPES: &[&str] = &[
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
];

/// Every parameter type CloudFormation accepts, as the user guide lists
/// them ("Parameters" section syntax and "CloudFormation-supplied
/// parameter types"):
///
/// - `String`, `Number`, `List<Number>`, `CommaDelimitedList`;
/// - the AWS-specific types ([`AWS_TYPES`]) and their lists `List<...>`
///   (every one but `AWS::EC2::KeyPair::KeyName`);
/// - the Systems Manager types: `AWS::SSM::Parameter::Name`, and
///   `AWS::SSM::Parameter::Value<T>` for `T` a string, a list of strings
///   (`List<String>` or `CommaDelimitedList`), an AWS-specific type or a
///   list of one. Lists of Systems Manager types
///   (`List<AWS::SSM::Parameter::Value<String>>`) are documented as
///   unsupported, and so are refused.
///
/// cfn-lint 1.58.0 (hagen's reference, `tests/library/validate_cfn_lint.rs`)
/// also accepts `List<String>` and `AWS::SSM::Parameter::Value<T>` of
/// `Number`, `List<Number>` and `AWS::SSM::Parameter::Name`; so does hagen,
/// so that a template cfn-lint passes is never an error here.
fn known_types() -> &'static [String] {
    static TYPES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TYPES.get_or_init(|| {
        let lists: Vec<String> = AWS_TYPES
            .iter()
            .filter(|t| **t != "AWS::EC2::KeyPair::KeyName")
            .map(|t| format!("List<{t}>"))
            .collect();
        let mut types: Vec<String> = [
            "String",
            "Number",
            "List<Number>",
            "CommaDelimitedList",
            "List<String>",
            "AWS::SSM::Parameter::Name",
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
        types.extend(AWS_TYPES.iter().map(|t| (*t).to_owned()));
        types.extend(lists.iter().cloned());
        let values = [
            "String",
            "List<String>",
            "CommaDelimitedList",
            "Number",
            "List<Number>",
            "AWS::SSM::Parameter::Name",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain(AWS_TYPES.iter().map(|t| (*t).to_owned()))
        .chain(lists);
        types.extend(values.map(|t| format!("AWS::SSM::Parameter::Value<{t}>")));
        types
    })
}

fn known_type(t: &str) -> bool {
    known_types().iter().any(|k| k == t)
}

fn is_list(t: &str) -> bool {
    t == "CommaDelimitedList" || t.starts_with("List<")
}

fn is_number(t: &str) -> bool {
    t == "Number" || t == "List<Number>"
}

/// What is wrong with a default, as phrases following "the default of X".
pub fn default_problems(p: &Parameter, default: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    let Some(value) = literal_text(default).or_else(|| match default {
        Expr::List(items) => Some(
            items
                .iter()
                .filter_map(literal_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }) else {
        out.push("must be a literal value".into());
        return out;
    };
    let t = p.param_type.as_str();
    // SSM and AWS-specific types are resolved or checked by AWS at deploy time.
    if t.starts_with("AWS::") || t.starts_with("List<AWS::") {
        return out;
    }
    let items: Vec<&str> = if is_list(t) {
        if value.is_empty() {
            Vec::new()
        } else {
            value.split(',').map(str::trim).collect()
        }
    } else {
        vec![value.as_str()]
    };
    let allowed: Vec<String> = p.allowed_values.iter().filter_map(literal_text).collect();
    let pattern = p
        .allowed_pattern
        .as_deref()
        .and_then(|pat| Regex::new(&format!("^(?:{pat})$")).ok());
    for item in &items {
        if !allowed.is_empty() && !allowed.iter().any(|a| a == item) {
            out.push(format!(
                "{item:?} is not one of its AllowedValues ({})",
                allowed.join(", ")
            ));
        }
        if let (Some(re), Some(src)) = (&pattern, &p.allowed_pattern)
            && !re.is_match(item)
        {
            out.push(format!(
                "{item:?} does not match its AllowedPattern {src:?}"
            ));
        }
        if is_number(t) {
            match item.parse::<f64>() {
                Err(_) => out.push(format!("{item:?} is not a number")),
                Ok(n) => {
                    if let Some(min) = p.min_value.filter(|m| n < *m) {
                        out.push(format!("{item} is below the MinValue {min}"));
                    }
                    if let Some(max) = p.max_value.filter(|m| n > *m) {
                        out.push(format!("{item} is above the MaxValue {max}"));
                    }
                }
            }
        }
    }
    if !is_list(t) && !is_number(t) {
        let len = value.chars().count() as i64;
        if let Some(min) = p.min_length.filter(|m| len < *m) {
            out.push(format!("is {len} characters, below the MinLength {min}"));
        }
        if let Some(max) = p.max_length.filter(|m| len > *m) {
            out.push(format!("is {len} characters, above the MaxLength {max}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing;
    use serde_json::json;

    fn run(params: serde_json::Value) -> Vec<(String, String)> {
        check(&testing::template(
            json!({"Parameters": params, "Resources": {}}),
        ))
        .into_iter()
        .map(|d| (d.rule, d.message))
        .collect()
    }

    #[test]
    fn defaults_must_satisfy_their_constraints() {
        let found = run(json!({
            "Ok": {"Type": "String", "Default": "stage", "AllowedValues": ["stage", "prod"]},
            "NotAllowed": {"Type": "String", "Default": "dev", "AllowedValues": ["stage", "prod"]},
            "Pattern": {"Type": "String", "Default": "10.0.0.0", "AllowedPattern": "\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+"},
            "Short": {"Type": "String", "Default": "a", "MinLength": 2},
            "Big": {"Type": "Number", "Default": 10, "MaxValue": 6},
            "NaN": {"Type": "Number", "Default": "ten"},
            "List": {"Type": "CommaDelimitedList", "Default": "a,b,z", "AllowedValues": ["a", "b"]}
        }));
        let rules: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(rules, vec!["HG215"; 6], "{found:#?}");
        assert!(found[0].1.contains("\"dev\" is not one of"));
        assert!(found[1].1.contains("AllowedPattern"));
        assert!(found[2].1.contains("MinLength 2"));
        assert!(found[3].1.contains("MaxValue 6"));
        assert!(found[4].1.contains("not a number"));
        assert!(found[5].1.contains("\"z\""));
    }

    #[test]
    fn the_pattern_must_match_the_whole_value() {
        let found =
            run(json!({"P": {"Type": "String", "Default": "abc1", "AllowedPattern": "[a-z]+"}}));
        assert_eq!(found.len(), 1);
    }

    /// Regression (valid templates refused): `AWS::SSM::Parameter::Value<List<String>>`
    /// and the other list types of Systems Manager parameters were
    /// refused as unknown.
    #[test]
    fn every_documented_parameter_type_is_accepted() {
        let documented = [
            "String",
            "Number",
            "List<Number>",
            "CommaDelimitedList",
            "AWS::EC2::AvailabilityZone::Name",
            "AWS::EC2::Image::Id",
            "AWS::EC2::Instance::Id",
            "AWS::EC2::KeyPair::KeyName",
            "AWS::EC2::SecurityGroup::GroupName",
            "AWS::EC2::SecurityGroup::Id",
            "AWS::EC2::Subnet::Id",
            "AWS::EC2::Volume::Id",
            "AWS::EC2::VPC::Id",
            "AWS::Route53::HostedZone::Id",
            "List<AWS::EC2::AvailabilityZone::Name>",
            "List<AWS::EC2::Image::Id>",
            "List<AWS::EC2::Instance::Id>",
            "List<AWS::EC2::SecurityGroup::GroupName>",
            "List<AWS::EC2::SecurityGroup::Id>",
            "List<AWS::EC2::Subnet::Id>",
            "List<AWS::EC2::Volume::Id>",
            "List<AWS::EC2::VPC::Id>",
            "List<AWS::Route53::HostedZone::Id>",
            "AWS::SSM::Parameter::Name",
            "AWS::SSM::Parameter::Value<String>",
            "AWS::SSM::Parameter::Value<List<String>>",
            "AWS::SSM::Parameter::Value<CommaDelimitedList>",
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
            "AWS::SSM::Parameter::Value<AWS::EC2::KeyPair::KeyName>",
            "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
            "AWS::SSM::Parameter::Value<List<AWS::Route53::HostedZone::Id>>",
        ];
        for t in documented {
            assert!(known_type(t), "{t}");
        }
        // All of them, in one template, and Ref-able as lists where they are lists.
        let params: serde_json::Map<String, serde_json::Value> = documented
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("P{i}"), json!({"Type": t})))
            .collect();
        assert_eq!(run(serde_json::Value::Object(params)), vec![]);
        assert!(crate::validate::schema::is_list_parameter_type(
            "AWS::SSM::Parameter::Value<List<String>>"
        ));
    }

    #[test]
    fn undocumented_parameter_types_are_refused_with_a_suggestion() {
        let cases = [
            ("Strnig", Some("did you mean String?")),
            (
                "AWS::SSM::Parameter::Value<List<Strng>>",
                Some("did you mean AWS::SSM::Parameter::Value<List<String>>?"),
            ),
            ("List<AWS::EC2::KeyPair::KeyName>", None),
            ("List<AWS::SSM::Parameter::Value<String>>", None),
            (
                "AWS::SSM::Parameter::Value<AWS::SSM::Parameter::Value<String>>",
                None,
            ),
            ("AWS::SSM::Parameter::Value<SecureString>", None),
            ("Integer", None),
        ];
        for (t, hint) in cases {
            let t_ = testing::template(json!({"Parameters": {"P": {"Type": t}}, "Resources": {}}));
            let found = check(&t_);
            assert_eq!(found.len(), 1, "{t}: {found:?}");
            assert_eq!(found[0].rule, "HG216", "{t}");
            if let Some(h) = hint {
                assert_eq!(found[0].hint.as_deref(), Some(h), "{t}");
            }
        }
    }

    #[test]
    fn parameter_types_are_checked() {
        let found = run(json!({
            "A": {"Type": "AWS::EC2::Image::Id"},
            "B": {"Type": "List<AWS::EC2::Subnet::Id>"},
            "C": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"},
            "D": {"Type": "Strnig"}
        }));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "HG216");
    }
}
