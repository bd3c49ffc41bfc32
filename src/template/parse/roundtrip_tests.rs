//! Property tests: whatever the writers print, the reader reads back as the
//! same IR. Arbitrary `Expr` trees (every intrinsic, in the shapes
//! CloudFormation accepts; strings with YAML's special characters,
//! multi-line text, control characters; every i64; every finite f64) and
//! whole templates go through `to_yaml`/`to_json` and back.

use indexmap::IndexMap;
use proptest::collection::vec;
use proptest::prelude::*;

use super::intrinsics::Converter;
use super::node::is_function_key;
use super::{parse_template, yaml};
use crate::template::{Expr, Intrinsic, Output, Parameter, Resource, RetentionPolicy, Template};

/// Strings YAML readers are known to trip over.
const TRICKY: &[&str] = &[
    "",
    " ",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "null",
    "Null",
    "~",
    "true",
    "False",
    "1",
    "-1",
    "+1",
    "1.0",
    "1.",
    ".5",
    "-.5",
    "1e3",
    "1.0e+5",
    "0x1F",
    "0o17",
    "0b11",
    "0755",
    "08",
    "1_000",
    "1:30",
    "12:30:00",
    "2010-09-09",
    "2001-12-14t21:59:43.10-05:00",
    ".inf",
    "-.Inf",
    ".NaN",
    "-",
    "--",
    "---",
    "...",
    "- a",
    "-a",
    "? x",
    "?",
    ":",
    "a:",
    "a: b",
    "a:b",
    "#",
    "#c",
    "a #c",
    "a#c",
    "'q'",
    "\"q\"",
    "'",
    "\"",
    "!Ref",
    "!",
    "!!str",
    "*x",
    "&x",
    "%x",
    "@x",
    "`x",
    "|",
    ">",
    "|-",
    "[a]",
    "{a: b}",
    ",",
    "a, b",
    "[",
    "}",
    "<<",
    "=",
    "  lead",
    "trail  ",
    "\t",
    "a\tb",
    "\ta",
    "a\t",
    "a\nb",
    "a\nb\n",
    "a\n\nb\n\n",
    " a\n  b\n",
    "a\n b",
    "\n",
    "\na",
    "a\n",
    "a\r\nb",
    "\r",
    "x\u{85}y",
    "a\u{2028}b",
    "\u{feff}x",
    "x\u{0}y",
    "\u{1b}[0m",
    "é",
    "日本語",
    "emoji 🎉",
    "${AWS::Region}",
    "${!Literal}",
    "#!/bin/bash\necho hi\n",
    "  indented\nblock\n",
    "a\n  \nb",
    "a \nb",
    "line\n\n\n",
];

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(TRICKY).prop_map(String::from),
        3 => "[a-zA-Z0-9 _./:$#{}*&!|>'\"@`%,?-]{0,16}",
        2 => any::<String>(),
        2 => vec("[ -~\t]{0,14}", 1..5).prop_map(|lines| lines.join("\n")),
        1 => vec("[ -~]{0,10}", 1..4).prop_map(|lines| lines.join("\n") + "\n"),
    ]
    .boxed()
}

/// Map keys that do not make a one-entry map read as a function call.
fn key() -> BoxedStrategy<String> {
    text()
        .prop_filter("not a function key", |k| !is_function_key(k))
        .boxed()
}

fn logical_id() -> BoxedStrategy<String> {
    "[A-Za-z0-9]{1,12}".boxed()
}

fn finite() -> BoxedStrategy<f64> {
    any::<f64>()
        .prop_filter("finite", |x| x.is_finite())
        .boxed()
}

fn leaf() -> BoxedStrategy<Expr> {
    prop_oneof![
        1 => Just(Expr::Null),
        1 => any::<bool>().prop_map(Expr::Bool),
        1 => any::<i64>().prop_map(Expr::Int),
        1 => finite().prop_map(Expr::Float),
        4 => text().prop_map(Expr::String),
    ]
    .boxed()
}

fn ref_to() -> BoxedStrategy<Expr> {
    text().prop_map(|n| Expr::func(Intrinsic::Ref(n))).boxed()
}

fn string_like() -> BoxedStrategy<Expr> {
    prop_oneof![3 => text().prop_map(Expr::String), 1 => ref_to()].boxed()
}

fn number_like() -> BoxedStrategy<Expr> {
    prop_oneof![
        any::<i64>().prop_map(Expr::Int),
        "[0-9]{1,3}".prop_map(Expr::String),
        ref_to(),
    ]
    .boxed()
}

