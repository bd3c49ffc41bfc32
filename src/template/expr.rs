//! The untyped CloudFormation value tree: literals, lists, maps and intrinsic
//! functions, as they stand anywhere in a template.
//!
//! This module owns the *shape* of values only. It does not know resource
//! types (that is `crate::resources`) and it does not print anything (that is
//! `super::yaml` and `super::json`).

use indexmap::IndexMap;

/// A value anywhere in a template: a literal, a list, a map, or an intrinsic
/// function call.
///
/// Every part of hagen that reads or writes template values speaks `Expr`, so
/// an intrinsic can stand wherever CloudFormation accepts a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// YAML `null` / JSON `null`.
    Null,
    /// A boolean literal.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A floating-point literal.
    Float(f64),
    /// A string literal.
    String(String),
    /// A list of values.
    List(Vec<Expr>),
    /// A map with string keys, in the order they were written.
    Map(IndexMap<String, Expr>),
    /// An intrinsic function call (`Ref`, `Fn::GetAtt`, ...).
    Fn(Box<Intrinsic>),
}

/// Every CloudFormation intrinsic function, as one typed enum.
///
/// Arguments that CloudFormation requires to be literal names (logical IDs,
/// condition names, the `Fn::Join` delimiter) are plain strings; arguments
/// that may themselves be computed are [`Expr`].
#[derive(Debug, Clone, PartialEq)]
pub enum Intrinsic {
    /// `Ref`: a parameter's value, a resource's primary identifier, or a
    /// pseudo parameter such as `AWS::Region`.
    Ref(String),
    /// `Fn::GetAtt`: an attribute of a resource. `attribute` may be dotted
    /// (`Endpoint.Address`).
    GetAtt {
        /// Logical ID of the resource.
        resource: String,
        /// Attribute name.
        attribute: String,
    },
    /// `Fn::Sub`: string interpolation of `${Name}` placeholders.
    Sub {
        /// The string with placeholders.
        template: String,
        /// Extra variables (the two-argument form); empty for the one-argument form.
        variables: IndexMap<String, Expr>,
    },
    /// `Fn::Join`: concatenates a list with a delimiter.
    Join {
        /// Delimiter placed between items.
        delimiter: String,
        /// A list, or an intrinsic that returns one.
        values: Expr,
    },
    /// `Fn::Select`: one item of a list by index.
    Select {
        /// Zero-based index (literal or `Ref`).
        index: Expr,
        /// A list, or an intrinsic that returns one.
        list: Expr,
    },
    /// `Fn::Split`: splits a string into a list.
    Split {
        /// Delimiter to split on.
        delimiter: String,
        /// The string to split.
        source: Expr,
    },
    /// `Fn::GetAZs`: the availability zones of a region (`""` is the stack's region).
    GetAZs(Expr),
    /// `Fn::Base64`: base64-encodes a string (user data).
    Base64(Expr),
    /// `Fn::Cidr`: carves `count` CIDR blocks of `bits` host bits out of `block`.
    Cidr {
        /// The block to subdivide.
        block: Expr,
        /// How many blocks to return.
        count: Expr,
        /// Host bits per block (32 minus the prefix length for IPv4).
        bits: Expr,
    },
    /// `Fn::If`: one of two values depending on a condition.
    If {
        /// Condition name.
        condition: String,
        /// Value when true.
        then: Expr,
        /// Value when false (may be `Ref AWS::NoValue`).
        otherwise: Expr,
    },
    /// `Fn::Equals`: compares two values (conditions only).
    Equals(Expr, Expr),
    /// `Fn::And`: all conditions true (2 to 10 of them).
    And(Vec<Expr>),
    /// `Fn::Or`: any condition true (2 to 10 of them).
    Or(Vec<Expr>),
    /// `Fn::Not`: negates one condition.
    Not(Expr),
    /// `Condition`: refers to a named condition inside `Fn::And`/`Or`/`Not`.
    Condition(String),
    /// `Fn::FindInMap`: a value from the Mappings section.
    FindInMap {
        /// Mapping name.
        map: Expr,
        /// Top-level key.
        top_key: Expr,
        /// Second-level key.
        second_key: Expr,
    },
    /// `Fn::ImportValue`: an output exported by another stack.
    ImportValue(Expr),
}

