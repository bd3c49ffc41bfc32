//! The CloudFormation template document: its sections and the entries in
//! them, as plain data.
//!
//! This module owns the structure of a template and its conversion to the
//! canonical [`Expr`] tree (sections in CloudFormation's usual order). It does
//! not check the template (that is `crate::validate`) and does not format text.

use indexmap::IndexMap;

use super::expr::Expr;

/// The template format version hagen writes.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// A whole CloudFormation template.
///
/// Blueprints build it through `crate::stack::Stack`; `hagen validate` reads
/// it from files written by anyone. Maps keep insertion order, which makes the
/// output deterministic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    /// `AWSTemplateFormatVersion`, normally `2010-09-09`.
    pub format_version: Option<String>,
    /// `Description` (at most 1,024 bytes).
    pub description: Option<String>,
    /// Top-level `Metadata`.
    pub metadata: IndexMap<String, Expr>,
    /// `Transform` (macros such as `AWS::Serverless-2016-10-31`), kept as written.
    pub transform: Option<Expr>,
    /// `Parameters`, by name.
    pub parameters: IndexMap<String, Parameter>,
    /// `Rules`, kept as written.
    pub rules: IndexMap<String, Expr>,
    /// `Mappings`: map name to top-level key to second-level key to value.
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Expr>>>,
    /// `Conditions`, by name; each is a condition function.
    pub conditions: IndexMap<String, Expr>,
    /// `Hooks`, by logical ID, kept as written: the stack-operation hooks
    /// a transform runs, such as `AWS::CodeDeploy::BlueGreen` for ECS
    /// blue/green deployments (with `Transform: AWS::CodeDeployBlueGreen`).
    pub hooks: IndexMap<String, Expr>,
    /// `Resources`, by logical ID.
    pub resources: IndexMap<String, Resource>,
    /// `Outputs`, by logical ID.
    pub outputs: IndexMap<String, Output>,
}

/// A stack parameter: a value only known at deploy time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parameter {
    /// `Type`, such as `String`, `Number`, `AWS::EC2::Image::Id`.
    pub param_type: String,
    /// `Description` shown in the console and by `hagen deploy`.
    pub description: Option<String>,
    /// `Default`.
    pub default: Option<Expr>,
    /// `AllowedValues`.
    pub allowed_values: Vec<Expr>,
    /// `AllowedPattern` (a Java regular expression, whole-value match).
    pub allowed_pattern: Option<String>,
    /// `MinLength`.
    pub min_length: Option<i64>,
    /// `MaxLength`.
    pub max_length: Option<i64>,
    /// `MinValue`.
    pub min_value: Option<f64>,
    /// `MaxValue`.
    pub max_value: Option<f64>,
    /// `NoEcho`: mask the value in the console and API answers.
    pub no_echo: bool,
    /// `ConstraintDescription`: what the user sees when a constraint fails.
    pub constraint_description: Option<String>,
}

/// `DeletionPolicy` / `UpdateReplacePolicy`: what happens to the old physical
/// resource when it is deleted or replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionPolicy {
    /// Delete it (CloudFormation's default for most types).
    Delete,
    /// Keep it, outside the stack.
    Retain,
    /// Keep it when the create that made it fails, delete it otherwise.
    RetainExceptOnCreate,
    /// Take a final snapshot, then delete (databases, volumes, caches).
    Snapshot,
}

impl RetentionPolicy {
    /// The name CloudFormation uses.
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionPolicy::Delete => "Delete",
            RetentionPolicy::Retain => "Retain",
            RetentionPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            RetentionPolicy::Snapshot => "Snapshot",
        }
    }

    /// Parses CloudFormation's name for a policy.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Delete" => RetentionPolicy::Delete,
            "Retain" => RetentionPolicy::Retain,
            "RetainExceptOnCreate" => RetentionPolicy::RetainExceptOnCreate,
            "Snapshot" => RetentionPolicy::Snapshot,
            _ => return None,
        })
    }
}

