//! Turns a resource's `Properties` into the JSON instance validated against
//! its schema, under one condition scenario.
//!
//! Owns the instance side of intrinsic-aware validation: `Fn::If` is
//! replaced by the branch the scenario picks (a `Ref AWS::NoValue` branch
//! removes the property or list item); `Fn::Select` of a literal list and
//! `Fn::FindInMap` with literal keys are replaced by the value they pick;
//! every other intrinsic becomes a marker (`super::marker`) that records the
//! kind of value it returns. It also maps an instance path back to the path
//! in the template, through the `Fn::If` branches taken.

use serde_json::{Map, Number, Value as Json};

use super::bundle;
use super::marker::{self, Kind};
use crate::template::{Expr, Intrinsic, Template};
use crate::validate::scenario::Scenario;
use crate::validate::text;

/// Builds instances for one template under one scenario.
pub struct Builder<'a> {
    template: &'a Template,
    scenario: &'a Scenario,
}

/// Whether a parameter type holds a list.
pub fn is_list_parameter_type(t: &str) -> bool {
    t == "CommaDelimitedList"
        || t.starts_with("List<")
        || t.starts_with("AWS::SSM::Parameter::Value<List<")
        || t == "AWS::SSM::Parameter::Value<CommaDelimitedList>"
}

/// Whether a one-entry map key names a function (`Ref`, `Condition`, `Fn::...`).
pub fn is_function_key(k: &str) -> bool {
    k == "Ref" || k == "Condition" || k.starts_with("Fn::")
}

/// `Ref AWS::NoValue`.
fn is_no_value(e: &Expr) -> bool {
    matches!(e.as_fn(), Some(Intrinsic::Ref(n)) if n == "AWS::NoValue")
}

impl<'a> Builder<'a> {
    /// A builder for `template` under `scenario`.
    pub fn new(template: &'a Template, scenario: &'a Scenario) -> Self {
        Builder { template, scenario }
    }

    /// Follows `Fn::If`s to the value the scenario picks; `None` when that
    /// is `Ref AWS::NoValue` (the value is absent).
    fn settle<'e>(&self, mut e: &'e Expr) -> Option<&'e Expr> {
        loop {
            match e.as_fn() {
                Some(Intrinsic::If {
                    condition,
                    then,
                    otherwise,
                }) => {
                    e = if self.scenario.holds(condition) {
                        then
                    } else {
                        otherwise
                    };
                }
                _ if is_no_value(e) => return None,
                _ => return Some(e),
            }
        }
    }

    /// The JSON instance for a value; `None` when it is absent.
    pub fn build(&self, e: &Expr) -> Option<Json> {
        self.build_depth(e, 0)
    }

    fn build_depth(&self, e: &Expr, depth: usize) -> Option<Json> {
        if depth > 64 {
            return Some(Json::Null);
        }
        let e = self.settle(e)?;
        Some(match e {
            Expr::Null => Json::Null,
            Expr::Bool(b) => Json::Bool(*b),
            Expr::Int(n) => Json::Number((*n).into()),
            Expr::Float(x) => Number::from_f64(*x).map_or(Json::Null, Json::Number),
            Expr::String(s) => Json::String(s.clone()),
            Expr::List(items) => Json::Array(
                items
                    .iter()
                    .filter_map(|i| self.build_depth(i, depth + 1))
                    .collect(),
            ),
            // A function the IR does not hold (a wrongly shaped intrinsic the
            // parser kept as written, or a transform's `Fn::Length`): its
            // value is unknown; the parser or the transform reports it.
            Expr::Map(m) if m.len() == 1 && m.keys().all(|k| is_function_key(k)) => {
                let name = m.keys().next().map(String::as_str).unwrap_or("Fn::");
                marker::make(name, Kind::Any, &text::show(e))
            }
            Expr::Map(m) => Json::Object(
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), self.build_depth(v, depth + 1)?)))
                    .collect::<Map<_, _>>(),
            ),
            Expr::Fn(f) => {
                if let Some(picked) = self.picked(f) {
                    return self.build_depth(picked, depth + 1);
                }
                marker::make(f.long_name(), self.kind(f), &text::show_fn(f))
            }
        })
    }

    /// The literal value a `Fn::Select` or `Fn::FindInMap` picks, when its
    /// arguments are literal.
    fn picked<'e>(&'e self, f: &'e Intrinsic) -> Option<&'e Expr> {
        match f {
            Intrinsic::Select { index, list } => {
                let i = literal_index(self.settle(index)?)?;
                match self.settle(list)? {
                    Expr::List(items) => items.get(i),
                    _ => None,
                }
            }
            Intrinsic::FindInMap {
                map,
                top_key,
                second_key,
            } => {
                let m = self.template.mappings.get(self.settle(map)?.as_str()?)?;
                m.get(self.settle(top_key)?.as_str()?)?
                    .get(self.settle(second_key)?.as_str()?)
            }
            _ => None,
        }
    }

    /// What kind of value an intrinsic returns.
    pub fn kind(&self, f: &Intrinsic) -> Kind {
        match f {
            Intrinsic::Ref(name) => self.ref_kind(name),
            Intrinsic::GetAtt {
                resource,
                attribute,
            } => self.getatt_kind(resource, attribute),
            Intrinsic::Sub { .. }
            | Intrinsic::Join { .. }
            | Intrinsic::Base64(_)
            | Intrinsic::ImportValue(_) => Kind::Scalar,
            Intrinsic::Split { .. } | Intrinsic::GetAZs(_) | Intrinsic::Cidr { .. } => Kind::List,
            Intrinsic::Select { list, .. } => match self.settle(list).and_then(Expr::as_fn) {
                Some(inner) if self.kind(inner) == Kind::List && !self.list_of_lists(inner) => {
                    Kind::Scalar
                }
                _ => Kind::Any,
            },
            Intrinsic::FindInMap { map, .. } => self.mapping_kind(map),
            _ => Kind::Any,
        }
    }

    fn list_of_lists(&self, f: &Intrinsic) -> bool {
        matches!(f, Intrinsic::FindInMap { .. } | Intrinsic::GetAtt { .. })
    }

    fn ref_kind(&self, name: &str) -> Kind {
        if let Some(p) = self.template.parameters.get(name) {
            return if is_list_parameter_type(&p.param_type) {
                Kind::List
            } else {
                Kind::Scalar
            };
        }
        if self.template.resources.contains_key(name) {
            return Kind::Scalar;
        }
        match name {
            "AWS::NotificationARNs" => Kind::List,
            n if n.starts_with("AWS::") => Kind::Scalar,
            _ => Kind::Any,
        }
    }

    fn getatt_kind(&self, resource: &str, attribute: &str) -> Kind {
        let Some(r) = self.template.resources.get(resource) else {
            return Kind::Any;
        };
        let Ok(Some(data)) = bundle::type_data(&r.resource_type) else {
            return Kind::Any;
        };
        match data.attribute_type(attribute) {
            Some("array") => Kind::List,
            Some("string" | "integer" | "number" | "boolean") => Kind::Scalar,
            _ => Kind::Any,
        }
    }

    fn mapping_kind(&self, map: &Expr) -> Kind {
        let Some(m) = self
            .settle(map)
            .and_then(Expr::as_str)
            .and_then(|n| self.template.mappings.get(n))
        else {
            return Kind::Any;
        };
        let mut kinds = m
            .values()
            .flat_map(|second| second.values())
            .map(|v| match v {
                Expr::List(_) => Kind::List,
                Expr::Map(_) | Expr::Fn(_) | Expr::Null => Kind::Any,
                _ => Kind::Scalar,
            });
        let Some(first) = kinds.next() else {
            return Kind::Any;
        };
        if kinds.all(|k| k == first) {
            first
        } else {
            Kind::Any
        }
    }

    /// The template path (below `root`) of the value an instance path
    /// points at, through the `Fn::If` branches this scenario takes and the
    /// list items it drops.
    pub fn original_path(&self, root: &Expr, instance_path: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = root;
        for segment in instance_path {
            current = self.descend_ifs(current, &mut out);
            match current {
                Expr::Map(m) => {
                    let Some(v) = m.get(segment) else { return out };
                    out.push(segment.clone());
                    current = v;
                }
                Expr::List(items) => {
                    let Ok(wanted) = segment.parse::<usize>() else {
                        return out;
                    };
                    let found = items
                        .iter()
                        .enumerate()
                        .filter(|(_, item)| self.settle(item).is_some())
                        .nth(wanted);
                    let Some((i, item)) = found else { return out };
                    out.push(i.to_string());
                    current = item;
                }
                _ => return out,
            }
        }
        self.descend_ifs(current, &mut out);
        out
    }

    fn descend_ifs<'e>(&self, mut e: &'e Expr, path: &mut Vec<String>) -> &'e Expr {
        while let Some(Intrinsic::If {
            condition,
            then,
            otherwise,
        }) = e.as_fn()
        {
            path.push("Fn::If".into());
            if self.scenario.holds(condition) {
                path.push("1".into());
                e = then;
            } else {
                path.push("2".into());
                e = otherwise;
            }
        }
        e
    }
}