impl Intrinsic {
    /// The function a long-form map spells (`name` its key, `argument` its
    /// value), when the argument has the function's shape: the inverse of
    /// [`Intrinsic::long_name`] and [`Intrinsic::argument`]. `None` for
    /// anything else, which stays a plain map.
    pub fn from_long_form(name: &str, argument: Expr) -> Option<Intrinsic> {
        let string = |e: &Expr| e.as_str().map(str::to_owned);
        let items = match &argument {
            Expr::List(items) => items.clone(),
            _ => Vec::new(),
        };
        let is_list = matches!(argument, Expr::List(_));
        Some(match (name, items.as_slice()) {
            ("Ref", _) => Intrinsic::Ref(string(&argument)?),
            ("Condition", _) => Intrinsic::Condition(string(&argument)?),
            ("Fn::GetAtt", [resource, attribute]) => Intrinsic::GetAtt {
                resource: string(resource)?,
                attribute: string(attribute)?,
            },
            ("Fn::GetAtt", _) if !is_list => {
                let (resource, attribute) = argument.as_str()?.split_once('.')?;
                Intrinsic::GetAtt {
                    resource: resource.to_owned(),
                    attribute: attribute.to_owned(),
                }
            }
            ("Fn::Sub", [template, Expr::Map(variables)]) => Intrinsic::Sub {
                template: string(template)?,
                variables: variables.clone(),
            },
            ("Fn::Sub", _) if !is_list => Intrinsic::Sub {
                template: string(&argument)?,
                variables: IndexMap::new(),
            },
            ("Fn::Join", [delimiter, values]) => Intrinsic::Join {
                delimiter: string(delimiter)?,
                values: values.clone(),
            },
            ("Fn::Select", [index, list]) => Intrinsic::Select {
                index: index.clone(),
                list: list.clone(),
            },
            ("Fn::Split", [delimiter, source]) => Intrinsic::Split {
                delimiter: string(delimiter)?,
                source: source.clone(),
            },
            ("Fn::GetAZs", _) => Intrinsic::GetAZs(argument),
            ("Fn::Base64", _) => Intrinsic::Base64(argument),
            ("Fn::ImportValue", _) => Intrinsic::ImportValue(argument),
            ("Fn::Cidr", [block, count, bits]) => Intrinsic::Cidr {
                block: block.clone(),
                count: count.clone(),
                bits: bits.clone(),
            },
            ("Fn::If", [condition, then, otherwise]) => Intrinsic::If {
                condition: string(condition)?,
                then: then.clone(),
                otherwise: otherwise.clone(),
            },
            ("Fn::Equals", [a, b]) => Intrinsic::Equals(a.clone(), b.clone()),
            ("Fn::And", _) if is_list => Intrinsic::And(items),
            ("Fn::Or", _) if is_list => Intrinsic::Or(items),
            ("Fn::Not", [item]) => Intrinsic::Not(item.clone()),
            ("Fn::FindInMap", [map, top_key, second_key]) => Intrinsic::FindInMap {
                map: map.clone(),
                top_key: top_key.clone(),
                second_key: second_key.clone(),
            },
            _ => return None,
        })
    }

