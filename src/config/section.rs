//! A blueprint's own typed configuration: the `[environments.NAME.blueprint]`
//! tables of `hagen.toml`, read into the blueprint's serde type.
//!
//! Owns the [`BlueprintConfig`] trait, the problems a configuration type
//! reports about itself ([`ConfigIssue`]), and the reading of TOML values
//! into that type with every problem kept as data: which key, what was
//! found, what was expected, and which names exist there (for "did you
//! mean"). It does not know files, lines or layering (`super::file`,
//! `super::resolve` map its paths to places).
//!
//! Reading goes through a small adapter from `toml::Value` onto serde's own
//! `de::value` deserializers with an error type of ours. That error type is
//! the point: serde hands `unknown_field` and `unknown_variant` the list of
//! names the type accepts, which toml's text-only errors would lose. The
//! dotted path of a failure comes from `serde_path_to_error`, which tracks
//! it at every map, sequence and enum (also for errors a field's own
//! `deserialize_with` raises after its value was read). The adapter also
//! records the fields of every table it reads (for suggestions and
//! `--help`), and notices keys a struct without `deny_unknown_fields` would
//! silently ignore.

use std::cell::RefCell;
use std::fmt;

use serde::Serialize;
use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::environment::Environment;

/// A blueprint's own configuration: the type its `[environments.NAME.blueprint]`
/// tables are read into, with its built-in values written once, in Rust.
///
/// Derive serde's traits, with `#[serde(deny_unknown_fields)]` on every
/// struct; nested structs are nested tables (`[environments.prod.blueprint.asg]`),
/// enums of unit variants are strings. hagen layers the file's tables over
/// [`defaults`](BlueprintConfig::defaults) key by key, reports unknown keys
/// (with the closest field name), wrong types and [`check`](BlueprintConfig::check)'s
/// problems with file, line and key, and hands the blueprint the result.
///
/// A blueprint with no keys of its own uses `()`.
///
/// ```
/// use hagen::config::{BaseEnvironment, BlueprintConfig, ConfigIssue, Environment};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Clone, Deserialize, Serialize)]
/// #[serde(deny_unknown_fields)]
/// struct Reports {
///     /// The database created at launch.
///     database_name: String,
///     /// GiB of storage.
///     storage: u32,
/// }
///
/// impl BlueprintConfig for Reports {
///     fn defaults(env: &Environment) -> Self {
///         let storage = match env.base {
///             BaseEnvironment::Stage => 20,
///             BaseEnvironment::Prod => 100,
///         };
///         Reports { database_name: "reports".into(), storage }
///     }
///
///     fn check(&self, _env: &Environment) -> Vec<ConfigIssue> {
///         let mut issues = Vec::new();
///         if self.storage < 20 {
///             issues.push(ConfigIssue::new("blueprint.storage", "RDS needs at least 20 GiB"));
///         }
///         issues
///     }
/// }
/// ```
pub trait BlueprintConfig: Serialize + DeserializeOwned + Clone + fmt::Debug {
    /// The built-in values for an environment, before `hagen.toml` applies:
    /// match on `env.base` for `stage` and `prod`, and read the generic part
    /// already resolved (`env.az_count`, `env.deletion_protection`, ...) for
    /// values that follow it. Values set in the file win over these.
    fn defaults(env: &Environment) -> Self;

    /// Checks that need more than a type: ranges, formats, and relations
    /// between keys. Runs on the layered values; each issue names its keys
    /// relative to the environment (`blueprint.asg.min`, `az_count`) and is
    /// reported at the line that set them. The default accepts everything.
    fn check(&self, env: &Environment) -> Vec<ConfigIssue> {
        let _ = env;
        Vec::new()
    }
}

impl BlueprintConfig for () {
    fn defaults(_env: &Environment) -> Self {}
}

