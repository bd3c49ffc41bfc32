//! The stack builder blueprints and constructs write into: it hands out typed
//! handles, checks logical IDs as they are added, applies stack-wide tags and
//! finally yields the [`Template`].
//!
//! Owns identity (logical IDs, their uniqueness) and tagging. It does not
//! validate properties; that is `crate::validate`.

use indexmap::IndexMap;

use crate::error::SynthError;
use crate::resources::{CfnResource, Tag};
use crate::template::{
    Expr, FORMAT_VERSION, Handle, Intrinsic, Output, Parameter, Resource, RetentionPolicy, Template,
};

/// Longest logical ID CloudFormation accepts.
pub const MAX_LOGICAL_ID_LEN: usize = 255;

/// Checks a logical ID against CloudFormation's rule: 1 to 255 ASCII letters
/// and digits.
pub fn check_logical_id(id: &str, section: &'static str) -> Result<(), SynthError> {
    let reason = if id.is_empty() {
        "it is empty".to_string()
    } else if id.len() > MAX_LOGICAL_ID_LEN {
        format!("it is {} characters long", id.len())
    } else if let Some(c) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        format!("{c:?} is not a letter or digit")
    } else {
        return Ok(());
    };
    Err(SynthError::InvalidLogicalId {
        id: id.to_owned(),
        section,
        reason,
    })
}

/// Resource attributes other than properties: dependencies, policies,
/// metadata and a condition.
#[derive(Debug, Clone, Default)]
pub struct Attributes {
    condition: Option<String>,
    depends_on: Vec<String>,
    deletion_policy: Option<RetentionPolicy>,
    update_replace_policy: Option<RetentionPolicy>,
    creation_policy: Option<Expr>,
    update_policy: Option<Expr>,
    metadata: IndexMap<String, Expr>,
}