    /// The long-form name CloudFormation uses as the single key of the map
    /// that holds this function (`Ref`, `Fn::GetAtt`, `Condition`, ...).
    pub fn long_name(&self) -> &'static str {
        match self {
            Intrinsic::Ref(_) => "Ref",
            Intrinsic::GetAtt { .. } => "Fn::GetAtt",
            Intrinsic::Sub { .. } => "Fn::Sub",
            Intrinsic::Join { .. } => "Fn::Join",
            Intrinsic::Select { .. } => "Fn::Select",
            Intrinsic::Split { .. } => "Fn::Split",
            Intrinsic::GetAZs(_) => "Fn::GetAZs",
            Intrinsic::Base64(_) => "Fn::Base64",
            Intrinsic::Cidr { .. } => "Fn::Cidr",
            Intrinsic::If { .. } => "Fn::If",
            Intrinsic::Equals(..) => "Fn::Equals",
            Intrinsic::And(_) => "Fn::And",
            Intrinsic::Or(_) => "Fn::Or",
            Intrinsic::Not(_) => "Fn::Not",
            Intrinsic::Condition(_) => "Condition",
            Intrinsic::FindInMap { .. } => "Fn::FindInMap",
            Intrinsic::ImportValue(_) => "Fn::ImportValue",
        }
    }

    /// The YAML short-form tag without the `!` (`Ref`, `GetAtt`, `Sub`, ...).
    pub fn short_name(&self) -> &'static str {
        let long = self.long_name();
        long.strip_prefix("Fn::").unwrap_or(long)
    }

    /// The function's argument in long form, exactly as it stands under the
    /// function's key in a JSON template.
    pub fn argument(&self) -> Expr {
        match self {
            Intrinsic::Ref(name) | Intrinsic::Condition(name) => Expr::String(name.clone()),
            Intrinsic::GetAtt {
                resource,
                attribute,
            } => Expr::List(vec![
                Expr::String(resource.clone()),
                Expr::String(attribute.clone()),
            ]),
            Intrinsic::Sub {
                template,
                variables,
            } => {
                if variables.is_empty() {
                    Expr::String(template.clone())
                } else {
                    Expr::List(vec![
                        Expr::String(template.clone()),
                        Expr::Map(variables.clone()),
                    ])
                }
            }
            Intrinsic::Join { delimiter, values } => {
                Expr::List(vec![Expr::String(delimiter.clone()), values.clone()])
            }
            Intrinsic::Select { index, list } => Expr::List(vec![index.clone(), list.clone()]),
            Intrinsic::Split { delimiter, source } => {
                Expr::List(vec![Expr::String(delimiter.clone()), source.clone()])
            }
            Intrinsic::GetAZs(arg) | Intrinsic::Base64(arg) | Intrinsic::ImportValue(arg) => {
                arg.clone()
            }
            Intrinsic::Cidr { block, count, bits } => {
                Expr::List(vec![block.clone(), count.clone(), bits.clone()])
            }
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => Expr::List(vec![
                Expr::String(condition.clone()),
                then.clone(),
                otherwise.clone(),
            ]),
            Intrinsic::Equals(a, b) => Expr::List(vec![a.clone(), b.clone()]),
            Intrinsic::And(items) | Intrinsic::Or(items) => Expr::List(items.clone()),
            Intrinsic::Not(item) => Expr::List(vec![item.clone()]),
            Intrinsic::FindInMap {
                map,
                top_key,
                second_key,
            } => Expr::List(vec![map.clone(), top_key.clone(), second_key.clone()]),
        }
    }
}

impl Expr {
    /// A string literal.
    pub fn string(s: impl Into<String>) -> Expr {
        Expr::String(s.into())
    }

