//! Resource properties against AWS's resource provider schemas.
//!
//! Owns schema validation of each resource's `Properties` (rules HG101 to
//! HG106). The schemas are the ones cfn-lint 1.58.0 ships, vendored under
//! `schemas/` and embedded (`bundle`); a type's schema is inflated, rewritten
//! (`prepare`) and compiled with the `jsonschema` crate (Draft 7, formats
//! off, hagen's keywords registered) the first time a template has a
//! resource of the type that `interpret`'s direct reading of the raw schema
//! does not pass, then cached for the life of the process. Valid resources,
//! nearly all a blueprint writes, never need a compiled schema.
//!
//! # Intrinsic-aware validation
//!
//! The raw schemas reject intrinsics (`{"Ref": "Vpc"}` is not a string), yet
//! any intrinsic may stand wherever a value may. hagen splits the problem:
//!
//! 1. **Conditions** are settled first. For each consistent scenario of the
//!    conditions a resource uses (`crate::validate::scenario`), `Fn::If` is
//!    replaced by the branch taken and `Ref AWS::NoValue` removes its
//!    property or list item, so both branches of every `Fn::If` are
//!    validated as real values, never a combination CloudFormation could not
//!    produce. Errors from several scenarios are reported once.
//! 2. **Literal picks** are resolved: `Fn::Select` of a literal list and
//!    `Fn::FindInMap` with literal names become the value they pick.
//! 3. **Every other intrinsic** becomes a marker object recording what kind
//!    of value it returns: a single value (`!Ref`, `!Sub`, `!Join`,
//!    `!GetAtt` of a scalar attribute), a list (`!GetAZs`, `!Split`,
//!    `!Cidr`, `!Ref` of a list parameter, `!GetAtt` of a list attribute) or
//!    unknown. In the schema, every value position is rewritten to accept a
//!    marker in place of the value, checked by the `hagenFn` keyword only
//!    for its kind: `SecurityGroupIds: !Ref OneGroupParam` (a string where a
//!    list is needed) is an error, `!Select [0, !GetAZs '']` as an
//!    `AvailabilityZone` is fine.
//!
//! The intrinsic's own shape (arguments, targets, `!Sub` variables,
//! `!Select` ranges) is checked by `crate::validate::intrinsics`.
//!
//! # Leniency
//!
//! CloudFormation converts scalars: a number where a schema says
//! string-with-digits (RDS `Port: 5432`), `"5"` where it says integer,
//! `"true"` where it says boolean. `type`, `enum` and `const` are replaced by
//! custom keywords with the same leniency as cfn-lint, so valid templates get
//! no false alarms. `format` is not checked.

pub(crate) mod bundle;
mod instance;
mod interpret;
mod keywords;
mod marker;
mod prepare;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::Value as Json;

use super::diagnostic::{Diagnostic, Severity};
use super::rules::{self, Rule};
use super::scenario;
use super::text;
use crate::template::{Expr, Resource, Template};

pub use bundle::{BundleError, Source, TypeData, has_type, source, type_data, type_names};
pub use instance::is_list_parameter_type;

/// A resource type's compiled schema with its data.
pub struct Compiled {
    /// The vendored data (schema, attributes).
    pub data: Arc<TypeData>,
    validator: Validator,
}

/// Why a type could not be compiled.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CompileError {
    /// The embedded data is damaged.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The rewritten schema was rejected by the compiler.
    #[error("the schema of {type_name} does not compile: {reason}")]
    Schema {
        /// The resource type.
        type_name: String,
        /// The compiler's explanation.
        reason: String,
    },
}

/// Which top-level properties a compiled schema keeps: all of them, or only
/// those a template writes (the others cannot be in the instance, so
/// leaving their schemas out changes no verdict and saves most of the
/// compile time: a template sets a handful of a type's properties).
pub type Subset = Option<BTreeSet<String>>;

type CacheKey = (String, Subset);
type Cache = Mutex<HashMap<CacheKey, Result<Arc<Compiled>, CompileError>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The compiled schema of a type (`Ok(None)` for a type the catalogue does
/// not have), for the given subset of its properties, compiled on first use
/// and cached for the life of the process.
pub fn compiled(type_name: &str, subset: &Subset) -> Result<Option<Arc<Compiled>>, CompileError> {
    let key = (type_name.to_owned(), subset.clone());
    if let Some(hit) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return hit.clone().map(Some);
    }
    let Some(data) = bundle::type_data(type_name)? else {
        return Ok(None);
    };
    let result = compile(type_name, data, subset.as_ref());
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, result.clone());
    result.map(Some)
}