/// One thing wrong with a resolved configuration, found by
/// [`BlueprintConfig::check`], named by key so that hagen can point at the
/// line that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// The keys involved, relative to the environment (`blueprint.asg.min`,
    /// `az_count`). The issue is reported at whichever of them the most
    /// derived environment set; the first when none was set in the file.
    pub keys: Vec<String>,
    /// What is wrong, in TOML terms.
    pub message: String,
    /// What to write instead.
    pub help: Option<String>,
}

impl ConfigIssue {
    /// An issue about one key.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigIssue {
            keys: vec![key.into()],
            message: message.into(),
            help: None,
        }
    }

    /// An issue about several keys together (`min <= desired <= max`),
    /// reported at the one the user touched last.
    pub fn among<S: Into<String>>(
        keys: impl IntoIterator<Item = S>,
        message: impl Into<String>,
    ) -> Self {
        ConfigIssue {
            keys: keys.into_iter().map(Into::into).collect(),
            message: message.into(),
            help: None,
        }
    }

    /// Adds what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// What went wrong reading a `blueprint` table into the configuration type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReadErrorKind {
    /// A key the type has no field for.
    UnknownKey {
        /// The names the table accepts.
        expected: Vec<String>,
    },
    /// A string that is none of the enum's words.
    UnknownWord {
        /// What was written.
        found: String,
        /// The words accepted.
        expected: Vec<String>,
    },
    /// A value of the wrong type, or out of the type's range.
    Mismatch {
        /// What was found ("a string", "-1").
        found: String,
        /// What the type wants ("an integer from 0 to 4294967295").
        expected: String,
        /// A string that would be right without its quotes.
        unquoted: Option<String>,
    },
    /// A table that lacks a key with no default (a table the file added
    /// where the defaults have none).
    MissingKey(String),
    /// Anything else the type's own deserializer says, with the value it
    /// refused (as TOML) when that was a single value.
    Other {
        /// The deserializer's words.
        message: String,
        /// The refused value.
        found: Option<String>,
    },
}

/// A problem reading a `blueprint` table, at a dotted path relative to the
/// table. For an unknown key, the path ends with that key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadError {
    pub path: Vec<String>,
    pub kind: ReadErrorKind,
}

impl ReadError {
    fn new(kind: ReadErrorKind) -> Self {
        ReadError {
            path: Vec::new(),
            kind,
        }
    }

    /// The message and help, in TOML terms.
    pub fn describe(&self) -> (String, Option<String>) {
        let leaf = self.path.last().map_or("", String::as_str);
        match &self.kind {
            ReadErrorKind::UnknownKey { expected } => {
                let help = super::suggest::did_you_mean(leaf, expected.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        (!expected.is_empty())
                            .then(|| format!("known keys here: {}", expected.join(", ")))
                    });
                (format!("unknown key `{leaf}`"), help)
            }
            ReadErrorKind::UnknownWord { found, expected } => {
                let words: Vec<String> = expected.iter().map(|w| format!("\"{w}\"")).collect();
                let help = super::suggest::did_you_mean(found, expected.iter().map(String::as_str))
                    .map(|s| format!("did you mean \"{s}\"?"));
                (
                    format!(
                        "\"{found}\" is not allowed: must be {}",
                        one_of(&words).unwrap_or_else(|| "nothing".into())
                    ),
                    help,
                )
            }
            ReadErrorKind::Mismatch {
                found,
                expected,
                unquoted,
            } => (
                format!("must be {expected}, found {found}"),
                unquoted
                    .as_ref()
                    .map(|v| format!("write it without quotes: {leaf} = {v}")),
            ),
            ReadErrorKind::MissingKey(field) => (
                format!("the table lacks the key `{field}`"),
                Some(format!("add `{field} = ...` to it")),
            ),
            ReadErrorKind::Other {
                message,
                found: Some(found),
            } => (format!("{found} is not allowed: {message}"), None),
            ReadErrorKind::Other {
                message,
                found: None,
            } => (message.clone(), None),
        }
    }
}

