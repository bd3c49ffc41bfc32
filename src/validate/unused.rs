//! Declarations nothing uses: parameters, conditions and mappings (rules
//! HG212 to HG214, warnings).
//!
//! Owns the notion of "used": a parameter is used by a `Ref` or `Fn::Sub`
//! anywhere in resources, outputs, conditions or rules; a condition by a
//! `Condition` attribute, a `Fn::If` or a `Condition` function; a mapping by
//! a `Fn::FindInMap` naming it (any `Fn::FindInMap` with a computed name
//! counts as using every mapping).

use std::collections::HashSet;

use super::diagnostic::Diagnostic;
use super::intrinsics::referenced_names;
use super::rules;
use crate::template::{Expr, Intrinsic, Template};

/// Every value of the template where parameters, conditions and mappings
/// can be used, borrowed: a copy of every value of the template per check
/// was as large as the template. Properties and metadata come entry by
/// entry (a map itself refers to nothing, only its values do).
fn all_values(template: &Template) -> Vec<&Expr> {
    let mut values: Vec<&Expr> = Vec::new();
    for r in template.resources.values() {
        values.extend(r.properties.values());
        values.extend(r.metadata.values());
        values.extend(r.update_policy.iter());
        values.extend(r.creation_policy.iter());
    }
    for o in template.outputs.values() {
        values.push(&o.value);
        values.extend(o.export_name.iter());
    }
    values.extend(template.conditions.values());
    values.extend(template.rules.values());
    values
}

/// Checks for unused parameters, conditions and mappings.
pub fn check(template: &Template) -> Vec<Diagnostic> {
    let values = all_values(template);
    let mut names: HashSet<String> = HashSet::new();
    let mut conditions: HashSet<String> = HashSet::new();
    let mut mappings: HashSet<String> = HashSet::new();
    let mut any_mapping = false;
    for v in values {
        names.extend(referenced_names(v));
        v.walk(&mut |x| match x.as_fn() {
            Some(Intrinsic::If { condition, .. }) | Some(Intrinsic::Condition(condition)) => {
                conditions.insert(condition.clone());
            }
            Some(Intrinsic::FindInMap { map, .. }) => match map.as_str() {
                Some(m) => {
                    mappings.insert(m.to_owned());
                }
                None => any_mapping = true,
            },
            _ => {}
        });
    }
    for r in template.resources.values() {
        conditions.extend(r.condition.iter().cloned());
    }
    for o in template.outputs.values() {
        conditions.extend(o.condition.iter().cloned());
    }

    let mut out = Vec::new();
    for name in template.parameters.keys() {
        if !names.contains(name) {
            out.push(
                rules::UNUSED_PARAMETER
                    .diag(format!("parameter {name:?} is not used"))
                    .on(name)
                    .at(["Parameters", name])
                    .hint("remove it, or Ref it where it was meant to go"),
            );
        }
    }
    for name in template.conditions.keys() {
        if !conditions.contains(name) {
            out.push(
                rules::UNUSED_CONDITION
                    .diag(format!("condition {name:?} is not used"))
                    .on(name)
                    .at(["Conditions", name])
                    .hint("remove it, or use it in a Condition attribute or Fn::If"),
            );
        }
    }
    if !any_mapping {
        for name in template.mappings.keys() {
            if !mappings.contains(name) {
                out.push(
                    rules::UNUSED_MAPPING
                        .diag(format!("mapping {name:?} is not used"))
                        .on(name)
                        .at(["Mappings", name])
                        .hint("remove it, or read it with Fn::FindInMap"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing;
    use serde_json::json;

    fn run(v: serde_json::Value) -> Vec<String> {
        check(&testing::template(v))
            .into_iter()
            .map(|d| format!("{} {}", d.rule, d.path.join("/")))
            .collect()
    }

    #[test]
    fn unused_declarations_are_warned_about() {
        let found = run(json!({
            "Parameters": {"Used": {"Type": "String"}, "InSub": {"Type": "String"},
                           "InCondition": {"Type": "String"}, "Unused": {"Type": "String"}},
            "Mappings": {"M": {"a": {"b": "c"}}, "N": {"a": {"b": "c"}}},
            "Conditions": {"C": {"Fn::Equals": [{"Ref": "InCondition"}, "x"]},
                           "D": {"Fn::Not": [{"Condition": "C"}]}, "E": {"Fn::Equals": ["a", "a"]}},
            "Resources": {"T": {"Type": "AWS::SNS::Topic", "Condition": "D", "Properties": {
                "TopicName": {"Fn::Sub": "${InSub}-${Used}"},
                "DisplayName": {"Fn::FindInMap": ["M", "a", "b"]}
            }}}
        }));
        assert_eq!(
            found,
            vec![
                "HG212 Parameters/Unused",
                "HG213 Conditions/E",
                "HG214 Mappings/N"
            ]
        );
    }

    #[test]
    fn a_computed_mapping_name_uses_every_mapping() {
        let found = run(json!({
            "Parameters": {"P": {"Type": "String"}},
            "Mappings": {"M": {"a": {"b": "c"}}},
            "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {
                "DisplayName": {"Fn::FindInMap": [{"Ref": "P"}, "a", "b"]}
            }}}
        }));
        assert!(found.is_empty(), "{found:?}");
    }
}
