//! Reads `hagen.toml`: its shape, key names, value types and value ranges.
//!
//! Owns the file format. Every problem is reported with the file, line,
//! column and dotted key, and the whole file is checked before anything is
//! reported, so one run lists every mistake. The generic keys are checked
//! here; each `blueprint` table is kept as written (values and places) and
//! read into the blueprint's type through `super::section`, whose problems
//! are placed here. It does not layer environments (that is
//! `super::resolve`) and knows no built-in default values.

use std::collections::BTreeMap;
use std::ops::Range;

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::environment::{BaseEnvironment, Environment};
use super::error::{ConfigError, Location, MAX_PROBLEMS, Problem, Source, omitted};
use super::section::{self, BlueprintConfig, ReadError, ReadErrorKind};
use super::suggest::did_you_mean;

/// A value set in the file, with where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Set<T> {
    pub value: T,
    pub at: Location,
    pub span: Range<usize>,
}

/// Where a key and its value are written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Place {
    pub key: Range<usize>,
    pub value: Range<usize>,
    pub at: Location,
}

/// One `blueprint` table as written: its values, and where each key is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// Its dotted name in the file (`environments.prod.blueprint`, `blueprint`).
    pub name: String,
    /// The values, untyped.
    pub values: toml::Table,
    /// Every key and nested table, by path relative to the section
    /// (`asg.min`, `asg`).
    pub places: BTreeMap<String, Place>,
    /// Where the section's own key is.
    pub at: Place,
}

impl Section {
    /// The place of the longest part of `path` written in this section.
    pub fn place_of(&self, path: &[String]) -> &Place {
        (1..=path.len())
            .rev()
            .find_map(|n| self.places.get(&path[..n].join(".")))
            .unwrap_or(&self.at)
    }

    /// The dotted key of `path` as written in the file.
    pub fn key_of(&self, path: &[String]) -> String {
        if path.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.name, path.join("."))
        }
    }

    /// A problem found reading this section, placed on the key (unknown
    /// keys, tables that lack one) or on the value.
    pub fn problem(&self, source: &Source, error: &ReadError) -> Problem {
        let (mut message, help) = error.describe();
        let place = self.place_of(&error.path);
        let span = match error.kind {
            ReadErrorKind::UnknownKey { .. } | ReadErrorKind::MissingKey(_) => place.key.clone(),
            _ => place.value.clone(),
        };
        if let ReadErrorKind::UnknownKey { expected } = &error.kind {
            let parent = &error.path[..error.path.len().saturating_sub(1)];
            message.push_str(&format!(" in [{}]", self.key_of(parent)));
            if expected.is_empty() {
                message.push_str(": this blueprint takes no keys of its own here");
            }
        }
        let help = help.or_else(|| match &error.kind {
            ReadErrorKind::UnknownKey { expected } if expected.is_empty() => Some(format!(
                "remove it{}",
                if error.path.len() == 1 {
                    format!(", or the whole [{}] table", self.name)
                } else {
                    String::new()
                }
            )),
            _ => None,
        });
        source.problem(span, Some(self.key_of(&error.path)), message, help)
    }
}

/// The most environments one file may define (besides the built-in
/// `stage` and `prod`). Every check resolves each environment through its
/// chain of `extends`, so the work grows with the square of their number:
/// 20,000 environments extending each other made `hagen synth` run for
/// minutes.
pub const MAX_ENVIRONMENTS: usize = 100;

/// One `[environments.NAME]` table: every key it sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layer {
    pub name: String,
    pub at: Option<Location>,
    pub extends: Option<Set<String>>,
    pub az_count: Option<Set<u8>>,
    pub region: Option<Set<String>>,
    pub deletion_protection: Option<Set<bool>>,
    pub template_bucket: Option<Set<String>>,
    pub tags: Vec<(String, Set<String>)>,
    pub account: Option<Set<String>>,
    pub parameters: Vec<(String, Set<String>)>,
    pub deploy_monitor_alarms: Option<Set<Vec<String>>>,
    pub monitoring_minutes: Option<Set<u32>>,
    pub blueprint: Option<Section>,
    pub protect: Option<Set<bool>>,
    pub role_arn: Option<Set<String>>,
}

/// The whole file, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FileConfig {
    pub project: Option<Set<String>>,
    pub default_environment: Option<Set<String>>,
    pub region: Option<Set<String>>,
    pub tags: Vec<(String, Set<String>)>,
    pub blueprint: Option<Section>,
    pub environments: IndexMap<String, Layer>,
}

