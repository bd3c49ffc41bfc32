//! Replacements the templates prove, whatever the change set says.
//!
//! A change set's `Replacement` field is not always there (moto never sends
//! it) and `Conditional` leaves the question open. The deployed and the new
//! template answer it for the cases that matter: a changed create-only
//! property (from the vendored resource schema, also when it changes only
//! because a parameter it refers to does), a changed resource type under
//! the same logical ID, and the few replacing changes the schemas do not
//! mark (a DB engine change). Owns that comparison; the review decides what
//! a replacement costs.

use std::collections::HashMap;

use serde_json::Value;

use super::document::Document;
use crate::validate::schema;

/// Why the templates show that a resource is replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A create-only property changes.
    CreateOnly {
        /// The property's path under `Properties` (`DBName`,
        /// `VpcConfig/SubnetIds`).
        property: String,
        /// The parameter whose new value changes it, when the property's
        /// own text does not change.
        parameter: Option<String>,
    },
    /// The logical ID names a resource of another type.
    TypeChange {
        /// The deployed type.
        from: String,
        /// The new type.
        to: String,
    },
    /// A change CloudFormation cannot make in place although the schema does
    /// not mark the property create-only.
    Known {
        /// The property.
        property: &'static str,
        /// Why it replaces.
        note: &'static str,
    },
}

impl Cause {
    /// The cause in a few words, for the review's Replacement column.
    pub fn short(&self) -> String {
        match self {
            Cause::CreateOnly {
                property,
                parameter: None,
            } => format!("create-only: {property}"),
            Cause::CreateOnly {
                property,
                parameter: Some(p),
            } => format!("create-only: {property} via parameter {p}"),
            Cause::TypeChange { from, to } => format!("type {from} -> {to}"),
            Cause::Known { property, .. } => format!("{property} change"),
        }
    }
}

/// Changes that replace a resource although its schema does not list the
/// property as create-only: (type, property, why). RDS changes an engine in
/// place only from Oracle non-CDB to CDB; any other engine change is a new
/// database (or a failed update), never the same data in another engine.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "AWS::RDS::DBInstance",
        "Engine",
        "RDS cannot change a DB instance's engine in place (only Oracle non-CDB to CDB)",
    ),
    (
        "AWS::RDS::DBCluster",
        "Engine",
        "RDS cannot change a DB cluster's engine in place",
    ),
];

/// Engine changes RDS makes in place (Oracle non-CDB to the CDB architecture).
const IN_PLACE_ENGINE_CHANGES: &[(&str, &str)] = &[
    ("oracle-ee", "oracle-ee-cdb"),
    ("oracle-se2", "oracle-se2-cdb"),
];

/// A parameter whose value changes, as the comparison needs it.
#[derive(Debug, Clone, Copy)]
pub struct ParameterValue<'a> {
    /// Its name.
    pub name: &'a str,
    /// The deployed value (`None` when new to the stack).
    pub before: Option<&'a str>,
    /// The new value.
    pub after: &'a str,
}

/// Why the templates show that `logical_id` is replaced (empty when they do
/// not, or when either template lacks it). `parameters` are the parameters
/// whose value changes.
pub fn causes(
    old: &Document,
    new: &Document,
    logical_id: &str,
    parameters: &[ParameterValue<'_>],
) -> Vec<Cause> {
    let (Some(from), Some(to)) = (old.resource_type(logical_id), new.resource_type(logical_id))
    else {
        return Vec::new();
    };
    if from != to {
        return vec![Cause::TypeChange {
            from: from.to_owned(),
            to: to.to_owned(),
        }];
    }
    let before = Value::Object(old.properties(logical_id));
    let after = Value::Object(new.properties(logical_id));
    let old_values: HashMap<&str, &str> = parameters
        .iter()
        .filter_map(|p| p.before.map(|b| (p.name, b)))
        .collect();
    let new_values: HashMap<&str, &str> = parameters.iter().map(|p| (p.name, p.after)).collect();
    let mut found = Vec::new();
    for property in create_only(to) {
        let segments: Vec<&str> = property.split('/').collect();
        let (raw_old, raw_new) = (pick(&before, &segments), pick(&after, &segments));
        if raw_old != raw_new {
            found.push(Cause::CreateOnly {
                property,
                parameter: None,
            });
            continue;
        }
        let (resolved_old, resolved_new) = (
            resolve(&raw_old, &old_values),
            resolve(&raw_new, &new_values),
        );
        if resolved_old != resolved_new {
            let parameter = parameters
                .iter()
                .find(|p| refers_to(&raw_new, p.name))
                .map(|p| p.name.to_owned());
            found.push(Cause::CreateOnly {
                property,
                parameter,
            });
        }
    }
    for (ty, property, note) in KNOWN {
        if *ty != to {
            continue;
        }
        let old_value = resolve(&pick(&before, &[property]), &old_values);
        let new_value = resolve(&pick(&after, &[property]), &new_values);
        let in_place = IN_PLACE_ENGINE_CHANGES.iter().any(|(a, b)| {
            old_value
                .as_str()
                .is_some_and(|o| o.eq_ignore_ascii_case(a))
                && new_value
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(b))
        });
        if old_value != new_value && !in_place && !same_text(&old_value, &new_value) {
            found.push(Cause::Known { property, note });
        }
    }
    found
}

/// Two engine names that differ only in case (`MySQL`, `mysql`).
fn same_text(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(x), Some(y)) if x.eq_ignore_ascii_case(y))
}

