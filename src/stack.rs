//! The stack builder blueprints and constructs write into: it hands out typed
//! handles, checks logical IDs as they are added, applies stack-wide tags and
//! finally yields the [`Template`].
//!
//! Owns identity (logical IDs, their uniqueness) and tagging. It does not
//! validate properties; that is `crate::validate`.

use std::any::Any;
use std::fmt::Debug;

use crate::deploy_monitors::{DeployMonitors, MAX_MONITORING_MINUTES, MAX_TRIGGERS};
use crate::error::SynthError;
use crate::resources::{CfnResource, Handle, Tag};
use crate::template::{
    Expr, FORMAT_VERSION, IndexMap, Intrinsic, Output, Parameter, Resource, RetentionPolicy,
    Template,
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
    pub fn depends_on<R: CfnResource>(mut self, other: &Handle<R>) -> Self {
        self.add_dependency(other);
        self
    }

    /// `DependsOn` a resource by its logical ID (constructs that store
    /// dependencies given to them as IDs).
    pub fn depends_on_logical_id(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        if !self.depends_on.contains(&id) {
            self.depends_on.push(id);
        }
        self
    }

    /// Adds a `DependsOn` (for a resource already in the stack, through
    /// [`Stack::attributes_mut`]); a dependency listed already is not
    /// repeated.
    pub fn add_dependency<R: CfnResource>(&mut self, other: &Handle<R>) {
        let id = other.logical_id();
        if !self.depends_on.iter().any(|d| d == id) {
            self.depends_on.push(id.to_owned());
        }
    }

    /// Sets one `Metadata` entry (for a resource already in the stack,
    /// through [`Stack::attributes_mut`]).
    pub fn set_metadata(&mut self, key: impl Into<String>, value: Expr) {
        self.metadata.insert(key.into(), value);
    }

    /// The `DependsOn` list so far.
    pub fn dependencies(&self) -> &[String] {
        &self.depends_on
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

/// A resource kept as its typed value until the template is written, so
/// that it can be read and changed after it was added.
trait StoredResource: Debug {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn type_name(&self) -> String;
    fn properties(&self) -> IndexMap<String, Expr>;
    fn clone_box(&self) -> Box<dyn StoredResource>;
}

impl<R: CfnResource> StoredResource for R {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn type_name(&self) -> String {
        self.resource_type().to_owned()
    }
    fn properties(&self) -> IndexMap<String, Expr> {
        CfnResource::properties(self)
    }
    fn clone_box(&self) -> Box<dyn StoredResource> {
        Box::new(self.clone())
    }
}

/// One step of a property override's path: a key of a map, or an index
/// into a list.
#[derive(Debug, Clone, PartialEq)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// A property set or removed by path after the typed value is serialised
/// (CDK's `addPropertyOverride`), for what the typed API cannot say.
#[derive(Debug, Clone, PartialEq)]
struct PropertyOverride {
    path: String,
    steps: Vec<PathStep>,
    /// `None` removes the property.
    value: Option<Expr>,
}

/// A resource in the stack: its typed value, its attributes and overrides.
#[derive(Debug)]
struct Entry {
    resource: Box<dyn StoredResource>,
    attributes: Attributes,
    overrides: Vec<PropertyOverride>,
}

impl Clone for Entry {
    fn clone(&self) -> Self {
        Entry {
            resource: self.resource.clone_box(),
            attributes: self.attributes.clone(),
            overrides: self.overrides.clone(),
        }
    }
}

/// The resource types a deploy can be watched by: CloudWatch alarms and
/// composite alarms, the only rollback triggers CloudFormation accepts. A
/// handle of any other type cannot be passed to
/// [`Stack::monitor_deploys`], so the mistake is caught by the compiler.
pub trait DeployMonitorAlarm: CfnResource {}

#[cfg(feature = "cloudwatch")]
impl DeployMonitorAlarm for crate::resources::cloudwatch::Alarm {}
#[cfg(feature = "cloudwatch")]
impl DeployMonitorAlarm for crate::resources::cloudwatch::CompositeAlarm {}

/// A template under construction.
///
/// Resources are kept as their typed values until the template is taken
/// ([`Stack::into_template`]), so a handle gives its resource back for
/// changes ([`Stack::get_mut`]) and property overrides apply to the final
/// properties:
///
/// ```
/// use hagen::resources::sns::Topic;
/// use hagen::stack::Stack;
///
/// let mut stack = Stack::new("Alerts");
/// let topic = stack.add("Alerts", Topic::new())?;
/// // Change the typed resource later, through its handle.
/// stack.get_mut(&topic)?.display_name = Some("Ops alerts".into());
/// // Or set what the typed API cannot express, by path.
/// stack.add_property_override(&topic, "ArchivePolicy.MessageRetentionPeriod", 30)?;
/// let template = stack.into_template()?;
/// let props = &template.resources["Alerts"].properties;
/// assert!(props.contains_key("DisplayName") && props.contains_key("ArchivePolicy"));
/// # Ok::<(), hagen::error::SynthError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Stack {
    template: Template,
    entries: IndexMap<String, Entry>,
    tags: Vec<Tag>,
    overrides: Vec<Override>,
    deploy_monitors: DeployMonitors,
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
            entries: IndexMap::new(),
            tags: Vec::new(),
            overrides: Vec::new(),
            deploy_monitors: DeployMonitors::default(),
        }
    }

    /// Marks an alarm of this stack as a deploy monitor: `hagen deploy`
    /// passes it to CloudFormation as a rollback trigger, so an update that
    /// drives it into ALARM (while it runs, or within the monitoring time
    /// after) rolls back by itself. The mark is written into the template's
    /// `Metadata` (`hagen: {DeployMonitors: {Alarms: [...]}}`), so a
    /// template deployed with `hagen deploy --template` keeps it.
    ///
    /// CloudFormation takes at most five triggers; a sixth is refused here.
    /// Marking the same alarm twice marks it once.
    ///
    /// ```
    /// use hagen::resources::cloudwatch::Alarm;
    /// use hagen::stack::Stack;
    ///
    /// let mut stack = Stack::new("Web");
    /// let errors = stack.add(
    ///     "Errors",
    ///     Alarm::new()
    ///         .namespace("AWS/ApplicationELB")
    ///         .metric_name("HTTPCode_Target_5XX_Count")
    ///         .period(60)
    ///         .evaluation_periods(1)
    ///         .threshold(5.0),
    /// )?;
    /// stack.monitor_deploys(&errors)?;
    /// stack.deploy_monitoring_minutes(10)?;
    /// let template = stack.into_template()?;
    /// let marks = hagen::deploy_monitors::DeployMonitors::read(&template)
    ///     .expect("well formed")
    ///     .expect("marked");
    /// assert_eq!(marks.alarms, ["Errors"]);
    /// assert_eq!(marks.monitoring_minutes, Some(10));
    /// # Ok::<(), hagen::error::SynthError>(())
    /// ```
    pub fn monitor_deploys<R: DeployMonitorAlarm>(
        &mut self,
        alarm: &Handle<R>,
    ) -> Result<(), SynthError> {
        self.get(alarm)?;
        let id = alarm.logical_id().to_owned();
        if self.deploy_monitors.alarms.contains(&id) {
            return Ok(());
        }
        if self.deploy_monitors.alarms.len() >= MAX_TRIGGERS {
            return Err(SynthError::InvalidResource {
                id,
                message: format!(
                    "cannot be a deploy monitor: {} alarms already are, and CloudFormation takes at most {MAX_TRIGGERS} rollback triggers ({})",
                    self.deploy_monitors.alarms.len(),
                    self.deploy_monitors.alarms.join(", ")
                ),
            });
        }
        self.deploy_monitors.alarms.push(id);
        Ok(())
    }

    /// How long the deploy monitors keep watching after CloudFormation has
    /// deployed every resource, in minutes (0 to 180; without it, only
    /// during the operation). Old resources of an update are cleaned up
    /// only after this time, so a rollback in it is still quick.
    pub fn deploy_monitoring_minutes(&mut self, minutes: u32) -> Result<(), SynthError> {
        if minutes > MAX_MONITORING_MINUTES {
            return Err(SynthError::props(
                "deploy monitoring time",
                format!(
                    "{minutes} minutes is over CloudFormation's limit of {MAX_MONITORING_MINUTES}"
                ),
            ));
        }
        self.deploy_monitors.monitoring_minutes = Some(minutes);
        Ok(())
    }

    /// The deploy monitors marked so far.
    pub fn deploy_monitors(&self) -> &DeployMonitors {
        &self.deploy_monitors
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
        self.tags.push(Tag::new(key, value));
    }

    /// The stack-wide tags, for constructs that tag things in their own format.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    fn check_ref_namespace(&self, id: &str, section: &'static str) -> Result<(), SynthError> {
        check_logical_id(id, section)?;
        if self.entries.contains_key(id) {
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

    /// Whether a resource or parameter already uses `id` (constructs check
    /// before they pick a derived ID).
    pub fn contains(&self, id: &str) -> bool {
        self.entries.contains_key(id) || self.template.parameters.contains_key(id)
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

    /// Replaces the template's `Description` (`None` leaves it out), for a
    /// blueprint that must reproduce a template exactly, such as one
    /// `hagen import` wrote.
    pub fn set_description(&mut self, description: Option<String>) {
        self.template.description = description;
    }

    /// Replaces the template's `AWSTemplateFormatVersion` (`None` leaves it
    /// out; [`Stack::new`] sets `2010-09-09`), for the same reason as
    /// [`Stack::set_description`].
    pub fn set_format_version(&mut self, version: Option<String>) {
        self.template.format_version = version;
    }

    /// Sets the template's `Transform` (a macro name, or a list of them),
    /// which CloudFormation runs on the template before anything else.
    pub fn set_transform(&mut self, transform: impl Into<Expr>) {
        self.template.transform = Some(transform.into());
    }

    /// Sets one key of the template's own `Metadata` (cfn-lint settings,
    /// `AWS::CloudFormation::Interface` parameter groups, ...).
    pub fn set_metadata(&mut self, key: impl Into<String>, value: impl Into<Expr>) {
        self.template.metadata.insert(key.into(), value.into());
    }

    /// Declares a hook of the template's `Hooks` section (blue/green ECS
    /// deployments): its body as written.
    pub fn hook(&mut self, name: &str, hook: Expr) -> Result<(), SynthError> {
        check_logical_id(name, "Hooks")?;
        if self.template.hooks.contains_key(name) {
            return Err(SynthError::DuplicateLogicalId {
                id: name.to_owned(),
                section: "Hooks",
            });
        }
        self.template.hooks.insert(name.to_owned(), hook);
        Ok(())
    }

    /// Declares a template rule (`Rules`): assertions CloudFormation
    /// checks on the parameters before it creates or updates anything, such
    /// as "this stack deploys only in us-east-1". `rule` is the rule's body
    /// (`RuleCondition` and `Assertions`).
    pub fn rule(&mut self, name: &str, rule: Expr) -> Result<(), SynthError> {
        check_logical_id(name, "Rules")?;
        if self.template.rules.contains_key(name) {
            return Err(SynthError::DuplicateLogicalId {
                id: name.to_owned(),
                section: "Rules",
            });
        }
        self.template.rules.insert(name.to_owned(), rule);
        Ok(())
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

    /// Adds a resource with no extra attributes and returns its handle.
    pub fn add<R: CfnResource>(&mut self, id: &str, resource: R) -> Result<Handle<R>, SynthError> {
        self.add_with(id, resource, Attributes::new())
    }

    /// Adds a resource with attributes (policies, dependencies, metadata).
    /// The stack tags set so far are applied now, in the type's own format.
    pub fn add_with<R: CfnResource>(
        &mut self,
        id: &str,
        mut resource: R,
        attributes: Attributes,
    ) -> Result<Handle<R>, SynthError> {
        self.check_ref_namespace(id, "Resources")?;
        resource
            .check()
            .map_err(|message| SynthError::InvalidResource {
                id: id.to_owned(),
                message,
            })?;
        resource.apply_tags(&self.tags);
        self.entries.insert(
            id.to_owned(),
            Entry {
                resource: Box::new(resource),
                attributes,
                overrides: Vec::new(),
            },
        );
        Ok(Handle::new(id))
    }

    fn entry<R: CfnResource>(&self, handle: &Handle<R>) -> Result<&Entry, SynthError> {
        match self.entries.get(handle.logical_id()) {
            Some(e) if e.resource.as_any().is::<R>() => Ok(e),
            found => Err(self.unknown::<R>(handle, found)),
        }
    }

    fn entry_mut<R: CfnResource>(&mut self, handle: &Handle<R>) -> Result<&mut Entry, SynthError> {
        let ok = self
            .entries
            .get(handle.logical_id())
            .is_some_and(|e| e.resource.as_any().is::<R>());
        if !ok {
            return Err(self.unknown::<R>(handle, self.entries.get(handle.logical_id())));
        }
        self.entries
            .get_mut(handle.logical_id())
            .ok_or_else(|| unknown_type::<R>(handle))
    }

    fn unknown<R: CfnResource>(&self, handle: &Handle<R>, found: Option<&Entry>) -> SynthError {
        SynthError::UnknownResource {
            id: handle.logical_id().to_owned(),
            expected: short_type_name::<R>(),
            found: found.map_or_else(String::new, |e| {
                format!("; it holds a {}", e.resource.type_name())
            }),
        }
    }

    /// The typed resource a handle refers to.
    pub fn get<R: CfnResource>(&self, handle: &Handle<R>) -> Result<&R, SynthError> {
        let entry = self.entry(handle)?;
        entry
            .resource
            .as_any()
            .downcast_ref::<R>()
            .ok_or_else(|| unknown_type::<R>(handle))
    }

    /// The typed resource a handle refers to, to change it after it was
    /// added (stack tags already applied stay).
    pub fn get_mut<R: CfnResource>(&mut self, handle: &Handle<R>) -> Result<&mut R, SynthError> {
        let entry = self.entry_mut(handle)?;
        entry
            .resource
            .as_any_mut()
            .downcast_mut::<R>()
            .ok_or_else(|| unknown_type::<R>(handle))
    }

    /// The resource attributes (dependencies, policies, metadata, condition)
    /// of a resource already added.
    pub fn attributes_mut<R: CfnResource>(
        &mut self,
        handle: &Handle<R>,
    ) -> Result<&mut Attributes, SynthError> {
        Ok(&mut self.entry_mut(handle)?.attributes)
    }

    /// Sets a property by a dotted path (`VersioningConfiguration.Status`,
    /// `Tags.0.Value`; a number steps into a list) after the typed value is
    /// serialised, as CDK's `addPropertyOverride` does: for what the typed
    /// API cannot express. Missing maps on the way are created; stepping
    /// into a string or an intrinsic, or past the end of a list, is an
    /// error when the template is taken. `hagen synth` checks the result
    /// against the type's schema like any property.
    pub fn add_property_override<R: CfnResource>(
        &mut self,
        handle: &Handle<R>,
        path: &str,
        value: impl Into<Expr>,
    ) -> Result<(), SynthError> {
        let id = handle.logical_id().to_owned();
        let steps = parse_path(&id, path)?;
        self.entry_mut(handle)?.overrides.push(PropertyOverride {
            path: path.to_owned(),
            steps,
            value: Some(value.into()),
        });
        Ok(())
    }

    /// Removes a property by a dotted path after the typed value is
    /// serialised (CDK's `addPropertyDeletionOverride`). Removing what is
    /// not there is not an error.
    pub fn add_property_deletion_override<R: CfnResource>(
        &mut self,
        handle: &Handle<R>,
        path: &str,
    ) -> Result<(), SynthError> {
        let id = handle.logical_id().to_owned();
        let steps = parse_path(&id, path)?;
        self.entry_mut(handle)?.overrides.push(PropertyOverride {
            path: path.to_owned(),
            steps,
            value: None,
        });
        Ok(())
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

    /// The outputs declared so far (an app checks a repeated share
    /// against them).
    pub(crate) fn declared_outputs(&self) -> &indexmap::IndexMap<String, Output> {
        &self.template.outputs
    }

    /// The template as built so far.
    pub fn template(&self) -> Result<Template, SynthError> {
        self.clone().into_template()
    }

    /// Finishes the stack and returns its template: each resource's typed
    /// value serialised, then its property overrides applied in order.
    pub fn into_template(self) -> Result<Template, SynthError> {
        let mut template = self.template;
        self.deploy_monitors.write(&mut template);
        for (id, entry) in self.entries {
            let mut properties = entry.resource.properties();
            for o in &entry.overrides {
                apply_override(&mut properties, o).map_err(|message| {
                    SynthError::PropertyOverride {
                        id: id.clone(),
                        path: o.path.clone(),
                        message,
                    }
                })?;
            }
            let a = entry.attributes;
            template.resources.insert(
                id,
                Resource {
                    resource_type: entry.resource.type_name(),
                    condition: a.condition,
                    depends_on: a.depends_on,
                    deletion_policy: a.deletion_policy,
                    update_replace_policy: a.update_replace_policy,
                    creation_policy: a.creation_policy,
                    update_policy: a.update_policy,
                    metadata: a.metadata,
                    properties,
                },
            );
        }
        Ok(template)
    }
}

/// The Rust type's own name (`Subnet`), for messages.
fn short_type_name<R>() -> String {
    let full = std::any::type_name::<R>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base).to_owned()
}

fn unknown_type<R: CfnResource>(handle: &Handle<R>) -> SynthError {
    SynthError::UnknownResource {
        id: handle.logical_id().to_owned(),
        expected: short_type_name::<R>(),
        found: String::new(),
    }
}

/// The steps of a dotted override path.
fn parse_path(id: &str, path: &str) -> Result<Vec<PathStep>, SynthError> {
    let bad = |message: &str| SynthError::PropertyOverride {
        id: id.to_owned(),
        path: path.to_owned(),
        message: message.to_owned(),
    };
    if path.is_empty() {
        return Err(bad(
            "the path is empty; name a property (`BucketName`, `Tags.0.Value`)",
        ));
    }
    let mut steps = Vec::new();
    for (i, part) in path.split('.').enumerate() {
        if part.is_empty() {
            return Err(bad(
                "a part of the path is empty (two dots, or a dot at an end)",
            ));
        }
        match part.parse::<usize>() {
            Ok(n) if i > 0 => steps.push(PathStep::Index(n)),
            Ok(_) => return Err(bad("a path starts with a property name, not a list index")),
            Err(_) => steps.push(PathStep::Key(part.to_owned())),
        }
    }
    Ok(steps)
}

/// What stands at a step that cannot be stepped into, in words.
fn describe(e: &Expr) -> &'static str {
    match e {
        Expr::Null => "null",
        Expr::Bool(_) => "a boolean",
        Expr::Int(_) | Expr::Float(_) => "a number",
        Expr::String(_) => "a string",
        Expr::List(_) => "a list",
        Expr::Map(_) => "a map",
        Expr::Fn(_) => "an intrinsic function",
    }
}

fn apply_override(
    properties: &mut IndexMap<String, Expr>,
    o: &PropertyOverride,
) -> Result<(), String> {
    let mut map_root = Expr::Map(std::mem::take(properties));
    let result = apply_steps(&mut map_root, &o.steps, o.value.as_ref());
    if let Expr::Map(m) = map_root {
        *properties = m;
    }
    result
}

fn apply_steps(node: &mut Expr, steps: &[PathStep], value: Option<&Expr>) -> Result<(), String> {
    let Some((step, rest)) = steps.split_first() else {
        return Ok(());
    };
    let last = rest.is_empty();
    match (node, step) {
        (Expr::Map(map), PathStep::Key(key)) => {
            if last {
                match value {
                    Some(v) => {
                        map.insert(key.clone(), v.clone());
                    }
                    None => {
                        map.shift_remove(key);
                    }
                }
                return Ok(());
            }
            if value.is_none() && !map.contains_key(key) {
                return Ok(());
            }
            let child = map
                .entry(key.clone())
                .or_insert_with(|| Expr::Map(IndexMap::new()));
            apply_steps(child, rest, value).map_err(|e| format!("{key}.{e}"))
        }
        (Expr::List(items), PathStep::Index(i)) => {
            let len = items.len();
            if *i >= len {
                if value.is_none() {
                    return Ok(());
                }
                return Err(format!(
                    "index {i} is past the end of a {len}-item list; override the whole list instead"
                ));
            }
            if last {
                match value {
                    Some(v) => items[*i] = v.clone(),
                    None => {
                        items.remove(*i);
                    }
                }
                return Ok(());
            }
            apply_steps(&mut items[*i], rest, value).map_err(|e| format!("{i}.{e}"))
        }
        (other, PathStep::Key(key)) => Err(format!(
            "`{key}` is inside {}, which has no keys; override the value that holds it instead",
            describe(other)
        )),
        (other, PathStep::Index(i)) => Err(format!(
            "`{i}` is an index, but the value there is {}; override the value that holds it instead",
            describe(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "cloudwatch")]
    #[test]
    fn deploy_monitors_are_marked_once_and_a_sixth_is_refused() {
        use crate::resources::cloudwatch::Alarm;
        let mut stack = Stack::new("t");
        let mut handles = Vec::new();
        for i in 0..6 {
            handles.push(stack.add(&format!("A{i}"), Alarm::new()).expect("added"));
        }
        for h in &handles[..5] {
            stack.monitor_deploys(h).expect("within the limit");
        }
        stack
            .monitor_deploys(&handles[0])
            .expect("marking again is a no-op");
        let e = stack.monitor_deploys(&handles[5]).expect_err("a sixth");
        assert!(e.to_string().contains("at most 5 rollback triggers"), "{e}");
        let e = stack.deploy_monitoring_minutes(181).expect_err("over 180");
        assert!(e.to_string().contains("limit of 180"), "{e}");
        let t = stack.into_template().expect("template");
        let marks = DeployMonitors::read(&t).expect("valid").expect("marked");
        assert_eq!(marks.alarms, ["A0", "A1", "A2", "A3", "A4"]);
        assert_eq!(marks.monitoring_minutes, None);
    }

    #[test]
    fn a_stack_without_monitors_writes_no_metadata() {
        let t = Stack::new("t").into_template().expect("template");
        assert!(t.metadata.is_empty());
    }

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