fn key_like() -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => text().prop_map(Expr::String),
        1 => any::<i64>().prop_map(Expr::Int),
        1 => finite().prop_map(Expr::Float),
        1 => any::<bool>().prop_map(Expr::Bool),
        1 => ref_to(),
    ]
    .boxed()
}

fn map_of<V: std::fmt::Debug + Clone + 'static>(
    keys: BoxedStrategy<String>,
    values: BoxedStrategy<V>,
    size: std::ops::Range<usize>,
) -> BoxedStrategy<IndexMap<String, V>> {
    vec((keys, values), size)
        .prop_map(|entries| entries.into_iter().collect())
        .boxed()
}

/// Every intrinsic, in a shape CloudFormation accepts, over `inner` values.
fn intrinsic(inner: BoxedStrategy<Expr>) -> BoxedStrategy<Intrinsic> {
    let list_like = prop_oneof![
        3 => vec(inner.clone(), 0..4).prop_map(Expr::List),
        1 => ref_to(),
    ]
    .boxed();
    prop_oneof![
        text().prop_map(Intrinsic::Ref),
        text().prop_map(Intrinsic::Condition),
        (
            prop_oneof![3 => logical_id(), 1 => "[A-Za-z0-9.]{1,8}".boxed()],
            text().prop_filter("non-empty", |a| !a.is_empty())
        )
            .prop_map(|(resource, attribute)| Intrinsic::GetAtt {
                resource,
                attribute
            }),
        (text(), map_of(key(), inner.clone(), 0..3)).prop_map(|(template, variables)| {
            Intrinsic::Sub {
                template,
                variables,
            }
        }),
        (text(), list_like.clone())
            .prop_map(|(delimiter, values)| Intrinsic::Join { delimiter, values }),
        (number_like(), list_like).prop_map(|(index, list)| Intrinsic::Select { index, list }),
        (text(), string_like())
            .prop_map(|(delimiter, source)| Intrinsic::Split { delimiter, source }),
        string_like().prop_map(Intrinsic::GetAZs),
        string_like().prop_map(Intrinsic::Base64),
        string_like().prop_map(Intrinsic::ImportValue),
        (string_like(), number_like(), number_like())
            .prop_map(|(block, count, bits)| Intrinsic::Cidr { block, count, bits }),
        (text(), inner.clone(), inner.clone()).prop_map(|(condition, then, otherwise)| {
            Intrinsic::If {
                condition,
                then,
                otherwise,
            }
        }),
        (inner.clone(), inner.clone()).prop_map(|(a, b)| Intrinsic::Equals(a, b)),
        vec(inner.clone(), 2..5).prop_map(Intrinsic::And),
        vec(inner.clone(), 2..5).prop_map(Intrinsic::Or),
        inner.prop_map(Intrinsic::Not),
        (string_like(), key_like(), key_like()).prop_map(|(map, top_key, second_key)| {
            Intrinsic::FindInMap {
                map,
                top_key,
                second_key,
            }
        }),
    ]
    .boxed()
}

fn expr() -> BoxedStrategy<Expr> {
    leaf()
        .prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Expr::List),
                map_of(key(), inner.clone(), 0..5).prop_map(Expr::Map),
                intrinsic(inner).prop_map(Expr::func),
            ]
        })
        .boxed()
}

fn policy() -> BoxedStrategy<RetentionPolicy> {
    prop::sample::select(vec![
        RetentionPolicy::Delete,
        RetentionPolicy::Retain,
        RetentionPolicy::RetainExceptOnCreate,
        RetentionPolicy::Snapshot,
    ])
    .boxed()
}

fn parameter() -> BoxedStrategy<Parameter> {
    (
        (
            text(),
            prop::option::of(text()),
            prop::option::of(expr()),
            vec(leaf(), 0..3),
            prop::option::of(text()),
        ),
        (
            prop::option::of(any::<i64>()),
            prop::option::of(any::<i64>()),
            prop::option::of(finite()),
            prop::option::of(finite()),
            any::<bool>(),
            prop::option::of(text()),
        ),
    )
        .prop_map(
            |(
                (param_type, description, default, allowed_values, allowed_pattern),
                (min_length, max_length, min_value, max_value, no_echo, constraint_description),
            )| Parameter {
                param_type,
                description,
                default,
                allowed_values,
                allowed_pattern,
                min_length,
                max_length,
                min_value,
                max_value,
                no_echo,
                constraint_description,
            },
        )
        .boxed()
}