/// The properties each resource type of a template writes.
pub fn subsets(template: &Template) -> BTreeMap<String, Subset> {
    let mut out: BTreeMap<String, Subset> = BTreeMap::new();
    for r in template.resources.values() {
        let entry = out
            .entry(r.resource_type.clone())
            .or_insert_with(|| Some(BTreeSet::new()));
        if let Some(set) = entry {
            set.extend(r.properties.keys().cloned());
        }
    }
    out
}

/// Reads every resource of `shared`'s template against its raw schema
/// (`interpret`), then compiles the schemas of the types with a resource
/// that reading does not pass, so that the per-resource checks find them
/// cached. Compilation was most of the cost of a first check; a template
/// whose resources all pass compiles nothing. Inflating and compiling run
/// on up to four threads: the types are independent.
pub(crate) fn warm(shared: &Shared<'_>) {
    let types: Vec<&str> = shared.subsets.keys().map(String::as_str).collect();
    on_threads(&types, |t| {
        // Failures are cached too and reported by the check itself.
        let _ = bundle::type_data(t);
    });
    let mut failing: BTreeSet<&str> = BTreeSet::new();
    for (id, r) in &shared.template.resources {
        if !shared.passes(id, r) {
            failing.insert(r.resource_type.as_str());
        }
    }
    let work: Vec<(&String, &Subset)> = shared
        .subsets
        .iter()
        .filter(|(t, _)| failing.contains(t.as_str()) && bundle::has_type(t))
        .collect();
    on_threads(&work, |(t, subset)| {
        let _ = compiled(t, subset);
    });
}

/// Runs `job` on every item, on up to four threads (none for one item).
fn on_threads<T: Sync>(items: &[T], job: impl Fn(&T) + Sync) {
    if items.len() < 2 {
        items.iter().for_each(&job);
        return;
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(items.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(item) =
                    items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    job(item);
                }
            });
        }
    });
}

fn compile(
    type_name: &str,
    data: Arc<TypeData>,
    subset: Option<&BTreeSet<String>>,
) -> Result<Arc<Compiled>, CompileError> {
    let mut prepared = match subset {
        Some(keep) => prepare::prepare(&prepare::prune(&data.schema, keep)),
        None => prepare::prepare(&data.schema),
    };
    let options = keywords::register(
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(false),
    );
    let validator = match options.build(&prepared) {
        Ok(v) => v,
        Err(first) => {
            // A few AWS patterns use regex syntax JSON Schema's dialect lacks
            // (inline flags mid-pattern, surrogate ranges). Drop those patterns
            // rather than the whole type: less checking, never a false alarm.
            let accepts = |p: &str| {
                jsonschema::options()
                    .with_draft(Draft::Draft7)
                    .build(&serde_json::json!({ "pattern": p }))
                    .is_ok()
            };
            if prepare::drop_bad_patterns(&mut prepared, &accepts) == 0 {
                return Err(CompileError::Schema {
                    type_name: type_name.to_owned(),
                    reason: first.to_string(),
                });
            }
            options.build(&prepared).map_err(|e| CompileError::Schema {
                type_name: type_name.to_owned(),
                reason: e.to_string(),
            })?
        }
    };
    Ok(Arc::new(Compiled { data, validator }))
}

/// What CloudFormation makes of a resource type name that is not in the
/// vendored catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// In the vendored catalogue: its properties are checked.
    Catalogued,
    /// A custom resource (`Custom::Name`,
    /// `AWS::CloudFormation::CustomResource`): any properties, any attribute.
    Custom,
    /// A registry module (`Org::Service::Name::MODULE`).
    Module,
    /// A registry resource type of a third party or a private extension
    /// (`Org::Service::Resource`, the organisation not one AWS reserves):
    /// valid once registered or activated in the account and region.
    Registry,
    /// None of these: CloudFormation rejects it.
    Unknown,
}

