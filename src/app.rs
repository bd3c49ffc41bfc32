//! Apps of several stacks: one blueprint, several CloudFormation stacks
//! (network, data, app...), deployed in the order their references need.
//!
//! Owns the stacks of an app, their CloudFormation names, the exports that
//! carry a value from one stack to another (`Outputs.X.Export` in the
//! producer, `Fn::ImportValue` in the consumer), the dependencies those
//! imports imply, and the deploy order. CloudFormation is the engine that
//! runs the stacks; hagen only wires them and orders them.
//!
//! Why exports, not SSM parameters: an export is checked by CloudFormation
//! itself (a stack cannot delete or change an export another stack
//! imports), so a bad order fails safely instead of leaving a stale value
//! behind, and it needs no extra resource or IAM permission. Export names
//! are `<producer stack name>:<logical ID>` (`:<attribute>` added for
//! `Fn::GetAtt`, its dots as `-`), stable as long as the producer's stack
//! name and the shared resource's logical ID are.

use indexmap::{IndexMap, IndexSet};

pub mod nested;

pub use nested::NestedStack;

use crate::error::SynthError;
use crate::stack::{Override, Stack};
use crate::template::{Expr, Intrinsic, Output, Template};

/// Longest CloudFormation stack name.
const MAX_STACK_NAME_LEN: usize = 128;

/// Longest export name CloudFormation accepts.
pub const MAX_EXPORT_NAME_LEN: usize = 255;

/// A stack of an [`App`], as returned by [`App::add`]: what
/// [`App::share`], [`App::stack_mut`] and [`App::depends_on`] take, so that
/// a typo in a stack's ID is a compile-time name, not a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StackRef {
    id: String,
    /// The app that made it ([`App::serial`]), so that a reference from
    /// another app is refused rather than read as this app's stack.
    app: u64,
}

impl StackRef {
    /// The stack's short ID in the app (`network`).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A nested stack of an [`App`], as returned by [`App::nest`]: what
/// [`App::nested_mut`] and [`App::nested_output`] take.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NestedRef {
    parent: String,
    logical_id: String,
}

impl NestedRef {
    /// Its logical ID in the parent stack.
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }
}

/// A nested stack while the app is built.
#[derive(Debug, Clone)]
struct Child {
    parent: String,
    logical_id: String,
    stack: Stack,
}

/// One stack while the app is built.
#[derive(Debug, Clone)]
struct Member {
    name: String,
    stack: Stack,
    depends_on: IndexSet<String>,
}

/// A value exported by one stack for the others.
#[derive(Debug, Clone)]
struct Export {
    producer: String,
    output_id: String,
}

/// Several stacks of one blueprint and environment, with the references
/// between them. What [`crate::blueprint::Blueprint::build_app`] returns;
/// a one-stack blueprint never sees it.
#[derive(Debug, Clone)]
pub struct App {
    base_name: String,
    members: IndexMap<String, Member>,
    /// Export name -> who exports it, in the order they were shared.
    exports: IndexMap<String, Export>,
    /// Nested stacks, in the order they were added.
    children: Vec<Child>,
    single: bool,
    /// Tells this app (and its clones) from any other in the process.
    serial: u64,
}

/// A number no other [`App`] of the process has.
fn next_serial() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One stack of a finished app.
#[derive(Debug, Clone)]
pub struct AppStack {
    /// The stack's short ID in the app (`network`); `synth STACK` and
    /// `deploy STACK` take it.
    pub id: String,
    /// The CloudFormation stack name (`<project>-<env>-<id>`).
    pub name: String,
    /// The template.
    pub template: Template,
    /// Safe defaults the stack's constructs overrode, to be told to the user.
    pub overrides: Vec<Override>,
    /// IDs of the stacks this one needs deployed first: those whose exports
    /// it imports, and those named with [`App::depends_on`].
    pub depends_on: Vec<String>,
    /// Export names this stack declares.
    pub exports: Vec<String>,
    /// Export names this stack (or one of its nested stacks) imports with
    /// a literal `Fn::ImportValue`.
    pub imports: Vec<String>,
    /// Its nested stacks, deployed with it in one operation.
    pub nested: Vec<NestedStack>,
}

/// A finished app: its stacks in deploy order (every stack after the
/// stacks it depends on; otherwise in the order they were added).
#[derive(Debug, Clone)]
pub struct BuiltApp {
    /// The stacks, dependencies first.
    pub stacks: Vec<AppStack>,
    /// Whether this is a one-stack blueprint (its stack is named as the
    /// blueprint's `stack_name`, and `synth` prints it without a name).
    pub single: bool,
}

