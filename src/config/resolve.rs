//! Turns the file's tables into one resolved environment: the generic
//! [`Environment`] and the blueprint's typed section. The built-in base
//! comes first, then the file's top level, then each table of the
//! `extends` chain, the most derived last; the blueprint section is layered
//! the same way, key by key, over the blueprint's own defaults.
//!
//! Owns layering, `extends` chains (unknown targets, cycles), where each
//! resolved value came from, and placing the problems a blueprint finds in
//! its resolved values (its `check`, or a construct that refused a value)
//! at the line that set them. It does not read text.

use super::Resolved;
use super::environment::{BaseEnvironment, Environment, MAX_TAGS, Origin};
use super::error::{ConfigError, Location, Problem, Source};
use super::file::{FileConfig, Layer, Section, Set};
use super::section::{self, BlueprintConfig};
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

/// The environment `name`, built from `defaults` (the generic part of each
/// base environment), the blueprint's defaults and the file's layers.
pub(crate) fn resolve<C: BlueprintConfig>(
    file: &FileConfig,
    source: Option<&Source>,
    name: &str,
    defaults: &dyn Fn(BaseEnvironment) -> Environment,
) -> Result<Resolved<C>, ConfigError> {
    let (base, layers) = chain(file, source, name)?;
    let mut env = defaults(base);
    env.name = name.to_owned();
    env.base = base;
    if let Some(project) = &file.project {
        env.project = project.value.clone();
        record(&mut env, "project", "project", project, 0);
    }
    if let Some(region) = &file.region {
        env.region = Some(region.value.clone());
        record(&mut env, "region", "region", region, 0);
    }
    for (key, tag) in &file.tags {
        env.tags.insert(key.clone(), tag.value.clone());
        let k = format!("tags.{key}");
        record(&mut env, &k, &k, tag, 0);
    }
    for (i, layer) in layers.iter().rev().enumerate() {
        apply(&mut env, layer, i + 1);
    }
    if env.tags.len() > MAX_TAGS {
        // Every resource would carry them all: AWS refuses more than 50,
        // and a file of 60,000 tags made synth build a 3 GB template.
        let keys: Vec<String> = env.tags.keys().map(|k| format!("tags.{k}")).collect();
        let message = format!(
            "environment `{name}` has {} tags; AWS allows 50 per resource and hagen adds Project, Environment and Name, so at most {MAX_TAGS} of yours",
            env.tags.len()
        );
        return Err(ConfigError::Invalid {
            problems: vec![explain(
                source,
                &env,
                &keys,
                &message,
                Some("remove tags from [tags] or the environment's tags table"),
            )],
        });
    }

    // The blueprint's section: its defaults (which may follow the generic
    // values just resolved), then the same layers.
    let mut values = section::to_table(&C::defaults(&env))
        .map_err(|message| ConfigError::Blueprint { message })?;
    let sections: Vec<(usize, &Section)> = file
        .blueprint
        .iter()
        .map(|s| (0, s))
        .chain(
            layers
                .iter()
                .rev()
                .enumerate()
                .filter_map(|(i, l)| l.blueprint.as_ref().map(|s| (i + 1, s))),
        )
        .collect();
    for &(rank, sec) in &sections {
        section::merge(&mut values, &sec.values);
        for (path, place) in &sec.places {
            let parts: Vec<String> = path.split('.').map(str::to_owned).collect();
            if section::table_at(&sec.values, &parts) {
                continue;
            }
            env.origins.insert(
                format!("blueprint.{path}"),
                Origin {
                    location: place.at.clone(),
                    key: sec.key_of(&parts),
                    span: place.value.clone(),
                    rank,
                },
            );
        }
    }
    let config = match section::read::<C>(&values).0 {
        Ok(config) => config,
        Err(error) => {
            // Read over the layers of one environment; the most derived
            // section that wrote the path is where it went wrong.
            let written = (1..=error.path.len()).rev().find_map(|n| {
                sections
                    .iter()
                    .rev()
                    .find(|(_, s)| section::contains(&s.values, &error.path[..n]))
            });
            let problem = match (written, source) {
                (Some((_, sec)), Some(source)) => sec.problem(source, &error),
                _ => {
                    return Err(ConfigError::Blueprint {
                        message: format!("its defaults for `{name}` do not read back: {error}"),
                    });
                }
            };
            return Err(ConfigError::Invalid {
                problems: vec![problem],
            });
        }
    };
    env.blueprint_values = values;
    let issues = config.check(&env);
    if !issues.is_empty() {
        let problems = issues
            .iter()
            .map(|i| explain(source, &env, &i.keys, &i.message, i.help.as_deref()))
            .collect();
        return Err(ConfigError::Invalid { problems });
    }
    Ok(Resolved {
        environment: env,
        config,
    })
}