/// Organisation names AWS reserves: nobody can register a type under them,
/// so a type named so that is not in the catalogue does not exist (compared
/// without regard to case).
const RESERVED_ORGANISATIONS: &[&str] = &["Alexa", "AMZN", "Amazon", "ASK", "AWS", "Custom", "Dev"];

/// A registry name segment: 2 to 64 letters and digits.
fn registry_segment(s: &str) -> bool {
    (2..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether a registry name (`Org::Service::Resource`) is well formed and
/// its organisation not reserved.
fn registry_name(segments: &[&str]) -> bool {
    segments.len() == 3
        && segments.iter().all(|s| registry_segment(s))
        && !RESERVED_ORGANISATIONS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(segments[0]))
}

/// Whether a custom resource type name is one CloudFormation accepts:
/// `Custom::` and 1 to 60 letters, digits, `_`, `@` or `-`.
fn custom_name(type_name: &str) -> Option<bool> {
    let rest = type_name.strip_prefix("Custom::")?;
    Some(
        (1..=60).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_@-".contains(c)),
    )
}

/// Classifies a resource type name.
pub fn classify(type_name: &str) -> TypeKind {
    if type_name == "AWS::CloudFormation::CustomResource" {
        return TypeKind::Custom;
    }
    if let Some(valid) = custom_name(type_name) {
        return if valid {
            TypeKind::Custom
        } else {
            TypeKind::Unknown
        };
    }
    if bundle::has_type(type_name) {
        return TypeKind::Catalogued;
    }
    let segments: Vec<&str> = type_name.split("::").collect();
    match segments.as_slice() {
        [org, service, name, "MODULE"] if registry_name(&[org, service, name]) => TypeKind::Module,
        _ if registry_name(&segments) => TypeKind::Registry,
        _ => TypeKind::Unknown,
    }
}

/// Whether a type is a custom resource or a module, which have no schema
/// and accept any properties.
pub fn is_open_type(type_name: &str) -> bool {
    matches!(classify(type_name), TypeKind::Custom | TypeKind::Module)
}

/// Whether a type belongs to a third party or a private registry
/// extension: hagen has no schema for it.
pub fn is_foreign_type(type_name: &str) -> bool {
    classify(type_name) == TypeKind::Registry
}

/// The finding for a type the catalogue does not have (`None` for custom
/// resources and modules, which accept anything).
fn unknown_type(template: &Template, id: &str, type_name: &str) -> Option<Diagnostic> {
    let kind = classify(type_name);
    if matches!(
        kind,
        TypeKind::Catalogued | TypeKind::Custom | TypeKind::Module
    ) {
        return None;
    }
    let transforms = super::transforms::Transforms::of(template);
    if transforms.sam && super::transforms::SAM_TYPES.contains(&type_name) {
        return None;
    }
    let path = ["Resources", id, "Type"];
    let names = type_names();
    let mut candidates: Vec<&str> = names.clone();
    if transforms.sam {
        candidates.extend(super::transforms::SAM_TYPES);
    }
    let same_but_case = candidates
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(type_name));
    let near = same_but_case.or_else(|| text::closest(type_name, candidates.iter().copied()));
    match kind {
        TypeKind::Catalogued | TypeKind::Custom | TypeKind::Module => None,
        TypeKind::Registry => {
            // Valid if registered or activated in the account; a near miss
            // of an AWS type is more likely a typo.
            let d = match near {
                Some(s) => rules::UNKNOWN_TYPE
                    .diag(format!(
                        "{type_name:?} is not an AWS resource type; unless it is a registry extension activated in the account and region, CloudFormation rejects it"
                    ))
                    .severity(Severity::Warning)
                    .hint(format!("did you mean {s}?")),
                None => rules::UNKNOWN_TYPE
                    .diag(format!(
                        "{type_name:?} is a registry extension hagen has no schema for; its properties are not checked"
                    ))
                    .severity(Severity::Info)
                    .hint("register or activate it in every account and region the stack deploys to"),
            };
            Some(d.on(id).at(path))
        }
        TypeKind::Unknown => {
            let message = if type_name.starts_with("Custom::") {
                format!(
                    "{type_name:?} is not a valid custom resource type: after Custom:: come 1 to 60 letters, digits, _, @ or -"
                )
            } else if same_but_case.is_some() {
                format!(
                    "{type_name:?} is not a resource type CloudFormation knows (type names are case-sensitive)"
                )
            } else {
                format!("{type_name:?} is not a resource type CloudFormation knows")
            };
            let hint = match near {
                Some(s) if !type_name.starts_with("Custom::") => format!("did you mean {s}?"),
                _ if type_name.starts_with("Custom::") => {
                    "rename it, for example Custom::MyResource".to_owned()
                }
                _ => "check the type name against the AWS resource type reference".to_owned(),
            };
            Some(rules::UNKNOWN_TYPE.diag(message).on(id).at(path).hint(hint))
        }
    }
}