impl App {
    /// An empty app whose stacks are named `<base_name>-<id>`; pass the
    /// blueprint's `stack_name(env)`, so that environments never share a
    /// stack or an export name.
    pub fn new(base_name: impl Into<String>) -> Self {
        App {
            base_name: base_name.into(),
            members: IndexMap::new(),
            exports: IndexMap::new(),
            children: Vec::new(),
            single: false,
            serial: next_serial(),
        }
    }

    /// The app of a one-stack blueprint: its stack is named `name`.
    pub fn single(name: impl Into<String>, stack: Stack) -> Self {
        let name = name.into();
        let mut members = IndexMap::new();
        members.insert(
            "main".to_owned(),
            Member {
                name: name.clone(),
                stack,
                depends_on: IndexSet::new(),
            },
        );
        App {
            base_name: name,
            members,
            exports: IndexMap::new(),
            children: Vec::new(),
            single: true,
            serial: next_serial(),
        }
    }

    /// Adds a stack under a short ID (lower-case letters, digits and `-`,
    /// starting with a letter, as in `network`): the ID `synth STACK` and
    /// `deploy STACK` take, and the suffix of its CloudFormation name.
    pub fn add(&mut self, id: &str, stack: Stack) -> Result<StackRef, SynthError> {
        check_stack_id(id)?;
        if self.members.contains_key(id) {
            return Err(SynthError::App {
                message: format!("stack `{id}` is added twice; give each stack its own ID"),
            });
        }
        let mut name = format!("{}-{id}", self.base_name);
        name.truncate(MAX_STACK_NAME_LEN);
        if let Some((other, _)) = self.members.iter().find(|(_, m)| m.name == name) {
            return Err(SynthError::App {
                message: format!(
                    "stacks `{other}` and `{id}` would both be named {name} (names are cut at {MAX_STACK_NAME_LEN} characters); shorten the blueprint's stack name"
                ),
            });
        }
        self.members.insert(
            id.to_owned(),
            Member {
                name,
                stack,
                depends_on: IndexSet::new(),
            },
        );
        Ok(StackRef {
            id: id.to_owned(),
            app: self.serial,
        })
    }

    /// The stack behind a reference, to add resources to it after it
    /// joined the app.
    /// A reference made by another app is refused.
    pub fn stack_mut(&mut self, stack: &StackRef) -> Result<&mut Stack, SynthError> {
        Ok(&mut self.member_mut(stack)?.stack)
    }

    /// The CloudFormation stack name of a stack of the app.
    pub fn stack_name(&self, stack: &StackRef) -> &str {
        self.members
            .get(&stack.id)
            .map_or(self.base_name.as_str(), |m| m.name.as_str())
    }

    /// `consumer` is deployed after `producer` even though it imports
    /// nothing from it (it calls its API, say). Imports through
    /// [`App::share`] need no such line.
    /// References made by another app are refused.
    pub fn depends_on(
        &mut self,
        consumer: &StackRef,
        producer: &StackRef,
    ) -> Result<(), SynthError> {
        self.member_mut(producer)?;
        let producer = producer.id.clone();
        self.member_mut(consumer)?.depends_on.insert(producer);
        Ok(())
    }

    /// Places `child` in a nested stack of `parent`, as the resource
    /// `logical_id` (`AWS::CloudFormation::Stack`): one line to split a
    /// stack that nears CloudFormation's quotas. The child may use the
    /// parent's resources and parameters directly (`Ref`, `Fn::GetAtt`,
    /// `Fn::Sub`): they become parameters of the child that the parent
    /// passes. The parent reads the child's values with
    /// [`App::nested_output`]. The deploy uploads the child's template to
    /// the template bucket under a content-hash key.
    pub fn nest(
        &mut self,
        parent: &StackRef,
        logical_id: &str,
        child: Stack,
    ) -> Result<NestedRef, SynthError> {
        crate::stack::check_logical_id(logical_id, "Resources")?;
        let taken = self.member_mut(parent)?.stack.contains(logical_id)
            || self
                .children
                .iter()
                .any(|c| c.parent == parent.id && c.logical_id == logical_id);
        if taken {
            return Err(SynthError::DuplicateLogicalId {
                id: logical_id.to_owned(),
                section: "Resources",
            });
        }
        self.children.push(Child {
            parent: parent.id.clone(),
            logical_id: logical_id.to_owned(),
            stack: child,
        });
        Ok(NestedRef {
            parent: parent.id.clone(),
            logical_id: logical_id.to_owned(),
        })
    }