fn one_of(words: &[String]) -> Option<String> {
    match words {
        [] => None,
        [one] => Some(one.clone()),
        [first, second] => Some(format!("{first} or {second}")),
        _ => Some(format!("one of {}", words.join(", "))),
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (message, _) = self.describe();
        write!(f, "{}: {message}", self.path.join("."))
    }
}

impl std::error::Error for ReadError {}

/// How serde describes a found value, in TOML's words.
fn found(unexpected: &de::Unexpected<'_>) -> (String, Option<String>) {
    match unexpected {
        de::Unexpected::Bool(b) => (format!("the boolean {b}"), None),
        de::Unexpected::Unsigned(n) => (n.to_string(), None),
        de::Unexpected::Signed(n) => (n.to_string(), None),
        de::Unexpected::Float(x) => (format!("the float {x}"), None),
        de::Unexpected::Str(s) => {
            let unquoted = s
                .trim()
                .parse::<i64>()
                .ok()
                .map(|n| n.to_string())
                .or_else(|| matches!(s.trim(), "true" | "false").then(|| s.trim().to_owned()));
            (format!("the string \"{s}\""), unquoted)
        }
        de::Unexpected::Map => ("a table".into(), None),
        de::Unexpected::Seq => ("an array".into(), None),
        de::Unexpected::Unit => ("nothing".into(), None),
        other => (other.to_string(), None),
    }
}

