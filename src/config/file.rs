//! Reads `hagen.toml`: its shape, key names, value types and value ranges.
//!
//! Owns the file format. Every problem is reported with the file, line,
//! column and dotted key, and the whole file is checked before anything is
//! reported, so one run lists every mistake. It does not layer environments
//! (that is `super::resolve`) and knows no built-in default values.

use std::ops::Range;

use indexmap::IndexMap;
use ipnet::Ipv4Net;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::custom::{CustomKey, CustomKind, CustomValue};
use super::error::{ConfigError, Location, Problem, Source};
use super::settings::{BaseEnvironment, DbEngine, NatGateways};
use super::suggest::did_you_mean;

/// A value set in the file, with where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Set<T> {
    pub value: T,
    pub at: Location,
    pub span: Range<usize>,
}

/// One `[environments.NAME]` table: every key it sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layer {
    pub name: String,
    pub at: Option<Location>,
    pub extends: Option<Set<String>>,
    pub az_count: Option<Set<u8>>,
    pub vpc_cidr: Option<Set<Ipv4Net>>,
    pub nat: Option<Set<NatGateways>>,
    pub instance_type: Option<Set<String>>,
    pub bastion_instance_type: Option<Set<String>>,
    pub asg_min: Option<Set<u32>>,
    pub asg_desired: Option<Set<u32>>,
    pub asg_max: Option<Set<u32>>,
    pub db_engine: Option<Set<DbEngine>>,
    pub db_instance_class: Option<Set<String>>,
    pub db_allocated_storage: Option<Set<u32>>,
    pub db_backup_retention_days: Option<Set<u32>>,
    pub deletion_protection: Option<Set<bool>>,
    pub domain: Option<Set<String>>,
    pub template_bucket: Option<Set<String>>,
    pub tags: Vec<(String, Set<String>)>,
    pub custom: Vec<(String, Set<CustomValue>)>,
}

/// The whole file, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FileConfig {
    pub project: Option<Set<String>>,
    pub default_environment: Option<Set<String>>,
    pub tags: Vec<(String, Set<String>)>,
    pub environments: IndexMap<String, Layer>,
}

const TOP_KEYS: &[&str] = &["project", "default_environment", "tags", "environments"];
const ENV_KEYS: &[&str] = &[
    "extends",
    "az_count",
    "vpc_cidr",
    "nat",
    "instance_type",
    "bastion_instance_type",
    "asg",
    "database",
    "deletion_protection",
    "domain",
    "template_bucket",
    "tags",
    "blueprint",
];
const ASG_KEYS: &[&str] = &["min", "desired", "max"];
const DB_KEYS: &[&str] = &[
    "engine",
    "instance_class",
    "allocated_storage",
    "backup_retention_days",
];

/// Tag keys hagen sets itself.
const RESERVED_TAGS: &[&str] = &["Project", "Environment"];

