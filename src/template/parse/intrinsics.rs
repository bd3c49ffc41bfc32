//! Turns located [`Node`]s into [`Expr`] values, recognising intrinsic
//! functions in both their short (`!Ref X`) and long (`{"Ref": "X"}`) forms.
//!
//! Rules, and why:
//! - A one-entry map whose key is `Ref`, `Condition` (with a string value)
//!   or a known `Fn::` name is a function call; so is a value under the
//!   matching short-form tag. `!GetAtt A.B.C` is resource `A`, attribute
//!   `B.C`. A tag's scalar argument is the text as written.
//! - Unknown functions (`Fn::Transform`, `Fn::Length`, `!Foo`) stay maps
//!   (`{"Fn::Foo": value}`) so nothing is lost; they are not problems.
//! - A known function whose argument has the wrong shape (`!Select [0]`)
//!   also stays the one-entry map it was written as, and is reported as a
//!   [`ProblemKind::IntrinsicShape`] problem saying what the right shape is.
//! - Valid forms the IR cannot express stay maps without a problem:
//!   `Fn::GetAtt` with a computed attribute name and `Fn::FindInMap` with a
//!   default value (the `AWS::LanguageExtensions` form).
//!
//! Problems are reported at the function's tag or key, with the path of
//! the value the function stands for. This module owns value conversion
//! only; template sections are `super::document`'s.

use indexmap::IndexMap;

use crate::template::{Expr, Intrinsic};

use super::error::{Location, MAX_QUOTED_CHARS, Problem, ProblemKind, clip, record};
use super::node::{Kind, Node};
use super::yaml::tag_long_name;

/// Every function the IR models, by long name.
const FUNCTIONS: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::If",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::FindInMap",
    "Fn::ImportValue",
];

/// Converts nodes to values, keeping the path of the value being converted
/// and collecting problems.
pub(super) struct Converter<'p> {
    pub path: Vec<String>,
    pub problems: &'p mut Vec<Problem>,
}

/// What reading a function's argument gave.
enum Shape {
    /// The function, as the IR holds it.
    Call(Intrinsic),
    /// Valid CloudFormation the IR cannot express: keep the map.
    Keep(Expr),
    /// The wrong shape: keep the map and say what the shape should be.
    Wrong(Expr, &'static str),
}

impl Converter<'_> {
    /// The value of `node`, converted at the current path.
    pub fn expr(&mut self, node: &Node) -> Expr {
        match &node.kind {
            Kind::Null => Expr::Null,
            Kind::Bool(b) => Expr::Bool(*b),
            Kind::Int(n) => Expr::Int(*n),
            Kind::Float(x) => Expr::Float(*x),
            Kind::String(s) => Expr::String(s.clone()),
            Kind::Seq(items) => Expr::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.child(i.to_string(), item))
                    .collect(),
            ),
            Kind::Map(entries) => {
                if let Some((key, entry)) = entries.first()
                    && entries.len() == 1
                    && let Some(function) = known(key)
                    && (function != "Condition" || matches!(entry.value.kind, Kind::String(_)))
                {
                    return self.call(function, &entry.value, entry.key_at);
                }
                Expr::Map(
                    entries
                        .iter()
                        .map(|(k, e)| (k.clone(), self.child(k.clone(), &e.value)))
                        .collect(),
                )
            }
            Kind::Tagged(tag, inner) => {
                let long = tag_long_name(tag);
                match known(&long) {
                    Some(function) => self.call(function, inner, node.at),
                    None => {
                        let value = self.child(long.clone(), inner);
                        Expr::Map(IndexMap::from([(long, value)]))
                    }
                }
            }
        }
    }

    /// Converts a child value at `path + segment`.
    pub fn child(&mut self, segment: String, node: &Node) -> Expr {
        self.path.push(if segment.len() > MAX_QUOTED_CHARS {
            clip(&segment)
        } else {
            segment
        });
        let value = self.expr(node);
        self.path.pop();
        value
    }

    /// Steps into `segment` of the document (cut to
    /// [`MAX_QUOTED_CHARS`], as every path segment of a problem is); the
    /// caller pops it.
    pub fn enter(&mut self, segment: &str) {
        self.path.push(clip(segment));
    }

    /// A function call written at `at`, with its argument.
    fn call(&mut self, function: &'static str, arg: &Node, at: Location) -> Expr {
        let arg = self.child(function.to_owned(), arg);
        let keep = |arg: Expr| Expr::Map(IndexMap::from([(function.to_owned(), arg)]));
        match shape(function, arg) {
            Shape::Call(f) => Expr::func(f),
            Shape::Keep(arg) => keep(arg),
            Shape::Wrong(arg, expected) => {
                let path = &self.path;
                record(
                    self.problems,
                    ProblemKind::IntrinsicShape {
                        function,
                        expected,
                        found: describe(&arg),
                    },
                    || path.clone(),
                    at,
                );
                keep(arg)
            }
        }
    }
}

