//! Rewrites a vendored resource schema into the Draft 7 schema hagen compiles.
//!
//! Owns the schema side of intrinsic-aware, CloudFormation-lenient
//! validation (see `super` for the whole design). The rewrite is mechanical
//! and keyword by keyword:
//!
//! - every *value position* (a property, an array item, an additional or
//!   pattern property) is wrapped as
//!   `{"if": <is an intrinsic marker>, "then": {"hagenFn": <types>}, "else": <original>}`,
//!   so an intrinsic stands wherever a value may and is checked only for the
//!   kind of value it returns (`hagenFn`);
//! - `type`, `enum`, `const` and `enumCaseInsensitive` become hagen's lenient
//!   custom keywords (`"5"` is an integer and `true` a string, as in
//!   CloudFormation and cfn-lint);
//! - cfn-lint's `requiredXor`, `requiredOr`, `dependentExcluded` and
//!   `uniqueKeys` stay as custom keywords; `dependentRequired` and
//!   `prefixItems`, which Draft 7 lacks, become `dependencies` and array
//!   `items`;
//! - a `$ref` with siblings moves into `allOf`, so the siblings keep applying
//!   under Draft 7 (which would ignore them);
//! - `$schema` and the resource-level metadata keys are dropped.
//!
//! It does not compile anything and knows nothing about templates.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json, json};

use super::keywords::{
    CONST, DEPENDENT_EXCLUDED, ENUM, ENUM_CI, FN, REQUIRED_OR, REQUIRED_XOR, TYPE, UNIQUE_KEYS,
};
use super::marker::FN_KEY;

/// Keywords whose value is one schema that describes a value of the instance.
const VALUE_SCHEMA: &[&str] = &["additionalProperties", "additionalItems", "contains"];
/// Keywords whose value is one schema applied to the same instance.
const SAME_SCHEMA: &[&str] = &["not", "if", "then", "else", "propertyNames"];
/// Keywords whose value is a list of schemas applied to the same instance.
const SAME_SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf"];
/// Resource-level keys that are not validation keywords.
const METADATA: &[&str] = &[
    "$schema",
    "typeName",
    "readOnlyProperties",
    "createOnlyProperties",
    "writeOnlyProperties",
    "primaryIdentifier",
    "deprecatedProperties",
];

/// The Draft 7 schema hagen compiles for a vendored resource schema.
pub fn prepare(raw: &Json) -> Json {
    let mut out = rewrite(raw, raw);
    if let Json::Object(m) = &mut out {
        for key in METADATA {
            m.remove(*key);
        }
    }
    out
}

/// A copy of a vendored schema with only the top-level `properties` in
/// `keep` and only the `definitions` those (and the rest of the schema)
/// reach. Properties outside `keep` are absent from the instance, so their
/// schemas cannot change a verdict; `required` and the other keywords that
/// name properties stay as they are.
pub fn prune(raw: &Json, keep: &BTreeSet<String>) -> Json {
    let mut out = raw.clone();
    let Json::Object(root) = &mut out else {
        return out;
    };
    if let Some(Json::Object(props)) = root.get_mut("properties") {
        props.retain(|k, _| keep.contains(k));
    }
    let Some(Json::Object(defs)) = root.remove("definitions") else {
        return out;
    };
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    collect_refs(&out, &mut queue);
    while let Some(name) = queue.pop() {
        if !wanted.insert(name.clone()) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            collect_refs(def, &mut queue);
        }
    }
    let kept: Map<String, Json> = defs
        .into_iter()
        .filter(|(k, _)| wanted.contains(k))
        .collect();
    if let Json::Object(root) = &mut out {
        root.insert("definitions".into(), Json::Object(kept));
    }
    out
}