/// Parses and checks a configuration file's text. `path` is used in messages.
pub(crate) fn parse(source: &Source, custom_keys: &[CustomKey]) -> Result<FileConfig, ConfigError> {
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
    let mut reader = Reader {
        source,
        custom_keys,
        problems: Vec::new(),
    };
    let config = reader.top(root.get_ref());
    if reader.problems.is_empty() {
        Ok(config)
    } else {
        let mut problems = reader.problems;
        problems.sort_by_key(|p| (p.location.line, p.location.column));
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
    custom_keys: &'s [CustomKey],
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, span: Range<usize>, key: &str, message: String, help: Option<String>) {
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
        let help = match did_you_mean(key, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known keys here: {}", known.join(", ")),
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

    fn choice<T: Copy>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let s = self.string(value, path)?;
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == s) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let help =
            did_you_mean(&s, names.iter().copied()).map(|m| format!("did you mean \"{m}\"?"));
        self.problem(
            value.span(),
            path,
            format!(
                "\"{s}\" is not allowed: must be one of {}",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            help,
        );
        None
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
                "tags" => config.tags = self.tags(value, "tags"),
                "environments" => {
                    if let Some(envs) = self.table(value, k) {
                        for (name, body) in entries(envs) {
                            let n = name.get_ref().to_string();
                            let path = format!("environments.{n}");
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
                        .map(|n| self.set(n as u8, span));
                }
                "vpc_cidr" => {
                    layer.vpc_cidr = self
                        .string(value, &kpath)
                        .and_then(|s| self.cidr(&s, span.clone(), &kpath))
                        .map(|c| self.set(c, span));
                }
                "nat" => {
                    layer.nat = self
                        .choice(
                            value,
                            &kpath,
                            &[
                                ("per-az", NatGateways::PerAz),
                                ("single", NatGateways::Single),
                            ],
                        )
                        .map(|v| self.set(v, span));
                }
                "instance_type" | "bastion_instance_type" => {
                    let v = self.string(value, &kpath).and_then(|s| {
                        self.instance_type(&s, span.clone(), &kpath, "")
                            .then_some(s)
                    });
                    let v = v.map(|v| self.set(v, span));
                    if k == "instance_type" {
                        layer.instance_type = v;
                    } else {
                        layer.bastion_instance_type = v;
                    }
                }
                "asg" => self.asg(value, &kpath, &mut layer),
                "database" => self.database(value, &kpath, &mut layer),
                "deletion_protection" => {
                    layer.deletion_protection =
                        self.boolean(value, &kpath).map(|b| self.set(b, span));
                }
                "domain" => {
                    layer.domain = self
                        .string(value, &kpath)
                        .and_then(|s| self.domain(s, span.clone(), &kpath))
                        .map(|d| self.set(d, span));
                }
                "template_bucket" => {
                    layer.template_bucket = self
                        .string(value, &kpath)
                        .and_then(|s| self.bucket(s, span.clone(), &kpath))
                        .map(|b| self.set(b, span));
                }
                "tags" => layer.tags = self.tags(value, &kpath),
                "blueprint" => layer.custom = self.custom(value, &kpath),
                other => self.unknown(key.span(), &kpath, other, ENV_KEYS, &format!("[{path}]")),
            }
        }
        layer
    }

    fn asg(&mut self, value: &Spanned<DeValue<'_>>, path: &str, layer: &mut Layer) {
        let Some(table) = self.table(value, path) else {
            return;
        };
        for (key, value) in entries(table) {
            let k = key.get_ref().as_ref();
            let kpath = format!("{path}.{k}");
            let slot = match k {
                "min" => &mut layer.asg_min,
                "desired" => &mut layer.asg_desired,
                "max" => &mut layer.asg_max,
                other => {
                    self.unknown(key.span(), &kpath, other, ASG_KEYS, &format!("[{path}]"));
                    continue;
                }
            };
            *slot = self
                .integer(value, &kpath, (0, 1000), "")
                .map(|n| self.set(n as u32, value.span()));
        }
    }

    fn database(&mut self, value: &Spanned<DeValue<'_>>, path: &str, layer: &mut Layer) {
        let Some(table) = self.table(value, path) else {
            return;
        };
        for (key, value) in entries(table) {
            let k = key.get_ref().as_ref();
            let kpath = format!("{path}.{k}");
            let span = value.span();
            match k {
                "engine" => {
                    layer.db_engine = self
                        .choice(
                            value,
                            &kpath,
                            &[("postgres", DbEngine::Postgres), ("mysql", DbEngine::MySql)],
                        )
                        .map(|v| self.set(v, span));
                }
                "instance_class" => {
                    layer.db_instance_class = self.string(value, &kpath).and_then(|s| {
                        self.instance_type(&s, span.clone(), &kpath, "db.")
                            .then(|| self.set(s, span))
                    });
                }
                "allocated_storage" => {
                    layer.db_allocated_storage = self
                        .integer(
                            value,
                            &kpath,
                            (20, 65536),
                            " GiB (RDS general-purpose storage limits)",
                        )
                        .map(|n| self.set(n as u32, span));
                }
                "backup_retention_days" => {
                    layer.db_backup_retention_days = self
                        .integer(
                            value,
                            &kpath,
                            (1, 35),
                            " days (RDS keeps automated backups at most 35 days; 0 would turn them off)",
                        )
                        .map(|n| self.set(n as u32, span));
                }
                other => self.unknown(key.span(), &kpath, other, DB_KEYS, &format!("[{path}]")),
            }
        }
    }

    fn cidr(&mut self, s: &str, span: Range<usize>, path: &str) -> Option<Ipv4Net> {
        let net: Ipv4Net = match s.parse() {
            Ok(n) => n,
            Err(_) => {
                self.problem(
                    span,
                    path,
                    format!("\"{s}\" is not an IPv4 CIDR block"),
                    Some("write it as address/prefix, for example \"10.0.0.0/16\"".into()),
                );
                return None;
            }
        };
        if !(16..=28).contains(&net.prefix_len()) {
            self.problem(
                span,
                path,
                format!(
                    "a VPC block must be from /16 to /28, \"{s}\" is /{}",
                    net.prefix_len()
                ),
                None,
            );
            return None;
        }
        if net.addr() != net.network() {
            self.problem(
                span,
                path,
                format!("\"{s}\" has host bits set"),
                Some(format!("did you mean \"{}\"?", net.trunc())),
            );
            return None;
        }
        Some(net)
    }

    fn instance_type(&mut self, s: &str, span: Range<usize>, path: &str, prefix: &str) -> bool {
        let rest = s.strip_prefix(prefix);
        let ok = rest.is_some_and(|rest| {
            let mut parts = rest.split('.');
            let family = parts.next().unwrap_or_default();
            let size = parts.next().unwrap_or_default();
            parts.next().is_none()
                && family.starts_with(|c: char| c.is_ascii_lowercase())
                && family
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !size.is_empty()
                && size
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        if !ok {
            let example = if prefix.is_empty() {
                "t3.medium"
            } else {
                "db.t4g.medium"
            };
            self.problem(
                span,
                path,
                format!("\"{s}\" is not an instance type"),
                Some(format!(
                    "write it as family.size, for example \"{example}\""
                )),
            );
        }
        ok
    }

    fn domain(&mut self, s: String, span: Range<usize>, path: &str) -> Option<String> {
        let labels: Vec<&str> = s.split('.').collect();
        let ok = s.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
        if ok {
            return Some(s);
        }
        let help = if s != s.to_ascii_lowercase() {
            Some(format!(
                "write it in lower case: \"{}\"",
                s.to_ascii_lowercase()
            ))
        } else if s.ends_with('.') {
            Some("leave out the trailing dot".into())
        } else {
            Some("a domain is dot-separated labels of letters, digits and '-', such as \"app.example.com\"".into())
        };
        self.problem(span, path, format!("\"{s}\" is not a domain name"), help);
        None
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

    fn custom(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
    ) -> Vec<(String, Set<CustomValue>)> {
        let mut out = Vec::new();
        let Some(table) = self.table(value, path) else {
            return out;
        };
        let known: Vec<&str> = self.custom_keys.iter().map(|k| k.name).collect();
        for (key, value) in entries(table) {
            let k = key.get_ref().to_string();
            let kpath = format!("{path}.{k}");
            let Some(decl) = self.custom_keys.iter().find(|d| d.name == k).copied() else {
                if known.is_empty() {
                    self.problem(
                        key.span(),
                        &kpath,
                        format!("unknown key `{k}`: this blueprint takes no keys of its own"),
                        Some(format!("remove it, or the whole [{path}] table")),
                    );
                } else {
                    self.unknown(key.span(), &kpath, &k, &known, &format!("[{path}]"));
                }
                continue;
            };
            let span = value.span();
            let parsed = match decl.kind {
                CustomKind::Bool => self.boolean(value, &kpath).map(CustomValue::Bool),
                CustomKind::Integer { min, max } => self
                    .integer(value, &kpath, (min, max), "")
                    .map(CustomValue::Integer),
                CustomKind::String => self.string(value, &kpath).map(CustomValue::String),
                CustomKind::Choice(words) => {
                    let options: Vec<(&str, &str)> = words.iter().map(|w| (*w, *w)).collect();
                    self.choice(value, &kpath, &options)
                        .map(|w| CustomValue::String(w.to_owned()))
                }
                CustomKind::StringList => self.string_list(value, &kpath),
            };
            if let Some(v) = parsed {
                out.push((k, self.set(v, span)));
            }
        }
        out
    }

    fn string_list(&mut self, value: &Spanned<DeValue<'_>>, path: &str) -> Option<CustomValue> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value.span(), path, "a list of strings", value.get_ref());
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            out.push(self.string(item, path)?);
        }
        Some(CustomValue::StringList(out))
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
    use std::path::Path;

    fn problems(text: &str) -> Vec<Problem> {
        match parse(&Source::new(Path::new("hagen.toml"), text.into()), &[]) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    }

    fn one(text: &str) -> Problem {
        let mut p = problems(text);
        assert_eq!(p.len(), 1, "expected one problem, got {p:#?}");
        p.remove(0)
    }

    #[test]
    fn an_empty_file_is_valid() {
        assert_eq!(
            parse(&Source::new(Path::new("h.toml"), String::new()), &[]).expect("valid"),
            FileConfig::default()
        );
    }

    #[test]
    fn an_unknown_key_names_line_key_and_suggestion() {
        let p = one("[environments.stage]\naz_cont = 3\n");
        assert_eq!(p.location.line, 2);
        assert_eq!(p.key.as_deref(), Some("environments.stage.az_cont"));
        assert_eq!(p.help.as_deref(), Some("did you mean `az_count`?"));
    }

    #[test]
    fn a_wrong_type_says_what_was_expected() {
        let p = one("[environments.prod]\ndeletion_protection = \"yes\"\n");
        assert_eq!(p.message, "must be true or false, found a string");
        assert_eq!(p.location.line, 2);
        assert_eq!(p.location.column, 23);
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
    fn an_invalid_cidr_is_rejected_with_the_value() {
        let p = one("[environments.stage]\nvpc_cidr = \"10.0.0.0/33\"\n");
        assert!(p.message.contains("10.0.0.0/33"), "{}", p.message);
        let p = one("[environments.stage]\nvpc_cidr = \"10.0.1.0/16\"\n");
        assert_eq!(p.help.as_deref(), Some("did you mean \"10.0.0.0/16\"?"));
        let p = one("[environments.stage]\nvpc_cidr = \"10.0.0.0/8\"\n");
        assert!(p.message.contains("/16 to /28"));
    }

    #[test]
    fn every_problem_is_reported_in_file_order() {
        let p = problems("zzz = 1\n[environments.stage]\nnat = \"none\"\naz_count = 9\n");
        let lines: Vec<_> = p.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, [1, 3, 4]);
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let p = one("[environments.stage\n");
        assert_eq!(p.location.line, 1);
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
    fn custom_keys_are_checked_against_the_blueprint() {
        const KEYS: &[CustomKey] = &[CustomKey {
            name: "scaling",
            kind: CustomKind::Choice(&["cpu", "requests"]),
            help: "",
        }];
        let text = "[environments.stage.blueprint]\nscaling = \"request\"\nscalin = \"cpu\"\n";
        let err = parse(&Source::new(Path::new("h.toml"), text.into()), KEYS).expect_err("invalid");
        let p = err.problems();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].help.as_deref(), Some("did you mean \"requests\"?"));
        assert_eq!(p[1].help.as_deref(), Some("did you mean `scaling`?"));
        let ok = parse(
            &Source::new(
                Path::new("h.toml"),
                "[environments.stage.blueprint]\nscaling = \"cpu\"\n".into(),
            ),
            KEYS,
        )
        .expect("valid");
        assert_eq!(
            ok.environments["stage"].custom[0].1.value,
            CustomValue::String("cpu".into())
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
    fn names_are_checked() {
        assert!(check_name("perf-2", 32).is_ok());
        assert!(check_name("Perf", 32).is_err());
        assert!(check_name("2perf", 32).is_err());
        assert!(check_name("per_f", 32).is_err());
    }
}