    /// A map from its keys and values, in the order given: the shape of
    /// policy documents and other JSON-typed properties, written inline.
    pub fn map_of<const N: usize>(entries: [(&str, Expr); N]) -> Expr {
        Expr::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// A list of string literals, such as a statement's actions.
    pub fn strings(items: &[&str]) -> Expr {
        Expr::List(items.iter().map(|s| Expr::string(*s)).collect())
    }

    /// Wraps an intrinsic function call.
    pub fn func(f: Intrinsic) -> Expr {
        Expr::Fn(Box::new(f))
    }

    /// The intrinsic function call, when this value is one.
    pub fn as_fn(&self) -> Option<&Intrinsic> {
        match self {
            Expr::Fn(f) => Some(f),
            _ => None,
        }
    }

    /// The string literal, when this value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::String(s) => Some(s),
            _ => None,
        }
    }

    /// Calls `visit` on this value, then on every value nested inside what
    /// `visit` left in its place, including intrinsic arguments: what
    /// rewrites a template (a nested stack's references to its parent
    /// becoming its parameters) use.
    pub fn walk_mut(&mut self, visit: &mut dyn FnMut(&mut Expr)) {
        visit(self);
        match self {
            Expr::List(items) => items.iter_mut().for_each(|i| i.walk_mut(visit)),
            Expr::Map(map) => map.values_mut().for_each(|v| v.walk_mut(visit)),
            Expr::Fn(f) => match f.as_mut() {
                Intrinsic::Ref(_) | Intrinsic::GetAtt { .. } | Intrinsic::Condition(_) => {}
                Intrinsic::Sub { variables, .. } => {
                    variables.values_mut().for_each(|v| v.walk_mut(visit));
                }
                Intrinsic::Join { values: e, .. }
                | Intrinsic::Split { source: e, .. }
                | Intrinsic::GetAZs(e)
                | Intrinsic::Base64(e)
                | Intrinsic::ImportValue(e)
                | Intrinsic::Not(e) => e.walk_mut(visit),
                Intrinsic::Select { index, list } => {
                    index.walk_mut(visit);
                    list.walk_mut(visit);
                }
                Intrinsic::Cidr { block, count, bits } => {
                    block.walk_mut(visit);
                    count.walk_mut(visit);
                    bits.walk_mut(visit);
                }
                Intrinsic::If {
                    then, otherwise, ..
                } => {
                    then.walk_mut(visit);
                    otherwise.walk_mut(visit);
                }
                Intrinsic::Equals(a, b) => {
                    a.walk_mut(visit);
                    b.walk_mut(visit);
                }
                Intrinsic::And(items) | Intrinsic::Or(items) => {
                    items.iter_mut().for_each(|i| i.walk_mut(visit));
                }
                Intrinsic::FindInMap {
                    map,
                    top_key,
                    second_key,
                } => {
                    map.walk_mut(visit);
                    top_key.walk_mut(visit);
                    second_key.walk_mut(visit);
                }
            },
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::String(_) => {}
        }
    }

    /// Calls `visit` on this value and every value nested inside it, including
    /// intrinsic arguments, depth first. Checks use it to find every `Ref`.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::List(items) => items.iter().for_each(|i| i.walk(visit)),
            Expr::Map(map) => map.values().for_each(|v| v.walk(visit)),
            Expr::Fn(f) => match f.as_ref() {
                Intrinsic::Ref(_) | Intrinsic::GetAtt { .. } | Intrinsic::Condition(_) => {}
                Intrinsic::Sub { variables, .. } => variables.values().for_each(|v| v.walk(visit)),
                Intrinsic::Join { values: e, .. }
                | Intrinsic::Split { source: e, .. }
                | Intrinsic::GetAZs(e)
                | Intrinsic::Base64(e)
                | Intrinsic::ImportValue(e)
                | Intrinsic::Not(e) => e.walk(visit),
                Intrinsic::Select { index, list } => {
                    index.walk(visit);
                    list.walk(visit);
                }
                Intrinsic::Cidr { block, count, bits } => {
                    block.walk(visit);
                    count.walk(visit);
                    bits.walk(visit);
                }
                Intrinsic::If {
                    then, otherwise, ..
                } => {
                    then.walk(visit);
                    otherwise.walk(visit);
                }
                Intrinsic::Equals(a, b) => {
                    a.walk(visit);
                    b.walk(visit);
                }
                Intrinsic::And(items) | Intrinsic::Or(items) => {
                    items.iter().for_each(|i| i.walk(visit))
                }
                Intrinsic::FindInMap {
                    map,
                    top_key,
                    second_key,
                } => {
                    map.walk(visit);
                    top_key.walk(visit);
                    second_key.walk(visit);
                }
            },
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::String(_) => {}
        }
    }
}