/// One resource: its type, properties and resource attributes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    /// `Type`, such as `AWS::EC2::VPC`.
    pub resource_type: String,
    /// `Condition`: the resource exists only when the condition is true.
    pub condition: Option<String>,
    /// `DependsOn`: explicit creation-order dependencies.
    pub depends_on: Vec<String>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<RetentionPolicy>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<RetentionPolicy>,
    /// `CreationPolicy` (resource signals).
    pub creation_policy: Option<Expr>,
    /// `UpdatePolicy` (Auto Scaling rolling updates and the like).
    pub update_policy: Option<Expr>,
    /// `Metadata` (also where checker suppressions live).
    pub metadata: IndexMap<String, Expr>,
    /// `Properties`.
    pub properties: IndexMap<String, Expr>,
}

/// A stack output, optionally exported for other stacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// `Description`.
    pub description: Option<String>,
    /// `Value`.
    pub value: Expr,
    /// `Export.Name`, when the output is exported.
    pub export_name: Option<Expr>,
    /// `Condition`: the output exists only when the condition is true.
    pub condition: Option<String>,
}

fn put(map: &mut IndexMap<String, Expr>, key: &str, value: Expr) {
    map.insert(key.to_owned(), value);
}

impl Parameter {
    /// The parameter's declaration as a template map, keys in the usual order.
    pub fn to_expr(&self) -> Expr {
        let mut m = IndexMap::new();
        put(&mut m, "Type", Expr::string(&self.param_type));
        if let Some(d) = &self.description {
            put(&mut m, "Description", Expr::string(d));
        }
        if let Some(d) = &self.default {
            put(&mut m, "Default", d.clone());
        }
        if !self.allowed_values.is_empty() {
            put(
                &mut m,
                "AllowedValues",
                Expr::List(self.allowed_values.clone()),
            );
        }
        if let Some(p) = &self.allowed_pattern {
            put(&mut m, "AllowedPattern", Expr::string(p));
        }
        if let Some(n) = self.min_length {
            put(&mut m, "MinLength", Expr::Int(n));
        }
        if let Some(n) = self.max_length {
            put(&mut m, "MaxLength", Expr::Int(n));
        }
        if let Some(n) = self.min_value {
            put(&mut m, "MinValue", number(n));
        }
        if let Some(n) = self.max_value {
            put(&mut m, "MaxValue", number(n));
        }
        if self.no_echo {
            put(&mut m, "NoEcho", Expr::Bool(true));
        }
        if let Some(c) = &self.constraint_description {
            put(&mut m, "ConstraintDescription", Expr::string(c));
        }
        Expr::Map(m)
    }
}

/// Whole numbers are written without a fraction (`MinValue: 1`, not `1.0`).
fn number(n: f64) -> Expr {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Expr::Int(n as i64)
    } else {
        Expr::Float(n)
    }
}

impl Resource {
    /// A resource of this type with no properties or attributes yet.
    pub fn new(resource_type: impl Into<String>) -> Self {
        Resource {
            resource_type: resource_type.into(),
            ..Resource::default()
        }
    }

    /// The resource's declaration as a template map, keys in the usual order.
    pub fn to_expr(&self) -> Expr {
        let mut m = IndexMap::new();
        put(&mut m, "Type", Expr::string(&self.resource_type));
        if let Some(c) = &self.condition {
            put(&mut m, "Condition", Expr::string(c));
        }
        match self.depends_on.as_slice() {
            [] => {}
            [one] => put(&mut m, "DependsOn", Expr::string(one)),
            many => put(
                &mut m,
                "DependsOn",
                Expr::List(many.iter().map(Expr::string).collect()),
            ),
        }
        if !self.metadata.is_empty() {
            put(&mut m, "Metadata", Expr::Map(self.metadata.clone()));
        }
        if let Some(p) = self.deletion_policy {
            put(&mut m, "DeletionPolicy", Expr::string(p.as_str()));
        }
        if let Some(p) = self.update_replace_policy {
            put(&mut m, "UpdateReplacePolicy", Expr::string(p.as_str()));
        }
        if let Some(p) = &self.creation_policy {
            put(&mut m, "CreationPolicy", p.clone());
        }
        if let Some(p) = &self.update_policy {
            put(&mut m, "UpdatePolicy", p.clone());
        }
        if !self.properties.is_empty() {
            put(&mut m, "Properties", Expr::Map(self.properties.clone()));
        }
        Expr::Map(m)
    }
}