/// How serde names an expected type, in TOML's words.
fn expected(exp: &dyn de::Expected) -> String {
    let text = exp.to_string();
    let range = |min: i128, max: i128| format!("an integer from {min} to {max}");
    match text.as_str() {
        "u8" => range(0, u8::MAX.into()),
        "u16" => range(0, u16::MAX.into()),
        "u32" => range(0, u32::MAX.into()),
        "u64" | "usize" => range(0, u64::MAX.into()),
        "i8" => range(i8::MIN.into(), i8::MAX.into()),
        "i16" => range(i16::MIN.into(), i16::MAX.into()),
        "i32" => range(i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => "an integer".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" => "a string".into(),
        "a sequence" => "an array".into(),
        "unit" => "an empty table".into(),
        _ if text.starts_with("struct ") || text.starts_with("a map") => "a table".into(),
        _ if text.starts_with("enum ") => "a string".into(),
        _ => text,
    }
}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ReadError::new(ReadErrorKind::Other {
            message: msg.to_string(),
            found: None,
        })
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        let (found, unquoted) = found(&unexp);
        ReadError::new(ReadErrorKind::Mismatch {
            found,
            expected: expected(exp),
            unquoted,
        })
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        ReadError::new(ReadErrorKind::UnknownWord {
            found: variant.to_owned(),
            expected: expected.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    fn unknown_field(_field: &str, expected: &'static [&'static str]) -> Self {
        // The key itself ends the path serde_path_to_error tracks.
        ReadError::new(ReadErrorKind::UnknownKey {
            expected: expected.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    fn missing_field(field: &'static str) -> Self {
        ReadError::new(ReadErrorKind::MissingKey(field.to_owned()))
    }
}

/// What reading saw of the type's shape: every table's field names, and
/// keys that a struct without `deny_unknown_fields` skipped.
#[derive(Debug, Default)]
pub(crate) struct Shape {
    /// (path of a table, the names its struct accepts), in reading order.
    pub tables: Vec<(Vec<String>, Vec<String>)>,
    /// Paths of keys read by nothing.
    pub ignored: Vec<Vec<String>>,
}

impl Shape {
    /// The fields of the table at `path`, if it was read as a struct.
    pub fn fields(&self, path: &[String]) -> Option<&[String]> {
        self.tables
            .iter()
            .find(|(p, _)| p.as_slice() == path)
            .map(|(_, f)| f.as_slice())
    }
}

/// A TOML value on its way into the configuration type, with its path.
struct Node<'r> {
    value: toml::Value,
    path: Vec<String>,
    shape: &'r RefCell<Shape>,
}

/// The nodes of a table's entries or an array's items, each with its path.
fn children<'r>(
    path: &[String],
    shape: &'r RefCell<Shape>,
    items: impl IntoIterator<Item = (String, toml::Value)>,
) -> Vec<(String, Node<'r>)> {
    items
        .into_iter()
        .map(|(key, value)| {
            let mut child = path.to_vec();
            child.push(key.clone());
            let node = Node {
                value,
                path: child,
                shape,
            };
            (key, node)
        })
        .collect()
}

impl<'de, 'r> IntoDeserializer<'de, ReadError> for Node<'r> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Node<'_> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let path = self.path;
        let shape = self.shape;
        match self.value {
            toml::Value::String(s) => visitor.visit_string(s),
            toml::Value::Integer(n) => visitor.visit_i64(n),
            toml::Value::Float(x) => visitor.visit_f64(x),
            toml::Value::Boolean(b) => visitor.visit_bool(b),
            toml::Value::Datetime(d) => visitor.visit_string(d.to_string()),
            toml::Value::Array(items) => {
                let items = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v));
                let nodes = children(&path, shape, items).into_iter().map(|(_, n)| n);
                let mut seq = SeqDeserializer::new(nodes);
                visitor
                    .visit_seq(&mut seq)
                    .and_then(|v| seq.end().map(|()| v))
            }
            toml::Value::Table(table) => {
                let mut map = MapDeserializer::new(children(&path, shape, table).into_iter());
                visitor
                    .visit_map(&mut map)
                    .and_then(|v| map.end().map(|()| v))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match &self.value {
            toml::Value::Table(t) => match t.keys().next() {
                None => visitor.visit_unit(),
                Some(key) => Err(ReadError {
                    path: vec![key.clone()],
                    kind: ReadErrorKind::UnknownKey {
                        expected: Vec::new(),
                    },
                }),
            },
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        if matches!(self.value, toml::Value::Table(_)) {
            self.shape.borrow_mut().tables.push((
                self.path.clone(),
                fields.iter().map(|f| (*f).to_owned()).collect(),
            ));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match self.value {
            toml::Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            toml::Value::Table(table) => {
                let entries = children(&self.path, self.shape, table);
                visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new(
                    entries.into_iter(),
                )))
            }
            other => Node {
                value: other,
                path: self.path,
                shape: self.shape,
            }
            .deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.shape.borrow_mut().ignored.push(self.path.clone());
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf seq tuple tuple_struct map identifier
    }
}

/// Reads a `blueprint` table into `C`, recording the shape seen.
pub(crate) fn read<C: DeserializeOwned>(table: &toml::Table) -> (Result<C, ReadError>, Shape) {
    let shape = RefCell::new(Shape::default());
    let node = Node {
        value: toml::Value::Table(table.clone()),
        path: Vec::new(),
        shape: &shape,
    };
    let result = serde_path_to_error::deserialize::<_, C>(node).map_err(|e| {
        let mut path: Vec<String> = e
            .path()
            .iter()
            .map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => index.to_string(),
                serde_path_to_error::Segment::Map { key }
                | serde_path_to_error::Segment::Enum { variant: key } => key.clone(),
                serde_path_to_error::Segment::Unknown => "?".to_owned(),
            })
            .collect();
        let mut error = e.into_inner();
        path.append(&mut error.path);
        error.path = path;
        // A value refused in the type's own words: quote it.
        if let ReadErrorKind::Other { found, .. } = &mut error.kind
            && found.is_none()
            && let Some(value) = lookup(table, &error.path)
            && !matches!(value, toml::Value::Table(_) | toml::Value::Array(_))
        {
            *found = Some(value.to_string());
        }
        error
    });
    let mut shape = shape.into_inner();
    shape.ignored.sort();
    shape.ignored.dedup();
    // A skipped key is an unknown key: report the first one as such.
    let result = match (result, shape.ignored.first()) {
        (Ok(_), Some(path)) => {
            let parent = &path[..path.len().saturating_sub(1)];
            Err(ReadError {
                path: path.clone(),
                kind: ReadErrorKind::UnknownKey {
                    expected: shape
                        .fields(parent)
                        .map(<[String]>::to_vec)
                        .unwrap_or_default(),
                },
            })
        }
        (result, _) => result,
    };
    (result, shape)
}