const TOP_KEYS: &[&str] = &[
    "project",
    "default_environment",
    "region",
    "tags",
    "blueprint",
    "environments",
];
const ENV_KEYS: &[&str] = &[
    "extends",
    "az_count",
    "region",
    "deletion_protection",
    "template_bucket",
    "tags",
    "account",
    "parameters",
    "deploy_monitors",
    "blueprint",
    "protect",
    "role_arn",
];
const MONITOR_KEYS: &[&str] = &["alarms", "monitoring_minutes"];

/// Tag keys hagen sets itself.
const RESERVED_TAGS: &[&str] = &["Project", "Environment"];

/// Parses and checks a configuration file's text for a blueprint whose
/// configuration type is `C`.
pub(crate) fn parse<C: BlueprintConfig>(source: &Source) -> Result<FileConfig, ConfigError> {
    let root = match DeTable::parse(source.text()) {
        Ok(root) => root,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = format!("invalid TOML: {}", e.message().trim_end());
            return Err(ConfigError::Invalid {
                problems: vec![source.problem(span, None, message, None)],
            });
        }
    };
    // Any environment will do to learn the type's shape and to read each
    // table over complete values: types do not depend on the environment.
    let probe = Environment::builtin(BaseEnvironment::Stage, "hagen");
    let defaults = section::to_table(&C::defaults(&probe))
        .map_err(|message| ConfigError::Blueprint { message })?;
    let mut reader = Reader {
        source,
        blueprint_fields: section::root_fields::<C>(&probe),
        problems: Vec::new(),
        omitted: 0,
    };
    let config = reader.top(root.get_ref());
    let sections = config.blueprint.iter().chain(
        config
            .environments
            .values()
            .filter_map(|l| l.blueprint.as_ref()),
    );
    for section in sections {
        for error in section::check_layer::<C>(&defaults, &section.values) {
            if reader.problems.len() >= MAX_PROBLEMS {
                reader.omitted += 1;
                continue;
            }
            reader.problems.push(section.problem(source, &error));
        }
    }
    if reader.problems.is_empty() {
        Ok(config)
    } else {
        let mut problems = reader.problems;
        problems.sort_by_key(|p| p.location.as_ref().map(|l| (l.line, l.column)));
        if reader.omitted > 0 {
            problems.push(omitted(reader.omitted));
        }
        Err(ConfigError::Invalid { problems })
    }
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// The entries of a table in file order (the parser keeps them sorted by
/// name), so problems are reported top to bottom.
fn entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut v: Vec<_> = table.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

struct Reader<'s> {
    source: &'s Source,
    /// The top-level keys of the blueprint's section, for a key written one
    /// table too high.
    blueprint_fields: Vec<String>,
    problems: Vec<Problem>,
    /// Problems past [`MAX_PROBLEMS`], counted and not kept.
    omitted: usize,
}

