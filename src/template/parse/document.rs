//! Reads the template's sections from the located [`Node`] tree into the
//! [`Template`] IR.
//!
//! Owns the template format's structure: which sections and keys exist,
//! which are required, and what type each must have. Everything the IR
//! cannot hold (a resource without `Type`, `Properties` that are not a map,
//! an unknown key, a policy name CloudFormation does not know) is a fatal
//! problem; reading goes on past it so that all of them are reported at
//! once. Values inside sections are `super::intrinsics`'s job; checking what
//! the values mean (names that exist, quotas) is the validator's.

use indexmap::IndexMap;

use crate::template::{Expr, Output, Parameter, Resource, RetentionPolicy, Template};

use super::error::{Location, ProblemKind, clip, record};
use super::intrinsics::Converter;
use super::node::{Entry, Kind, Node};

const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Transform",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Hooks",
    "Resources",
    "Outputs",
];

const HOOK_KEYS: &[&str] = &["Type", "Properties"];

const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
    "Metadata",
];

const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Description",
    "Default",
    "AllowedValues",
    "AllowedPattern",
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "NoEcho",
    "ConstraintDescription",
];

const OUTPUT_KEYS: &[&str] = &["Description", "Value", "Export", "Condition"];

const EXPORT_KEYS: &[&str] = &["Name"];

/// Keys that only the `AWS::LanguageExtensions` transform can expand.
const FOR_EACH: &str = "Fn::ForEach::";

/// Reads the whole template. Fatal problems go to the converter's list;
/// the returned template holds whatever could be read.
pub(super) fn template(root: &Node, c: &mut Converter<'_>) -> Template {
    let mut t = Template::default();
    let Some(sections) = map(
        c,
        root,
        "the template",
        "a map of sections (AWSTemplateFormatVersion, Resources, ...)",
    ) else {
        return t;
    };
    for (name, entry) in sections {
        c.enter(name);
        let node = &entry.value;
        match name.as_str() {
            "AWSTemplateFormatVersion" => t.format_version = string(c, node, name),
            "Description" => t.description = string(c, node, name),
            "Metadata" => t.metadata = expr_map(c, node, name),
            "Transform" => t.transform = Some(c.expr(node)),
            "Parameters" => {
                for (id, p) in entities(c, node, name) {
                    if let Some(p) = parameter(c, &id, p) {
                        t.parameters.insert(id, p);
                    }
                }
            }
            "Rules" => t.rules = expr_map(c, node, name),
            "Mappings" => t.mappings = mappings(c, node),
            "Conditions" => {
                if let Some(m) = map(c, node, name, "a map of condition names to conditions") {
                    for (id, e) in m {
                        if skip_for_each(c, id, e) {
                            continue;
                        }
                        let value = c.child(id.clone(), &e.value);
                        t.conditions.insert(id.clone(), value);
                    }
                }
            }
            "Hooks" => t.hooks = hooks(c, node),
            "Resources" => {
                for (id, r) in entities(c, node, name) {
                    if let Some(r) = resource(c, &id, r) {
                        t.resources.insert(id, r);
                    }
                }
            }
            "Outputs" => {
                for (id, o) in entities(c, node, name) {
                    if let Some(o) = output(c, &id, o) {
                        t.outputs.insert(id, o);
                    }
                }
            }
            _ => unknown(c, "the template", name, entry.key_at, SECTIONS),
        }
        c.path.pop();
    }
    if !sections.contains_key("Resources") {
        report(
            c,
            ProblemKind::MissingKey {
                what: "the template".into(),
                key: "Resources",
                hint: "CloudFormation requires a Resources section with at least one resource",
            },
            root.at,
        );
    }
    t
}

/// Records a problem at the current path.
fn report(c: &mut Converter<'_>, kind: ProblemKind, location: Location) {
    let path = &c.path;
    record(c.problems, kind, || path.clone(), location);
}

fn unknown(
    c: &mut Converter<'_>,
    what: &str,
    key: &str,
    at: Location,
    allowed: &'static [&'static str],
) {
    report(
        c,
        ProblemKind::UnknownKey {
            what: what.to_owned(),
            key: key.to_owned(),
            allowed,
        },
        at,
    );
}

fn wrong_type(c: &mut Converter<'_>, node: &Node, what: &str, expected: &'static str) {
    let found = match node.kind {
        Kind::Null if c.path.is_empty() => "an empty document".to_owned(),
        _ => node.describe(),
    };
    report(
        c,
        ProblemKind::WrongType {
            what: what.to_owned(),
            expected,
            found,
        },
        node.at,
    );
}