/// The function's long name when the IR models it.
fn known(long: &str) -> Option<&'static str> {
    FUNCTIONS.iter().copied().find(|f| *f == long)
}

/// A value that may compute anything: a modelled function, or an unknown
/// `Fn::` function kept as a map.
fn computed(e: &Expr) -> bool {
    match e {
        Expr::Fn(_) => true,
        Expr::Map(m) => m.len() == 1 && m.keys().all(|k| k.starts_with("Fn::")),
        _ => false,
    }
}

fn list_like(e: &Expr) -> bool {
    matches!(e, Expr::List(_)) || computed(e)
}

fn string_like(e: &Expr) -> bool {
    matches!(e, Expr::String(_)) || computed(e)
}

/// A number or numeric text, or something computing one.
fn number_like(e: &Expr) -> bool {
    matches!(e, Expr::Int(_) | Expr::String(_)) || computed(e)
}

/// A key into a mapping: any scalar but null, or something computing one.
fn key_like(e: &Expr) -> bool {
    matches!(
        e,
        Expr::String(_) | Expr::Int(_) | Expr::Float(_) | Expr::Bool(_)
    ) || computed(e)
}

/// The value named for messages.
fn describe(e: &Expr) -> String {
    match e {
        Expr::Null => "nothing (null)".into(),
        Expr::Bool(b) => format!("the boolean {b}"),
        Expr::Int(n) => format!("the number {n}"),
        Expr::Float(x) => format!("the number {x}"),
        Expr::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
        Expr::String(_) => "a string".into(),
        Expr::List(items) => {
            let kinds: Vec<&str> = items.iter().map(kind_word).collect();
            match items.len() {
                0 => "an empty list".into(),
                1 => format!("a list of 1 item ({})", kinds.join(", ")),
                n => format!("a list of {n} items ({})", kinds.join(", ")),
            }
        }
        Expr::Map(_) => "a map".into(),
        Expr::Fn(f) => format!("the function {}", f.long_name()),
    }
}

fn kind_word(e: &Expr) -> &'static str {
    match e {
        Expr::Null => "null",
        Expr::Bool(_) => "boolean",
        Expr::Int(_) | Expr::Float(_) => "number",
        Expr::String(_) => "string",
        Expr::List(_) => "list",
        Expr::Map(m) if m.len() == 1 && m.keys().all(|k| k.starts_with("Fn::")) => "function",
        Expr::Map(_) => "map",
        Expr::Fn(_) => "function",
    }
}

