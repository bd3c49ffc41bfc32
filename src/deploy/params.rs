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

/// How a deployed stack shows a `NoEcho` parameter's value.
pub const MASKED: &str = "****";

/// A parameter or stack tag whose value a deploy would change: `before` is
/// the deployed value (`None`: the stack does not have it), `after` the new
/// one (`None`: it goes away, or has no value). `NoEcho` values are
/// [`MASKED`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValueDifference {
    /// The parameter or tag.
    pub name: String,
    /// Its deployed value.
    pub before: Option<String>,
    /// Its value after a deploy.
    pub after: Option<String>,
}

/// The parameters whose values differ between the deployed stack
/// (`deployed`: name and value, `****` for `NoEcho` ones) and a deploy of
/// `template` with `given` values, where a parameter not given keeps its
/// deployed value, else takes the template's default. A `NoEcho` value
/// given anew counts as a change: the deployed one cannot be read.
pub fn parameter_differences(
    template: &Template,
    deployed: &[(String, String)],
    given: &IndexMap<String, String>,
) -> Vec<ValueDifference> {
    let mut out = Vec::new();
    for (name, decl) in &template.parameters {
        let before = deployed
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        let after = match (given.get(name), &before) {
            (Some(_), _) if decl.no_echo => {
                out.push(ValueDifference {
                    name: name.clone(),
                    before: before.clone(),
                    after: Some(format!("{MASKED} (new value given)")),
                });
                continue;
            }
            (Some(v), _) => Some(v.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => decl.default.as_ref().and_then(default_text),
        };
        let after = if decl.no_echo {
            after.map(|_| MASKED.to_owned())
        } else {
            after
        };
        if before != after {
            out.push(ValueDifference {
                name: name.clone(),
                before,
                after,
            });
        }
    }
    for (name, value) in deployed {
        if !template.parameters.contains_key(name) {
            out.push(ValueDifference {
                name: name.clone(),
                before: Some(value.clone()),
                after: None,
            });
        }
    }
    out
}

/// A parameter default as CloudFormation reads it: scalars as text, a
/// list joined with commas.
fn default_text(expr: &crate::template::Expr) -> Option<String> {
    use crate::template::Expr;
    match expr {
        Expr::String(s) => Some(s.clone()),
        Expr::Int(n) => Some(n.to_string()),
        Expr::Float(x) => Some(x.to_string()),
        Expr::Bool(b) => Some(b.to_string()),
        Expr::List(items) => items
            .iter()
            .map(default_text)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        _ => None,
    }
}

/// The stack tags that differ between the deployed stack and `given`, the
/// whole set a deploy would send (CloudFormation replaces a stack's tags
/// with the set it is given: a tag not in it goes away).
pub fn tag_differences(
    deployed: &[(String, String)],
    given: &IndexMap<String, String>,
) -> Vec<ValueDifference> {
    let mut out = Vec::new();
    for (key, after) in given {
        let before = deployed.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if before != Some(after) {
            out.push(ValueDifference {
                name: key.clone(),
                before: before.cloned(),
                after: Some(after.clone()),
            });
        }
    }
    for (key, before) in deployed {
        if !given.contains_key(key) {
            out.push(ValueDifference {
                name: key.clone(),
                before: Some(before.clone()),
                after: None,
            });
        }
    }
    out
}

/// The differences as lines for people under `title` (`Parameters`,
/// `Tags`): `~ Name: old -> new`, `+` for one the stack does not have yet,
/// `-` for one that goes away.
pub fn render_differences(title: &str, differences: &[ValueDifference]) -> String {
    let mut text = format!("{title}:\n");
    for d in differences {
        let line = match (&d.before, &d.after) {
            (Some(b), Some(a)) => format!("  ~ {}: {b} -> {a}\n", d.name),
            (None, Some(a)) => format!("  + {}: {a}\n", d.name),
            (Some(b), None) => format!("  - {}: {b}\n", d.name),
            (None, None) => format!("  ~ {}: (no value)\n", d.name),
        };
        text.push_str(&line);
    }
    text
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
    fn a_given_value_that_differs_from_the_deployed_one_is_a_difference() {
        let deployed = vec![
            ("ImageId".to_string(), "ami-1".to_string()),
            ("Size".to_string(), "small".to_string()),
        ];
        let given = parse_pairs("--parameter", &["ImageId=ami-2".into()]).unwrap();
        let d = parameter_differences(&template(), &deployed, &given);
        assert_eq!(
            d,
            vec![ValueDifference {
                name: "ImageId".into(),
                before: Some("ami-1".into()),
                after: Some("ami-2".into()),
            }]
        );
        assert_eq!(
            render_differences("Parameters", &d),
            "Parameters:\n  ~ ImageId: ami-1 -> ami-2\n"
        );
        let same = parse_pairs("--parameter", &["ImageId=ami-1".into()]).unwrap();
        assert!(parameter_differences(&template(), &deployed, &same).is_empty());
    }

    #[test]
    fn new_parameters_take_their_default_and_dropped_ones_are_shown() {
        let deployed = vec![
            ("ImageId".to_string(), "ami-1".to_string()),
            ("Old".to_string(), "x".to_string()),
        ];
        let d = parameter_differences(&template(), &deployed, &IndexMap::new());
        let text = render_differences("Parameters", &d);
        assert!(text.contains("  + Size: small\n"), "{text}");
        assert!(text.contains("  - Old: x\n"), "{text}");
    }

    #[test]
    fn tags_given_replace_the_stack_s_set() {
        let deployed = vec![
            ("Team".to_string(), "web".to_string()),
            ("Old".to_string(), "x".to_string()),
        ];
        let given = parse_pairs("--tag", &["Team=ops".into(), "New=y".into()]).unwrap();
        let text = render_differences("Tags", &tag_differences(&deployed, &given));
        assert_eq!(
            text,
            "Tags:\n  ~ Team: web -> ops\n  + New: y\n  - Old: x\n"
        );
        let same = parse_pairs("--tag", &["Team=web".into(), "Old=x".into()]).unwrap();
        assert!(tag_differences(&deployed, &same).is_empty());
    }

    #[test]
    fn no_echo_values_stay_masked() {
        let mut t = template();
        if let Some(p) = t.parameters.get_mut("ImageId") {
            p.no_echo = true;
        }
        let deployed = vec![("ImageId".to_string(), MASKED.to_string())];
        assert!(
            parameter_differences(&t, &deployed, &IndexMap::new())
                .iter()
                .all(|d| d.name != "ImageId")
        );
        let given = parse_pairs("--parameter", &["ImageId=secret".into()]).unwrap();
        let text = render_differences("Parameters", &parameter_differences(&t, &deployed, &given));
        assert!(!text.contains("secret"), "{text}");
        assert!(
            text.contains("ImageId: **** -> **** (new value given)"),
            "{text}"
        );
    }

    #[test]
    fn unknown_parameters_are_named_with_the_declared_ones() {
        let given = parse_pairs("--parameter", &["Imageid=x".into()]).unwrap();
        let err = plan_parameters(&template(), &given, None).unwrap_err();
        assert!(err.to_string().contains("ImageId, Size"), "{err}");
    }
}
