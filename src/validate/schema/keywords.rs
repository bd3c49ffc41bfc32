//! hagen's custom JSON Schema keywords: CloudFormation-lenient `type`,
//! `enum` and `const`; the intrinsic check `hagenFn`; and cfn-lint's extra
//! keywords `requiredXor`, `requiredOr`, `dependentExcluded` and `uniqueKeys`.
//!
//! Owns each keyword's semantics and its one-line message. Which schema
//! positions use them is `super::prepare`'s business; what counts as an
//! intrinsic marker is `super::marker`'s.
//!
//! Leniency mirrors CloudFormation (and cfn-lint, so there are no false
//! alarms): a string accepts any scalar; a number or integer accepts a string
//! that parses as one; a boolean accepts `"true"`/`"false"` in any of the
//! usual cases; enum members compare as strings when either side is one.

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError, ValidationOptions};
use serde_json::{Map, Value as Json};

use super::marker::{self, Kind};

/// Lenient `type`.
pub const TYPE: &str = "hagenType";
/// Lenient `enum`.
pub const ENUM: &str = "hagenEnum";
/// Lenient `const`.
pub const CONST: &str = "hagenConst";
/// Case-insensitive lenient enum (cfn-lint's `enumCaseInsensitive`).
pub const ENUM_CI: &str = "hagenEnumCi";
/// The kind of value an intrinsic returns fits this position.
pub const FN: &str = "hagenFn";
/// Exactly one of these properties (cfn-lint).
pub const REQUIRED_XOR: &str = "requiredXor";
/// At least one of these properties (cfn-lint).
pub const REQUIRED_OR: &str = "requiredOr";
/// A property that excludes others (cfn-lint).
pub const DEPENDENT_EXCLUDED: &str = "dependentExcluded";
/// Array items unique by these keys (cfn-lint).
pub const UNIQUE_KEYS: &str = "uniqueKeys";

/// Every custom keyword hagen registers.
pub const ALL: [&str; 9] = [
    TYPE,
    ENUM,
    ENUM_CI,
    CONST,
    FN,
    REQUIRED_XOR,
    REQUIRED_OR,
    DEPENDENT_EXCLUDED,
    UNIQUE_KEYS,
];

/// Registers every custom keyword on a validator builder.
pub fn register(mut options: ValidationOptions) -> ValidationOptions {
    for name in ALL {
        options =
            options.with_keyword(name, move |_: &Map<String, Json>, v: &Json, _: Location| {
                Ok(build(name, v).unwrap_or_else(|| Box::new(LenientType(Vec::new()))))
            });
    }
    options
}

/// The keyword `name` with the schema value `v`, as the validator compiles
/// it (`None` for a name that is not one of hagen's). The schema
/// interpreter (`super::interpret`) builds its keywords here too, so both
/// paths share one meaning of each keyword.
pub fn build(name: &str, v: &Json) -> Option<Box<dyn for<'i> Keyword<'i>>> {
    Some(match name {
        TYPE => Box::new(LenientType(strings(v))),
        ENUM => Box::new(LenientEnum::new(v, false)),
        ENUM_CI => Box::new(LenientEnum::new(v, true)),
        CONST => Box::new(LenientEnum::new(&Json::Array(vec![v.clone()]), false)),
        FN => Box::new(IntrinsicKind((!v.is_null()).then(|| strings(v)))),
        REQUIRED_XOR => Box::new(RequiredXor(strings(v))),
        REQUIRED_OR => Box::new(RequiredOr(strings(v))),
        DEPENDENT_EXCLUDED => Box::new(DependentExcluded(
            v.as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), strings(v))).collect())
                .unwrap_or_default(),
        )),
        UNIQUE_KEYS => Box::new(UniqueKeys(strings(v))),
        _ => return None,
    })
}

/// A string or a list of strings, as a list.
fn strings(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => vec![s.clone()],
        Json::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn quote_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("{i:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value as it is usually written, for messages.
pub fn show(v: &Json) -> String {
    if marker::is_marker(v) {
        return marker::text(v)
            .unwrap_or("an intrinsic function")
            .to_owned();
    }
    let text = serde_json::to_string(v).unwrap_or_default();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

const BOOL_STRINGS: [&str; 6] = ["true", "True", "TRUE", "false", "False", "FALSE"];

/// Whether a value is of a JSON Schema type, the way CloudFormation reads it.
pub fn lenient_is_type(v: &Json, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        "string" => !(v.is_object() || v.is_array() || v.is_null()),
        "number" => match v {
            Json::Number(_) => true,
            Json::String(s) => s.trim().parse::<f64>().is_ok(),
            _ => false,
        },
        "integer" => match v {
            Json::Number(_) => true,
            Json::String(s) => parse_int(s).is_some(),
            _ => false,
        },
        "boolean" => match v {
            Json::Bool(_) => true,
            Json::String(s) => BOOL_STRINGS.contains(&s.as_str()),
            _ => false,
        },
        _ => true,
    }
}

/// An integer written as text: digits with an optional sign, surrounding
/// spaces and `_` between digits allowed.
fn parse_int(s: &str) -> Option<i128> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    t.replace('_', "").parse().ok()
}

struct LenientType(Vec<String>);

impl<'i> Keyword<'i> for LenientType {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        Err(ValidationError::custom(format!(
            "{} is not of type {}",
            show(instance),
            self.0.join(" or ")
        )))
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        self.0.is_empty() || self.0.iter().any(|t| lenient_is_type(instance, t))
    }
}

