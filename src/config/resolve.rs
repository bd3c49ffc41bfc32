//! Turns the file's environment tables into the [`Settings`] of one
//! environment: the built-in base first, then each table of the `extends`
//! chain, the most derived last.
//!
//! Owns layering, `extends` chains (unknown targets, cycles) and the checks
//! that span several keys (ASG min <= desired <= max). It does not read text.

use super::error::{ConfigError, Problem, Source};
use super::file::{FileConfig, Layer, Set};
use super::settings::{BaseEnvironment, Settings};
use super::suggest::did_you_mean;

/// The environment a user-defined environment extends when it says nothing.
const DEFAULT_BASE: BaseEnvironment = BaseEnvironment::Stage;

/// Every environment name: the built-in ones, then the file's in file order.
pub(crate) fn environment_names(file: &FileConfig) -> Vec<String> {
    let mut names: Vec<String> = BaseEnvironment::ALL
        .iter()
        .map(|b| b.name().to_owned())
        .collect();
    for name in file.environments.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// The settings of `name`, built from `defaults` and the file's layers.
pub(crate) fn resolve(
    file: &FileConfig,
    source: Option<&Source>,
    name: &str,
    defaults: &dyn Fn(BaseEnvironment) -> Settings,
) -> Result<Settings, ConfigError> {
    let (base, layers) = chain(file, source, name)?;
    let mut settings = defaults(base);
    settings.environment = name.to_owned();
    settings.base = base;
    if let Some(project) = &file.project {
        settings.project = project.value.clone();
        settings
            .origins
            .insert("project".into(), project.at.clone());
    }
    for (key, tag) in &file.tags {
        settings.tags.insert(key.clone(), tag.value.clone());
        settings
            .origins
            .insert(format!("tags.{key}"), tag.at.clone());
    }
    for layer in layers.iter().rev() {
        apply(&mut settings, layer);
    }
    if let Some(source) = source {
        check_asg(&settings, &layers, source)?;
    }
    Ok(settings)
}

/// The base environment and the file's layers for `name`, most derived first.
fn chain<'f>(
    file: &'f FileConfig,
    source: Option<&Source>,
    name: &str,
) -> Result<(BaseEnvironment, Vec<&'f Layer>), ConfigError> {
    let mut layers: Vec<&Layer> = Vec::new();
    let mut visited: Vec<&str> = Vec::new();
    let mut current = name.to_owned();
    let mut via: Option<&Set<String>> = None;
    loop {
        let layer = file.environments.get_key_value(current.as_str());
        if let Some(base) = BaseEnvironment::from_name(&current) {
            if let Some((_, layer)) = layer {
                layers.push(layer);
            }
            return Ok((base, layers));
        }
        let Some((key, layer)) = layer else {
            let known = environment_names(file);
            let suggestion =
                did_you_mean(&current, known.iter().map(String::as_str)).map(str::to_owned);
            return Err(match (via, source) {
                (Some(set), Some(source)) => ConfigError::Invalid {
                    problems: vec![source.problem(
                        set.span.clone(),
                        Some(format!(
                            "environments.{}.extends",
                            visited.last().copied().unwrap_or_default()
                        )),
                        format!("extends unknown environment `{current}`"),
                        Some(match suggestion {
                            Some(s) => format!(
                                "did you mean `{s}`? known environments: {}",
                                known.join(", ")
                            ),
                            None => format!("known environments: {}", known.join(", ")),
                        }),
                    )],
                },
                _ => ConfigError::UnknownEnvironment {
                    name: current,
                    known,
                    suggestion,
                    file: source.map(|s| s.path().to_owned()),
                },
            });
        };
        if visited.contains(&key.as_str()) {
            let cycle = visited
                .iter()
                .skip_while(|v| **v != key.as_str())
                .chain(std::iter::once(&key.as_str()))
                .copied()
                .collect::<Vec<_>>()
                .join(" -> ");
            let problem = match (via, source) {
                (Some(set), Some(source)) => source.problem(
                    set.span.clone(),
                    Some(format!(
                        "environments.{}.extends",
                        visited.last().copied().unwrap_or_default()
                    )),
                    format!("environments extend each other in a cycle: {cycle}"),
                    Some("one of them must extend `stage` or `prod`".into()),
                ),
                _ => Problem {
                    location: layer.at.clone().unwrap_or_else(|| unknown_location(source)),
                    key: Some(format!("environments.{key}.extends")),
                    message: format!("environments extend each other in a cycle: {cycle}"),
                    help: None,
                    snippet: None,
                },
            };
            return Err(ConfigError::Invalid {
                problems: vec![problem],
            });
        }
        visited.push(key.as_str());
        layers.push(layer);
        match &layer.extends {
            Some(parent) => {
                current = parent.value.clone();
                via = Some(parent);
            }
            None => {
                current = DEFAULT_BASE.name().to_owned();
                via = None;
            }
        }
    }
}