/// Reads a function's converted argument into the IR when its shape is right.
fn shape(function: &'static str, arg: Expr) -> Shape {
    use Shape::{Call, Keep, Wrong};
    match function {
        "Ref" => match arg {
            Expr::String(name) => Call(Intrinsic::Ref(name)),
            other => Wrong(
                other,
                "takes the name of a parameter, resource or pseudo parameter, as a string",
            ),
        },
        "Condition" => match arg {
            Expr::String(name) => Call(Intrinsic::Condition(name)),
            other => Wrong(other, "takes the name of a condition, as a string"),
        },
        "Fn::GetAtt" => get_att(arg),
        "Fn::Sub" => match arg {
            Expr::String(template) => Call(Intrinsic::Sub {
                template,
                variables: IndexMap::new(),
            }),
            Expr::List(items) => match <[Expr; 2]>::try_from(items) {
                Ok([Expr::String(template), Expr::Map(variables)]) => Call(Intrinsic::Sub {
                    template,
                    variables,
                }),
                Ok(pair) => Wrong(Expr::List(pair.into()), SUB),
                Err(items) => Wrong(Expr::List(items), SUB),
            },
            other => Wrong(other, SUB),
        },
        "Fn::Join" => match pair(arg) {
            Ok([Expr::String(delimiter), values]) if list_like(&values) => {
                Call(Intrinsic::Join { delimiter, values })
            }
            Ok(items) => Wrong(Expr::List(items.into()), JOIN),
            Err(other) => Wrong(other, JOIN),
        },
        "Fn::Select" => match pair(arg) {
            Ok([index, list]) if number_like(&index) && list_like(&list) => {
                Call(Intrinsic::Select { index, list })
            }
            Ok(items) => Wrong(Expr::List(items.into()), SELECT),
            Err(other) => Wrong(other, SELECT),
        },
        "Fn::Split" => match pair(arg) {
            Ok([Expr::String(delimiter), source]) if string_like(&source) => {
                Call(Intrinsic::Split { delimiter, source })
            }
            Ok(items) => Wrong(Expr::List(items.into()), SPLIT),
            Err(other) => Wrong(other, SPLIT),
        },
        "Fn::GetAZs" if string_like(&arg) => Call(Intrinsic::GetAZs(arg)),
        "Fn::GetAZs" => Wrong(
            arg,
            "takes a region name as a string (\"\" for the stack's region) or a Ref",
        ),
        "Fn::Base64" if string_like(&arg) => Call(Intrinsic::Base64(arg)),
        "Fn::Base64" => Wrong(arg, "takes a string, or a function returning one"),
        "Fn::ImportValue" if string_like(&arg) => Call(Intrinsic::ImportValue(arg)),
        "Fn::ImportValue" => Wrong(
            arg,
            "takes the exported name as a string, or a function returning one",
        ),
        "Fn::Cidr" => match triple(arg) {
            Ok([block, count, bits])
                if string_like(&block) && number_like(&count) && number_like(&bits) =>
            {
                Call(Intrinsic::Cidr { block, count, bits })
            }
            Ok(items) => Wrong(Expr::List(items.into()), CIDR),
            Err(other) => Wrong(other, CIDR),
        },
        "Fn::If" => match triple(arg) {
            Ok([Expr::String(condition), then, otherwise]) => Call(Intrinsic::If {
                condition,
                then,
                otherwise,
            }),
            Ok(items) => Wrong(Expr::List(items.into()), IF),
            Err(other) => Wrong(other, IF),
        },
        "Fn::Equals" => match pair(arg) {
            Ok([a, b]) => Call(Intrinsic::Equals(a, b)),
            Err(other) => Wrong(
                other,
                "takes a list of two values to compare: [value, value]",
            ),
        },
        "Fn::And" | "Fn::Or" => match arg {
            Expr::List(items) if (2..=10).contains(&items.len()) => {
                Call(if function == "Fn::And" {
                    Intrinsic::And(items)
                } else {
                    Intrinsic::Or(items)
                })
            }
            other => Wrong(other, "takes a list of 2 to 10 conditions"),
        },
        "Fn::Not" => match arg {
            Expr::List(mut items) if items.len() == 1 => match items.pop() {
                Some(item) => Call(Intrinsic::Not(item)),
                None => Wrong(Expr::List(items), NOT),
            },
            other => Wrong(other, NOT),
        },
        "Fn::FindInMap" => match arg {
            Expr::List(items)
                if items.len() == 4
                    && matches!(&items[3], Expr::Map(m) if m.contains_key("DefaultValue")) =>
            {
                Keep(Expr::List(items))
            }
            other => match triple(other) {
                Ok([map, top_key, second_key])
                    if string_like(&map) && key_like(&top_key) && key_like(&second_key) =>
                {
                    Call(Intrinsic::FindInMap {
                        map,
                        top_key,
                        second_key,
                    })
                }
                Ok(items) => Wrong(Expr::List(items.into()), FIND_IN_MAP),
                Err(other) => Wrong(other, FIND_IN_MAP),
            },
        },
        // `known` only returns the names matched above.
        _ => Keep(arg),
    }
}

