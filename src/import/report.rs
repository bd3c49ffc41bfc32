//! What an import did: how many resources and types, which resources or
//! properties stayed untyped and why. The CLI prints it; the closing
//! summary of `hagen import` and its `--format json` come from here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::template::Template;

/// A resource kept raw, or a property kept untyped, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fallback {
    /// The resource's logical ID.
    pub id: String,
    /// The resource type (raw resources) or the property (overrides).
    pub what: String,
    /// Why the typed API could not hold it.
    pub why: String,
}

/// The outcome of writing one blueprint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Resources in the template.
    pub resources: usize,
    /// Resource types in the template, with how many of each.
    pub types: BTreeMap<String, usize>,
    /// Resources written through their typed L1 type.
    pub typed_resources: usize,
    /// Resources kept raw (`RawResource`), with why.
    pub raw: Vec<Fallback>,
    /// Properties of typed resources set as property overrides, with why.
    pub overrides: Vec<Fallback>,
    /// Construct calls that replaced groups of resources
    /// (`Vpc "Network" (27 resources)`), with `--constructs`.
    pub constructs: Vec<String>,
    /// Findings of the input that only hagen's strict checks refuse
    /// (`HG507 x6`): the blueprint turns strict checks off and says so.
    pub strict_findings: Option<String>,
    #[serde(skip)]
    typed_types: BTreeSet<String>,
}

impl ImportReport {
    /// The counts of a template, before anything is written.
    pub fn new(template: &Template) -> Self {
        let mut types = BTreeMap::new();
        for r in template.resources.values() {
            *types.entry(r.resource_type.clone()).or_insert(0) += 1;
        }
        ImportReport {
            resources: template.resources.len(),
            types,
            ..ImportReport::default()
        }
    }

    /// Records a resource of `type_name` written typed.
    pub fn typed(&mut self, type_name: &str) {
        self.typed_resources += 1;
        self.typed_types.insert(type_name.to_owned());
    }

    /// Whether some resource of `type_name` was written typed.
    pub fn is_typed(&self, type_name: &str) -> bool {
        self.typed_types.contains(type_name)
    }
}