    /// The nested stack behind a reference, to add resources to it.
    pub fn nested_mut(&mut self, child: &NestedRef) -> Option<&mut Stack> {
        self.children
            .iter_mut()
            .find(|c| c.parent == child.parent && c.logical_id == child.logical_id)
            .map(|c| &mut c.stack)
    }

    /// A value of a nested stack for its parent: an output `name` of the
    /// child (added once) and the parent's `Fn::GetAtt Child.Outputs.name`.
    /// Another child of the same parent may use the returned value too: it
    /// is passed to it as a parameter.
    pub fn nested_output(
        &mut self,
        child: &NestedRef,
        name: &str,
        value: impl Into<Expr>,
    ) -> Result<Intrinsic, SynthError> {
        let value = value.into();
        let Some(stack) = self.nested_mut(child) else {
            return Err(SynthError::App {
                message: format!("{} is not a nested stack of this app", child.logical_id),
            });
        };
        match stack.declared_outputs().get(name) {
            Some(existing) if existing.value == value => {}
            Some(_) => {
                return Err(SynthError::App {
                    message: format!(
                        "output {name} of nested stack {} is given twice with different values",
                        child.logical_id
                    ),
                });
            }
            None => stack.output(
                name,
                Output {
                    description: Some("Read by the parent stack".into()),
                    value,
                    export_name: None,
                    condition: None,
                },
            )?,
        }
        Ok(Intrinsic::GetAtt {
            resource: child.logical_id.clone(),
            attribute: format!("Outputs.{name}"),
        })
    }

    /// A resource's `Ref` or `Fn::GetAtt` in `producer`, usable in any
    /// other stack of the app: the producer gets an output exporting it
    /// (once, however often it is shared) and the value returned is its
    /// `Fn::ImportValue`. The stack that uses it is deployed after
    /// `producer`. Other values need a name: [`App::share_named`].
    pub fn share(
        &mut self,
        producer: &StackRef,
        value: impl Into<Intrinsic>,
    ) -> Result<Intrinsic, SynthError> {
        let value = value.into();
        let key = match &value {
            Intrinsic::Ref(id) => id.clone(),
            Intrinsic::GetAtt {
                resource,
                attribute,
            } => format!("{resource}:{}", attribute.replace('.', "-")),
            other => {
                return Err(SynthError::App {
                    message: format!(
                        "only a Ref or Fn::GetAtt can be shared by name, not {}; use App::share_named with a name for it",
                        other.long_name()
                    ),
                });
            }
        };
        let nested_in_producer = |id: &str| {
            self.children
                .iter()
                .any(|c| c.parent == producer.id && c.logical_id == id)
        };
        if let Intrinsic::Ref(id) | Intrinsic::GetAtt { resource: id, .. } = &value
            && !nested_in_producer(id)
            && !self.member_mut(producer)?.stack.contains(id)
        {
            return Err(SynthError::App {
                message: format!(
                    "{id} is not a resource of stack `{}`: share a value from the stack that holds it",
                    producer.id
                ),
            });
        }
        self.export(producer, &key, Expr::Fn(Box::new(value)))
    }