impl Attributes {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Condition`: create the resource only when the named condition holds.
    pub fn condition(mut self, name: &ConditionName) -> Self {
        self.condition = Some(name.0.clone());
        self
    }

    /// `DependsOn` another resource.
    pub fn depends_on<R>(mut self, other: &Handle<R>) -> Self {
        self.depends_on.push(other.logical_id().to_owned());
        self
    }

    /// `DeletionPolicy`.
    pub fn deletion_policy(mut self, policy: RetentionPolicy) -> Self {
        self.deletion_policy = Some(policy);
        self
    }

    /// `UpdateReplacePolicy`.
    pub fn update_replace_policy(mut self, policy: RetentionPolicy) -> Self {
        self.update_replace_policy = Some(policy);
        self
    }

    /// `CreationPolicy`.
    pub fn creation_policy(mut self, policy: Expr) -> Self {
        self.creation_policy = Some(policy);
        self
    }

    /// `UpdatePolicy`.
    pub fn update_policy(mut self, policy: Expr) -> Self {
        self.update_policy = Some(policy);
        self
    }

    /// One `Metadata` entry.
    pub fn metadata(mut self, key: impl Into<String>, value: Expr) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }
}

/// A typed handle to a stack parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamHandle(String);

impl ParamHandle {
    /// The parameter's name.
    pub fn name(&self) -> &str {
        &self.0
    }

    /// `Ref` to the parameter's value.
    pub fn reference(&self) -> Intrinsic {
        Intrinsic::Ref(self.0.clone())
    }
}

/// The name of a declared condition, for `Attributes::condition` and `Fn::If`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionName(String);

impl ConditionName {
    /// The condition's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// A safe default that a blueprint or construct overrode on purpose (a
/// single NAT gateway, an admin port open wider than advised, ...). The CLI
/// prints each one, so an override is never silent.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The construct that was told to do it (`Vpc "Network"`).
    pub construct: String,
    /// What was overridden and what it costs.
    pub message: String,
}

/// A template under construction.
#[derive(Debug, Clone)]
pub struct Stack {
    template: Template,
    tags: Vec<Tag>,
    overrides: Vec<Override>,
}

impl Stack {
    /// An empty stack with a description.
    pub fn new(description: impl Into<String>) -> Self {
        Stack {
            template: Template {
                format_version: Some(FORMAT_VERSION.to_owned()),
                description: Some(description.into()),
                ..Template::default()
            },
            tags: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// Records that a safe default was overridden, so the CLI can say so.
    pub fn record_override(&mut self, construct: impl Into<String>, message: impl Into<String>) {
        self.overrides.push(Override {
            construct: construct.into(),
            message: message.into(),
        });
    }

    /// Every safe default overridden while building the stack, in order.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// Adds a tag to every taggable resource added from now on (resources
    /// added before keep their tags, so set stack tags first).
    pub fn tag(&mut self, key: &str, value: impl Into<crate::template::Value<String>>) {
        self.tags.push(Tag::pair(key, value));
    }

    /// The stack-wide tags, for constructs that tag things in their own format.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    fn check_ref_namespace(&self, id: &str, section: &'static str) -> Result<(), SynthError> {
        check_logical_id(id, section)?;
        if self.template.resources.contains_key(id) {
            return Err(SynthError::DuplicateLogicalId {
                id: id.to_owned(),
                section: "Resources",
            });
        }
        if self.template.parameters.contains_key(id) {
            return Err(SynthError::DuplicateLogicalId {
                id: id.to_owned(),
                section: "Parameters",
            });
        }
        Ok(())
    }

    /// Declares a parameter.
    pub fn parameter(&mut self, name: &str, param: Parameter) -> Result<ParamHandle, SynthError> {
        self.check_ref_namespace(name, "Parameters")?;
        self.template.parameters.insert(name.to_owned(), param);
        Ok(ParamHandle(name.to_owned()))
    }

    /// Declares a condition.
    pub fn condition(
        &mut self,
        name: &str,
        condition: Intrinsic,
    ) -> Result<ConditionName, SynthError> {
        check_logical_id(name, "Conditions")?;
        if self.template.conditions.contains_key(name) {
            return Err(SynthError::DuplicateLogicalId {
                id: name.to_owned(),
                section: "Conditions",
            });
        }
        self.template
            .conditions
            .insert(name.to_owned(), Expr::func(condition));
        Ok(ConditionName(name.to_owned()))
    }

    /// Declares a mapping (name, top-level key, second-level key, value).
    pub fn mapping(
        &mut self,
        name: &str,
        entries: IndexMap<String, IndexMap<String, Expr>>,
    ) -> Result<(), SynthError> {
        check_logical_id(name, "Mappings")?;
        if self.template.mappings.contains_key(name) {
            return Err(SynthError::DuplicateLogicalId {
                id: name.to_owned(),
                section: "Mappings",
            });
        }
        self.template.mappings.insert(name.to_owned(), entries);
        Ok(())
    }

    /// Adds a resource with no extra attributes.
    pub fn add<R: CfnResource>(&mut self, id: &str, resource: R) -> Result<Handle<R>, SynthError> {
        self.add_with(id, resource, Attributes::new())
    }

    /// Adds a resource with attributes (policies, dependencies, metadata).
    pub fn add_with<R: CfnResource>(
        &mut self,
        id: &str,
        mut resource: R,
        attributes: Attributes,
    ) -> Result<Handle<R>, SynthError> {
        self.check_ref_namespace(id, "Resources")?;
        resource.apply_tags(&self.tags);
        let entry = Resource {
            resource_type: R::TYPE.to_owned(),
            condition: attributes.condition,
            depends_on: attributes.depends_on,
            deletion_policy: attributes.deletion_policy,
            update_replace_policy: attributes.update_replace_policy,
            creation_policy: attributes.creation_policy,
            update_policy: attributes.update_policy,
            metadata: attributes.metadata,
            properties: resource.properties(),
        };
        self.template.resources.insert(id.to_owned(), entry);
        Ok(Handle::new(id))
    }

    /// The resource added under `id`, to adjust it after the fact (for
    /// example to add a suppression to its metadata).
    pub fn resource_mut(&mut self, id: &str) -> Option<&mut Resource> {
        self.template.resources.get_mut(id)
    }

    /// Declares an output.
    pub fn output(&mut self, id: &str, output: Output) -> Result<(), SynthError> {
        check_logical_id(id, "Outputs")?;
        if self.template.outputs.contains_key(id) {
            return Err(SynthError::DuplicateLogicalId {
                id: id.to_owned(),
                section: "Outputs",
            });
        }
        self.template.outputs.insert(id.to_owned(), output);
        Ok(())
    }

    /// The template as built so far.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Finishes the stack and returns its template.
    pub fn into_template(self) -> Template {
        self.template
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_must_be_alphanumeric_and_short() {
        assert!(check_logical_id("WebAsg1", "Resources").is_ok());
        assert!(check_logical_id("", "Resources").is_err());
        assert!(check_logical_id("web-asg", "Resources").is_err());
        assert!(check_logical_id(&"a".repeat(256), "Resources").is_err());
        assert!(check_logical_id(&"a".repeat(255), "Resources").is_ok());
    }

    #[test]
    fn a_parameter_and_a_resource_cannot_share_an_id() {
        let mut stack = Stack::new("t");
        stack
            .parameter(
                "Env",
                Parameter {
                    param_type: "String".into(),
                    ..Parameter::default()
                },
            )
            .expect("first declaration");
        let err = stack
            .output(
                "Env",
                Output {
                    description: None,
                    value: Expr::string("x"),
                    export_name: None,
                    condition: None,
                },
            )
            .map(|_| ());
        assert!(err.is_ok(), "outputs have their own namespace");
        let again = stack.parameter(
            "Env",
            Parameter {
                param_type: "String".into(),
                ..Parameter::default()
            },
        );
        assert_eq!(
            again,
            Err(SynthError::DuplicateLogicalId {
                id: "Env".into(),
                section: "Parameters"
            })
        );
    }
}