/// The configuration type's values as a TOML table, for layering. `()` and
/// other types that serialize to nothing are an empty table, as long as an
/// empty table reads back (which is what makes them "no keys").
pub(crate) fn to_table<C: BlueprintConfig>(value: &C) -> Result<toml::Table, String> {
    match toml::Value::try_from(value) {
        Ok(toml::Value::Table(t)) => Ok(t),
        Ok(other) => Err(format!(
            "the defaults serialize to {}, not a table",
            other.type_str()
        )),
        Err(e) => match read::<C>(&toml::Table::new()).0 {
            Ok(_) => Ok(toml::Table::new()),
            Err(_) => Err(format!("the defaults do not serialize to TOML: {e}")),
        },
    }
}

/// `over` layered onto `base` key by key: tables merge, anything else
/// replaces.
pub(crate) fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Removes the value at `path` from `table`; `false` when nothing is there.
pub(crate) fn remove(table: &mut toml::Table, path: &[String]) -> bool {
    match path {
        [] => false,
        [key] => table.remove(key).is_some(),
        [key, rest @ ..] => match table.get_mut(key) {
            Some(toml::Value::Table(t)) => remove(t, rest),
            _ => false,
        },
    }
}

/// Whether `table` holds a value at `path`.
pub(crate) fn contains(table: &toml::Table, path: &[String]) -> bool {
    match path {
        [] => true,
        [key, rest @ ..] => match table.get(key) {
            Some(toml::Value::Table(t)) => contains(t, rest),
            Some(_) => rest.is_empty(),
            None => false,
        },
    }
}

/// Every problem of one file table read over `defaults`: each bad key is
/// reported and taken out, and the rest read again, so one run lists them
/// all. Paths are relative to the table.
pub(crate) fn check_layer<C: BlueprintConfig>(
    defaults: &toml::Table,
    layer: &toml::Table,
) -> Vec<ReadError> {
    let mut layer = layer.clone();
    let mut errors = Vec::new();
    // Each round removes a key, so this ends; the bound is for safety.
    for _ in 0..=count_values(&layer) {
        let mut merged = defaults.clone();
        merge(&mut merged, &layer);
        let Err(error) = read::<C>(&merged).0 else {
            break;
        };
        // The longest part of the path the layer wrote is what to drop.
        let culprit = (1..=error.path.len())
            .rev()
            .map(|n| &error.path[..n])
            .find(|p| contains(&layer, p))
            .map(<[String]>::to_vec);
        let removed = culprit.is_some_and(|p| remove(&mut layer, &p));
        errors.push(error);
        if !removed {
            break;
        }
    }
    errors
}

/// Whether the value at `path` of `table` is itself a table.
pub(crate) fn table_at(table: &toml::Table, path: &[String]) -> bool {
    matches!(lookup(table, path), Some(toml::Value::Table(_)))
}

fn count_values(table: &toml::Table) -> usize {
    table
        .values()
        .map(|v| match v {
            toml::Value::Table(t) => 1 + count_values(t),
            _ => 1,
        })
        .sum()
}

/// One key of a configuration type, for `--help` and docs: its dotted path
/// and its built-in `stage` and `prod` values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDefaults {
    /// The dotted key under `blueprint` (`asg.min`).
    pub key: String,
    /// The built-in `stage` value as TOML, if it has one.
    pub stage: Option<String>,
    /// The built-in `prod` value as TOML, if it has one.
    pub prod: Option<String>,
}