fn resource() -> BoxedStrategy<Resource> {
    (
        (
            text(),
            prop::option::of(text()),
            vec(text(), 0..3),
            prop::option::of(policy()),
            prop::option::of(policy()),
        ),
        (
            prop::option::of(expr()),
            prop::option::of(expr()),
            map_of(key(), expr(), 0..2),
            map_of(key(), expr(), 0..4),
        ),
    )
        .prop_map(
            |(
                (resource_type, condition, depends_on, deletion_policy, update_replace_policy),
                (creation_policy, update_policy, metadata, properties),
            )| Resource {
                resource_type,
                condition,
                depends_on,
                deletion_policy,
                update_replace_policy,
                creation_policy,
                update_policy,
                metadata,
                properties,
            },
        )
        .boxed()
}

fn output() -> BoxedStrategy<Output> {
    (
        prop::option::of(text()),
        expr(),
        prop::option::of(expr()),
        prop::option::of(text()),
    )
        .prop_map(|(description, value, export_name, condition)| Output {
            description,
            value,
            export_name,
            condition,
        })
        .boxed()
}

fn template() -> BoxedStrategy<Template> {
    (
        (
            prop::option::of(text()),
            prop::option::of(text()),
            map_of(key(), expr(), 0..2),
            prop::option::of(expr()),
            map_of(logical_id(), parameter(), 0..3),
        ),
        (
            map_of(key(), expr(), 0..2),
            map_of(
                key(),
                map_of(key(), map_of(key(), expr(), 0..3), 0..3),
                0..2,
            ),
            map_of(logical_id(), expr(), 0..3),
            map_of(logical_id(), resource(), 0..4),
            map_of(logical_id(), output(), 0..3),
        ),
        map_of(logical_id(), hook(), 0..2),
    )
        .prop_map(
            |(
                (format_version, description, metadata, transform, parameters),
                (rules, mappings, conditions, resources, outputs),
                hooks,
            )| Template {
                format_version,
                description,
                metadata,
                transform,
                parameters,
                rules,
                mappings,
                conditions,
                hooks,
                resources,
                outputs,
            },
        )
        .boxed()
}

/// A `Hooks` entry: a type and properties.
fn hook() -> BoxedStrategy<Expr> {
    (text(), map_of(key(), expr(), 0..3))
        .prop_map(|(hook_type, properties)| {
            Expr::Map(IndexMap::from([
                ("Type".to_string(), Expr::String(hook_type)),
                ("Properties".to_string(), Expr::Map(properties)),
            ]))
        })
        .boxed()
}

/// Reads YAML text holding any value (not only a template) back to an Expr.
fn read_yaml_value(text: &str) -> Result<Expr, String> {
    let read = yaml::read(text, "gen.yaml").map_err(|e| e.to_string())?;
    if !read.problems.is_empty() {
        return Err(format!("problems: {:?}", read.problems));
    }
    let mut problems = Vec::new();
    let value = Converter {
        path: Vec::new(),
        problems: &mut problems,
    }
    .expr(&read.root);
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(format!("problems: {problems:?}"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_value_survives_yaml(e in expr()) {
        let doc = Expr::Map(IndexMap::from([("V".to_string(), e.clone())]));
        let text = crate::template::yaml::to_yaml(&doc);
        let back = read_yaml_value(&text);
        prop_assert_eq!(back.as_ref(), Ok(&doc), "YAML was:\n{}", text);
        // Order matters too: the text is reproduced byte for byte.
        if let Ok(back) = back {
            prop_assert_eq!(crate::template::yaml::to_yaml(&back), text);
        }
    }

    #[test]
    fn any_value_survives_yaml_at_the_top_level(e in expr()) {
        let text = crate::template::yaml::to_yaml(&e);
        prop_assert_eq!(read_yaml_value(&text), Ok(e), "YAML was:\n{}", text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_template_survives_yaml(t in template()) {
        let text = t.to_yaml();
        let parsed = parse_template(&text, "gen.yaml");
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\nYAML was:\n{text}"))),
        };
        prop_assert!(parsed.problems.is_empty(), "{:?}\nYAML was:\n{}", parsed.problems, text);
        prop_assert_eq!(&parsed.template, &t, "YAML was:\n{}", text);
        prop_assert_eq!(parsed.template.to_yaml(), text);
    }

    #[test]
    fn any_template_survives_json(t in template()) {
        let text = t.to_json();
        let parsed = match parse_template(&text, "gen.json") {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\nJSON was:\n{text}"))),
        };
        prop_assert_eq!(parsed.format, super::Format::Json);
        prop_assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        prop_assert_eq!(&parsed.template, &t, "JSON was:\n{}", text);
        prop_assert_eq!(parsed.template.to_json(), text);
    }
}
