//! The vendored AWS resource provider schemas, embedded in the binary.
//!
//! Owns reading `schemas/manifest.json` and `schemas/resources.bin` (written
//! by `tools/vendor-schemas.py` from the pinned cfn-lint wheel): one zlib
//! stream per resource type, inflated only when a template uses that type and
//! kept for the life of the process. It does not rewrite or compile schemas
//! (that is `super::prepare` and `super::SchemaStore`).

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};

use indexmap::IndexMap;
use regex::Regex;
use serde::Deserialize;
use serde_json::Value as Json;
use thiserror::Error;

pub(crate) static MANIFEST_TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schemas/manifest.json"
));
pub(crate) static RESOURCES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/schemas/resources.bin"
));

/// Where the vendored schemas come from, as recorded by the vendoring script.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The Python package the schemas were taken from (`cfn-lint`).
    pub package: String,
    /// Its version (`1.58.0`).
    pub version: String,
    /// The data's licence (`MIT-0`).
    pub licence: String,
    /// The files inside the package the data was read from.
    pub path: String,
    /// When cfn-lint last refreshed the schemas from AWS.
    pub schema_date: String,
    /// The region whose catalogue was vendored.
    pub region: String,
}

/// The manifest, its type names borrowed from the embedded text (reading
/// 1,854 names without copying each is most of what makes it cheap).
#[derive(Debug, Deserialize)]
struct Manifest {
    format: u32,
    source: Source,
    #[serde(borrow)]
    types: IndexMap<&'static str, (usize, usize)>,
}

/// The bundle's format version this code reads.
const FORMAT: u32 = 1;

/// What is known about one resource type.
#[derive(Debug)]
pub struct TypeData {
    /// The type's schema (documentation stripped), as cfn-lint ships it.
    pub schema: Json,
    /// GetAtt attribute names, with the JSON type each returns (`""` when the
    /// schema does not say).
    pub attributes: IndexMap<String, String>,
    /// Attribute names given as patterns (a nested stack's `Outputs.X`, any
    /// attribute of a custom resource).
    pub attribute_patterns: Vec<Regex>,
}

impl TypeData {
    /// The JSON type a GetAtt attribute returns: `Some("")` for an attribute
    /// that exists with an unknown type, `None` when the type has no such
    /// attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&str> {
        if let Some(t) = self.attributes.get(name) {
            return Some(t);
        }
        self.attribute_patterns
            .iter()
            .any(|p| p.is_match(name))
            .then_some("")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTypeData {
    schema: Json,
    attributes: IndexMap<String, String>,
    attribute_patterns: Vec<String>,
}

/// The embedded data could not be read: a build or vendoring bug, never the
/// user's input.
#[derive(Debug, Error, Clone)]
pub enum BundleError {
    /// `schemas/manifest.json` is not what this code expects.
    #[error(
        "the embedded schema manifest is unreadable ({0}); regenerate it with tools/vendor-schemas.sh"
    )]
    Manifest(String),
    /// One type's compressed schema is damaged.
    #[error(
        "the embedded schema of {type_name} is unreadable ({reason}); regenerate schemas/ with tools/vendor-schemas.sh"
    )]
    Type {
        /// The resource type.
        type_name: String,
        /// What went wrong.
        reason: String,
    },
}

fn manifest() -> Result<&'static Manifest, BundleError> {
    static MANIFEST: OnceLock<Result<Manifest, BundleError>> = OnceLock::new();
    MANIFEST
        .get_or_init(|| {
            let m: Manifest = serde_json::from_str(MANIFEST_TEXT)
                .map_err(|e| BundleError::Manifest(e.to_string()))?;
            if m.format != FORMAT {
                return Err(BundleError::Manifest(format!(
                    "format {} where {FORMAT} is expected",
                    m.format
                )));
            }
            Ok(m)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Where the vendored schemas come from.
pub fn source() -> Result<&'static Source, BundleError> {
    manifest().map(|m| &m.source)
}

/// Whether the catalogue knows this resource type (no inflation needed).
pub fn has_type(type_name: &str) -> bool {
    manifest().is_ok_and(|m| m.types.contains_key(type_name))
}

/// Every type name in the catalogue, in sorted order.
pub fn type_names() -> Vec<&'static str> {
    manifest()
        .map(|m| m.types.keys().copied().collect())
        .unwrap_or_default()
}

/// The data of one type, inflated on first use and cached; `Ok(None)` when
/// the catalogue has no such type.
pub fn type_data(type_name: &str) -> Result<Option<Arc<TypeData>>, BundleError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<TypeData>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(type_name)
    {
        return Ok(Some(found.clone()));
    }
    let Some(&(offset, len)) = manifest()?.types.get(type_name) else {
        return Ok(None);
    };
    let data = Arc::new(inflate(type_name, offset, len)?);
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(type_name.to_owned(), data.clone());
    Ok(Some(data))
}

fn inflate(type_name: &str, offset: usize, len: usize) -> Result<TypeData, BundleError> {
    let fail = |reason: String| BundleError::Type {
        type_name: type_name.to_owned(),
        reason,
    };
    let packed = offset
        .checked_add(len)
        .and_then(|end| RESOURCES.get(offset..end))
        .ok_or_else(|| fail(format!("span {offset}+{len} is outside the bundle")))?;
    let mut text = Vec::with_capacity(len * 6);
    flate2::read::ZlibDecoder::new(packed)
        .read_to_end(&mut text)
        .map_err(|e| fail(e.to_string()))?;
    let raw: RawTypeData = serde_json::from_slice(&text).map_err(|e| fail(e.to_string()))?;
    let attribute_patterns = raw
        .attribute_patterns
        .iter()
        .map(|p| Regex::new(&format!("^(?:{p})$")).map_err(|e| fail(e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(TypeData {
        schema: raw.schema,
        attributes: raw.attributes,
        attribute_patterns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_records_its_source() {
        let s = source().unwrap();
        assert_eq!(s.package, "cfn-lint");
        assert_eq!(s.version, "1.58.0");
        assert_eq!(s.licence, "MIT-0");
        assert_eq!(s.region, "us-east-1");
    }

    #[test]
    fn the_whole_us_east_1_catalogue_is_there() {
        assert!(type_names().len() > 1800);
        assert!(has_type("AWS::EC2::VPC"));
        assert!(!has_type("AWS::EC2::Nonsense"));
    }

    #[test]
    fn a_type_inflates_with_its_attributes() {
        let db = type_data("AWS::RDS::DBInstance").unwrap().unwrap();
        assert_eq!(db.attribute_type("Endpoint.Address"), Some("string"));
        assert_eq!(db.attribute_type("Endpoint.Nope"), None);
        assert!(db.schema["properties"]["MultiAZ"].is_object());
        assert!(type_data("AWS::Nope::Nope").unwrap().is_none());
    }

    #[test]
    fn nested_stack_outputs_are_attribute_patterns() {
        let stack = type_data("AWS::CloudFormation::Stack").unwrap().unwrap();
        assert_eq!(stack.attribute_type("Outputs.VpcId"), Some(""));
        assert_eq!(stack.attribute_type("Foo"), None);
    }
}
