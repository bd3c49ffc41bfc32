//! The document as read, before it means anything: scalars already typed,
//! lists, maps with located keys, and tagged values, each with where it
//! starts.
//!
//! Both readers (YAML and JSON) produce this tree, so everything after them
//! (intrinsics, sections, locations) is written once. This module owns the
//! tree and the bookkeeping readers share (duplicate keys, how a value is
//! named in messages); it knows nothing of CloudFormation.

use indexmap::IndexMap;
use indexmap::map::Entry as MapEntry;

use super::error::{Location, Problem, ProblemKind, clip, record};

/// One value of the document and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    /// Where the value starts (its tag or anchor, if it has one).
    pub at: Location,
    /// The value.
    pub kind: Kind,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(IndexMap<String, Entry>),
    /// A value under a local YAML tag (`!Ref X`): the tag without `!`, and
    /// the value. A tagged scalar is always a string.
    Tagged(String, Box<Node>),
}

/// The size of a tree: its nodes, the bytes of text in it (scalars, keys,
/// tags), and how many list and map levels it nests (a scalar is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Weight {
    pub nodes: usize,
    pub bytes: usize,
    pub height: usize,
}

impl Weight {
    fn add_child(&mut self, child: Weight, key_bytes: usize) {
        self.nodes = self.nodes.saturating_add(child.nodes);
        self.bytes = self
            .bytes
            .saturating_add(child.bytes)
            .saturating_add(key_bytes);
        self.height = self.height.max(child.height);
    }
}

/// A map entry: where its key is, and its value.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub key_at: Location,
    pub value: Node,
}

impl Node {
    pub fn new(at: Location, kind: Kind) -> Self {
        Node { at, kind }
    }

    /// What a copy of this tree costs (alias budgets count it), and how
    /// deep it nests, in one walk.
    pub fn weight(&self) -> Weight {
        let mut w = Weight {
            nodes: 1,
            bytes: 0,
            height: 0,
        };
        match &self.kind {
            Kind::String(s) => w.bytes = s.len(),
            Kind::Seq(items) => {
                for item in items {
                    w.add_child(item.weight(), 0);
                }
                w.height += 1;
            }
            Kind::Map(entries) => {
                for (key, e) in entries {
                    w.add_child(e.value.weight(), key.len());
                }
                w.height += 1;
            }
            Kind::Tagged(tag, inner) => {
                let inner = inner.weight();
                // The tag wraps its value: a node, but no list or map level.
                w.nodes = inner.nodes.saturating_add(1);
                w.bytes = inner.bytes.saturating_add(tag.len());
                w.height = inner.height;
            }
            Kind::Null | Kind::Bool(_) | Kind::Int(_) | Kind::Float(_) => {}
        }
        w
    }

    /// How many list and map levels this tree nests (a scalar is 0).
    #[cfg(test)]
    pub fn height(&self) -> usize {
        self.weight().height
    }

    /// The value named for messages: `a string`, `a list`, `!Ref` ...
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Null => "nothing (null)".into(),
            Kind::Bool(b) => format!("the boolean {b}"),
            Kind::Int(n) => format!("the number {n}"),
            Kind::Float(x) => format!("the number {x}"),
            Kind::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
            Kind::String(_) => "a string".into(),
            Kind::Seq(items) => match items.len() {
                1 => "a list of 1 item".into(),
                n => format!("a list of {n} items"),
            },
            Kind::Map(entries) => match entries.keys().next() {
                Some(key) if entries.len() == 1 && is_function_key(key) => {
                    format!("the function {key}")
                }
                _ => "a map".into(),
            },
            Kind::Tagged(tag, _) => format!("the function !{tag}"),
        }
    }

    /// The text of a scalar as CloudFormation reads it where a string is
    /// expected (`Type: 80` is `"80"`); `None` for null, lists, maps and
    /// functions.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Int(n) => Some(n.to_string()),
            Kind::Float(x) => Some(x.to_string()),
            _ => None,
        }
    }

    /// The map's entries, when this is a map.
    #[cfg(test)]
    pub fn as_map(&self) -> Option<&IndexMap<String, Entry>> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }
}

/// Whether a one-entry map with this key is an intrinsic function call in
/// long form (or an unknown `Fn::` function, kept as a map).
pub(super) fn is_function_key(key: &str) -> bool {
    key == "Ref" || key == "Condition" || key.starts_with("Fn::")
}

/// A map being filled by a reader: keeps keys unique, reports repeats.
#[derive(Debug, Default)]
pub(super) struct MapBuilder {
    entries: IndexMap<String, Entry>,
}

impl MapBuilder {
    /// Adds an entry. A repeated key keeps its first position and takes the
    /// new value (as JSON and YAML readers do), and is reported with both
    /// locations; `path` is the map's own path.
    pub fn insert(
        &mut self,
        key: String,
        key_at: Location,
        value: Node,
        path: &[String],
        problems: &mut Vec<Problem>,
    ) {
        match self.entries.entry(key) {
            MapEntry::Vacant(slot) => {
                slot.insert(Entry { key_at, value });
            }
            MapEntry::Occupied(mut slot) => {
                let first = slot.get().key_at;
                let key = slot.key();
                record(
                    problems,
                    ProblemKind::DuplicateKey {
                        key: clip(key),
                        first,
                    },
                    || {
                        let mut where_ = path.to_vec();
                        where_.push(clip(key));
                        where_
                    },
                    key_at,
                );
                slot.get_mut().value = value;
            }
        }
    }

    /// Whether the key is already present.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    pub fn finish(self) -> IndexMap<String, Entry> {
        self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Location {
        Location::new(line, column)
    }

    #[test]
    fn a_repeated_key_is_reported_with_both_lines_and_keeps_the_last_value() {
        let mut problems = Vec::new();
        let mut m = MapBuilder::default();
        let path = vec!["Resources".to_string()];
        m.insert(
            "A".into(),
            at(2, 3),
            Node::new(at(2, 6), Kind::Int(1)),
            &path,
            &mut problems,
        );
        m.insert(
            "A".into(),
            at(5, 3),
            Node::new(at(5, 6), Kind::Int(2)),
            &path,
            &mut problems,
        );
        let entries = m.finish();
        assert_eq!(entries["A"].value.kind, Kind::Int(2));
        assert_eq!(
            problems,
            vec![Problem {
                kind: ProblemKind::DuplicateKey {
                    key: "A".into(),
                    first: at(2, 3)
                },
                path: vec!["Resources".into(), "A".into()],
                location: at(5, 3),
            }]
        );
    }

    #[test]
    fn weight_counts_nodes_text_and_height() {
        let leaf = Node::new(at(1, 1), Kind::Int(1));
        let text = Node::new(at(1, 1), Kind::String("abc".into()));
        let seq = Node::new(at(1, 1), Kind::Seq(vec![leaf.clone(), text]));
        let tagged = Node::new(at(1, 1), Kind::Tagged("Ref".into(), Box::new(leaf)));
        let mut map = IndexMap::new();
        map.insert(
            "key".to_string(),
            Entry {
                key_at: at(1, 1),
                value: tagged,
            },
        );
        let map = Node::new(at(1, 1), Kind::Map(map));
        let outer = Node::new(at(1, 1), Kind::Seq(vec![seq, map]));
        assert_eq!(
            outer.weight(),
            Weight {
                // outer, seq, 1, "abc", map, the tag, its 1
                nodes: 7,
                // "abc", "key", "Ref"
                bytes: 9,
                height: 2,
            }
        );
        assert_eq!(outer.height(), 2);
    }
}