/// The create-only property paths of a type, relative to `Properties`
/// (`DBName`, `VpcConfig/SubnetIds`), from the vendored schema; none for a
/// type the catalogue does not know.
pub fn create_only(resource_type: &str) -> Vec<String> {
    let Ok(Some(data)) = schema::type_data(resource_type) else {
        return Vec::new();
    };
    data.schema
        .get("createOnlyProperties")
        .and_then(Value::as_array)
        .map(|paths| {
            paths
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|p| p.strip_prefix("/properties/"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The value at a schema path (`*` maps over a list); `Null` where absent.
fn pick(value: &Value, segments: &[&str]) -> Value {
    let Some((first, rest)) = segments.split_first() else {
        return value.clone();
    };
    match (*first, value) {
        ("*", Value::Array(items)) => Value::Array(items.iter().map(|v| pick(v, rest)).collect()),
        (key, Value::Object(map)) => map.get(key).map_or(Value::Null, |v| pick(v, rest)),
        _ => Value::Null,
    }
}

/// `value` with `Ref`s to the given parameters, and their `${Name}` in
/// `Fn::Sub` text, replaced by the parameters' values.
fn resolve(value: &Value, parameters: &HashMap<&str, &str>) -> Value {
    match value {
        Value::Object(map) if map.len() == 1 => {
            if let Some(Value::String(name)) = map.get("Ref")
                && let Some(v) = parameters.get(name.as_str())
            {
                return Value::String((*v).to_owned());
            }
            if let Some(Value::String(text)) = map.get("Fn::Sub") {
                let mut text = text.clone();
                for (name, v) in parameters {
                    text = text.replace(&format!("${{{name}}}"), v);
                }
                return Value::Object(
                    [("Fn::Sub".to_owned(), Value::String(text))]
                        .into_iter()
                        .collect(),
                );
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, parameters)))
                    .collect(),
            )
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(v, parameters)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, parameters)).collect()),
        other => other.clone(),
    }
}

/// Whether `value` refers to parameter `name` (`Ref` or `${name}` in a
/// `Fn::Sub`).
fn refers_to(value: &Value, name: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| match (k.as_str(), v) {
            ("Ref", Value::String(r)) => r == name,
            ("Fn::Sub", Value::String(t)) => t.contains(&format!("${{{name}}}")),
            _ => refers_to(v, name),
        }),
        Value::Array(items) => items.iter().any(|v| refers_to(v, name)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(props: &str) -> Document {
        Document::parse(&format!(
            "Parameters:\n  DbName:\n    Type: String\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n{props}"
        ))
        .unwrap()
    }

    #[test]
    fn the_schema_lists_the_create_only_properties_of_a_db_instance() {
        let props = create_only("AWS::RDS::DBInstance");
        for p in ["DBName", "MasterUsername", "StorageEncrypted", "KmsKeyId"] {
            assert!(props.iter().any(|x| x == p), "{p} in {props:?}");
        }
        assert!(
            !props.iter().any(|x| x == "Engine"),
            "the vendored schema does not mark Engine create-only; KNOWN covers it"
        );
        assert!(create_only("AWS::Nope::Nothing").is_empty());
    }

    #[test]
    fn a_changed_create_only_property_is_a_cause() {
        let old = db("      DBName: app\n      DBInstanceClass: db.t3.micro\n");
        let new = db("      DBName: shop\n      DBInstanceClass: db.t3.small\n");
        assert_eq!(
            causes(&old, &new, "Db", &[]),
            [Cause::CreateOnly {
                property: "DBName".into(),
                parameter: None
            }]
        );
        assert_eq!(
            causes(&old, &new, "Db", &[])[0].short(),
            "create-only: DBName"
        );
    }

    #[test]
    fn a_parameter_change_reaches_a_create_only_property() {
        let both = db("      DBName: !Ref DbName\n");
        let changed = [ParameterValue {
            name: "DbName",
            before: Some("app"),
            after: "shop",
        }];
        let found = causes(&both, &both, "Db", &changed);
        assert_eq!(found[0].short(), "create-only: DBName via parameter DbName");
        let same = [ParameterValue {
            name: "Other",
            before: Some("a"),
            after: "b",
        }];
        assert!(causes(&both, &both, "Db", &same).is_empty());
    }

    #[test]
    fn only_updatable_changes_are_no_cause() {
        let old = db("      DBInstanceClass: db.t3.micro\n      Engine: postgres\n");
        let new = db("      DBInstanceClass: db.t3.small\n      Engine: postgres\n");
        assert!(causes(&old, &new, "Db", &[]).is_empty());
    }

    #[test]
    fn an_engine_change_replaces_except_oracle_to_cdb() {
        let pg = db("      Engine: postgres\n");
        let my = db("      Engine: mysql\n");
        assert_eq!(causes(&pg, &my, "Db", &[])[0].short(), "Engine change");
        let ora = db("      Engine: oracle-ee\n");
        let cdb = db("      Engine: oracle-ee-cdb\n");
        assert!(causes(&ora, &cdb, "Db", &[]).is_empty());
    }

    #[test]
    fn a_type_change_under_one_logical_id_is_a_cause() {
        let old = Document::parse("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").unwrap();
        let new = Document::parse("Resources:\n  Q:\n    Type: AWS::SNS::Topic\n").unwrap();
        assert_eq!(
            causes(&old, &new, "Q", &[])[0].short(),
            "type AWS::SQS::Queue -> AWS::SNS::Topic"
        );
    }
}