impl Reader<'_> {
    fn problem(&mut self, span: Range<usize>, key: &str, message: String, help: Option<String>) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.omitted += 1;
            return;
        }
        let key = (!key.is_empty()).then(|| key.to_owned());
        self.problems
            .push(self.source.problem(span, key, message, help));
    }

    fn set<T>(&self, value: T, span: Range<usize>) -> Set<T> {
        Set {
            value,
            at: self.source.location(span.start),
            span,
        }
    }

    fn unknown(&mut self, span: Range<usize>, path: &str, key: &str, known: &[&str], table: &str) {
        let misplaced = self.blueprint_fields.iter().any(|f| f == key);
        let help = match did_you_mean(key, known.iter().copied()) {
            Some(s) if !misplaced => format!("did you mean `{s}`?"),
            _ if misplaced => {
                let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
                let section = if parent.is_empty() {
                    "[blueprint]".to_owned()
                } else {
                    format!("[{parent}.blueprint]")
                };
                format!("`{key}` is a key of the blueprint's own section: write it under {section}")
            }
            _ => format!("known keys here: {}", known.join(", ")),
        };
        self.problem(
            span,
            path,
            format!("unknown key `{key}` in {table}"),
            Some(help),
        );
    }

    fn wrong_type(&mut self, span: Range<usize>, path: &str, want: &str, found: &DeValue<'_>) {
        self.problem(
            span,
            path,
            format!("must be {want}, found {}", type_name(found)),
            None,
        );
    }

    fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        path: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.wrong_type(value.span(), path, "a table", other);
                None
            }
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, path: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.wrong_type(value.span(), path, "a string", other);
                None
            }
        }
    }

    fn boolean(&mut self, value: &Spanned<DeValue<'_>>, path: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.wrong_type(value.span(), path, "true or false", other);
                None
            }
        }
    }

    fn integer(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        range: (i64, i64),
        why: &str,
    ) -> Option<i64> {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                self.problem(
                    value.span(),
                    path,
                    "must be an integer, found a string".into(),
                    Some(format!(
                        "write it without quotes: {} = {}",
                        leaf(path),
                        s.trim()
                    )),
                );
                return None;
            }
            other => {
                self.wrong_type(value.span(), path, "an integer", other);
                return None;
            }
        };
        match n {
            Some(n) if (range.0..=range.1).contains(&n) => Some(n),
            _ => {
                let shown = n.map_or_else(|| "out of range".to_owned(), |n| n.to_string());
                self.problem(
                    value.span(),
                    path,
                    format!(
                        "{shown} is not allowed: must be from {} to {}{why}",
                        range.0, range.1
                    ),
                    None,
                );
                None
            }
        }
    }

    fn name(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        what: &str,
        max: usize,
    ) -> Option<String> {
        let s = self.string(value, path)?;
        match check_name(&s, max) {
            Ok(()) => Some(s),
            Err(why) => {
                self.problem(
                    value.span(),
                    path,
                    format!("\"{s}\" is not a valid {what}: {why}"),
                    Some(format!(
                        "{what}s are lower-case letters, digits and '-', start with a letter, and are at most {max} characters (they become part of stack names)"
                    )),
                );
                None
            }
        }
    }

    fn top(&mut self, root: &DeTable<'_>) -> FileConfig {
        let mut config = FileConfig::default();
        for (key, value) in entries(root) {
            let k = key.get_ref().as_ref();
            match k {
                "project" => {
                    config.project = self
                        .name(value, k, "project name", 64)
                        .map(|v| self.set(v, value.span()));
                }
                "default_environment" => {
                    config.default_environment = self
                        .name(value, k, "environment name", 32)
                        .map(|v| self.set(v, value.span()));
                }
                "region" => {
                    config.region = self
                        .string(value, k)
                        .and_then(|r| self.region(r, value.span(), k))
                        .map(|r| self.set(r, value.span()));
                }
                "tags" => config.tags = self.tags(value, "tags"),
                "blueprint" => config.blueprint = self.section(key, value, "blueprint"),
                "environments" => {
                    if let Some(envs) = self.table(value, k) {
                        for (i, (name, body)) in entries(envs).into_iter().enumerate() {
                            let n = name.get_ref().to_string();
                            let path = format!("environments.{n}");
                            if i == MAX_ENVIRONMENTS {
                                // Checking resolves every environment
                                // through its chain of `extends`: the work
                                // grows with the square of their number.
                                self.problem(
                                    name.span(),
                                    &path,
                                    format!(
                                        "more than {MAX_ENVIRONMENTS} environments; hagen reads at most {MAX_ENVIRONMENTS} from one file"
                                    ),
                                    Some("keep the environments you deploy; split the others into another file (--config)".into()),
                                );
                                break;
                            }
                            if let Err(why) = check_name(&n, 32) {
                                self.problem(
                                    name.span(),
                                    &path,
                                    format!("\"{n}\" is not a valid environment name: {why}"),
                                    Some("environment names are lower-case letters, digits and '-', start with a letter, and are at most 32 characters".into()),
                                );
                                continue;
                            }
                            let mut layer = self.layer(body, &path, &n);
                            layer.at = Some(self.source.location(name.span().start));
                            layer.name = n.clone();
                            config.environments.insert(n, layer);
                        }
                    }
                }
                other => self.unknown(key.span(), other, other, TOP_KEYS, "the top level"),
            }
        }
        config
    }

    fn tags(&mut self, value: &Spanned<DeValue<'_>>, path: &str) -> Vec<(String, Set<String>)> {
        let mut tags = Vec::new();
        let Some(table) = self.table(value, path) else {
            return tags;
        };
        for (key, value) in entries(table) {
            let k = key.get_ref().to_string();
            let kpath = format!("{path}.{k}");
            if RESERVED_TAGS.contains(&k.as_str()) {
                self.problem(
                    key.span(),
                    &kpath,
                    format!("the `{k}` tag is set by hagen"),
                    Some(if k == "Project" {
                        "set `project = \"...\"` at the top of the file instead".into()
                    } else {
                        "it is the environment's name; define another environment instead".into()
                    }),
                );
                continue;
            }
            if k.is_empty() || k.chars().count() > 128 || k.to_ascii_lowercase().starts_with("aws:")
            {
                self.problem(
                    key.span(),
                    &kpath,
                    "tag keys are 1 to 128 characters and may not start with `aws:`".into(),
                    None,
                );
                continue;
            }
            if let Some(v) = self.string(value, &kpath) {
                if v.chars().count() > 256 {
                    self.problem(
                        value.span(),
                        &kpath,
                        "tag values are at most 256 characters".into(),
                        None,
                    );
                    continue;
                }
                tags.push((k, self.set(v, value.span())));
            }
        }
        tags
    }

    fn layer(&mut self, value: &Spanned<DeValue<'_>>, path: &str, env: &str) -> Layer {
        let mut layer = Layer::default();
        let Some(table) = self.table(value, path) else {
            return layer;
        };
        for (key, value) in entries(table) {
            let k = key.get_ref().as_ref();
            let kpath = format!("{path}.{k}");
            let span = value.span();
            match k {
                "extends" => {
                    if BaseEnvironment::from_name(env).is_some() {
                        self.problem(
                            key.span(),
                            &kpath,
                            format!("`{env}` is built in and cannot extend another environment"),
                            Some("define a new environment that extends it instead".into()),
                        );
                    } else if let Some(v) = self.name(value, &kpath, "environment name", 32) {
                        if v == env {
                            self.problem(
                                span.clone(),
                                &kpath,
                                format!("environment `{env}` cannot extend itself"),
                                None,
                            );
                        } else {
                            layer.extends = Some(self.set(v, span));
                        }
                    }
                }
                "az_count" => {
                    layer.az_count = self
                        .integer(
                            value,
                            &kpath,
                            (2, 6),
                            " (a load balancer needs two AZs; no region has more than 6)",
                        )
                        .and_then(|n| u8::try_from(n).ok())
                        .map(|n| self.set(n, span));
                }
                "region" => {
                    layer.region = self
                        .string(value, &kpath)
                        .and_then(|r| self.region(r, span.clone(), &kpath))
                        .map(|r| self.set(r, span));
                }
                "deletion_protection" => {
                    layer.deletion_protection =
                        self.boolean(value, &kpath).map(|b| self.set(b, span));
                }
                "template_bucket" => {
                    layer.template_bucket = self
                        .string(value, &kpath)
                        .and_then(|s| self.bucket(s, span.clone(), &kpath))
                        .map(|b| self.set(b, span));
                }
                "tags" => layer.tags = self.tags(value, &kpath),
                "account" => {
                    layer.account = self
                        .string(value, &kpath)
                        .and_then(|a| self.account(a, span.clone(), &kpath))
                        .map(|a| self.set(a, span));
                }
                "parameters" => layer.parameters = self.parameters(value, &kpath),
                "deploy_monitors" => self.deploy_monitors(value, &kpath, &mut layer),
                "blueprint" => layer.blueprint = self.section(key, value, &kpath),
                "protect" => {
                    layer.protect = self.boolean(value, &kpath).map(|b| self.set(b, span));
                }
                "role_arn" => {
                    layer.role_arn = self
                        .string(value, &kpath)
                        .and_then(|a| self.role_arn(a, span.clone(), &kpath))
                        .map(|a| self.set(a, span));
                }
                other => self.unknown(key.span(), &kpath, other, ENV_KEYS, &format!("[{path}]")),
            }
        }
        layer
    }

    fn bucket(&mut self, s: String, span: Range<usize>, path: &str) -> Option<String> {
        let edge =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let ok = (3..=63).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
            && edge(s.chars().next())
            && edge(s.chars().last())
            && !s.contains("..");
        if ok {
            return Some(s);
        }
        self.problem(
            span,
            path,
            format!("\"{s}\" is not an S3 bucket name"),
            Some("bucket names are 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit".into()),
        );
        None
    }

    /// Checks an IAM role ARN's shape (see
    /// [`crate::config::check_role_arn`]).
    fn role_arn(&mut self, s: String, span: Range<usize>, path: &str) -> Option<String> {
        match super::check_role_arn(&s) {
            Ok(()) => Some(s),
            Err(why) => {
                self.problem(span, path, format!("\"{s}\" is not an IAM role ARN: {why}"), Some(
                    "a role ARN looks like role_arn = \"arn:aws:iam::123456789012:role/cfn-deploy\"".into(),
                ));
                None
            }
        }
    }

    /// Checks an AWS account ID's shape: twelve digits, written as a string
    /// (as a number it would lose its leading zeros).
    fn account(&mut self, s: String, span: Range<usize>, path: &str) -> Option<String> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(s);
        }
        self.problem(
            span,
            path,
            format!("\"{s}\" is not an AWS account ID"),
            Some(
                "an account ID is 12 digits, written as a string: account = \"123456789012\""
                    .into(),
            ),
        );
        None
    }

    /// Reads a `deploy_monitors` table: `alarms`, logical IDs of the
    /// template's alarms that watch each deploy besides the template's own,
    /// and `monitoring_minutes` (0 to 180) in place of the template's.
    fn deploy_monitors(&mut self, value: &Spanned<DeValue<'_>>, path: &str, layer: &mut Layer) {
        let Some(table) = self.table(value, path) else {
            return;
        };
        for (key, value) in entries(table) {
            let k = key.get_ref().to_string();
            let kpath = format!("{path}.{k}");
            match k.as_str() {
                "alarms" => {
                    let ids = match value.get_ref() {
                        DeValue::Array(items) => items
                            .iter()
                            .map(|i| match i.get_ref() {
                                DeValue::String(s) if !s.is_empty() => Some(s.to_string()),
                                _ => None,
                            })
                            .collect::<Option<Vec<_>>>(),
                        _ => None,
                    };
                    match ids {
                        Some(ids) => {
                            layer.deploy_monitor_alarms = Some(self.set(ids, value.span()));
                        }
                        None => self.problem(
                            value.span(),
                            &kpath,
                            "must be an array of alarm logical IDs".into(),
                            Some("write: alarms = [\"AppAlarmsTarget5xxAlarm\"]".into()),
                        ),
                    }
                }
                "monitoring_minutes" => {
                    layer.monitoring_minutes = self
                        .integer(
                            value,
                            &kpath,
                            (0, i64::from(crate::deploy_monitors::MAX_MONITORING_MINUTES)),
                            " (CloudFormation's limit for rollback triggers)",
                        )
                        .and_then(|n| u32::try_from(n).ok())
                        .map(|n| self.set(n, value.span()));
                }
                other => self.unknown(
                    key.span(),
                    &kpath,
                    other,
                    MONITOR_KEYS,
                    &format!("[{path}]"),
                ),
            }
        }
    }

    /// Reads a `parameters` table: CloudFormation parameter values by
    /// name. Strings, integers and booleans are sent as written; an array
    /// of them is joined with commas (a `CommaDelimitedList` parameter).
    fn parameters(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
    ) -> Vec<(String, Set<String>)> {
        let mut parameters = Vec::new();
        let Some(table) = self.table(value, path) else {
            return parameters;
        };
        for (key, value) in entries(table) {
            let k = key.get_ref().to_string();
            let kpath = format!("{path}.{k}");
            let scalar = |v: &DeValue<'_>| match v {
                DeValue::String(s) => Some(s.to_string()),
                DeValue::Integer(i) => Some(
                    i64::from_str_radix(i.as_str(), i.radix())
                        .map_or_else(|_| i.as_str().to_owned(), |n| n.to_string()),
                ),
                DeValue::Float(f) => Some(f.to_string()),
                DeValue::Boolean(b) => Some(b.to_string()),
                _ => None,
            };
            let text = match value.get_ref() {
                DeValue::Array(items) => items
                    .iter()
                    .map(|i| scalar(i.get_ref()))
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.join(",")),
                other => scalar(other),
            };
            match text {
                Some(v) => parameters.push((k, self.set(v, value.span()))),
                None => self.wrong_type(
                    value.span(),
                    &kpath,
                    "a string, number, boolean or an array of them",
                    value.get_ref(),
                ),
            }
        }
        parameters
    }

    /// Checks an AWS region name's shape (`eu-west-1`, `us-gov-west-1`,
    /// `cn-north-1`); whether the account may use it is AWS's to say.
    fn region(&mut self, s: String, span: Range<usize>, path: &str) -> Option<String> {
        let parts: Vec<&str> = s.split('-').collect();
        let ok = parts.len() >= 3
            && parts.first().is_some_and(|p| p.len() == 2)
            && parts
                .last()
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            return Some(s);
        }
        let help = if s != s.to_ascii_lowercase() {
            format!("write it in lower case: \"{}\"", s.to_ascii_lowercase())
        } else {
            "a region is written like \"eu-west-1\" or \"us-east-2\" (not an availability zone such as \"eu-west-1a\")".to_owned()
        };
        self.problem(
            span,
            path,
            format!("\"{s}\" is not an AWS region"),
            Some(help),
        );
        None
    }

    /// Keeps a `blueprint` table as written: its values for the
    /// blueprint's type, and where each key is for the problems it finds.
    fn section(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
        path: &str,
    ) -> Option<Section> {
        let table = self.table(value, path)?;
        let values =
            match toml::Table::deserialize(toml::de::ValueDeserializer::from(value.clone())) {
                Ok(values) => values,
                Err(e) => {
                    self.problem(
                        value.span(),
                        path,
                        format!("cannot be read: {}", e.message()),
                        None,
                    );
                    return None;
                }
            };
        let mut places = BTreeMap::new();
        self.places(table, "", &mut places);
        Some(Section {
            name: path.to_owned(),
            values,
            places,
            at: Place {
                key: key.span(),
                value: value.span(),
                at: self.source.location(key.span().start),
            },
        })
    }

    fn places(&self, table: &DeTable<'_>, prefix: &str, out: &mut BTreeMap<String, Place>) {
        for (key, value) in table.iter() {
            let path = if prefix.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{prefix}.{}", key.get_ref())
            };
            out.insert(
                path.clone(),
                Place {
                    key: key.span(),
                    value: value.span(),
                    at: self.source.location(value.span().start),
                },
            );
            if let DeValue::Table(inner) = value.get_ref() {
                self.places(inner, &path, out);
            }
        }
    }
}