/// What the schema checks of one template's resources share: the
/// properties each type is written with, and the condition analysis.
/// Built once per check, so that checking every resource stays linear in
/// the template (each resource computing its type's properties over all
/// resources was quadratic: 15,000 topics took 11 s).
pub(crate) struct Shared<'t> {
    template: &'t Template,
    subsets: BTreeMap<String, Subset>,
    /// Each type's compiled schema, looked up once per check (the global
    /// cache's key holds the whole subset, so a lookup per resource would
    /// cost as much as the subset is long).
    schemas: std::cell::RefCell<HashMap<String, CompiledOrNot>>,
    /// Each resource's verdict from reading its raw schema (`interpret`):
    /// `true` when it surely passes, so the compiled schema is not needed.
    verdicts: std::cell::RefCell<HashMap<String, bool>>,
    pub(crate) conditions: scenario::Conditions<'t>,
}

type CompiledOrNot = Result<Option<Arc<Compiled>>, CompileError>;

impl<'t> Shared<'t> {
    /// The shared state for checking `template`.
    pub(crate) fn new(template: &'t Template) -> Self {
        Shared {
            template,
            subsets: subsets(template),
            schemas: Default::default(),
            verdicts: Default::default(),
            conditions: scenario::Conditions::new(template),
        }
    }

    /// Whether resource `id` surely passes its type's schema in every
    /// scenario of the conditions, by reading the raw schema (no compile).
    /// `false` for "fails" and for "not sure": the compiled validator then
    /// decides and words the findings.
    fn passes(&self, id: &str, resource: &Resource) -> bool {
        if let Some(known) = self.verdicts.borrow().get(id) {
            return *known;
        }
        let verdict = self.read(resource);
        self.verdicts.borrow_mut().insert(id.to_owned(), verdict);
        verdict
    }

    /// A resource's properties as one value, and the scenarios of the
    /// conditions they (and the resource's own condition) depend on.
    fn scenarios_of(&self, resource: &Resource) -> (Expr, Rc<Vec<scenario::Scenario>>) {
        let properties = Expr::Map(resource.properties.clone());
        let mut needed = BTreeSet::new();
        scenario::if_conditions(&properties, &mut needed);
        let scenarios = self
            .conditions
            .scenarios(&needed, resource.condition.as_deref());
        (properties, scenarios)
    }

    fn read(&self, resource: &Resource) -> bool {
        let Ok(Some(data)) = bundle::type_data(&resource.resource_type) else {
            return false;
        };
        let (properties, scenarios) = self.scenarios_of(resource);
        scenarios.iter().all(|sc| {
            let instance = instance::Builder::new(self.template, sc)
                .build(&properties)
                .unwrap_or_else(|| Json::Object(Default::default()));
            interpret::passes(&data.schema, &instance)
        })
    }

    fn schema(&self, type_name: &str) -> CompiledOrNot {
        if let Some(hit) = self.schemas.borrow().get(type_name) {
            return hit.clone();
        }
        let subset = self
            .subsets
            .get(type_name)
            .cloned()
            .unwrap_or_else(|| Some(BTreeSet::new()));
        let found = compiled(type_name, &subset);
        self.schemas
            .borrow_mut()
            .insert(type_name.to_owned(), found.clone());
        found
    }
}

/// Checks one resource's properties against its type's schema. A one-off:
/// [`crate::validate::check`] shares the work between resources.
pub fn check_resource(template: &Template, id: &str, resource: &Resource) -> Vec<Diagnostic> {
    check_resource_in(&Shared::new(template), id, resource)
}