/// The definition names the local `$ref`s under a node point into.
fn collect_refs(node: &Json, out: &mut Vec<String>) {
    match node {
        Json::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Json::as_str)
                && let Some(rest) = r.strip_prefix("#/definitions/")
            {
                let name = rest.split('/').next().unwrap_or(rest);
                out.push(name.replace("~1", "/").replace("~0", "~"));
            }
            for v in m.values() {
                collect_refs(v, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Deepest `$ref` chain followed when working out a value position's types.
const MAX_REF_DEPTH: usize = 16;

fn rewrite(node: &Json, root: &Json) -> Json {
    let Json::Object(schema) = node else {
        return node.clone();
    };
    let mut out = Map::new();
    let mut dependencies: Map<String, Json> = Map::new();
    for (key, value) in schema {
        match key.as_str() {
            "type" => {
                out.insert(TYPE.into(), value.clone());
            }
            "enum" => {
                out.insert(ENUM.into(), value.clone());
            }
            "const" => {
                out.insert(CONST.into(), value.clone());
            }
            "enumCaseInsensitive" => {
                out.insert(ENUM_CI.into(), value.clone());
            }
            "requiredXor" => {
                out.insert(REQUIRED_XOR.into(), value.clone());
            }
            "requiredOr" => {
                out.insert(REQUIRED_OR.into(), value.clone());
            }
            "dependentExcluded" => {
                out.insert(DEPENDENT_EXCLUDED.into(), value.clone());
            }
            "uniqueKeys" => {
                out.insert(UNIQUE_KEYS.into(), value.clone());
            }
            "dependentRequired" => {
                if let Json::Object(m) = value {
                    for (k, v) in m {
                        dependencies.insert(k.clone(), v.clone());
                    }
                }
            }
            "dependencies" => {
                if let Json::Object(m) = value {
                    for (k, v) in m {
                        let v = if v.is_array() {
                            v.clone()
                        } else {
                            rewrite(v, root)
                        };
                        dependencies.insert(k.clone(), v);
                    }
                }
            }
            "properties" => {
                out.insert(key.clone(), map_values(value, |v| value_position(v, root)));
            }
            "patternProperties" => {
                let Json::Object(m) = value else { continue };
                let translated = m
                    .iter()
                    .map(|(k, v)| (translate_pattern(k), value_position(v, root)))
                    .collect();
                out.insert(key.clone(), Json::Object(translated));
            }
            "pattern" => {
                let p = value
                    .as_str()
                    .map_or_else(|| value.clone(), |p| Json::from(translate_pattern(p)));
                out.insert(key.clone(), p);
            }
            "definitions" => {
                out.insert(key.clone(), map_values(value, |v| rewrite(v, root)));
            }
            // With `prefixItems`, `items` is the schema of the remaining items.
            "items" if schema.contains_key("prefixItems") => {}
            "items" => {
                let items = match value {
                    Json::Array(list) => {
                        Json::Array(list.iter().map(|v| value_position(v, root)).collect())
                    }
                    other => value_position(other, root),
                };
                out.insert(key.clone(), items);
            }
            "prefixItems" => {
                if let Json::Array(list) = value {
                    let items = list.iter().map(|v| value_position(v, root)).collect();
                    out.insert("items".into(), Json::Array(items));
                    if let Some(rest) = schema.get("items").filter(|i| !i.is_array()) {
                        out.insert("additionalItems".into(), value_position(rest, root));
                    }
                }
            }
            k if VALUE_SCHEMA.contains(&k) => {
                out.insert(key.clone(), value_position(value, root));
            }
            k if SAME_SCHEMA.contains(&k) => {
                out.insert(key.clone(), rewrite(value, root));
            }
            k if SAME_SCHEMA_LIST.contains(&k) => {
                let list = match value {
                    Json::Array(list) => {
                        Json::Array(list.iter().map(|v| rewrite(v, root)).collect())
                    }
                    other => other.clone(),
                };
                out.insert(key.clone(), list);
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if !dependencies.is_empty() {
        out.insert("dependencies".into(), Json::Object(dependencies));
    }
    // Under Draft 7 a `$ref` hides its siblings; keep them applying.
    if out.keys().any(|k| k != "$ref")
        && let Some(reference) = out.remove("$ref")
    {
        let mut all_of = match out.remove("allOf") {
            Some(Json::Array(list)) => list,
            _ => Vec::new(),
        };
        all_of.insert(0, json!({ "$ref": reference }));
        out.insert("allOf".into(), Json::Array(all_of));
    }
    Json::Object(out)
}

/// Rewrites the Python-isms of AWS's patterns into the ECMA-262 dialect
/// JSON Schema uses: `\A` and `\Z` anchors, a leading `(?s)` flag, and a
/// literal `-` beside a class escape inside brackets (`[\w-.]`). Patterns
/// that still do not compile are dropped at compile time
/// (`drop_bad_patterns`).
pub fn translate_pattern(p: &str) -> String {
    let (dot_all, body) = match p.strip_prefix("(?s)") {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(p.len());
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let n = chars[i + 1];
            match n {
                'A' if !in_class => out.push('^'),
                'Z' if !in_class => out.push('$'),
                _ => {
                    out.push(c);
                    out.push(n);
                }
            }
            i += 2;
            continue;
        }
        match c {
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '-' if in_class => {
                let after_class_escape =
                    i >= 2 && chars[i - 2] == '\\' && "wWdDsS".contains(chars[i - 1]);
                let before_class_escape =
                    i + 2 < chars.len() && chars[i + 1] == '\\' && "wWdDsS".contains(chars[i + 2]);
                if after_class_escape || before_class_escape {
                    out.push_str("\\-");
                    i += 1;
                    continue;
                }
            }
            '.' if dot_all && !in_class => {
                out.push_str("[\\s\\S]");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Drops every `pattern` (and neutralises every `patternProperties` key)
/// that `accepts` rejects; returns how many were dropped.
pub fn drop_bad_patterns(node: &mut Json, accepts: &dyn Fn(&str) -> bool) -> usize {
    let mut dropped = 0;
    match node {
        Json::Object(m) => {
            if m.get("pattern")
                .and_then(Json::as_str)
                .is_some_and(|p| !accepts(p))
            {
                m.remove("pattern");
                dropped += 1;
            }
            if let Some(Json::Object(pp)) = m.get_mut("patternProperties") {
                let bad: Vec<String> = pp.keys().filter(|k| !accepts(k)).cloned().collect();
                for k in bad {
                    if let Some(v) = pp.remove(&k) {
                        pp.insert(String::new(), v);
                        dropped += 1;
                    }
                }
            }
            for v in m.values_mut() {
                dropped += drop_bad_patterns(v, accepts);
            }
        }
        Json::Array(items) => {
            for v in items {
                dropped += drop_bad_patterns(v, accepts);
            }
        }
        _ => {}
    }
    dropped
}

fn map_values(value: &Json, f: impl Fn(&Json) -> Json) -> Json {
    match value {
        Json::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), f(v))).collect()),
        other => other.clone(),
    }
}

/// A schema in a value position: an intrinsic may stand here instead, so
/// accept a marker (checked for the kind of value it returns) or the value
/// the schema describes.
fn value_position(node: &Json, root: &Json) -> Json {
    if let Json::Bool(_) = node {
        return node.clone();
    }
    let types = value_types(node, root, 0)
        .map(|t| Json::Array(t.into_iter().map(Json::from).collect()))
        .unwrap_or(Json::Null);
    json!({
        "if": { "type": "object", "required": [FN_KEY] },
        "then": { FN: types },
        "else": rewrite(node, root),
    })
}

/// The JSON types a schema allows, when it says so directly, through local
/// `$ref`s, or as the union of its `anyOf`/`oneOf` branches.
pub fn value_types(node: &Json, root: &Json, depth: usize) -> Option<Vec<String>> {
    if depth > MAX_REF_DEPTH {
        return None;
    }
    let Json::Object(schema) = node else {
        return None;
    };
    match schema.get("type") {
        Some(Json::String(t)) => return Some(vec![t.clone()]),
        Some(Json::Array(list)) => {
            return Some(
                list.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
            );
        }
        _ => {}
    }
    if let Some(target) = schema.get("$ref").and_then(Json::as_str) {
        return resolve_local(root, target).and_then(|t| value_types(t, root, depth + 1));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Json::Array(branches)) = schema.get(key) {
            let mut all = Vec::new();
            for b in branches {
                for t in value_types(b, root, depth + 1)? {
                    if !all.contains(&t) {
                        all.push(t);
                    }
                }
            }
            return (!all.is_empty()).then_some(all);
        }
    }
    if let Some(Json::Array(parts)) = schema.get("allOf") {
        return parts.iter().find_map(|p| value_types(p, root, depth + 1));
    }
    None
}

/// Follows a local JSON pointer (`#/definitions/Tag`).
pub fn resolve_local<'a>(root: &'a Json, reference: &str) -> Option<&'a Json> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_become_intrinsic_aware_value_positions() {
        let raw = json!({"properties": {"Port": {"type": "integer"}}});
        let out = prepare(&raw);
        let port = &out["properties"]["Port"];
        assert_eq!(port["if"]["required"], json!([FN_KEY]));
        assert_eq!(port["then"][FN], json!(["integer"]));
        assert_eq!(port["else"], json!({TYPE: "integer"}));
    }

    #[test]
    fn value_types_follow_refs_and_unions() {
        let raw = json!({
            "definitions": {"A": {"type": "string"}, "B": {"type": "array"}},
            "properties": {"X": {"oneOf": [{"$ref": "#/definitions/A"}, {"$ref": "#/definitions/B"}]}}
        });
        let x = &raw["properties"]["X"];
        assert_eq!(
            value_types(x, &raw, 0),
            Some(vec!["string".to_string(), "array".to_string()])
        );
    }

    #[test]
    fn a_ref_with_siblings_keeps_them_under_draft_7() {
        let raw = json!({"definitions": {"A": {"type": "array"}}, "properties": {"X": {"$ref": "#/definitions/A", "maxItems": 2}}});
        let out = prepare(&raw);
        let x = &out["properties"]["X"]["else"];
        assert_eq!(x["allOf"], json!([{"$ref": "#/definitions/A"}]));
        assert_eq!(x["maxItems"], json!(2));
    }

    #[test]
    fn pruning_keeps_the_properties_used_and_the_definitions_they_reach() {
        let raw = json!({
            "properties": {
                "A": {"$ref": "#/definitions/Ta"},
                "B": {"$ref": "#/definitions/Tb"}
            },
            "definitions": {
                "Ta": {"properties": {"X": {"$ref": "#/definitions/Tx"}}},
                "Tb": {"type": "string"},
                "Tx": {"type": "string"},
                "Unused": {"type": "string"}
            },
            "required": ["B"]
        });
        let keep: BTreeSet<String> = ["A".to_string()].into_iter().collect();
        let out = prune(&raw, &keep);
        assert_eq!(out["properties"].as_object().unwrap().len(), 1);
        let defs: Vec<&String> = out["definitions"].as_object().unwrap().keys().collect();
        assert_eq!(defs, vec!["Ta", "Tx"]);
        assert_eq!(out["required"], json!(["B"]));
    }

    #[test]
    fn python_pattern_isms_become_ecma() {
        assert_eq!(translate_pattern(r"\A[0-9a-f]+\Z"), r"^[0-9a-f]+$");
        assert_eq!(translate_pattern(r"[\w-.~]+"), r"[\w\-.~]+");
        assert_eq!(translate_pattern(r"(?s).+"), r"[\s\S]+");
        assert_eq!(translate_pattern(r"^a\.b$"), r"^a\.b$");
    }

    #[test]
    fn rejected_patterns_are_dropped() {
        let mut s = json!({"properties": {"A": {"pattern": "bad"}, "B": {"pattern": "good"}}});
        assert_eq!(drop_bad_patterns(&mut s, &|p| p != "bad"), 1);
        assert!(s["properties"]["A"].get("pattern").is_none());
        assert_eq!(s["properties"]["B"]["pattern"], json!("good"));
    }

    #[test]
    fn draft_2019_keywords_become_draft_7_ones() {
        let raw = json!({
            "dependentRequired": {"A": ["B"]},
            "prefixItems": [{"type": "string"}],
            "items": {"type": "integer"},
            "$schema": "https://example.invalid/meta",
            "typeName": "AWS::X::Y"
        });
        let out = prepare(&raw);
        assert_eq!(out["dependencies"], json!({"A": ["B"]}));
        assert!(out["items"].is_array());
        assert_eq!(out["additionalItems"]["else"], json!({TYPE: "integer"}));
        assert!(out.get("$schema").is_none());
        assert!(out.get("typeName").is_none());
    }
}