const SUB: &str =
    "takes a string, or a list of a string and a map of variables: [string, {Name: value}]";
const JOIN: &str = "takes a list of a delimiter string and a list of values: [delimiter, [values]]";
const SELECT: &str = "takes a list of an index and a list: [index, [values]]";
const SPLIT: &str = "takes a list of a delimiter string and a source string: [delimiter, source]";
const CIDR: &str =
    "takes a list of an IP block, a count and the host bits per block: [block, count, bits]";
const IF: &str =
    "takes a list of a condition name and two values: [condition, value if true, value if false]";
const NOT: &str = "takes a list of exactly one condition: [condition]";
const FIND_IN_MAP: &str =
    "takes a list of a mapping name and two keys: [map, top-level key, second-level key]";
const GET_ATT: &str = "takes \"Resource.Attribute\" or a list of two names: [Resource, Attribute]";

fn pair(arg: Expr) -> Result<[Expr; 2], Expr> {
    match arg {
        Expr::List(items) => <[Expr; 2]>::try_from(items).map_err(Expr::List),
        other => Err(other),
    }
}

fn triple(arg: Expr) -> Result<[Expr; 3], Expr> {
    match arg {
        Expr::List(items) => <[Expr; 3]>::try_from(items).map_err(Expr::List),
        other => Err(other),
    }
}