impl Output {
    /// The output's declaration as a template map.
    pub fn to_expr(&self) -> Expr {
        let mut m = IndexMap::new();
        if let Some(d) = &self.description {
            put(&mut m, "Description", Expr::string(d));
        }
        if let Some(c) = &self.condition {
            put(&mut m, "Condition", Expr::string(c));
        }
        put(&mut m, "Value", self.value.clone());
        if let Some(name) = &self.export_name {
            let mut export = IndexMap::new();
            put(&mut export, "Name", name.clone());
            put(&mut m, "Export", Expr::Map(export));
        }
        Expr::Map(m)
    }
}

impl Template {
    /// The whole template as one map, sections in CloudFormation's usual
    /// order: AWSTemplateFormatVersion, Description, Metadata, Transform,
    /// Parameters, Rules, Mappings, Conditions, Hooks, Resources, Outputs.
    /// Empty sections are left out.
    pub fn to_expr(&self) -> Expr {
        let mut m = IndexMap::new();
        if let Some(v) = &self.format_version {
            put(&mut m, "AWSTemplateFormatVersion", Expr::string(v));
        }
        if let Some(d) = &self.description {
            put(&mut m, "Description", Expr::string(d));
        }
        if !self.metadata.is_empty() {
            put(&mut m, "Metadata", Expr::Map(self.metadata.clone()));
        }
        if let Some(t) = &self.transform {
            put(&mut m, "Transform", t.clone());
        }
        if !self.parameters.is_empty() {
            let params = self
                .parameters
                .iter()
                .map(|(k, p)| (k.clone(), p.to_expr()))
                .collect();
            put(&mut m, "Parameters", Expr::Map(params));
        }
        if !self.rules.is_empty() {
            put(&mut m, "Rules", Expr::Map(self.rules.clone()));
        }
        if !self.mappings.is_empty() {
            let maps = self
                .mappings
                .iter()
                .map(|(name, top)| {
                    let top = top
                        .iter()
                        .map(|(k, second)| (k.clone(), Expr::Map(second.clone())))
                        .collect();
                    (name.clone(), Expr::Map(top))
                })
                .collect();
            put(&mut m, "Mappings", Expr::Map(maps));
        }
        if !self.conditions.is_empty() {
            put(&mut m, "Conditions", Expr::Map(self.conditions.clone()));
        }
        if !self.hooks.is_empty() {
            put(&mut m, "Hooks", Expr::Map(self.hooks.clone()));
        }
        let resources = self
            .resources
            .iter()
            .map(|(k, r)| (k.clone(), r.to_expr()))
            .collect();
        put(&mut m, "Resources", Expr::Map(resources));
        if !self.outputs.is_empty() {
            let outputs = self
                .outputs
                .iter()
                .map(|(k, o)| (k.clone(), o.to_expr()))
                .collect();
            put(&mut m, "Outputs", Expr::Map(outputs));
        }
        Expr::Map(m)
    }

    /// Serialises the template as idiomatic CloudFormation YAML.
    pub fn to_yaml(&self) -> String {
        super::yaml::to_yaml(&self.to_expr())
    }

    /// Serialises the template as pretty-printed JSON (long-form intrinsics).
    pub fn to_json(&self) -> String {
        super::json::to_json(&self.to_expr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_come_in_cloudformation_order_whatever_was_filled_first() {
        let mut t = Template::default();
        t.resources
            .insert("Topic".into(), Resource::new("AWS::SNS::Topic"));
        t.description = Some("d".into());
        t.format_version = Some(FORMAT_VERSION.into());
        t.parameters.insert(
            "P".into(),
            Parameter {
                param_type: "String".into(),
                ..Parameter::default()
            },
        );
        let Expr::Map(m) = t.to_expr() else {
            panic!("template is a map")
        };
        let keys: Vec<_> = m.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "AWSTemplateFormatVersion",
                "Description",
                "Parameters",
                "Resources"
            ]
        );
    }

    #[test]
    fn a_single_dependency_is_written_as_a_string() {
        let mut r = Resource::new("AWS::EC2::Route");
        r.depends_on.push("Attach".into());
        let Expr::Map(m) = r.to_expr() else {
            panic!("resource is a map")
        };
        assert_eq!(m["DependsOn"], Expr::string("Attach"));
    }

    #[test]
    fn whole_number_constraints_print_without_fraction() {
        assert_eq!(number(3.0), Expr::Int(3));
        assert_eq!(number(0.5), Expr::Float(0.5));
    }
}