/// The node's entries when it is a map; a fatal problem otherwise.
fn map<'n>(
    c: &mut Converter<'_>,
    node: &'n Node,
    what: &str,
    expected: &'static str,
) -> Option<&'n IndexMap<String, Entry>> {
    match &node.kind {
        Kind::Map(m) => Some(m),
        _ => {
            wrong_type(c, node, what, expected);
            None
        }
    }
}

/// A scalar read as a string (`Type: 80` is `"80"`); a fatal problem for
/// null, lists, maps and functions.
fn string(c: &mut Converter<'_>, node: &Node, what: &str) -> Option<String> {
    let text = node.scalar_text();
    if text.is_none() {
        wrong_type(c, node, what, "a string");
    }
    text
}

/// A map of names to values of any kind.
fn expr_map(c: &mut Converter<'_>, node: &Node, what: &str) -> IndexMap<String, Expr> {
    let Some(m) = map(c, node, what, "a map") else {
        return IndexMap::new();
    };
    m.iter()
        .map(|(k, e)| (k.clone(), c.child(k.clone(), &e.value)))
        .collect()
}

/// Reports and skips an `Fn::ForEach::` entry.
fn skip_for_each(c: &mut Converter<'_>, id: &str, e: &Entry) -> bool {
    if !id.starts_with(FOR_EACH) {
        return false;
    }
    c.enter(id);
    report(
        c,
        ProblemKind::NeedsTransform { key: id.to_owned() },
        e.key_at,
    );
    c.path.pop();
    true
}

/// The entries of a section of named maps (`Resources`, `Parameters`,
/// `Outputs`), each with its located key, skipping transform-only entries.
fn entities<'n>(c: &mut Converter<'_>, node: &'n Node, section: &str) -> Vec<(String, &'n Entry)> {
    let expected = match section {
        "Resources" => "a map of logical IDs to resources",
        "Parameters" => "a map of parameter names to parameters",
        _ => "a map of output names to outputs",
    };
    let Some(m) = map(c, node, section, expected) else {
        return Vec::new();
    };
    m.iter()
        .filter(|(id, e)| !skip_for_each(c, id, e))
        .map(|(id, e)| (id.clone(), e))
        .collect()
}

fn parameter(c: &mut Converter<'_>, id: &str, entry: &Entry) -> Option<Parameter> {
    let what = format!("parameter {:?}", clip(id));
    c.enter(id);
    let p = parameter_body(c, &what, entry);
    c.path.pop();
    p
}

fn parameter_body(c: &mut Converter<'_>, what: &str, entry: &Entry) -> Option<Parameter> {
    let m = map(c, &entry.value, what, "a map with at least a Type")?;
    let mut p = Parameter::default();
    let mut has_type = false;
    for (key, e) in m {
        c.enter(key);
        let node = &e.value;
        let field = format!("{what} {key}");
        match key.as_str() {
            "Type" => {
                has_type = true;
                p.param_type = string(c, node, &field).unwrap_or_default();
            }
            "Description" => p.description = string(c, node, &field),
            "Default" => p.default = Some(c.expr(node)),
            "AllowedValues" => match &node.kind {
                Kind::Seq(items) => {
                    p.allowed_values = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| c.child(i.to_string(), item))
                        .collect();
                }
                _ => wrong_type(c, node, &field, "a list of values"),
            },
            "AllowedPattern" => p.allowed_pattern = string(c, node, &field),
            "MinLength" => p.min_length = whole_number(c, node, &field),
            "MaxLength" => p.max_length = whole_number(c, node, &field),
            "MinValue" => p.min_value = number(c, node, &field),
            "MaxValue" => p.max_value = number(c, node, &field),
            "NoEcho" => p.no_echo = boolean(c, node, &field).unwrap_or(false),
            "ConstraintDescription" => p.constraint_description = string(c, node, &field),
            _ => unknown(c, what, key, e.key_at, PARAMETER_KEYS),
        }
        c.path.pop();
    }
    if !has_type {
        report(
            c,
            ProblemKind::MissingKey {
                what: what.to_owned(),
                key: "Type",
                hint: "add one, such as String, Number or AWS::EC2::Image::Id",
            },
            entry.key_at,
        );
        return None;
    }
    Some(p)
}