fn literal_index(e: &Expr) -> Option<usize> {
    match e {
        Expr::Int(n) => usize::try_from(*n).ok(),
        Expr::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Parameter, fns};
    use indexmap::IndexMap;
    use serde_json::json;

    fn template() -> Template {
        let mut t = Template::default();
        t.parameters.insert(
            "Subnets".into(),
            Parameter {
                param_type: "List<AWS::EC2::Subnet::Id>".into(),
                ..Parameter::default()
            },
        );
        t.conditions.insert("C".into(), Expr::Bool(true));
        t
    }

    #[test]
    fn intrinsics_become_markers_of_their_kind() {
        let t = template();
        let s = Scenario::default();
        let b = Builder::new(&t, &s);
        let v = b.build(&fns::ref_("Subnets").into()).unwrap();
        assert_eq!(marker::kind(&v), Kind::List);
        let v = b.build(&fns::sub("x").into()).unwrap();
        assert_eq!(marker::kind(&v), Kind::Scalar);
        let v = b.build(&fns::az(0).into()).unwrap();
        assert_eq!(marker::kind(&v), Kind::Scalar);
    }

    #[test]
    fn no_value_branches_drop_the_item_and_paths_map_back() {
        let t = template();
        let s = Scenario::default(); // C holds
        let b = Builder::new(&t, &s);
        let list = Expr::List(vec![
            fns::if_("C", fns::no_value(), "a").into(),
            Expr::string("b"),
        ]);
        let mut m = IndexMap::new();
        m.insert("L".to_string(), list);
        let root = Expr::Map(m);
        assert_eq!(b.build(&root).unwrap(), json!({"L": ["b"]}));
        assert_eq!(
            b.original_path(&root, &["L".into(), "0".into()]),
            vec!["L".to_string(), "1".to_string()]
        );
    }

    #[test]
    fn select_of_a_literal_list_is_the_item() {
        let t = template();
        let s = Scenario::default();
        let b = Builder::new(&t, &s);
        let e: Expr = fns::select(1, Expr::List(vec!["a".into(), "b".into()])).into();
        assert_eq!(b.build(&e).unwrap(), json!("b"));
    }
}