    /// Any value of `producer` (a joined list of subnet IDs, a URL built
    /// with `Fn::Sub`) exported under `name` (letters and digits, unique in
    /// the producer) and returned as its `Fn::ImportValue`. Lists cannot
    /// be exported: join them here and split them where they are used.
    pub fn share_named(
        &mut self,
        producer: &StackRef,
        name: &str,
        value: impl Into<Expr>,
    ) -> Result<Intrinsic, SynthError> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(SynthError::App {
                message: format!("export key {name:?}: use letters and digits only"),
            });
        }
        self.export(producer, name, value.into())
    }

    fn export(
        &mut self,
        producer: &StackRef,
        key: &str,
        value: Expr,
    ) -> Result<Intrinsic, SynthError> {
        let export_name = format!("{}:{key}", self.stack_name(producer));
        if export_name.len() > MAX_EXPORT_NAME_LEN {
            return Err(SynthError::App {
                message: format!(
                    "export name {export_name} is longer than {MAX_EXPORT_NAME_LEN} characters; shorten the stack name or the logical ID"
                ),
            });
        }
        if let Some(existing) = self.exports.get(&export_name).cloned() {
            let stack = &self.member_mut(producer)?.stack;
            let same = stack
                .declared_outputs()
                .get(&existing.output_id)
                .is_some_and(|o| o.value == value);
            if !same {
                return Err(SynthError::App {
                    message: format!(
                        "export {export_name} is shared twice with different values; give one of them another name"
                    ),
                });
            }
        } else {
            let output_id = format!("Export{}", key.replace([':', '-'], ""));
            self.member_mut(producer)?.stack.output(
                &output_id,
                Output {
                    description: Some(format!(
                        "Shared with other stacks of the app as {export_name}"
                    )),
                    value,
                    export_name: Some(Expr::String(export_name.clone())),
                    condition: None,
                },
            )?;
            self.exports.insert(
                export_name.clone(),
                Export {
                    producer: producer.id.clone(),
                    output_id,
                },
            );
        }
        Ok(Intrinsic::ImportValue(Expr::String(export_name)))
    }

    /// The member a reference names; a reference another app made is
    /// refused (it would otherwise name whatever stack of this app has the
    /// same ID, or none).
    fn member_mut(&mut self, stack: &StackRef) -> Result<&mut Member, SynthError> {
        let foreign = || SynthError::App {
            message: format!(
                "stack `{}` was added to another App, not this one: use the StackRef that this app's add returned",
                stack.id
            ),
        };
        if stack.app != self.serial {
            return Err(foreign());
        }
        self.members.get_mut(&stack.id).ok_or_else(foreign)
    }

    /// Finishes every stack: templates, the dependencies their imports
    /// imply, and the deploy order. Stacks that need each other (a circle
    /// of imports, CDK's "deadly embrace") are refused here, before
    /// anything is deployed.
    pub fn finish(self) -> Result<BuiltApp, SynthError> {
        if self.members.is_empty() {
            return Err(SynthError::App {
                message: "the app has no stack; add one with App::add".into(),
            });
        }
        let mut stacks = Vec::with_capacity(self.members.len());
        let mut children = self.children;
        for (id, member) in self.members {
            let overrides = member.stack.overrides().to_vec();
            let mut template = member.stack.into_template()?;
            let mut imports = literal_imports(&template);
            let mut nested = Vec::new();
            for child in children.iter().filter(|c| c.parent == id) {
                let child_overrides = child.stack.overrides().to_vec();
                let mut child_template = child.stack.clone().into_template()?;
                let passed = nested::wire(&mut child_template, &template);
                let file = nested::file_name(&member.name, &child.logical_id);
                template.resources.insert(
                    child.logical_id.clone(),
                    nested::stack_resource(&file, passed),
                );
                for name in literal_imports(&child_template) {
                    if !imports.contains(&name) {
                        imports.push(name);
                    }
                }
                nested.push(NestedStack {
                    logical_id: child.logical_id.clone(),
                    file,
                    template: child_template,
                    overrides: child_overrides,
                });
            }
            children.retain(|c| c.parent != id);
            let mut depends_on = member.depends_on;
            for name in &imports {
                if let Some(export) = self.exports.get(name)
                    && export.producer != id
                {
                    depends_on.insert(export.producer.clone());
                }
            }
            let exports = template
                .outputs
                .values()
                .filter_map(|o| o.export_name.as_ref().and_then(Expr::as_str))
                .map(str::to_owned)
                .collect();
            stacks.push(AppStack {
                id,
                name: member.name,
                template,
                overrides,
                depends_on: depends_on.into_iter().collect(),
                exports,
                imports,
                nested,
            });
        }
        if let Some(orphan) = children.first() {
            return Err(SynthError::App {
                message: format!(
                    "nested stack {} belongs to stack `{}`, which the app does not have",
                    orphan.logical_id, orphan.parent
                ),
            });
        }
        if let Some(name) = self
            .exports
            .iter()
            .find(|(_, e)| stacks.iter().all(|s| s.id != e.producer))
            .map(|(n, _)| n)
        {
            return Err(SynthError::App {
                message: format!("export {name} comes from a stack the app does not have"),
            });
        }
        let stacks = deploy_order(stacks)?;
        Ok(BuiltApp {
            stacks,
            single: self.single,
        })
    }
}

impl AppStack {
    /// This stack as the checks across an app see it
    /// ([`crate::validate::app::check`]), with the findings its own check
    /// reported.
    pub fn as_member<'a>(
        &'a self,
        own: &'a [crate::validate::Diagnostic],
    ) -> crate::validate::app::Member<'a> {
        crate::validate::app::Member {
            id: &self.id,
            template: &self.template,
            imports: &self.imports,
            nested_resources: self.nested.iter().map(|n| n.template.resources.len()).sum(),
            own,
        }
    }
}