fn get_att(arg: Expr) -> Shape {
    match arg {
        Expr::String(s) => match s.split_once('.') {
            Some((resource, attribute)) if !resource.is_empty() && !attribute.is_empty() => {
                Shape::Call(Intrinsic::GetAtt {
                    resource: resource.to_owned(),
                    attribute: attribute.to_owned(),
                })
            }
            _ => Shape::Wrong(Expr::String(s), GET_ATT),
        },
        Expr::List(items) => match <[Expr; 2]>::try_from(items) {
            Ok([Expr::String(resource), Expr::String(attribute)])
                if !resource.is_empty() && !attribute.is_empty() =>
            {
                Shape::Call(Intrinsic::GetAtt {
                    resource,
                    attribute,
                })
            }
            // The attribute name may be computed (`!Ref AttributeParam`).
            Ok([Expr::String(resource), attribute])
                if !resource.is_empty() && computed(&attribute) =>
            {
                Shape::Keep(Expr::List(vec![Expr::String(resource), attribute]))
            }
            Ok(pair) => Shape::Wrong(Expr::List(pair.into()), GET_ATT),
            Err(items) => Shape::Wrong(Expr::List(items), GET_ATT),
        },
        other => Shape::Wrong(other, GET_ATT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::yaml;

    /// The value under key `V` of a YAML document, and the problems.
    fn convert(text: &str) -> (Expr, Vec<Problem>) {
        let read = match yaml::read(text, "t.yaml") {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let mut problems = Vec::new();
        let mut c = Converter {
            path: Vec::new(),
            problems: &mut problems,
        };
        let Expr::Map(mut m) = c.expr(&read.root) else {
            panic!("a map")
        };
        (m.shift_remove("V").expect("V"), problems)
    }

    fn value(text: &str) -> Expr {
        let (e, problems) = convert(text);
        assert!(problems.is_empty(), "{problems:?}");
        e
    }

    fn r(name: &str) -> Expr {
        Expr::func(Intrinsic::Ref(name.into()))
    }

    fn s(text: &str) -> Expr {
        Expr::string(text)
    }

    #[test]
    fn short_and_long_forms_give_the_same_function() {
        let pairs = [
            ("V: !Ref Vpc", "V: {Ref: Vpc}"),
            (
                "V: !GetAtt Db.Endpoint.Address",
                "V: {Fn::GetAtt: [Db, Endpoint.Address]}",
            ),
            (
                "V: !GetAtt [Db, Endpoint.Address]",
                "V: {Fn::GetAtt: Db.Endpoint.Address}",
            ),
            ("V: !Sub 'a-${X}'", "V: {Fn::Sub: 'a-${X}'}"),
            (
                "V: !Sub ['a-${X}', {X: 1}]",
                "V: {Fn::Sub: ['a-${X}', {X: 1}]}",
            ),
            ("V: !Join [',', [a, b]]", "V: {Fn::Join: [',', [a, b]]}"),
            (
                "V: !Select [0, !GetAZs '']",
                "V: {Fn::Select: [0, {Fn::GetAZs: ''}]}",
            ),
            ("V: !Split [',', !Ref L]", "V: {Fn::Split: [',', {Ref: L}]}"),
            ("V: !Base64 x", "V: {Fn::Base64: x}"),
            ("V: !Cidr [!Ref B, 6, 5]", "V: {Fn::Cidr: [{Ref: B}, 6, 5]}"),
            (
                "V: !If [C, 1, !Ref AWS::NoValue]",
                "V: {Fn::If: [C, 1, {Ref: AWS::NoValue}]}",
            ),
            ("V: !Equals [a, b]", "V: {Fn::Equals: [a, b]}"),
            (
                "V: !And [!Condition A, !Condition B]",
                "V: {Fn::And: [{Condition: A}, {Condition: B}]}",
            ),
            (
                "V: !Or [!Condition A, !Condition B]",
                "V: {Fn::Or: [{Condition: A}, {Condition: B}]}",
            ),
            ("V: !Not [!Condition A]", "V: {Fn::Not: [{Condition: A}]}"),
            (
                "V: !FindInMap [M, !Ref K, k2]",
                "V: {Fn::FindInMap: [M, {Ref: K}, k2]}",
            ),
            ("V: !ImportValue Shared", "V: {Fn::ImportValue: Shared}"),
        ];
        for (short, long) in pairs {
            let a = value(short);
            assert!(a.as_fn().is_some(), "{short} is a function: {a:?}");
            assert_eq!(a, value(long), "{short} vs {long}");
        }
    }

    #[test]
    fn get_att_splits_at_the_first_dot() {
        assert_eq!(
            value("V: !GetAtt Db.Endpoint.Address"),
            Expr::func(Intrinsic::GetAtt {
                resource: "Db".into(),
                attribute: "Endpoint.Address".into()
            })
        );
    }

    #[test]
    fn tagged_scalars_are_strings_as_written() {
        assert_eq!(value("V: !GetAZs"), Expr::func(Intrinsic::GetAZs(s(""))));
        assert_eq!(value("V: !Ref 80"), r("80"));
        assert_eq!(
            value("V: !Base64 yes"),
            Expr::func(Intrinsic::Base64(s("yes")))
        );
    }

    #[test]
    fn functions_nest_inside_arguments() {
        assert_eq!(
            value("V: !Join ['', [!Ref A, '-', !Select [1, !Split [',', !Ref L]]]]"),
            Expr::func(Intrinsic::Join {
                delimiter: String::new(),
                values: Expr::List(vec![
                    r("A"),
                    s("-"),
                    Expr::func(Intrinsic::Select {
                        index: Expr::Int(1),
                        list: Expr::func(Intrinsic::Split {
                            delimiter: ",".into(),
                            source: r("L"),
                        }),
                    }),
                ]),
            })
        );
    }

    #[test]
    fn unknown_functions_and_tags_stay_maps_without_problems() {
        assert_eq!(
            value("V: !Length [a, b]"),
            Expr::Map(IndexMap::from([(
                "Fn::Length".to_string(),
                Expr::List(vec![s("a"), s("b")])
            )]))
        );
        assert_eq!(
            value("V: {Fn::Transform: {Name: M}}"),
            Expr::Map(IndexMap::from([(
                "Fn::Transform".to_string(),
                Expr::Map(IndexMap::from([("Name".to_string(), s("M"))]))
            )]))
        );
        assert_eq!(
            value("V: !ToJsonString {a: !Ref X}"),
            Expr::Map(IndexMap::from([(
                "Fn::ToJsonString".to_string(),
                Expr::Map(IndexMap::from([("a".to_string(), r("X"))]))
            )]))
        );
    }

    #[test]
    fn a_condition_key_with_a_map_value_is_an_ordinary_map() {
        let v = value("V: {Condition: {StringEquals: {a: b}}}");
        assert!(matches!(&v, Expr::Map(m) if m.contains_key("Condition")));
    }

    #[test]
    fn valid_forms_the_ir_cannot_hold_stay_maps_without_problems() {
        let v = value("V: !GetAtt [Db, !Ref AttrName]");
        assert!(matches!(&v, Expr::Map(m) if m.contains_key("Fn::GetAtt")));
        let v = value("V: !FindInMap [M, a, b, {DefaultValue: x}]");
        assert!(matches!(&v, Expr::Map(m) if m.contains_key("Fn::FindInMap")));
    }

    /// The message of the one problem, and its location and path.
    fn wrong(text: &str) -> (String, Location, Vec<String>) {
        let (v, problems) = convert(text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert!(
            matches!(&v, Expr::Map(m) if m.len() == 1),
            "kept as a map: {v:?}"
        );
        (p.kind.to_string(), p.location, p.path.clone())
    }

    #[test]
    fn wrong_shapes_are_reported_at_the_function_and_kept() {
        let (msg, at, path) = wrong("V: !Select [0]");
        assert_eq!(
            msg,
            "Fn::Select takes a list of an index and a list: [index, [values]]; found a list of 1 item (number)"
        );
        assert_eq!(at, Location::new(1, 4));
        assert_eq!(path, ["V"]);

        let (msg, ..) = wrong("V: !GetAtt Db");
        assert_eq!(
            msg,
            "Fn::GetAtt takes \"Resource.Attribute\" or a list of two names: [Resource, Attribute]; found the string \"Db\""
        );
        let (msg, ..) = wrong("V: !Join [0, [a]]");
        assert_eq!(
            msg,
            "Fn::Join takes a list of a delimiter string and a list of values: [delimiter, [values]]; found a list of 2 items (number, list)"
        );
        let (msg, at, _) = wrong("V:\n  Fn::If: [C, 1]");
        assert_eq!(
            msg,
            "Fn::If takes a list of a condition name and two values: [condition, value if true, value if false]; found a list of 2 items (string, number)"
        );
        assert_eq!(at, Location::new(2, 3));
    }

    #[test]
    fn every_modelled_function_rejects_a_wrong_shape() {
        for text in [
            "V: {Ref: [a]}",
            "V: !Condition [a]",
            "V: !GetAtt .b",
            "V: !GetAtt [a, b, c]",
            "V: !Sub [a]",
            "V: !Sub [a, b]",
            "V: !Sub {a: b}",
            "V: !Join [',', x]",
            "V: !Select [[0], [a]]",
            "V: !Split [',', [a]]",
            "V: !GetAZs [a]",
            "V: !Base64 {a: b}",
            "V: !ImportValue [a]",
            "V: !Cidr [a, 1]",
            "V: !If x",
            "V: !Equals [a]",
            "V: !And [a]",
            "V: !Or [a, b, c, d, e, f, g, h, i, j, k]",
            "V: !Not [a, b]",
            "V: !FindInMap [a, b]",
            "V: {Fn::GetAZs: null}",
        ] {
            let (v, problems) = convert(text);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert!(
                matches!(problems[0].kind, ProblemKind::IntrinsicShape { .. }),
                "{text}"
            );
            assert!(matches!(&v, Expr::Map(m) if m.len() == 1), "{text}: {v:?}");
        }
    }

    #[test]
    fn problems_inside_arguments_carry_the_long_form_path() {
        let (_, problems) = convert("V: !If [C, !Select [0], x]");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, ["V", "Fn::If", "1"]);
        assert_eq!(problems[0].location, Location::new(1, 12));
    }
}