/// A problem with resolved values, at the key among `keys` that the most
/// derived layer set (the first key when the file set none of them), with
/// its value quoted. Keys are relative to the environment (`az_count`,
/// `blueprint.asg.min`).
pub(crate) fn explain(
    source: Option<&Source>,
    env: &Environment,
    keys: &[String],
    message: &str,
    help: Option<&str>,
) -> Problem {
    let chosen = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| env.origin(k).map(|o| (o.rank, std::cmp::Reverse(i), k, o)))
        .max_by_key(|(rank, i, _, _)| (*rank, *i))
        .map(|(_, _, k, o)| (k, o));
    match (chosen, source) {
        (Some((key, origin)), Some(source)) => {
            let mut problem = source.problem(
                origin.span.clone(),
                Some(origin.key.clone()),
                message,
                help.map(str::to_owned),
            );
            problem.value = env.value_text(key);
            problem
        }
        _ => {
            let key = keys.first().map_or("", String::as_str);
            Problem {
                location: None,
                key: (!key.is_empty()).then(|| env.toml_key(key)),
                value: Some(match env.value_text(key) {
                    Some(v) => format!("{v} (built-in default)"),
                    None => "(built-in default)".to_owned(),
                }),
                message: message.to_owned(),
                help: help.map(str::to_owned),
                snippet: None,
            }
        }
    }
}

fn record<T>(env: &mut Environment, key: &str, file_key: &str, set: &Set<T>, rank: usize) {
    env.origins.insert(
        key.to_owned(),
        Origin {
            location: set.at.clone(),
            key: file_key.to_owned(),
            span: set.span.clone(),
            rank,
        },
    );
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
                    location: Some(layer.at.clone().unwrap_or_else(|| unknown_location(source))),
                    key: Some(format!("environments.{key}.extends")),
                    value: None,
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

fn unknown_location(source: Option<&Source>) -> Location {
    Location {
        file: source.map(|s| s.path().to_owned()).unwrap_or_default(),
        line: 1,
        column: 1,
    }
}

/// Applies one environment table's generic values, recording where each
/// came from.
fn apply(env: &mut Environment, layer: &Layer, rank: usize) {
    let table = format!("environments.{}", layer.name);
    let file_key = |key: &str| format!("{table}.{key}");
    if let Some(set) = &layer.az_count {
        env.az_count = set.value;
        record(env, "az_count", &file_key("az_count"), set, rank);
    }
    if let Some(set) = &layer.region {
        env.region = Some(set.value.clone());
        record(env, "region", &file_key("region"), set, rank);
    }
    if let Some(set) = &layer.deletion_protection {
        env.deletion_protection = set.value;
        record(
            env,
            "deletion_protection",
            &file_key("deletion_protection"),
            set,
            rank,
        );
    }
    if let Some(set) = &layer.template_bucket {
        env.template_bucket = Some(set.value.clone());
        record(
            env,
            "template_bucket",
            &file_key("template_bucket"),
            set,
            rank,
        );
    }
    for (key, tag) in &layer.tags {
        env.tags.insert(key.clone(), tag.value.clone());
        let k = format!("tags.{key}");
        record(env, &k, &file_key(&k), tag, rank);
    }
    if let Some(set) = &layer.account {
        env.account = Some(set.value.clone());
        record(env, "account", &file_key("account"), set, rank);
    }
    for (key, value) in &layer.parameters {
        env.parameters.insert(key.clone(), value.value.clone());
        let k = format!("parameters.{key}");
        record(env, &k, &file_key(&k), value, rank);
    }
    if let Some(set) = &layer.deploy_monitor_alarms {
        env.deploy_monitors.alarms = set.value.clone();
        let k = "deploy_monitors.alarms";
        record(env, k, &file_key(k), set, rank);
    }
    if let Some(set) = &layer.monitoring_minutes {
        env.deploy_monitors.monitoring_minutes = Some(set.value);
        let k = "deploy_monitors.monitoring_minutes";
        record(env, k, &file_key(k), set, rank);
    }
    if let Some(set) = &layer.protect {
        env.protect = set.value;
        record(env, "protect", &file_key("protect"), set, rank);
    }
    if let Some(set) = &layer.role_arn {
        env.role_arn = Some(set.value.clone());
        record(env, "role_arn", &file_key("role_arn"), set, rank);
    }
}