/// Checks one resource of `shared`'s template.
pub(crate) fn check_resource_in(
    shared: &Shared<'_>,
    id: &str,
    resource: &Resource,
) -> Vec<Diagnostic> {
    let template = shared.template;
    let type_name = resource.resource_type.as_str();
    let base = ["Resources", id];
    if type_name == "AWS::CloudFormation::CustomResource" || type_name.starts_with("Custom::") {
        return unknown_type(template, id, type_name).into_iter().collect();
    }
    if shared.passes(id, resource)
        && let Ok(Some(data)) = bundle::type_data(type_name)
    {
        return read_only(id, resource, &data.schema);
    }
    let compiled = match shared.schema(type_name) {
        Ok(Some(c)) => c,
        Ok(None) => return unknown_type(template, id, type_name).into_iter().collect(),
        Err(e) => {
            return vec![rules::SCHEMA_DATA.diag(e.to_string()).on(id).at(base)];
        }
    };

    let (properties, scenarios) = shared.scenarios_of(resource);

    let mut out = Vec::new();
    let mut seen: HashSet<(Vec<String>, String)> = HashSet::new();
    for sc in scenarios.iter() {
        let builder = instance::Builder::new(template, sc);
        let instance = builder
            .build(&properties)
            .unwrap_or_else(|| Json::Object(Default::default()));
        for error in compiled.validator.iter_errors(&instance) {
            for (inner_path, rule, message, hint) in describe(&error, &compiled) {
                let original = builder.original_path(&properties, &inner_path);
                let mut path: Vec<String> =
                    vec!["Resources".into(), id.to_owned(), "Properties".into()];
                path.extend(original);
                if !seen.insert((path.clone(), message.clone())) {
                    continue;
                }
                let mut d = rule.diag(message).on(id).at(path);
                if let Some(h) = hint {
                    d = d.hint(h);
                }
                out.push(d);
            }
        }
    }
    out.extend(read_only(id, resource, &compiled.data.schema));
    out
}

type Finding = (Vec<String>, &'static Rule, String, Option<String>);

/// Turns one jsonschema error into findings: instance path, rule, message
/// and hint.
fn describe(error: &ValidationError<'_>, compiled: &Compiled) -> Vec<Finding> {
    let path: Vec<String> = error
        .instance_path()
        .segments()
        .map(|s| s.to_string())
        .collect();
    let shown = keywords::show(error.instance());
    let one = |rule: &'static Rule, message: String, hint: Option<String>| {
        vec![(path.clone(), rule, message, hint)]
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| {
                let known = known_properties(compiled, error);
                let hint = text::closest(name, known.iter().map(String::as_str))
                    .map(|s| format!("did you mean {s}?"))
                    .or_else(|| {
                        (!known.is_empty()).then(|| {
                            format!("remove it; the properties here are {}", list_names(&known))
                        })
                    });
                let mut p = path.clone();
                p.push(name.clone());
                (
                    p,
                    &rules::UNKNOWN_PROPERTY,
                    format!("unknown property {name:?}"),
                    hint,
                )
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            one(
                &rules::REQUIRED_PROPERTY,
                format!("required property {name:?} is missing"),
                Some(format!("add {name}")),
            )
        }
        ValidationErrorKind::Custom { keyword, message } => {
            let rule = match keyword.as_str() {
                keywords::TYPE | keywords::FN => &rules::WRONG_TYPE,
                keywords::REQUIRED_XOR | keywords::REQUIRED_OR | keywords::DEPENDENT_EXCLUDED => {
                    &rules::REQUIRED_PROPERTY
                }
                _ => &rules::VALUE_NOT_ALLOWED,
            };
            one(rule, message.clone(), None)
        }
        ValidationErrorKind::Type { .. } => one(
            &rules::WRONG_TYPE,
            format!("{shown} has the wrong type"),
            None,
        ),
        ValidationErrorKind::OneOfMultipleValid { .. } => one(
            &rules::REQUIRED_PROPERTY,
            format!(
                "{shown} matches more than one of the forms allowed here, which exclude each other"
            ),
            Some("set only the properties of one form".into()),
        ),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let closest = context
                .iter()
                .filter(|branch| !branch.is_empty())
                .min_by_key(|branch| branch.len());
            match closest.and_then(|b| b.first()) {
                Some(inner) => {
                    let found = describe(inner, compiled);
                    match found.into_iter().next() {
                        Some((p, rule, message, hint)) => vec![(
                            p,
                            rule,
                            format!("{message} (none of the forms allowed here matches)"),
                            hint,
                        )],
                        None => one(
                            &rules::VALUE_NOT_ALLOWED,
                            format!("{shown} matches none of the forms allowed here"),
                            None,
                        ),
                    }
                }
                None => one(
                    &rules::VALUE_NOT_ALLOWED,
                    format!("{shown} matches none of the forms allowed here"),
                    None,
                ),
            }
        }
        ValidationErrorKind::Referencing(_)
        | ValidationErrorKind::BacktrackLimitExceeded { .. }
        | ValidationErrorKind::RegexEngineFailure { .. } => Vec::new(),
        _ => one(&rules::VALUE_NOT_ALLOWED, error.to_string(), None),
    }
}

