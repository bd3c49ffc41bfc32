//! Test helpers: templates written as JSON (long-form intrinsics) turned
//! into the IR, so unit tests read like the templates they check.

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::template::{Expr, Intrinsic, Output, Parameter, Resource, RetentionPolicy, Template};

/// The IR value of a JSON value; single-key maps named like an intrinsic
/// become that intrinsic.
pub fn expr(v: &Json) -> Expr {
    match v {
        Json::Null => Expr::Null,
        Json::Bool(b) => Expr::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map(Expr::Int)
            .unwrap_or_else(|| Expr::Float(n.as_f64().unwrap())),
        Json::String(s) => Expr::String(s.clone()),
        Json::Array(items) => Expr::List(items.iter().map(expr).collect()),
        Json::Object(m) => {
            if m.len() == 1 {
                let (k, arg) = m.iter().next().unwrap();
                if let Some(f) = intrinsic(k, arg) {
                    return Expr::func(f);
                }
            }
            Expr::Map(m.iter().map(|(k, v)| (k.clone(), expr(v))).collect())
        }
    }
}

fn s(v: &Json) -> String {
    v.as_str().unwrap().to_owned()
}

fn intrinsic(name: &str, arg: &Json) -> Option<Intrinsic> {
    let list = |i: usize| expr(&arg[i]);
    Some(match name {
        "Ref" => Intrinsic::Ref(s(arg)),
        "Condition" => Intrinsic::Condition(s(arg)),
        "Fn::GetAtt" => {
            let (r, a) = match arg {
                Json::String(t) => {
                    let (r, a) = t.split_once('.').unwrap();
                    (r.to_owned(), a.to_owned())
                }
                _ => (s(&arg[0]), s(&arg[1])),
            };
            Intrinsic::GetAtt {
                resource: r,
                attribute: a,
            }
        }
        "Fn::Sub" => match arg {
            Json::String(t) => Intrinsic::Sub {
                template: t.clone(),
                variables: IndexMap::new(),
            },
            _ => Intrinsic::Sub {
                template: s(&arg[0]),
                variables: arg[1]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), expr(v)))
                    .collect(),
            },
        },
        "Fn::Join" => Intrinsic::Join {
            delimiter: s(&arg[0]),
            values: list(1),
        },
        "Fn::Select" => Intrinsic::Select {
            index: list(0),
            list: list(1),
        },
        "Fn::Split" => Intrinsic::Split {
            delimiter: s(&arg[0]),
            source: list(1),
        },
        "Fn::GetAZs" => Intrinsic::GetAZs(expr(arg)),
        "Fn::Base64" => Intrinsic::Base64(expr(arg)),
        "Fn::ImportValue" => Intrinsic::ImportValue(expr(arg)),
        "Fn::Cidr" => Intrinsic::Cidr {
            block: list(0),
            count: list(1),
            bits: list(2),
        },
        "Fn::If" => Intrinsic::If {
            condition: s(&arg[0]),
            then: list(1),
            otherwise: list(2),
        },
        "Fn::Equals" => Intrinsic::Equals(list(0), list(1)),
        "Fn::And" => Intrinsic::And(arg.as_array().unwrap().iter().map(expr).collect()),
        "Fn::Or" => Intrinsic::Or(arg.as_array().unwrap().iter().map(expr).collect()),
        "Fn::Not" => Intrinsic::Not(list(0)),
        "Fn::FindInMap" => Intrinsic::FindInMap {
            map: list(0),
            top_key: list(1),
            second_key: list(2),
        },
        _ => return None,
    })
}

fn map(v: &Json) -> IndexMap<String, Expr> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), expr(v))).collect())
        .unwrap_or_default()
}

/// A template from its JSON form.
pub fn template(v: Json) -> Template {
    let mut t = Template {
        format_version: v.get("AWSTemplateFormatVersion").map(s),
        description: v.get("Description").map(s),
        metadata: map(&v["Metadata"]),
        transform: v.get("Transform").map(expr),
        ..Template::default()
    };
    if let Some(ps) = v["Parameters"].as_object() {
        for (k, p) in ps {
            let num = |key: &str| p.get(key).and_then(Json::as_f64);
            t.parameters.insert(
                k.clone(),
                Parameter {
                    param_type: s(&p["Type"]),
                    description: p.get("Description").map(s),
                    default: p.get("Default").map(expr),
                    allowed_values: p
                        .get("AllowedValues")
                        .and_then(Json::as_array)
                        .map(|a| a.iter().map(expr).collect())
                        .unwrap_or_default(),
                    allowed_pattern: p.get("AllowedPattern").map(s),
                    min_length: p.get("MinLength").and_then(Json::as_i64),
                    max_length: p.get("MaxLength").and_then(Json::as_i64),
                    min_value: num("MinValue"),
                    max_value: num("MaxValue"),
                    no_echo: p.get("NoEcho").and_then(Json::as_bool).unwrap_or(false),
                    constraint_description: p.get("ConstraintDescription").map(s),
                },
            );
        }
    }
    if let Some(ms) = v["Mappings"].as_object() {
        for (name, top) in ms {
            let top = top
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, second)| (k.clone(), map(second)))
                .collect();
            t.mappings.insert(name.clone(), top);
        }
    }
    t.conditions = map(&v["Conditions"]);
    if let Some(rs) = v["Resources"].as_object() {
        for (id, r) in rs {
            let depends_on = match &r["DependsOn"] {
                Json::String(d) => vec![d.clone()],
                Json::Array(ds) => ds.iter().map(s).collect(),
                _ => Vec::new(),
            };
            let policy = |k: &str| {
                r.get(k)
                    .and_then(Json::as_str)
                    .and_then(RetentionPolicy::parse)
            };
            t.resources.insert(
                id.clone(),
                Resource {
                    resource_type: s(&r["Type"]),
                    condition: r.get("Condition").map(s),
                    depends_on,
                    deletion_policy: policy("DeletionPolicy"),
                    update_replace_policy: policy("UpdateReplacePolicy"),
                    creation_policy: r.get("CreationPolicy").map(expr),
                    update_policy: r.get("UpdatePolicy").map(expr),
                    metadata: map(&r["Metadata"]),
                    properties: map(&r["Properties"]),
                },
            );
        }
    }
    if let Some(os) = v["Outputs"].as_object() {
        for (k, o) in os {
            t.outputs.insert(
                k.clone(),
                Output {
                    description: o.get("Description").map(s),
                    value: expr(&o["Value"]),
                    export_name: o.get("Export").map(|e| expr(&e["Name"])),
                    condition: o.get("Condition").map(s),
                },
            );
        }
    }
    t
}
