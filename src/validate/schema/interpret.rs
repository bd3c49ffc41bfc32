//! A direct reading of a vendored resource schema that answers one
//! question: does this instance pass?
//!
//! Owns the fast verdict. Compiling a type's schema with `jsonschema` (after
//! `super::prepare`'s rewrite) was most of the cost of `hagen synth`, and
//! nearly every resource a blueprint writes is valid. So each resource is
//! first read against the raw schema here, with the meaning `prepare` gives
//! it (intrinsic markers at value positions, CloudFormation-lenient `type`,
//! `enum` and `const`, cfn-lint's keywords, `$ref` siblings applying); only
//! a resource this reading does not pass goes to the compiled validator,
//! which finds and words its errors.
//!
//! The verdict may err only one way: whenever the reading is unsure (a
//! keyword it does not read, a pattern it cannot compile, a `$ref` it cannot
//! follow, a chain too deep) it answers "not valid", and the compiled
//! validator decides. A property test (`super::tests`) holds it to the
//! compiled validator's verdict on random instances of real schemas.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value as Json};

use super::keywords;
use super::marker;
use super::prepare;

/// Deepest chain of schemas (through `$ref`s and combinators) followed for
/// one instance value before the reading gives up.
const MAX_DEPTH: usize = 64;

/// Keywords that never change a verdict: annotations, resource metadata,
/// the definitions table (reached through `$ref`), and `format`, which hagen
/// does not check.
const IGNORED: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "markdownDescription",
    "examples",
    "default",
    "definitions",
    "format",
    "insertionOrder",
    "arrayType",
    "readOnly",
    "writeOnly",
    "typeName",
    "readOnlyProperties",
    "createOnlyProperties",
    "writeOnlyProperties",
    "primaryIdentifier",
    "additionalIdentifiers",
    "deprecatedProperties",
    "conditionalCreateOnlyProperties",
    "nonPublicProperties",
    "nonPublicDefinitions",
    "handlers",
    "tagging",
    "propertyTransform",
    "relationshipRef",
    "sourceUrl",
    "documentationUrl",
    "replacementStrategy",
    "taggable",
    "resourceLink",
];

/// Whether `instance` (a resource's `Properties` as `super::instance`
/// builds it) passes the type's schema `root`. `false` means "not valid or
/// not sure".
pub fn passes(root: &Json, instance: &Json) -> bool {
    let reader = Reader {
        root,
        unsure: Cell::new(false),
    };
    reader.node(root, instance, 0) && !reader.unsure.get()
}

/// One reading. Every sub-verdict is exact unless `unsure` was raised
/// somewhere, in which case the whole verdict is "not valid": that keeps
/// `oneOf`, `not` and `if`, whose verdicts turn on a branch failing, sound.
struct Reader<'s> {
    root: &'s Json,
    unsure: Cell<bool>,
}

impl<'s> Reader<'s> {
    /// A value position: an intrinsic marker is judged only by the kind of
    /// value it returns; anything else by the schema.
    fn value(&self, schema: &'s Json, instance: &Json, depth: usize) -> bool {
        if let Json::Bool(b) = schema {
            return *b;
        }
        if marker::is_marker(instance) {
            let types = prepare::value_types(schema, self.root, 0)
                .map(|t| Json::Array(t.into_iter().map(Json::from).collect()))
                .unwrap_or(Json::Null);
            return keyword(keywords::FN, &types, instance);
        }
        self.node(schema, instance, depth)
    }

    /// Gives up on the exact verdict (see [`Reader`]).
    fn give_up(&self) -> bool {
        self.unsure.set(true);
        false
    }

