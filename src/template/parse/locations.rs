//! Where each value of a read template was written: a tree of locations
//! that mirrors the document, looked up by path.
//!
//! Paths are the document's own keys and list indices (as strings), with
//! short-form tags spelled as their long names, so `!Select [0, x]` and
//! `{"Fn::Select": [0, "x"]}` give the same paths
//! (`[..., "Fn::Select", "1"]`): the validator can build a path from the IR
//! without knowing which form the author used. This module owns lookups
//! only; it never changes the template.

use std::collections::HashMap;

use super::error::Location;
use super::node::{Kind, Node};
use super::yaml::tag_long_name;

/// Source locations of every value and key of a template, by path.
///
/// Built by [`super::parse_template`]; the validator uses it to turn a
/// diagnostic's path into a file, line and column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locations {
    root: Option<Spot>,
}

#[derive(Debug, Clone, PartialEq)]
struct Spot {
    /// Where the key naming this value starts, for map entries.
    key: Option<Location>,
    /// Where the value starts.
    value: Location,
    children: Children,
}

#[derive(Debug, Clone, PartialEq)]
enum Children {
    None,
    Seq(Vec<Spot>),
    Map(HashMap<String, Spot>),
}

impl Locations {
    pub(super) fn build(root: &Node) -> Self {
        Locations {
            root: Some(spot(root, None)),
        }
    }

    /// Where the value at `path` is named: the key's location for a map
    /// entry (`Port:`), the value's for list items and the root. `None`
    /// when the path is not in the document.
    pub fn get<S: AsRef<str>>(&self, path: &[S]) -> Option<Location> {
        match self.find(path) {
            (Some(spot), depth) if depth == path.len() => Some(spot.key.unwrap_or(spot.value)),
            _ => None,
        }
    }

    /// Where the value at `path` itself starts (after `Port: `), when the
    /// path is in the document.
    pub fn value<S: AsRef<str>>(&self, path: &[S]) -> Option<Location> {
        match self.find(path) {
            (Some(spot), depth) if depth == path.len() => Some(spot.value),
            _ => None,
        }
    }

    /// The location of `path`, or of its nearest ancestor that is in the
    /// document (as [`Locations::get`] gives it); line 1, column 1 when
    /// nothing matches. For values the reader rewrote (a `DependsOn`
    /// string read as a list, an expanded alias) this still points at the
    /// right place.
    pub fn nearest<S: AsRef<str>>(&self, path: &[S]) -> Location {
        match self.find(path) {
            (Some(spot), _) => spot.key.unwrap_or(spot.value),
            (None, _) => Location::default(),
        }
    }

    /// How many segments of `path` exist in the document, from the top.
    pub fn depth_found<S: AsRef<str>>(&self, path: &[S]) -> usize {
        self.find(path).1
    }

    /// The deepest spot along `path`, and how many segments it matched.
    fn find<S: AsRef<str>>(&self, path: &[S]) -> (Option<&Spot>, usize) {
        let Some(mut spot) = self.root.as_ref() else {
            return (None, 0);
        };
        for (depth, segment) in path.iter().enumerate() {
            let next = match &spot.children {
                Children::None => None,
                Children::Map(m) => m.get(segment.as_ref()),
                Children::Seq(items) => segment
                    .as_ref()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i)),
            };
            match next {
                Some(child) => spot = child,
                None => return (Some(spot), depth),
            }
        }
        (Some(spot), path.len())
    }
}

fn spot(node: &Node, key: Option<Location>) -> Spot {
    let children = match &node.kind {
        Kind::Seq(items) => Children::Seq(items.iter().map(|i| spot(i, None)).collect()),
        Kind::Map(entries) => Children::Map(
            entries
                .iter()
                .map(|(k, e)| (k.clone(), spot(&e.value, Some(e.key_at))))
                .collect(),
        ),
        Kind::Tagged(tag, inner) => {
            // `!Tag value` reads as `{Fn::Tag: value}`: the tag is the key.
            let mut m = HashMap::new();
            m.insert(tag_long_name(tag), spot(inner, Some(node.at)));
            Children::Map(m)
        }
        _ => Children::None,
    };
    Spot {
        key,
        value: node.at,
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::{json, yaml};

    fn yaml_locations(text: &str) -> Locations {
        Locations::build(&yaml::read(text, "t.yaml").unwrap().root)
    }

    const TEMPLATE: &str = "\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Port: 5432
      AvailabilityZone: !Select [0, !GetAZs '']
";

    #[test]
    fn entries_are_found_at_their_key_and_values_at_their_start() {
        let l = yaml_locations(TEMPLATE);
        let port = ["Resources", "Db", "Properties", "Port"];
        assert_eq!(l.get(&port), Some(Location::new(5, 7)));
        assert_eq!(l.value(&port), Some(Location::new(5, 13)));
        assert_eq!(l.get(&["Resources", "Db"]), Some(Location::new(2, 3)));
        assert_eq!(l.get::<&str>(&[]), Some(Location::new(1, 1)));
    }

    #[test]
    fn short_form_tags_are_found_under_their_long_names() {
        let l = yaml_locations(TEMPLATE);
        let az = ["Resources", "Db", "Properties", "AvailabilityZone"];
        assert_eq!(l.value(&az), Some(Location::new(6, 25)));
        let inner = [&az[..], &["Fn::Select", "1", "Fn::GetAZs"]].concat();
        assert_eq!(l.get(&inner), Some(Location::new(6, 37)));
        let index = [&az[..], &["Fn::Select", "0"]].concat();
        assert_eq!(l.get(&index), Some(Location::new(6, 34)));
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_ancestor() {
        let l = yaml_locations(TEMPLATE);
        let path = ["Resources", "Db", "Properties", "Nope", "Deeper"];
        assert_eq!(l.get(&path), None);
        assert_eq!(l.nearest(&path), Location::new(4, 5));
        assert_eq!(l.depth_found(&path), 3);
        assert_eq!(
            l.nearest(&["Resources", "Db", "Type", "0"]),
            Location::new(3, 5)
        );
        assert_eq!(Locations::default().nearest(&["x"]), Location::new(1, 1));
    }

    #[test]
    fn json_and_yaml_give_the_same_paths() {
        let text = "{\"Resources\": {\"Db\": {\"Properties\": {\"AZ\": {\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]}}}}}";
        let l = Locations::build(&json::read(text, "t.json").unwrap().root);
        let path = [
            "Resources",
            "Db",
            "Properties",
            "AZ",
            "Fn::Select",
            "1",
            "Fn::GetAZs",
        ];
        assert_eq!(l.get(&path), Some(Location::new(1, 64)));
    }
}