/// Python-style text of a scalar, as cfn-lint compares enum members.
fn scalar_text(v: &Json) -> Option<String> {
    Some(match v {
        Json::String(s) => s.clone(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Null => "None".into(),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                let f = n.as_f64()?;
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
        }
        Json::Array(_) | Json::Object(_) => return None,
    })
}

fn as_bool(v: &Json) -> Option<bool> {
    match v {
        Json::Bool(b) => Some(*b),
        Json::String(s) if BOOL_STRINGS.contains(&s.as_str()) => {
            Some(s.eq_ignore_ascii_case("true"))
        }
        _ => None,
    }
}

/// Equality the way CloudFormation compares a written value with an allowed
/// one: `"true"` equals `true`, `"5"` equals `5`, numbers by value.
pub fn lenient_eq(a: &Json, b: &Json) -> bool {
    if let (Some(x), Some(y)) = (as_bool(a), as_bool(b)) {
        return x == y;
    }
    match (a, b) {
        (Json::String(_), _) | (_, Json::String(_)) => {
            matches!((scalar_text(a), scalar_text(b)), (Some(x), Some(y)) if x == y)
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| lenient_eq(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| lenient_eq(v, w)))
        }
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::Null, Json::Null) => true,
        _ => false,
    }
}

struct LenientEnum {
    options: Vec<Json>,
    case_insensitive: bool,
}

impl LenientEnum {
    fn new(v: &Json, case_insensitive: bool) -> Self {
        let options = v.as_array().cloned().unwrap_or_default();
        LenientEnum {
            options: if case_insensitive {
                options.iter().map(lower).collect()
            } else {
                options
            },
            case_insensitive,
        }
    }
}

fn lower(v: &Json) -> Json {
    match v {
        Json::String(s) => Json::String(s.to_lowercase()),
        other => other.clone(),
    }
}

impl<'i> Keyword<'i> for LenientEnum {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        let options: Vec<String> = self.options.iter().map(show).collect();
        Err(ValidationError::custom(if options.len() == 1 {
            format!("{} is not {}", show(instance), options[0])
        } else {
            format!(
                "{} is not one of the allowed values: {}",
                show(instance),
                options.join(", ")
            )
        }))
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        let lowered;
        let instance = if self.case_insensitive {
            lowered = lower(instance);
            &lowered
        } else {
            instance
        };
        self.options.iter().any(|o| lenient_eq(instance, o))
    }
}

/// The kinds of value the schema's types accept.
fn accepts(types: &[String], kind: Kind) -> bool {
    match kind {
        Kind::Any => true,
        Kind::List => types.iter().any(|t| t == "array"),
        Kind::Scalar => types
            .iter()
            .any(|t| matches!(t.as_str(), "string" | "number" | "integer" | "boolean")),
    }
}

struct IntrinsicKind(Option<Vec<String>>);

impl<'i> Keyword<'i> for IntrinsicKind {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        let types = self.0.as_deref().unwrap_or_default();
        let kind = marker::kind(instance);
        Err(ValidationError::custom(format!(
            "{} returns {}, but this property takes {}",
            show(instance),
            kind.describe(),
            describe_types(types)
        )))
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        match &self.0 {
            None => true,
            Some(types) => types.is_empty() || accepts(types, marker::kind(instance)),
        }
    }
}

fn describe_types(types: &[String]) -> String {
    let words: Vec<&str> = types
        .iter()
        .map(|t| match t.as_str() {
            "array" => "a list",
            "object" => "an object",
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "a boolean",
            _ => "a value",
        })
        .collect();
    words.join(" or ")
}

struct RequiredXor(Vec<String>);