impl BuiltApp {
    /// The stack with this ID or CloudFormation name.
    pub fn get(&self, id_or_name: &str) -> Option<&AppStack> {
        self.stacks
            .iter()
            .find(|s| s.id == id_or_name || s.name == id_or_name)
    }

    /// The IDs of the stacks, in deploy order.
    pub fn ids(&self) -> Vec<&str> {
        self.stacks.iter().map(|s| s.id.as_str()).collect()
    }

    /// The stacks to deploy for `wanted` (IDs or names) in deploy order:
    /// with every stack they depend on, unless `exclusively`. Unknown
    /// names are an error listing the app's stacks.
    pub fn selection(
        &self,
        wanted: &[String],
        exclusively: bool,
    ) -> Result<Vec<&AppStack>, String> {
        if wanted.is_empty() {
            return Ok(self.stacks.iter().collect());
        }
        let mut chosen: IndexSet<&str> = IndexSet::new();
        for w in wanted {
            let Some(s) = self.get(w) else {
                return Err(format!(
                    "the app has no stack {w:?}; its stacks are {}",
                    self.ids().join(", ")
                ));
            };
            chosen.insert(s.id.as_str());
        }
        if !exclusively {
            // The stacks are in deploy order, so walking them backwards
            // meets every dependant before its dependencies.
            for s in self.stacks.iter().rev() {
                if chosen.contains(s.id.as_str()) {
                    for d in &s.depends_on {
                        chosen.insert(d.as_str());
                    }
                }
            }
        }
        Ok(self
            .stacks
            .iter()
            .filter(|s| chosen.contains(s.id.as_str()))
            .collect())
    }

    /// Stacks that depend on `id`, directly or through others.
    pub fn dependants(&self, id: &str) -> Vec<&str> {
        let mut found: IndexSet<&str> = IndexSet::new();
        for s in &self.stacks {
            if s.depends_on
                .iter()
                .any(|d| d == id || found.contains(d.as_str()))
            {
                found.insert(s.id.as_str());
            }
        }
        found.into_iter().collect()
    }
}

/// `id` is a short stack ID: `[a-z][a-z0-9-]*`, at most 64 characters.
fn check_stack_id(id: &str) -> Result<(), SynthError> {
    let ok = id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(SynthError::App {
            message: format!(
                "stack ID {id:?}: use lower-case letters, digits and '-', starting with a letter, at most 64 characters"
            ),
        })
    }
}

/// Every literal `Fn::ImportValue` name in a template, once each, in the
/// order met.
pub fn literal_imports(template: &Template) -> Vec<String> {
    let mut names: IndexSet<String> = IndexSet::new();
    let mut visit = |e: &Expr| {
        if let Expr::Fn(f) = e
            && let Intrinsic::ImportValue(Expr::String(name)) = f.as_ref()
        {
            names.insert(name.clone());
        }
    };
    for r in template.resources.values() {
        for (_, v) in &r.properties {
            v.walk(&mut visit);
        }
        for (_, v) in &r.metadata {
            v.walk(&mut visit);
        }
    }
    for o in template.outputs.values() {
        o.value.walk(&mut visit);
    }
    for c in template.conditions.values() {
        c.walk(&mut visit);
    }
    names.into_iter().collect()
}

/// Kahn's algorithm, stable: among the stacks that are ready, the one added
/// first goes first. A circle is an error naming its stacks.
fn deploy_order(stacks: Vec<AppStack>) -> Result<Vec<AppStack>, SynthError> {
    let index: IndexMap<String, usize> = stacks
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut waiting: Vec<usize> = Vec::with_capacity(stacks.len());
    let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); stacks.len()];
    for (i, s) in stacks.iter().enumerate() {
        let mut n = 0;
        for d in &s.depends_on {
            let Some(&j) = index.get(d) else {
                return Err(SynthError::App {
                    message: format!(
                        "stack `{}` depends on `{d}`, which the app does not have",
                        s.id
                    ),
                });
            };
            dependants[j].push(i);
            n += 1;
        }
        waiting.push(n);
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..stacks.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(stacks.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &dependants[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    if order.len() < stacks.len() {
        let circle: Vec<&str> = (0..stacks.len())
            .filter(|&i| waiting[i] > 0)
            .map(|i| stacks[i].id.as_str())
            .collect();
        return Err(SynthError::App {
            message: format!(
                "stacks {} import from each other in a circle, so none can be deployed first; move the shared resources into one stack (or a new stack they both import from)",
                circle.join(", ")
            ),
        });
    }
    let mut slots: Vec<Option<AppStack>> = stacks.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

#[cfg(all(test, feature = "constructs"))]
mod tests;