fn unknown_location(source: Option<&Source>) -> super::error::Location {
    super::error::Location {
        file: source.map(|s| s.path().to_owned()).unwrap_or_default(),
        line: 1,
        column: 1,
    }
}

/// Applies one table's settings, recording where each came from.
fn apply(settings: &mut Settings, layer: &Layer) {
    fn put<T: Clone>(
        origins: &mut std::collections::BTreeMap<String, super::error::Location>,
        key: &str,
        slot: &mut T,
        set: &Option<Set<T>>,
    ) {
        if let Some(set) = set {
            *slot = set.value.clone();
            origins.insert(key.to_owned(), set.at.clone());
        }
    }
    let o = &mut settings.origins;
    put(o, "az_count", &mut settings.az_count, &layer.az_count);
    put(o, "vpc_cidr", &mut settings.vpc_cidr, &layer.vpc_cidr);
    put(o, "nat", &mut settings.nat, &layer.nat);
    put(
        o,
        "instance_type",
        &mut settings.instance_type,
        &layer.instance_type,
    );
    put(
        o,
        "bastion_instance_type",
        &mut settings.bastion_instance_type,
        &layer.bastion_instance_type,
    );
    put(o, "asg.min", &mut settings.asg.min, &layer.asg_min);
    put(
        o,
        "asg.desired",
        &mut settings.asg.desired,
        &layer.asg_desired,
    );
    put(o, "asg.max", &mut settings.asg.max, &layer.asg_max);
    put(
        o,
        "database.engine",
        &mut settings.database.engine,
        &layer.db_engine,
    );
    put(
        o,
        "database.instance_class",
        &mut settings.database.instance_class,
        &layer.db_instance_class,
    );
    put(
        o,
        "database.allocated_storage",
        &mut settings.database.allocated_storage_gib,
        &layer.db_allocated_storage,
    );
    put(
        o,
        "database.backup_retention_days",
        &mut settings.database.backup_retention_days,
        &layer.db_backup_retention_days,
    );
    put(
        o,
        "deletion_protection",
        &mut settings.deletion_protection,
        &layer.deletion_protection,
    );
    if let Some(domain) = &layer.domain {
        settings.domain = Some(domain.value.clone());
        o.insert("domain".into(), domain.at.clone());
    }
    if let Some(bucket) = &layer.template_bucket {
        settings.template_bucket = Some(bucket.value.clone());
        o.insert("template_bucket".into(), bucket.at.clone());
    }
    for (key, tag) in &layer.tags {
        settings.tags.insert(key.clone(), tag.value.clone());
        o.insert(format!("tags.{key}"), tag.at.clone());
    }
    for (key, value) in &layer.custom {
        settings.custom.set(key, value.value.clone());
        o.insert(format!("blueprint.{key}"), value.at.clone());
    }
}

/// min <= desired <= max, reported at the most derived key involved.
fn check_asg(settings: &Settings, layers: &[&Layer], source: &Source) -> Result<(), ConfigError> {
    let a = settings.asg;
    let message = if a.min > a.max {
        format!("ASG min ({}) is greater than max ({})", a.min, a.max)
    } else if a.desired < a.min || a.desired > a.max {
        format!(
            "ASG desired ({}) must be between min ({}) and max ({})",
            a.desired, a.min, a.max
        )
    } else if a.max == 0 {
        "ASG max is 0: the group could never run an instance".to_owned()
    } else {
        return Ok(());
    };
    // The first layer (most derived) that sets any of the three is where the
    // user last touched the group.
    let culprit = layers.iter().find_map(|l| {
        [
            ("min", &l.asg_min),
            ("desired", &l.asg_desired),
            ("max", &l.asg_max),
        ]
        .into_iter()
        .find_map(|(k, s)| s.as_ref().map(|s| (l.name.as_str(), k, s)))
    });
    let Some((env, key, set)) = culprit else {
        return Ok(());
    };
    Err(ConfigError::Invalid {
        problems: vec![
            source.problem(
                set.span.clone(),
                Some(format!("environments.{env}.asg.{key}")),
                format!("{message} in environment `{}`", settings.environment),
                Some(
                    "set min <= desired <= max; values not set here come from the base environment"
                        .into(),
                ),
            ),
        ],
    })
}