impl<'i> Keyword<'i> for RequiredXor {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        let Some(m) = instance.as_object() else {
            return Ok(());
        };
        let present: Vec<&String> = self.0.iter().filter(|k| m.contains_key(*k)).collect();
        match present.len() {
            1 => Ok(()),
            0 => Err(ValidationError::custom(format!(
                "exactly one of {} is required",
                quote_list(&self.0)
            ))),
            _ => Err(ValidationError::custom(format!(
                "only one of {} may be set, but {} are",
                quote_list(&self.0),
                present
                    .iter()
                    .map(|p| format!("{p:?}"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ))),
        }
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance
            .as_object()
            .is_none_or(|m| self.0.iter().filter(|k| m.contains_key(*k)).count() == 1)
    }
}

struct RequiredOr(Vec<String>);

impl<'i> Keyword<'i> for RequiredOr {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        Err(ValidationError::custom(format!(
            "at least one of {} is required",
            quote_list(&self.0)
        )))
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance
            .as_object()
            .is_none_or(|m| self.0.iter().any(|k| m.contains_key(k)))
    }
}

struct DependentExcluded(Vec<(String, Vec<String>)>);

impl DependentExcluded {
    fn first_clash<'a>(&'a self, m: &Map<String, Json>) -> Option<(&'a str, &'a str)> {
        self.0.iter().find_map(|(prop, excluded)| {
            if !m.contains_key(prop) {
                return None;
            }
            excluded
                .iter()
                .find(|e| m.contains_key(*e))
                .map(|e| (prop.as_str(), e.as_str()))
        })
    }
}

impl<'i> Keyword<'i> for DependentExcluded {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        let Some(m) = instance.as_object() else {
            return Ok(());
        };
        match self.first_clash(m) {
            None => Ok(()),
            Some((prop, excluded)) => Err(ValidationError::custom(format!(
                "{excluded:?} cannot be set together with {prop:?}"
            ))),
        }
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance
            .as_object()
            .is_none_or(|m| self.first_clash(m).is_none())
    }
}

struct UniqueKeys(Vec<String>);

impl UniqueKeys {
    fn duplicate(&self, items: &[Json]) -> Option<String> {
        let mut seen: Vec<Vec<&Json>> = Vec::new();
        for item in items {
            let Some(m) = item.as_object() else { continue };
            let Some(key): Option<Vec<&Json>> = self.0.iter().map(|k| m.get(k)).collect() else {
                continue;
            };
            if key.iter().any(|k| marker::is_marker(k)) {
                continue;
            }
            if seen
                .iter()
                .any(|s| s.iter().zip(&key).all(|(a, b)| lenient_eq(a, b)))
            {
                return Some(key.iter().map(|k| show(k)).collect::<Vec<_>>().join("/"));
            }
            seen.push(key);
        }
        None
    }
}

impl<'i> Keyword<'i> for UniqueKeys {
    fn validate(&self, instance: &'i Json) -> Result<(), ValidationError<'i>> {
        let Some(items) = instance.as_array() else {
            return Ok(());
        };
        match self.duplicate(items) {
            None => Ok(()),
            Some(dup) => Err(ValidationError::custom(format!(
                "two items have the same {} ({dup}); each must be unique",
                quote_list(&self.0)
            ))),
        }
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance
            .as_array()
            .is_none_or(|items| self.duplicate(items).is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_accept_any_scalar_as_cloudformation_does() {
        for v in [json!("x"), json!(5), json!(1.5), json!(true)] {
            assert!(lenient_is_type(&v, "string"), "{v}");
        }
        assert!(!lenient_is_type(&json!([]), "string"));
        assert!(!lenient_is_type(&json!({}), "string"));
    }

    #[test]
    fn numbers_accept_numeric_strings() {
        assert!(lenient_is_type(&json!("5432"), "integer"));
        assert!(lenient_is_type(&json!(" 12 "), "integer"));
        assert!(!lenient_is_type(&json!("1.5"), "integer"));
        assert!(lenient_is_type(&json!("1.5"), "number"));
        assert!(!lenient_is_type(&json!("abc"), "number"));
        assert!(!lenient_is_type(&json!(true), "integer"));
    }

    #[test]
    fn booleans_accept_the_usual_strings() {
        assert!(lenient_is_type(&json!("true"), "boolean"));
        assert!(lenient_is_type(&json!("FALSE"), "boolean"));
        assert!(!lenient_is_type(&json!("yes"), "boolean"));
        assert!(!lenient_is_type(&json!(1), "boolean"));
    }

    #[test]
    fn enum_members_compare_leniently() {
        assert!(lenient_eq(&json!(5432), &json!("5432")));
        assert!(lenient_eq(&json!("true"), &json!(true)));
        assert!(lenient_eq(&json!(1.0), &json!("1.0")));
        assert!(!lenient_eq(&json!(1), &json!(true)));
        assert!(!lenient_eq(&json!("gp2"), &json!("gp3")));
    }

    #[test]
    fn text_integers_allow_sign_spaces_and_underscores() {
        assert_eq!(parse_int("-1_000"), Some(-1000));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_int(""), None);
    }
}