/// Every key of a configuration type with its built-in values, in
/// declaration order, from the type itself: its fields as serde reads them,
/// and its [`BlueprintConfig::defaults`] for `stage` and `prod`
/// environments. Keys with no value in either (an `Option` left `None`)
/// are listed too, without values.
pub fn key_defaults<C: BlueprintConfig>(
    stage: &Environment,
    prod: &Environment,
) -> Result<Vec<KeyDefaults>, String> {
    let stage_table = to_table(&C::defaults(stage))?;
    let prod_table = to_table(&C::defaults(prod))?;
    let (read_back, shape) = read::<C>(&stage_table);
    read_back.map_err(|e| format!("the stage defaults do not read back: {e}"))?;
    let mut out = Vec::new();
    list_keys(&shape, &[], &stage_table, &prod_table, &mut out);
    Ok(out)
}

fn list_keys(
    shape: &Shape,
    path: &[String],
    stage: &toml::Table,
    prod: &toml::Table,
    out: &mut Vec<KeyDefaults>,
) {
    let Some(fields) = shape.fields(path) else {
        return;
    };
    for field in fields {
        let mut child = path.to_vec();
        child.push(field.clone());
        if shape.fields(&child).is_some() {
            list_keys(shape, &child, stage, prod, out);
            continue;
        }
        let value = |t: &toml::Table| lookup(t, &child).map(|v| v.to_string());
        out.push(KeyDefaults {
            key: child.join("."),
            stage: value(stage),
            prod: value(prod),
        });
    }
}

fn lookup<'t>(table: &'t toml::Table, path: &[String]) -> Option<&'t toml::Value> {
    let (last, parents) = path.split_last()?;
    let mut t = table;
    for p in parents {
        t = t.get(p)?.as_table()?;
    }
    t.get(last)
}

