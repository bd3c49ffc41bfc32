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
use crate::template::{Expr, Parameter, Template};

/// Checks every parameter's type and default.
pub fn check(template: &Template) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, p) in &template.parameters {
        if !known_type(&p.param_type) {
            out.push(
                rules::PARAMETER_TYPE
                    .diag(format!("parameter type {:?} is not one CloudFormation knows", p.param_type))
                    .on(name)
                    .at(["Parameters", name, "Type"])
                    .hint("use String, Number, List<Number>, CommaDelimitedList, an AWS-specific type such as AWS::EC2::Image::Id, or AWS::SSM::Parameter::Value<...>"),
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
    "AWS::SSM::Parameter::Name",
];

fn known_type(t: &str) -> bool {
    if matches!(
        t,
        "String" | "Number" | "List<Number>" | "CommaDelimitedList"
    ) {
        return true;
    }
    if let Some(inner) = t
        .strip_prefix("AWS::SSM::Parameter::Value<")
        .and_then(|r| r.strip_suffix('>'))
    {
        return known_type(inner) || inner == "String";
    }
    if let Some(inner) = t.strip_prefix("List<").and_then(|r| r.strip_suffix('>')) {
        return AWS_TYPES.contains(&inner) && inner != "AWS::SSM::Parameter::Name";
    }
    AWS_TYPES.contains(&t)
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