/// An integer, written as a number or as numeric text (`"64"` is common in
/// JSON templates).
fn whole_number(c: &mut Converter<'_>, node: &Node, what: &str) -> Option<i64> {
    let n = match &node.kind {
        Kind::Int(n) => Some(*n),
        Kind::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    if n.is_none() {
        wrong_type(c, node, what, "a whole number");
    }
    n
}

fn number(c: &mut Converter<'_>, node: &Node, what: &str) -> Option<f64> {
    let n = match &node.kind {
        Kind::Int(n) => Some(*n as f64),
        Kind::Float(x) => Some(*x),
        Kind::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    if n.is_none() {
        wrong_type(c, node, what, "a number");
    }
    n
}

/// A boolean, written as one or as `"true"`/`"false"` text in any case.
fn boolean(c: &mut Converter<'_>, node: &Node, what: &str) -> Option<bool> {
    let b = match &node.kind {
        Kind::Bool(b) => Some(*b),
        Kind::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Kind::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    if b.is_none() {
        wrong_type(c, node, what, "true or false");
    }
    b
}

fn mappings(
    c: &mut Converter<'_>,
    node: &Node,
) -> IndexMap<String, IndexMap<String, IndexMap<String, Expr>>> {
    let mut out = IndexMap::new();
    let Some(maps) = map(c, node, "Mappings", "a map of mapping names to mappings") else {
        return out;
    };
    for (name, e) in maps {
        c.enter(name);
        let what = format!("mapping {:?}", clip(name));
        let mut top = IndexMap::new();
        if let Some(keys) = map(c, &e.value, &what, "a map of top-level keys to maps") {
            for (key, e) in keys {
                c.enter(key);
                let field = format!("{what} key {:?}", clip(key));
                if let Some(second) =
                    map(c, &e.value, &field, "a map of second-level keys to values")
                {
                    let values = second
                        .iter()
                        .map(|(k, e)| (k.clone(), c.child(k.clone(), &e.value)))
                        .collect();
                    top.insert(key.clone(), values);
                }
                c.path.pop();
            }
        }
        out.insert(name.clone(), top);
        c.path.pop();
    }
    out
}

/// The `Hooks` section: each hook a map with a `Type` (such as
/// `AWS::CodeDeploy::BlueGreen`) and its `Properties`, kept as written.
fn hooks(c: &mut Converter<'_>, node: &Node) -> IndexMap<String, Expr> {
    let mut out = IndexMap::new();
    let Some(m) = map(c, node, "Hooks", "a map of logical IDs to hooks") else {
        return out;
    };
    for (id, entry) in m {
        c.enter(id);
        let what = format!("hook {:?}", clip(id));
        if let Some(body) = map(c, &entry.value, &what, "a map with at least a Type") {
            for (key, e) in body {
                c.enter(key);
                match key.as_str() {
                    "Type" => {
                        string(c, &e.value, &format!("{what} Type"));
                    }
                    "Properties" => {
                        map(c, &e.value, &format!("{what} Properties"), "a map");
                    }
                    _ => unknown(c, &what, key, e.key_at, HOOK_KEYS),
                }
                c.path.pop();
            }
            if !body.contains_key("Type") {
                report(
                    c,
                    ProblemKind::MissingKey {
                        what: what.clone(),
                        key: "Type",
                        hint: "add the hook's type, such as Type: AWS::CodeDeploy::BlueGreen",
                    },
                    entry.key_at,
                );
            }
        }
        c.path.pop();
        out.insert(id.clone(), c.child(id.clone(), &entry.value));
    }
    out
}

fn resource(c: &mut Converter<'_>, id: &str, entry: &Entry) -> Option<Resource> {
    let what = format!("resource {:?}", clip(id));
    c.enter(id);
    let r = resource_body(c, &what, entry);
    c.path.pop();
    r
}

fn resource_body(c: &mut Converter<'_>, what: &str, entry: &Entry) -> Option<Resource> {
    let m = map(c, &entry.value, what, "a map with at least a Type")?;
    let mut r = Resource::default();
    let mut has_type = false;
    for (key, e) in m {
        c.enter(key);
        let node = &e.value;
        let field = format!("{what} {key}");
        match key.as_str() {
            "Type" => {
                has_type = true;
                r.resource_type = string(c, node, &field).unwrap_or_default();
            }
            "Properties" => {
                if let Some(props) = map(c, node, &field, "a map of property names to values") {
                    r.properties = props
                        .iter()
                        .map(|(k, e)| (k.clone(), c.child(k.clone(), &e.value)))
                        .collect();
                }
            }
            "DependsOn" => r.depends_on = depends_on(c, node, &field),
            "Condition" => r.condition = string(c, node, &field),
            "DeletionPolicy" => r.deletion_policy = policy(c, node, "DeletionPolicy", &field),
            "UpdateReplacePolicy" => {
                r.update_replace_policy = policy(c, node, "UpdateReplacePolicy", &field)
            }
            "CreationPolicy" => r.creation_policy = Some(c.expr(node)),
            "UpdatePolicy" => r.update_policy = Some(c.expr(node)),
            "Metadata" => r.metadata = expr_map(c, node, &field),
            _ => unknown(c, what, key, e.key_at, RESOURCE_KEYS),
        }
        c.path.pop();
    }
    if !has_type {
        report(
            c,
            ProblemKind::MissingKey {
                what: what.to_owned(),
                key: "Type",
                hint: "add its resource type, such as Type: AWS::EC2::VPC",
            },
            entry.key_at,
        );
        return None;
    }
    Some(r)
}

fn depends_on(c: &mut Converter<'_>, node: &Node, what: &str) -> Vec<String> {
    const EXPECTED: &str = "a logical ID or a list of logical IDs";
    match &node.kind {
        Kind::Seq(items) => {
            let mut ids = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.scalar_text() {
                    Some(id) => ids.push(id),
                    None => {
                        c.path.push(i.to_string());
                        wrong_type(c, item, what, EXPECTED);
                        c.path.pop();
                    }
                }
            }
            ids
        }
        _ => match node.scalar_text() {
            Some(id) => vec![id],
            None => {
                wrong_type(c, node, what, EXPECTED);
                Vec::new()
            }
        },
    }
}

fn policy(
    c: &mut Converter<'_>,
    node: &Node,
    attribute: &'static str,
    what: &str,
) -> Option<RetentionPolicy> {
    match &node.kind {
        Kind::String(s) => {
            let p = RetentionPolicy::parse(s);
            if p.is_none() {
                report(
                    c,
                    ProblemKind::UnknownPolicy {
                        attribute,
                        value: s.clone(),
                    },
                    node.at,
                );
            }
            p
        }
        _ => {
            wrong_type(
                c,
                node,
                what,
                "one of Delete, Retain, RetainExceptOnCreate or Snapshot (hagen does not read intrinsics here)",
            );
            None
        }
    }
}

fn output(c: &mut Converter<'_>, id: &str, entry: &Entry) -> Option<Output> {
    let what = format!("output {:?}", clip(id));
    c.enter(id);
    let o = output_body(c, &what, entry);
    c.path.pop();
    o
}

fn output_body(c: &mut Converter<'_>, what: &str, entry: &Entry) -> Option<Output> {
    let m = map(c, &entry.value, what, "a map with at least a Value")?;
    let mut description = None;
    let mut value = None;
    let mut export_name = None;
    let mut condition = None;
    for (key, e) in m {
        c.enter(key);
        let node = &e.value;
        let field = format!("{what} {key}");
        match key.as_str() {
            "Description" => description = string(c, node, &field),
            "Value" => value = Some(c.expr(node)),
            "Condition" => condition = string(c, node, &field),
            "Export" => export_name = export(c, node, &field, e.key_at),
            _ => unknown(c, what, key, e.key_at, OUTPUT_KEYS),
        }
        c.path.pop();
    }
    let Some(value) = value else {
        report(
            c,
            ProblemKind::MissingKey {
                what: what.to_owned(),
                key: "Value",
                hint: "add the value to output, such as Value: !Ref Vpc",
            },
            entry.key_at,
        );
        return None;
    };
    Some(Output {
        description,
        value,
        export_name,
        condition,
    })
}

fn export(c: &mut Converter<'_>, node: &Node, what: &str, key_at: Location) -> Option<Expr> {
    let m = map(c, node, what, "a map with a Name")?;
    let mut name = None;
    for (key, e) in m {
        match key.as_str() {
            "Name" => name = Some(c.child(key.clone(), &e.value)),
            _ => {
                c.enter(key);
                unknown(c, what, key, e.key_at, EXPORT_KEYS);
                c.path.pop();
            }
        }
    }
    if name.is_none() {
        report(
            c,
            ProblemKind::MissingKey {
                what: what.to_owned(),
                key: "Name",
                hint: "add the name other stacks import, such as Name: !Sub '${AWS::StackName}-VpcId'",
            },
            key_at,
        );
    }
    name
}
