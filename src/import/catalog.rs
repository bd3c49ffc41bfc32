//! The generator's model of every resource type, for naming Rust types.
//!
//! `hagen import` must write exactly the names the L1 generator gave the
//! types, fields, enums and attributes in `src/resources/services/`; so it
//! does not guess them, it runs the generator's own model
//! (`hagen_codegen::model`) over the same vendored schemas, embedded here.
//! Owns loading that model once and finding a type in it.

use std::collections::HashMap;
use std::sync::OnceLock;

use hagen_codegen::model::{Catalog, ResourceType, Service};

use super::error::ImportError;
use crate::validate::schema::bundle::{MANIFEST_TEXT, RESOURCES};

/// Descriptions and tagging of every type: the generator reads them to
/// decide how tags are typed.
static DOCS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/docs.bin"));

/// The model, with an index by CloudFormation type name.
pub(crate) struct TypeIndex {
    catalog: Catalog,
    by_name: HashMap<String, (usize, usize)>,
}

/// One resource type and the service module it lives in.
#[derive(Clone, Copy)]
pub(crate) struct TypeRef<'a> {
    /// The service (`ec2`: its module and cargo feature).
    pub service: &'a Service,
    /// The type: its structs (index 0 is the resource), enums, attributes.
    pub ty: &'a ResourceType,
}

impl TypeRef<'_> {
    /// The resource's Rust path from the service module: `ec2::Vpc`.
    pub fn resource_path(&self) -> String {
        format!("{}::{}", self.service.module, self.ty.structs[0].name)
    }

    /// The path of one of the type's own items: `ec2::vpc::Ipv4Block`.
    pub fn item_path(&self, item: &str) -> String {
        format!("{}::{}::{item}", self.service.module, self.ty.module)
    }
}

impl TypeIndex {
    /// The model built from the embedded schemas, once per process.
    pub fn get() -> Result<&'static TypeIndex, ImportError> {
        static INDEX: OnceLock<Result<TypeIndex, String>> = OnceLock::new();
        INDEX
            .get_or_init(|| {
                let bundle =
                    hagen_codegen::bundle::from_bytes(MANIFEST_TEXT.as_bytes(), RESOURCES, DOCS)
                        .map_err(|e| e.to_string())?;
                let catalog = hagen_codegen::model::build(&bundle);
                let mut by_name = HashMap::new();
                for (s, service) in catalog.services.iter().enumerate() {
                    for (t, ty) in service.types.iter().enumerate() {
                        by_name.insert(ty.type_name.clone(), (s, t));
                    }
                }
                Ok(TypeIndex { catalog, by_name })
            })
            .as_ref()
            .map_err(|e| ImportError::Schemas(e.clone()))
    }

    /// The type named `type_name`, when the vendored schemas have it.
    pub fn find(&self, type_name: &str) -> Option<TypeRef<'_>> {
        let (s, t) = *self.by_name.get(type_name)?;
        let service = &self.catalog.services[s];
        Some(TypeRef {
            service,
            ty: &service.types[t],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_out_as_the_generated_code_spells_them() {
        let index = TypeIndex::get().expect("embedded schemas load");
        let bucket = index
            .find("AWS::S3::Bucket")
            .expect("S3 bucket is vendored");
        assert_eq!(bucket.resource_path(), "s3::Bucket");
        assert_eq!(
            bucket.item_path("VersioningConfiguration"),
            "s3::bucket::VersioningConfiguration"
        );
        assert_eq!(bucket.service.feature, "s3");
        assert!(index.find("AWS::S3::Buckett").is_none());
    }
}