impl From<Intrinsic> for Expr {
    fn from(f: Intrinsic) -> Self {
        Expr::func(f)
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::String(s.to_owned())
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::String(s)
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}

impl From<i64> for Expr {
    fn from(n: i64) -> Self {
        Expr::Int(n)
    }
}

/// JSON as a template value (`serde_json::json!` for policy documents and
/// other free-form properties). Numbers that fit an `i64` stay integers,
/// and a one-key map in CloudFormation's long form (`{"Ref": "X"}`,
/// `{"Fn::Sub": "..."}`) becomes the intrinsic it spells, so the checks see
/// its references and YAML prints it in short form.
impl From<serde_json::Value> for Expr {
    fn from(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Expr::Null,
            serde_json::Value::Bool(b) => Expr::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Expr::Int(i),
                None => n
                    .as_f64()
                    .map_or_else(|| Expr::String(n.to_string()), Expr::Float),
            },
            serde_json::Value::String(s) => Expr::String(s),
            serde_json::Value::Array(items) => {
                Expr::List(items.into_iter().map(Expr::from).collect())
            }
            serde_json::Value::Object(map) => {
                let mut map: IndexMap<String, Expr> =
                    map.into_iter().map(|(k, v)| (k, Expr::from(v))).collect();
                if map.len() == 1
                    && let Some((name, argument)) = map.pop()
                {
                    return match Intrinsic::from_long_form(&name, argument.clone()) {
                        Some(f) => Expr::func(f),
                        None => {
                            map.insert(name, argument);
                            Expr::Map(map)
                        }
                    };
                }
                Expr::Map(map)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_name_drops_the_fn_prefix_but_keeps_ref_and_condition() {
        assert_eq!(Intrinsic::Ref("A".into()).short_name(), "Ref");
        assert_eq!(Intrinsic::Condition("C".into()).short_name(), "Condition");
        assert_eq!(Intrinsic::GetAZs(Expr::string("")).short_name(), "GetAZs");
    }

    #[test]
    fn sub_without_variables_has_the_string_form() {
        let sub = Intrinsic::Sub {
            template: "${AWS::Region}".into(),
            variables: IndexMap::new(),
        };
        assert_eq!(sub.argument(), Expr::string("${AWS::Region}"));
    }

    #[test]
    fn json_long_forms_become_intrinsics_and_round_trip() {
        let json = serde_json::json!({
            "Resource": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"},
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Condition": {"StringEquals": {"AWS:SourceArn": {"Ref": "Distribution"}}},
            "Not": {"Fn::Join": ["-"]},
        });
        let Expr::Map(map) = Expr::from(json) else {
            panic!("a map")
        };
        assert!(matches!(
            map["Resource"].as_fn(),
            Some(Intrinsic::Sub { .. })
        ));
        assert!(map["Principal"].as_fn().is_none());
        let Expr::Map(cond) = &map["Condition"] else {
            panic!("a map")
        };
        let Expr::Map(eq) = &cond["StringEquals"] else {
            panic!("a map")
        };
        assert_eq!(
            eq["AWS:SourceArn"].as_fn(),
            Some(&Intrinsic::Ref("Distribution".into()))
        );
        // A malformed function stays a plain map (and the checks say so).
        assert!(map["Not"].as_fn().is_none());
        for f in [
            Intrinsic::Ref("A".into()),
            Intrinsic::GetAtt {
                resource: "Db".into(),
                attribute: "Endpoint.Address".into(),
            },
            Intrinsic::Select {
                index: Expr::Int(0),
                list: Expr::func(Intrinsic::GetAZs(Expr::string(""))),
            },
            Intrinsic::Not(Expr::func(Intrinsic::Condition("C".into()))),
        ] {
            assert_eq!(
                Intrinsic::from_long_form(f.long_name(), f.argument()),
                Some(f.clone())
            );
        }
    }

    #[test]
    fn walk_reaches_refs_nested_in_functions() {
        let e = Expr::func(Intrinsic::Select {
            index: Expr::Int(0),
            list: Expr::func(Intrinsic::GetAZs(Expr::func(Intrinsic::Ref(
                "AWS::Region".into(),
            )))),
        });
        let mut refs = Vec::new();
        e.walk(&mut |x| {
            if let Some(Intrinsic::Ref(name)) = x.as_fn() {
                refs.push(name.clone());
            }
        });
        assert_eq!(refs, vec!["AWS::Region".to_string()]);
    }
}
