//! A blueprint's own configuration keys: the `[environments.NAME.blueprint]`
//! table of `hagen.toml`.
//!
//! A blueprint declares its keys ([`CustomKey`]); the loader checks every
//! such table in the file against them (unknown keys, types, ranges, allowed
//! words) with file and line, so by the time a blueprint reads a value
//! through [`Custom`] it is known to be well-formed. This module owns the
//! declarations, the checks and the typed getters; not the file format.

use indexmap::IndexMap;

/// The type and range a blueprint key accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CustomKind {
    /// `true` or `false`.
    Bool,
    /// An integer in `min..=max`.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// Any string.
    String,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// A list of strings.
    StringList,
}

impl CustomKind {
    /// How the kind is described in messages ("an integer from 1 to 10").
    pub fn describe(&self) -> String {
        match self {
            CustomKind::Bool => "true or false".into(),
            CustomKind::Integer { min, max } => format!("an integer from {min} to {max}"),
            CustomKind::String => "a string".into(),
            CustomKind::Choice(words) => format!(
                "one of {}",
                words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CustomKind::StringList => "a list of strings".into(),
        }
    }
}

/// One key a blueprint accepts in its `blueprint` table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomKey {
    /// The key as written in `hagen.toml`.
    pub name: &'static str,
    /// What it accepts.
    pub kind: CustomKind,
    /// One line saying what it does, shown in errors and docs.
    pub help: &'static str,
}

/// A checked value of a blueprint key.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A string (also a [`CustomKind::Choice`]).
    String(String),
    /// A list of strings.
    StringList(Vec<String>),
}

/// The blueprint keys set for one environment, after layering (a derived
/// environment's values win over its base's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Custom {
    values: IndexMap<String, CustomValue>,
}

impl Custom {
    pub(crate) fn set(&mut self, key: &str, value: CustomValue) {
        self.values.insert(key.to_owned(), value);
    }

    /// Whether nothing was set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every key set, with its value, in the order first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CustomValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A boolean key, if set.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.values.get(key)? {
            CustomValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// An integer key, if set.
    pub fn integer(&self, key: &str) -> Option<i64> {
        match self.values.get(key)? {
            CustomValue::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// A string or choice key, if set.
    pub fn string(&self, key: &str) -> Option<&str> {
        match self.values.get(key)? {
            CustomValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A string-list key, if set.
    pub fn strings(&self, key: &str) -> Option<&[String]> {
        match self.values.get(key)? {
            CustomValue::StringList(v) => Some(v),
            _ => None,
        }
    }
}
