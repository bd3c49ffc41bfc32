//! Stack parameters and tags given on the command line, and which values a
//! change set sends.
//!
//! Owns `KEY=VALUE` parsing and the rule that parameters not given keep
//! their previous value on an update (`UsePreviousValue`), while on a create
//! they take the template's default or are an error before any AWS call.

use indexmap::IndexMap;

use crate::template::Template;

use super::error::DeployError;

/// Parses repeated `KEY=VALUE` flags; the value may contain `=`. A key given
/// twice keeps the last value, as a shell user would expect.
pub fn parse_pairs(flag: &str, pairs: &[String]) -> Result<IndexMap<String, String>, DeployError> {
    let mut map = IndexMap::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(DeployError::Usage(format!(
                "{flag} {pair:?}: expected KEY=VALUE"
            )));
        };
        if key.is_empty() {
            return Err(DeployError::Usage(format!(
                "{flag} {pair:?}: the key before '=' is empty"
            )));
        }
        map.insert(key.to_owned(), value.to_owned());
    }
    Ok(map)
}

/// One parameter as the change set will send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A value given on the command line.
    Given(String),
    /// Keep the value the deployed stack has.
    UsePrevious,
}

/// Decides what to send for each template parameter.
///
/// Given values are sent; on an update, parameters the deployed stack
/// already has keep their value; otherwise the template's default applies
/// (nothing sent). A given key that the template does not declare, or a
/// parameter with neither value nor default, is a usage error.
pub fn plan_parameters(
    template: &Template,
    given: &IndexMap<String, String>,
    previous: Option<&[String]>,
) -> Result<IndexMap<String, ParamValue>, DeployError> {
    let unknown: Vec<&str> = given
        .keys()
        .filter(|k| !template.parameters.contains_key(*k))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let declared: Vec<&str> = template.parameters.keys().map(String::as_str).collect();
        return Err(DeployError::Usage(format!(
            "--parameter {}: the template declares no such parameter (it declares: {})",
            unknown.join(", "),
            if declared.is_empty() {
                "none".to_owned()
            } else {
                declared.join(", ")
            }
        )));
    }
    let mut plan = IndexMap::new();
    let mut missing = Vec::new();
    for (name, decl) in &template.parameters {
        if let Some(v) = given.get(name) {
            plan.insert(name.clone(), ParamValue::Given(v.clone()));
        } else if previous.is_some_and(|p| p.iter().any(|k| k == name)) {
            plan.insert(name.clone(), ParamValue::UsePrevious);
        } else if decl.default.is_none() {
            missing.push(name.as_str());
        }
    }
    if !missing.is_empty() {
        return Err(DeployError::Usage(format!(
            "parameter {} has no default and no value: pass --parameter {}=VALUE",
            missing.join(", "),
            missing[0]
        )));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Expr, Parameter};

    fn template() -> Template {
        let mut t = Template::default();
        t.parameters.insert(
            "ImageId".into(),
            Parameter {
                param_type: "AWS::EC2::Image::Id".into(),
                ..Parameter::default()
            },
        );
        t.parameters.insert(
            "Size".into(),
            Parameter {
                param_type: "String".into(),
                default: Some(Expr::string("small")),
                ..Parameter::default()
            },
        );
        t
    }

    #[test]
    fn values_may_contain_equals_signs() {
        let m = parse_pairs("--parameter", &["K=a=b".into()]).unwrap();
        assert_eq!(m["K"], "a=b");
        assert!(parse_pairs("--tag", &["novalue".into()]).is_err());
        assert!(parse_pairs("--tag", &["=v".into()]).is_err());
    }

    #[test]
    fn a_create_needs_a_value_for_parameters_without_default() {
        let err = plan_parameters(&template(), &IndexMap::new(), None).unwrap_err();
        assert!(
            err.to_string().contains("--parameter ImageId=VALUE"),
            "{err}"
        );
        let given = parse_pairs("--parameter", &["ImageId=ami-1".into()]).unwrap();
        let plan = plan_parameters(&template(), &given, None).unwrap();
        assert_eq!(plan["ImageId"], ParamValue::Given("ami-1".into()));
        assert!(
            !plan.contains_key("Size"),
            "defaults are left to CloudFormation"
        );
    }

    #[test]
    fn an_update_keeps_previous_values_of_parameters_not_given() {
        let prev = vec!["ImageId".to_string(), "Size".to_string()];
        let given = parse_pairs("--parameter", &["Size=large".into()]).unwrap();
        let plan = plan_parameters(&template(), &given, Some(&prev)).unwrap();
        assert_eq!(plan["ImageId"], ParamValue::UsePrevious);
        assert_eq!(plan["Size"], ParamValue::Given("large".into()));
    }

    #[test]
    fn unknown_parameters_are_named_with_the_declared_ones() {
        let given = parse_pairs("--parameter", &["Imageid=x".into()]).unwrap();
        let err = plan_parameters(&template(), &given, None).unwrap_err();
        assert!(err.to_string().contains("ImageId, Size"), "{err}");
    }
}
