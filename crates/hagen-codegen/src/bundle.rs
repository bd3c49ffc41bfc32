//! Reads the vendored schemas: `schemas/manifest.json` and
//! `schemas/resources.bin` (the validation data hagen embeds) and
//! `schemas/docs.bin` (descriptions and tagging, for the generator only).
//!
//! Owns the version check: the generator refuses any schemas but the ones
//! vendored from the pinned cfn-lint, so that generated code always says
//! exactly where it came from.

use std::io::Read;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value as Json;

use crate::Error;

/// The cfn-lint release whose schemas the generator accepts.
pub const PINNED_CFN_LINT: &str = "1.58.0";

/// Where the schemas come from, as `tools/vendor-schemas.py` recorded it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The Python package (`cfn-lint`).
    pub package: String,
    /// Its version.
    pub version: String,
    /// Licence of the data.
    pub licence: String,
    /// Files inside the package.
    pub path: String,
    /// When cfn-lint refreshed its schemas from AWS.
    pub schema_date: String,
    /// The region whose catalogue was vendored.
    pub region: String,
}

#[derive(Deserialize)]
struct Manifest {
    format: u32,
    source: Source,
    types: IndexMap<String, (usize, usize)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawType {
    schema: Json,
    attributes: IndexMap<String, String>,
}

#[derive(Deserialize)]
struct Docs {
    source: Source,
    types: IndexMap<String, TypeDocs>,
}

/// The documentation of one resource type.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TypeDocs {
    /// The type's description.
    #[serde(default)]
    pub description: String,
    /// The schema's `tagging` block.
    #[serde(default)]
    pub tagging: Option<Json>,
    /// Descriptions by the JSON pointer of the node that carries them.
    #[serde(default)]
    pub docs: IndexMap<String, String>,
}

/// Everything known about one resource type.
#[derive(Debug, Clone)]
pub struct TypeSchema {
    /// `AWS::EC2::Subnet`.
    pub type_name: String,
    /// The schema, as cfn-lint ships it (documentation stripped).
    pub schema: Json,
    /// GetAtt names with their JSON types (`""` when unknown).
    pub attributes: IndexMap<String, String>,
    /// Descriptions and tagging.
    pub docs: TypeDocs,
}

/// The whole vendored catalogue.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Where it comes from.
    pub source: Source,
    /// Every type, sorted by name.
    pub types: Vec<TypeSchema>,
}

/// The bundle format `tools/vendor-schemas.py` writes.
const FORMAT: u32 = 1;

fn inflate(bytes: &[u8], what: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| Error::Bundle(format!("{what}: {e}")))?;
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Io(path.to_path_buf(), e.to_string()))
}

/// Loads the vendored schemas under `schemas_dir`, refusing any other
/// version than [`PINNED_CFN_LINT`].
pub fn load(schemas_dir: &Path) -> Result<Bundle, Error> {
    // The manifest first: schemas of another version are refused before
    // the other files are looked for.
    let manifest = read(&schemas_dir.join("manifest.json"))?;
    parse_manifest(&manifest)?;
    from_bytes(
        &manifest,
        &read(&schemas_dir.join("resources.bin"))?,
        &read(&schemas_dir.join("docs.bin"))?,
    )
}

/// The manifest, refused unless it has this generator's format and the
/// pinned cfn-lint version.
fn parse_manifest(manifest: &[u8]) -> Result<Manifest, Error> {
    let manifest: Manifest = serde_json::from_slice(manifest)
        .map_err(|e| Error::Bundle(format!("manifest.json: {e}")))?;
    if manifest.format != FORMAT {
        return Err(Error::Bundle(format!(
            "manifest.json has format {}, the generator reads {FORMAT}",
            manifest.format
        )));
    }
    if manifest.source.package != "cfn-lint" || manifest.source.version != PINNED_CFN_LINT {
        return Err(Error::Version {
            found: format!("{} {}", manifest.source.package, manifest.source.version),
            pinned: PINNED_CFN_LINT,
        });
    }
    Ok(manifest)
}

/// Reads the vendored schemas from their three files' bytes, refusing any
/// other version than [`PINNED_CFN_LINT`]: what a program that embeds the
/// files (`hagen import`, which names Rust types exactly as the generator
/// did) calls instead of [`load`].
pub fn from_bytes(manifest: &[u8], resources: &[u8], docs: &[u8]) -> Result<Bundle, Error> {
    let manifest = parse_manifest(manifest)?;
    let docs: Docs = serde_json::from_slice(&inflate(docs, "docs.bin")?)
        .map_err(|e| Error::Bundle(format!("docs.bin: {e}")))?;
    if docs.source != manifest.source {
        return Err(Error::Bundle(
            "docs.bin and manifest.json come from different vendoring runs; \
             run tools/vendor-schemas.sh"
                .into(),
        ));
    }
    let blob = resources;
    let mut types = Vec::with_capacity(manifest.types.len());
    for (type_name, (offset, len)) in &manifest.types {
        let bytes = blob
            .get(*offset..offset + len)
            .ok_or_else(|| Error::Bundle(format!("{type_name}: span outside resources.bin")))?;
        let raw: RawType = serde_json::from_slice(&inflate(bytes, type_name)?)
            .map_err(|e| Error::Bundle(format!("{type_name}: {e}")))?;
        types.push(TypeSchema {
            type_name: type_name.clone(),
            schema: raw.schema,
            attributes: raw.attributes,
            docs: docs.types.get(type_name).cloned().unwrap_or_default(),
        });
    }
    types.sort_by(|a, b| a.type_name.cmp(&b.type_name));
    Ok(Bundle {
        source: manifest.source,
        types,
    })
}