fn list_names(names: &[String]) -> String {
    if names.len() > 12 {
        format!("{}, ...", names[..12].join(", "))
    } else {
        names.join(", ")
    }
}

/// The property names the schema allows at the object an error is about,
/// found by walking the vendored schema along the error's instance path
/// (through `$ref`s and the branches of `allOf`/`anyOf`/`oneOf`).
fn known_properties(compiled: &Compiled, error: &ValidationError<'_>) -> Vec<String> {
    let root = &compiled.data.schema;
    let path: Vec<String> = error
        .instance_path()
        .segments()
        .map(|s| s.to_string())
        .collect();
    let mut nodes = vec![root];
    for seg in &path {
        let mut next = Vec::new();
        for n in nodes {
            for n in expand(root, n, 0) {
                if let Some(p) = n.get("properties").and_then(|p| p.get(seg)) {
                    next.push(p);
                } else if seg.parse::<usize>().is_ok()
                    && let Some(items) = n.get("items")
                {
                    next.push(items);
                }
            }
        }
        nodes = next;
    }
    let mut names: Vec<String> = Vec::new();
    for n in nodes {
        for n in expand(root, n, 0) {
            if let Some(props) = n.get("properties").and_then(Json::as_object) {
                for k in props.keys() {
                    if !names.contains(k) {
                        names.push(k.clone());
                    }
                }
            }
        }
    }
    names
}

/// A schema node with its `$ref` resolved and its combinator branches
/// listed beside it.
fn expand<'a>(root: &'a Json, node: &'a Json, depth: usize) -> Vec<&'a Json> {
    if depth > 8 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let node = match node.get("$ref").and_then(Json::as_str) {
        Some(r) => match prepare::resolve_local(root, r) {
            Some(target) => target,
            None => return out,
        },
        None => node,
    };
    out.push(node);
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Json::Array(branches)) = node.get(key) {
            for b in branches {
                out.extend(expand(root, b, depth + 1));
            }
        }
    }
    out
}

/// Read-only properties written in the template (HG106).
fn read_only(id: &str, resource: &Resource, schema: &Json) -> Vec<Diagnostic> {
    let Some(list) = schema.get("readOnlyProperties").and_then(Json::as_array) else {
        return Vec::new();
    };
    let pointers: HashSet<&str> = list.iter().filter_map(Json::as_str).collect();
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<String>, String, &Expr)> = resource
        .properties
        .iter()
        .map(|(k, v)| (vec![k.clone()], format!("/properties/{k}"), v))
        .collect();
    while let Some((path, pointer, value)) = stack.pop() {
        if pointers.contains(pointer.as_str()) {
            let name = path.last().cloned().unwrap_or_default();
            out.push(
                rules::READ_ONLY_PROPERTY
                    .diag(format!(
                        "{name:?} is read-only: CloudFormation ignores it here"
                    ))
                    .on(id)
                    .at(["Resources", id, "Properties"]
                        .into_iter()
                        .map(String::from)
                        .chain(path.clone()))
                    .hint(format!(
                        "remove it; read it with !GetAtt {id}.{}",
                        path.iter()
                            .filter(|s| s.parse::<usize>().is_err())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(".")
                    )),
            );
            continue;
        }
        match value {
            Expr::Map(m) => {
                for (k, v) in m {
                    let mut p = path.clone();
                    p.push(k.clone());
                    stack.push((p, format!("{pointer}/{k}"), v));
                }
            }
            Expr::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(i.to_string());
                    stack.push((p, format!("{pointer}/*"), v));
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

#[cfg(test)]
mod tests;