/// The last segment of a dotted key.
fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Checks a project or environment name: lower-case letters, digits and
/// `-`, starting with a letter.
fn check_name(s: &str, max: usize) -> Result<(), String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.len() > max {
        return Err(format!("it is {} characters long", s.len()));
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a lower-case letter".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!("{c:?} is not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::path::Path;

    /// A blueprint section with a nested table and a word.
    #[derive(Debug, Clone, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Shop {
        instance_type: String,
        scaling: Scaling,
        asg: Asg,
    }

    #[derive(Debug, Clone, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Asg {
        min: u32,
        max: u32,
    }

    #[derive(Debug, Clone, Copy, Deserialize, Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Scaling {
        Cpu,
        Requests,
    }

    impl BlueprintConfig for Shop {
        fn defaults(_: &Environment) -> Self {
            Shop {
                instance_type: "t3.medium".into(),
                scaling: Scaling::Cpu,
                asg: Asg { min: 2, max: 6 },
            }
        }
    }

    fn parse_text(text: &str) -> Result<FileConfig, ConfigError> {
        parse::<Shop>(&Source::new(Path::new("hagen.toml"), text.into()))
    }

    fn problems(text: &str) -> Vec<Problem> {
        match parse_text(text) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    }

    fn one(text: &str) -> Problem {
        let mut p = problems(text);
        assert_eq!(p.len(), 1, "expected one problem, got {p:#?}");
        p.remove(0)
    }

    /// Regression (hostile input, config problems): 60,000 unknown keys on
    /// one line made 60,000 problems each quoting the 700 KB line; 28 s and
    /// out of memory. At most MAX_PROBLEMS are kept, the rest counted.
    #[test]
    fn problems_past_the_limit_are_counted_not_kept() {
        let keys: Vec<String> = (0..300).map(|i| format!("k{i} = 1")).collect();
        let text = format!("environments = {{ stage = {{ {} }} }}\n", keys.join(", "));
        let p = problems(&text);
        assert_eq!(p.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            p.last().map(|p| p.message.as_str()),
            Some(
                "200 more problems were found and not listed (hagen lists at most 100); fix the ones above and run again"
            )
        );
        assert!(p[0].snippet.as_ref().is_some_and(|s| s.text.len() < 200));
    }

    /// Regression (hostile input, environment chains): 20,000 environments
    /// each extending the one before made every check resolve chains of
    /// thousands. A file defines at most MAX_ENVIRONMENTS.
    #[test]
    fn more_environments_than_the_limit_are_refused() {
        let mut text = String::new();
        for i in 0..=MAX_ENVIRONMENTS {
            let parent = if i == 0 {
                "stage".to_owned()
            } else {
                format!("e{}", i - 1)
            };
            text.push_str(&format!("[environments.e{i}]\nextends = \"{parent}\"\n"));
        }
        let p = one(&text);
        assert_eq!(p.key.as_deref(), Some("environments.e100"));
        assert_eq!(
            p.message,
            "more than 100 environments; hagen reads at most 100 from one file"
        );
        assert_eq!(p.location.as_ref().map(|l| l.line), Some(201));
        // Exactly the limit is fine.
        let upto: String = text
            .lines()
            .take(2 * MAX_ENVIRONMENTS)
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse_text(&upto).is_ok());
    }

    fn line(p: &Problem) -> usize {
        p.location.as_ref().map_or(0, |l| l.line)
    }

    #[test]
    fn an_empty_file_is_valid() {
        assert_eq!(parse_text("").expect("valid"), FileConfig::default());
    }

    #[test]
    fn an_unknown_key_names_line_key_and_suggestion() {
        let p = one("[environments.stage]\naz_cont = 3\n");
        assert_eq!(line(&p), 2);
        assert_eq!(p.key.as_deref(), Some("environments.stage.az_cont"));
        assert_eq!(p.help.as_deref(), Some("did you mean `az_count`?"));
    }

    #[test]
    fn a_blueprint_key_one_table_too_high_says_where_it_belongs() {
        let p = one("[environments.prod]\ninstance_type = \"m6i.large\"\n");
        assert_eq!(
            p.help.as_deref(),
            Some(
                "`instance_type` is a key of the blueprint's own section: write it under [environments.prod.blueprint]"
            )
        );
        let p = one("instance_type = \"m6i.large\"\n");
        assert!(
            p.help
                .as_deref()
                .is_some_and(|h| h.ends_with("under [blueprint]"))
        );
    }

    #[test]
    fn a_wrong_type_says_what_was_expected() {
        let p = one("[environments.prod]\ndeletion_protection = \"yes\"\n");
        assert_eq!(p.message, "must be true or false, found a string");
        let at = p.location.expect("placed");
        assert_eq!((at.line, at.column), (2, 23));
    }

    #[test]
    fn a_quoted_number_gets_a_fix() {
        let p = one("[environments.prod]\naz_count = \"3\"\n");
        assert_eq!(
            p.help.as_deref(),
            Some("write it without quotes: az_count = 3")
        );
    }

    #[test]
    fn regions_are_checked_for_shape() {
        assert!(
            problems("region = \"eu-west-1\"\n[environments.gov]\nregion = \"us-gov-west-1\"\n")
                .is_empty()
        );
        let p = one("[environments.prod]\nregion = \"eu-west-1a\"\n");
        assert_eq!(p.key.as_deref(), Some("environments.prod.region"));
        assert!(p.message.contains("not an AWS region"), "{}", p.message);
        let p = one("region = \"EU-WEST-1\"\n");
        assert_eq!(
            p.help.as_deref(),
            Some("write it in lower case: \"eu-west-1\"")
        );
    }

    #[test]
    fn every_problem_is_reported_in_file_order() {
        let p = problems(
            "zzz = 1\n[environments.stage]\naz_count = 9\n[environments.stage.blueprint]\nscaling = \"request\"\n[environments.stage.blueprint.asg]\nmni = 3\nmax = -1\n",
        );
        let lines: Vec<_> = p.iter().map(line).collect();
        assert_eq!(lines, [1, 3, 5, 7, 8], "{p:#?}");
    }

    #[test]
    fn blueprint_sections_are_read_into_the_type_with_lines_keys_and_suggestions() {
        let text = "[environments.stage.blueprint]\nscaling = \"request\"\ninstance_typ = \"t3.large\"\n\n[environments.stage.blueprint.asg]\nmin = \"3\"\nmaxi = 4\n";
        let p = problems(text);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert_eq!(
            p[0].key.as_deref(),
            Some("environments.stage.blueprint.scaling")
        );
        assert_eq!(p[0].help.as_deref(), Some("did you mean \"requests\"?"));
        assert_eq!(line(&p[1]), 3);
        assert_eq!(
            p[1].message,
            "unknown key `instance_typ` in [environments.stage.blueprint]"
        );
        assert_eq!(p[1].help.as_deref(), Some("did you mean `instance_type`?"));
        assert_eq!(
            p[2].key.as_deref(),
            Some("environments.stage.blueprint.asg.min")
        );
        assert_eq!(
            p[2].location.as_ref().map(|l| (l.line, l.column)),
            Some((6, 7)),
            "the value, not the key"
        );
        assert_eq!(
            p[2].help.as_deref(),
            Some("write it without quotes: min = 3")
        );
        assert_eq!(
            p[3].key.as_deref(),
            Some("environments.stage.blueprint.asg.maxi")
        );
        assert_eq!(
            p[3].message,
            "unknown key `maxi` in [environments.stage.blueprint.asg]"
        );
        assert_eq!(p[3].help.as_deref(), Some("did you mean `max`?"));
    }

    #[test]
    fn deploy_monitors_take_alarm_ids_and_minutes_within_cloudformations_limit() {
        let p = one("[environments.prod.deploy_monitors]\nmonitoring_minutes = 200\n");
        assert_eq!(
            p.key.as_deref(),
            Some("environments.prod.deploy_monitors.monitoring_minutes")
        );
        assert_eq!(
            p.location.as_ref().map(|l| (l.line, l.column)),
            Some((2, 22))
        );
        let p = one("[environments.prod.deploy_monitors]\nalarms = \"Errors\"\n");
        assert!(
            p.message.contains("array of alarm logical IDs"),
            "{}",
            p.message
        );
        let p = one("[environments.prod.deploy_monitors]\nalarm = [\"Errors\"]\n");
        assert_eq!(p.help.as_deref(), Some("did you mean `alarms`?"));
    }

    #[test]
    fn a_section_is_kept_with_its_places() {
        let c = parse_text(
            "[blueprint]\nscaling = \"requests\"\n[environments.perf.blueprint.asg]\nmax = 30\n",
        )
        .expect("valid");
        let top = c.blueprint.expect("top-level section");
        assert_eq!(top.name, "blueprint");
        assert_eq!(top.places["scaling"].at.line, 2);
        let perf = c.environments["perf"]
            .blueprint
            .as_ref()
            .expect("perf section");
        assert_eq!(perf.places["asg.max"].at.line, 4);
        assert_eq!(perf.values["asg"]["max"].as_integer(), Some(30));
    }

    #[test]
    fn a_blueprint_without_keys_refuses_any() {
        let text = "[environments.stage.blueprint]\ncolour = \"red\"\n";
        let err = parse::<()>(&Source::new(Path::new("h.toml"), text.into())).expect_err("no keys");
        let p = &err.problems()[0];
        assert_eq!(
            p.message,
            "unknown key `colour` in [environments.stage.blueprint]: this blueprint takes no keys of its own here"
        );
        assert_eq!(
            p.help.as_deref(),
            Some("remove it, or the whole [environments.stage.blueprint] table")
        );
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let p = one("[environments.stage\n");
        assert_eq!(line(&p), 1);
        assert!(p.message.starts_with("invalid TOML"));
    }

    #[test]
    fn built_in_environments_cannot_extend() {
        let p = one("[environments.prod]\nextends = \"stage\"\n");
        assert!(p.message.contains("built in"));
    }

    #[test]
    fn reserved_tags_are_refused() {
        let p = one("[tags]\nProject = \"x\"\n");
        assert_eq!(p.key.as_deref(), Some("tags.Project"));
    }

    #[test]
    fn accounts_are_twelve_digit_strings_and_parameters_scalars() {
        let p = one("[environments.prod]\naccount = \"12345\"\n");
        assert_eq!(p.key.as_deref(), Some("environments.prod.account"));
        assert!(p.message.contains("not an AWS account ID"), "{}", p.message);
        let p = one("[environments.prod]\naccount = 123456789012\n");
        assert!(p.message.contains("must be a string"), "{}", p.message);
        let p = one("[environments.prod.parameters]\nImageId = { a = 1 }\n");
        assert_eq!(
            p.key.as_deref(),
            Some("environments.prod.parameters.ImageId")
        );
        assert!(
            p.message.contains("a string, number, boolean"),
            "{}",
            p.message
        );
        assert!(
            problems(
                "[environments.prod.parameters]\nImageId = \"ami-1\"\nPort = 443\nOn = true\n"
            )
            .is_empty()
        );
        let p = one("[environments.prod]\nparameter = 1\n");
        assert!(
            p.help.as_deref().is_some_and(|h| h.contains("parameters")),
            "{p:?}"
        );
    }

    #[test]
    fn template_buckets_follow_s3_naming() {
        let p = one("[environments.prod]\ntemplate_bucket = \"My_Bucket\"\n");
        assert!(p.message.contains("not an S3 bucket name"), "{}", p.message);
        assert!(
            problems("[environments.prod]\ntemplate_bucket = \"acme-cfn-templates\"\n").is_empty()
        );
    }

    #[test]
    fn protect_and_role_arn_are_checked_where_they_are_written() {
        let p = one("[environments.stage]\nprotect = \"yes\"\n");
        assert_eq!(line(&p), 2);
        assert_eq!(p.key.as_deref(), Some("environments.stage.protect"));
        let p = one("[environments.prod]\n\nrole_arn = \"arn:aws:iam::123:role/deploy\"\n");
        assert_eq!(line(&p), 3);
        assert_eq!(p.location.as_ref().map(|l| l.column), Some(12));
        assert!(p.message.contains("not an IAM role ARN"), "{}", p.message);
        assert!(p.message.contains("12 digits"), "{}", p.message);
        assert!(
            problems(
                "[environments.prod]\nprotect = false\nrole_arn = \"arn:aws:iam::123456789012:role/deploy\"\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("perf-2", 32).is_ok());
        assert!(check_name("Perf", 32).is_err());
        assert!(check_name("2perf", 32).is_err());
        assert!(check_name("per_f", 32).is_err());
    }
}