/// The top-level field names of a configuration type (empty for `()`),
/// read off its defaults: what a misplaced key at `[environments.NAME]`
/// is checked against.
pub(crate) fn root_fields<C: BlueprintConfig>(env: &Environment) -> Vec<String> {
    let Ok(table) = to_table(&C::defaults(env)) else {
        return Vec::new();
    };
    let (_, shape) = read::<C>(&table);
    shape
        .fields(&[])
        .map(<[String]>::to_vec)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::environment::BaseEnvironment;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        size: u32,
        mode: Mode,
        name: Option<String>,
        inner: Inner,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        enabled: bool,
        count: u8,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Mode {
        Fast,
        Careful,
    }

    impl BlueprintConfig for Sample {
        fn defaults(env: &Environment) -> Self {
            Sample {
                size: match env.base {
                    BaseEnvironment::Stage => 1,
                    BaseEnvironment::Prod => 5,
                },
                mode: Mode::Fast,
                name: None,
                inner: Inner {
                    enabled: false,
                    count: env.az_count,
                },
            }
        }
    }

    /// A struct that forgot `deny_unknown_fields`.
    #[derive(Debug, Clone, Deserialize, Serialize)]
    struct Lenient {
        size: u32,
    }

    impl BlueprintConfig for Lenient {
        fn defaults(_: &Environment) -> Self {
            Lenient { size: 1 }
        }
    }

    fn stage() -> Environment {
        Environment::builtin(BaseEnvironment::Stage, "p")
    }

    fn table(text: &str) -> toml::Table {
        text.parse().expect("valid TOML")
    }

    fn errors<C: BlueprintConfig>(text: &str) -> Vec<ReadError> {
        let defaults = to_table(&C::defaults(&stage())).expect("defaults");
        check_layer::<C>(&defaults, &table(text))
    }

    #[test]
    fn a_partial_table_reads_over_the_defaults() {
        let mut merged = to_table(&Sample::defaults(&stage())).expect("defaults");
        merge(&mut merged, &table("size = 3\n[inner]\nenabled = true\n"));
        let s: Sample = read(&merged).0.expect("reads");
        assert_eq!(s.size, 3);
        assert!(s.inner.enabled);
        assert_eq!(s.inner.count, 2, "untouched keys keep their default");
    }

    #[test]
    fn every_bad_key_is_reported_with_its_path() {
        let e = errors::<Sample>("sise = 3\nmode = \"fats\"\n[inner]\ncount = -1\nenabld = true\n");
        let paths: Vec<String> = e.iter().map(|e| e.path.join(".")).collect();
        assert_eq!(paths.len(), 4, "{e:#?}");
        for p in ["sise", "mode", "inner.count", "inner.enabld"] {
            assert!(paths.contains(&p.to_owned()), "{p} in {paths:?}");
        }
        let help = |p: &str| {
            e.iter()
                .find(|e| e.path.join(".") == p)
                .and_then(|e| e.describe().1)
        };
        assert_eq!(help("sise").as_deref(), Some("did you mean `size`?"));
        assert_eq!(
            help("inner.enabld").as_deref(),
            Some("did you mean `enabled`?")
        );
        assert_eq!(help("mode").as_deref(), Some("did you mean \"fast\"?"));
        let count = e.iter().find(|e| e.path.join(".") == "inner.count");
        assert_eq!(
            count.map(|e| e.describe().0).as_deref(),
            Some("must be an integer from 0 to 255, found -1")
        );
    }

    #[test]
    fn a_quoted_number_gets_a_fix_and_a_table_for_a_value_is_a_type_error() {
        let e = errors::<Sample>("size = \"3\"\ninner = 4\n");
        assert_eq!(e.len(), 2, "{e:#?}");
        let at = |p: &str| e.iter().find(|e| e.path == [p]).map(ReadError::describe);
        assert_eq!(
            at("size").and_then(|d| d.1).as_deref(),
            Some("write it without quotes: size = 3")
        );
        assert_eq!(
            at("inner").map(|d| d.0).as_deref(),
            Some("must be a table, found 4")
        );
    }

    /// A field whose own deserializer refuses a value in its own words.
    #[derive(Debug, Clone, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Picky {
        #[serde(deserialize_with = "even")]
        n: u32,
    }

    fn even<'de, D: de::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let n = u32::deserialize(d)?;
        if n % 2 == 0 {
            Ok(n)
        } else {
            Err(de::Error::custom("odd numbers are refused"))
        }
    }

    impl BlueprintConfig for Picky {
        fn defaults(_: &Environment) -> Self {
            Picky { n: 2 }
        }
    }

    #[test]
    fn a_types_own_refusal_quotes_the_value() {
        let e = errors::<Picky>("n = 3\n");
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0].describe().0,
            "3 is not allowed: odd numbers are refused"
        );
    }

    #[test]
    fn unit_takes_no_keys() {
        assert_eq!(to_table(&()).expect("unit"), toml::Table::new());
        let e = errors::<()>("anything = 1\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, ["anything"]);
        assert!(errors::<()>("").is_empty());
    }

    #[test]
    fn keys_a_lenient_struct_would_skip_are_unknown_too() {
        let e = errors::<Lenient>("size = 2\nsize_gb = 3\n");
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(e[0].describe().1.as_deref(), Some("did you mean `size`?"));
    }

    #[test]
    fn key_defaults_list_every_field_in_order_with_both_values() {
        let prod = Environment::builtin(BaseEnvironment::Prod, "p");
        let keys = key_defaults::<Sample>(&stage(), &prod).expect("keys");
        let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            names,
            ["size", "mode", "name", "inner.enabled", "inner.count"]
        );
        assert_eq!(keys[0].stage.as_deref(), Some("1"));
        assert_eq!(keys[0].prod.as_deref(), Some("5"));
        assert_eq!(keys[1].stage.as_deref(), Some("\"fast\""));
        assert_eq!(keys[2].stage, None);
        assert!(
            key_defaults::<()>(&stage(), &prod)
                .expect("unit")
                .is_empty()
        );
        assert_eq!(
            root_fields::<Sample>(&stage()),
            ["size", "mode", "name", "inner"]
        );
    }
}