    /// Every keyword of `schema` against the same instance.
    fn node(&self, schema: &'s Json, instance: &Json, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return self.give_up();
        }
        let s = match schema {
            Json::Bool(b) => return *b,
            Json::Object(s) => s,
            _ => return true,
        };
        let depth = depth + 1;
        for (key, v) in s {
            let ok = match key.as_str() {
                k if IGNORED.contains(&k) => true,
                "$ref" => match v
                    .as_str()
                    .and_then(|r| prepare::resolve_local(self.root, r))
                {
                    Some(target) => self.node(target, instance, depth),
                    None => self.give_up(),
                },
                "type" => keyword(keywords::TYPE, v, instance),
                "enum" => keyword(keywords::ENUM, v, instance),
                "const" => keyword(keywords::CONST, v, instance),
                "enumCaseInsensitive" => keyword(keywords::ENUM_CI, v, instance),
                "requiredXor" => keyword(keywords::REQUIRED_XOR, v, instance),
                "requiredOr" => keyword(keywords::REQUIRED_OR, v, instance),
                "dependentExcluded" => keyword(keywords::DEPENDENT_EXCLUDED, v, instance),
                "uniqueKeys" => keyword(keywords::UNIQUE_KEYS, v, instance),
                // Each group of three is read together, after the loop.
                "properties" | "patternProperties" | "additionalProperties" => true,
                "required" => match (instance, v) {
                    (Json::Object(m), Json::Array(names)) => names
                        .iter()
                        .all(|n| n.as_str().is_some_and(|n| m.contains_key(n))),
                    (Json::Object(_), _) => self.give_up(),
                    _ => true,
                },
                "dependentRequired" | "dependencies" => self.dependencies(v, instance, depth),
                "minProperties" | "maxProperties" => match instance {
                    Json::Object(m) => self.bound(key, v, m.len()),
                    _ => true,
                },
                "items" | "prefixItems" | "additionalItems" => true,
                "minItems" | "maxItems" => match instance {
                    Json::Array(items) => self.bound(key, v, items.len()),
                    _ => true,
                },
                "uniqueItems" => match (instance, v) {
                    (Json::Array(items), Json::Bool(true)) => all_unique(items),
                    (_, Json::Bool(_)) => true,
                    _ => self.give_up(),
                },
                "contains" => match instance {
                    Json::Array(items) => items.iter().any(|i| self.value(v, i, depth)),
                    _ => true,
                },
                "minLength" | "maxLength" => match instance {
                    Json::String(text) => self.bound(key, v, text.chars().count()),
                    _ => true,
                },
                "pattern" => match (instance, v.as_str()) {
                    (Json::String(text), Some(p)) => {
                        match pattern(&prepare::translate_pattern(p)) {
                            Some(re) => re.is_valid(&Json::String(text.clone())),
                            // prepare drops what the regex dialect rejects.
                            None => true,
                        }
                    }
                    (Json::String(_), None) => self.give_up(),
                    _ => true,
                },
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                    match (instance.as_f64(), v.as_f64()) {
                        (Some(x), Some(limit)) => match key.as_str() {
                            "minimum" => x >= limit,
                            "maximum" => x <= limit,
                            "exclusiveMinimum" => x > limit,
                            _ => x < limit,
                        },
                        (None, _) if !instance.is_number() => true,
                        _ => self.give_up(),
                    }
                }
                "allOf" | "anyOf" | "oneOf" => match v {
                    Json::Array(list) => {
                        let passed = list
                            .iter()
                            .filter(|b| self.node(b, instance, depth))
                            .count();
                        match key.as_str() {
                            "allOf" => passed == list.len(),
                            "anyOf" => passed >= 1,
                            _ => passed == 1,
                        }
                    }
                    _ => self.give_up(),
                },
                "not" => !self.node(v, instance, depth),
                "if" => {
                    let branch = if self.node(v, instance, depth) {
                        s.get("then")
                    } else {
                        s.get("else")
                    };
                    branch.is_none_or(|b| self.node(b, instance, depth))
                }
                // Without `if`, Draft 7 ignores them; with it, read above.
                "then" | "else" => true,
                "propertyNames" => match instance {
                    Json::Object(m) => m
                        .keys()
                        .all(|k| self.node(v, &Json::String(k.clone()), depth)),
                    _ => true,
                },
                // A keyword this reading does not know: let the compiled
                // validator decide.
                _ => self.give_up(),
            };
            if !ok {
                return false;
            }
        }
        self.object_members(s, instance, depth) && self.array_items(s, instance, depth)
    }

    /// `properties`, `patternProperties` and `additionalProperties`.
    fn object_members(&self, s: &'s Map<String, Json>, instance: &Json, depth: usize) -> bool {
        let Json::Object(m) = instance else {
            return true;
        };
        let declared = s.get("properties").and_then(Json::as_object);
        let patterns: Vec<(Arc<Validator>, &Json)> = match s.get("patternProperties") {
            Some(Json::Object(pp)) => {
                let mut out = Vec::with_capacity(pp.len());
                for (p, sub) in pp {
                    match pattern(&prepare::translate_pattern(p)) {
                        Some(re) => out.push((re, sub)),
                        // prepare turns such a key into one that matches
                        // every name; leave that to the validator.
                        None => return self.give_up(),
                    }
                }
                out
            }
            Some(_) => return self.give_up(),
            None => Vec::new(),
        };
        let additional = s.get("additionalProperties");
        for (name, value) in m {
            let mut matched = false;
            if let Some(sub) = declared.and_then(|d| d.get(name)) {
                matched = true;
                if !self.value(sub, value, depth) {
                    return false;
                }
            }
            for (re, sub) in &patterns {
                if re.is_valid(&Json::String(name.clone())) {
                    matched = true;
                    if !self.value(sub, value, depth) {
                        return false;
                    }
                }
            }
            if !matched
                && let Some(extra) = additional
                && !self.value(extra, value, depth)
            {
                return false;
            }
        }
        true
    }

    /// `items` (one schema, or a list as a tuple), `prefixItems` (a tuple
    /// whose rest is `items`) and `additionalItems`.
    fn array_items(&self, s: &'s Map<String, Json>, instance: &Json, depth: usize) -> bool {
        let Json::Array(items) = instance else {
            return true;
        };
        let (tuple, rest): (Option<&Vec<Json>>, Option<&Json>) =
            match (s.get("prefixItems"), s.get("items")) {
                (Some(Json::Array(prefix)), items) => {
                    (Some(prefix), items.filter(|i| !i.is_array()))
                }
                (Some(_), _) => return self.give_up(),
                (None, Some(Json::Array(tuple))) => (Some(tuple), s.get("additionalItems")),
                (None, Some(one)) => (None, Some(one)),
                (None, None) => (None, None),
            };
        match tuple {
            Some(tuple) => items
                .iter()
                .enumerate()
                .all(|(i, item)| match tuple.get(i) {
                    Some(sub) => self.value(sub, item, depth),
                    None => rest.is_none_or(|r| self.value(r, item, depth)),
                }),
            None => rest.is_none_or(|r| items.iter().all(|item| self.value(r, item, depth))),
        }
    }

    /// `dependencies` (names or a schema) and `dependentRequired` (names).
    fn dependencies(&self, v: &'s Json, instance: &Json, depth: usize) -> bool {
        let Json::Object(m) = instance else {
            return true;
        };
        let Json::Object(deps) = v else {
            return self.give_up();
        };
        deps.iter().all(|(trigger, needed)| {
            if !m.contains_key(trigger) {
                return true;
            }
            match needed {
                Json::Array(names) => names
                    .iter()
                    .all(|n| n.as_str().is_some_and(|n| m.contains_key(n))),
                schema => self.node(schema, instance, depth),
            }
        })
    }

    /// A `min…`/`max…` keyword against a count.
    fn bound(&self, key: &str, v: &Json, count: usize) -> bool {
        let Some(limit) = v.as_u64() else {
            return self.give_up();
        };
        let count = count as u64;
        if key.starts_with("min") {
            count >= limit
        } else {
            count <= limit
        }
    }
}

/// One of hagen's custom keywords, built as the validator builds it.
fn keyword(name: &str, v: &Json, instance: &Json) -> bool {
    keywords::build(name, v).is_some_and(|k| k.is_valid(instance))
}

/// JSON Schema equality: numbers by value, objects regardless of key order.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn all_unique(items: &[Json]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, a)| items[i + 1..].iter().all(|b| !same(a, b)))
}

type PatternCache = Mutex<HashMap<String, Option<Arc<Validator>>>>;

/// A pattern compiled by the same regex engine, in the same dialect, as the
/// validator's `pattern` keyword (`None` when that engine rejects it),
/// cached for the life of the process.
fn pattern(p: &str) -> Option<Arc<Validator>> {
    static CACHE: OnceLock<PatternCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(p) {
        return hit.clone();
    }
    let compiled = jsonschema::options()
        .with_draft(Draft::Draft7)
        .build(&serde_json::json!({ "pattern": p }))
        .ok()
        .map(Arc::new);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(p.to_owned(), compiled.clone());
    compiled
}

#[cfg(test)]
mod tests;
