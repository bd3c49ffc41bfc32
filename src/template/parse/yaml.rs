//! Reads YAML text into the located [`Node`] tree, from saphyr-parser's
//! event stream.
//!
//! Owns everything YAML-specific: scalar styles and resolution (through
//! `super::scalar`), tags (local `!Name` tags are kept as [`Kind::Tagged`];
//! core `!!str`-style tags are applied; others are reported), anchors and
//! aliases (expanded within [`MAX_ALIAS_NODES`] and [`MAX_ALIAS_BYTES`],
//! aliases used as keys included, and reported, since CloudFormation
//! rejects them), duplicate and non-string keys, the depth limit, and the
//! one-document rule. It reads the event stream rather than
//! saphyr's loaded tree so that every key keeps its own position, duplicate
//! keys can name both lines, and no limit depends on the loader's defaults.
//! It knows nothing of CloudFormation sections or intrinsic functions.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};

use super::error::{
    Format, Location, MAX_ALIAS_BYTES, MAX_ALIAS_NODES, MAX_DEPTH, ParseError, Problem,
    ProblemKind, clip, record,
};
use super::node::{Kind, MapBuilder, Node, Weight};
use super::scalar::{resolve_core, resolve_plain};

/// The document's tree and the problems met while reading it.
pub(super) struct Read {
    pub root: Node,
    pub problems: Vec<Problem>,
}

/// Reads one YAML document. `file` names the source in errors.
pub(super) fn read(text: &str, file: &str) -> Result<Read, ParseError> {
    // Anchored values are copied only when an alias uses them; a first pass
    // over the events finds which ones do (only when the text could hold
    // an alias at all).
    let aliased = if text.contains('*') && text.contains('&') {
        alias_targets(text, file)?
    } else {
        HashSet::new()
    };
    let mut reader = Reader {
        file,
        frames: Vec::new(),
        aliased,
        anchors: HashMap::new(),
        scalar_anchors: HashMap::new(),
        alias_nodes: 0,
        alias_bytes: 0,
        problems: Vec::new(),
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| syntax(file, &e))?;
        if !reader.on_event(event, location(span.start))? {
            break;
        }
    }
    let root = reader
        .root
        .unwrap_or_else(|| Node::new(Location::default(), Kind::Null));
    Ok(Read {
        root,
        problems: reader.problems,
    })
}

fn location(mark: Marker) -> Location {
    Location::new(mark.line().max(1), mark.col() + 1)
}

fn syntax(file: &str, e: &ScanError) -> ParseError {
    syntax_at(file, location(*e.marker()), e.info())
}

fn syntax_at(file: &str, location: Location, message: &str) -> ParseError {
    ParseError::Syntax {
        file: file.to_owned(),
        format: Format::Yaml,
        location,
        message: message.to_owned(),
    }
}

/// The anchor IDs some alias refers to.
fn alias_targets(text: &str, file: &str) -> Result<HashSet<usize>, ParseError> {
    let mut targets = HashSet::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next.map_err(|e| syntax(file, &e))?.0 {
            Event::Alias(id) => {
                targets.insert(id);
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(targets)
}

/// A list or map being read.
struct Frame {
    at: Location,
    anchor: usize,
    tag: Option<Tag>,
    body: Body,
}

enum Body {
    Seq(Vec<Node>),
    Map {
        map: MapBuilder,
        /// The key read, waiting for its value.
        key: Option<(String, Location)>,
    },
}

struct Reader<'f> {
    file: &'f str,
    frames: Vec<Frame>,
    /// Anchor IDs some alias uses (see [`alias_targets`]).
    aliased: HashSet<usize>,
    /// Copies of the anchored values some alias uses, with their size.
    anchors: HashMap<usize, (Node, Weight)>,
    /// Anchored scalars as written, for aliases used as keys.
    scalar_anchors: HashMap<usize, String>,
    /// Nodes produced by alias expansion so far.
    alias_nodes: usize,
    /// Bytes of text produced by alias expansion so far.
    alias_bytes: usize,
    problems: Vec<Problem>,
    root: Option<Node>,
    documents: usize,
}

/// The path of the value being read in `frames`, segments cut as problems
/// quote them.
fn path_of(frames: &[Frame]) -> Vec<String> {
    let mut path = Vec::new();
    for frame in frames {
        if let Some(name) = frame.tag.as_ref().and_then(local_tag) {
            path.push(clip(&tag_long_name(name)));
        }
        match &frame.body {
            Body::Seq(items) => path.push(items.len().to_string()),
            Body::Map {
                key: Some((k, _)), ..
            } => path.push(clip(k)),
            Body::Map { key: None, .. } => {}
        }
    }
    path
}

/// The path segment a local tag stands for: its long name.
pub(super) fn tag_long_name(suffix: &str) -> String {
    if suffix == "Ref" || suffix == "Condition" {
        suffix.to_owned()
    } else {
        format!("Fn::{suffix}")
    }
}

/// A local tag (`!Ref`) with its name; `None` for other tags.
fn local_tag(tag: &Tag) -> Option<&str> {
    if tag.handle == "!" && !tag.suffix.is_empty() {
        Some(&tag.suffix)
    } else if tag.handle.is_empty() && tag.suffix.len() > 1 && tag.suffix.starts_with('!') {
        // Verbatim `!<!Ref>`.
        Some(&tag.suffix[1..])
    } else {
        None
    }
}

/// The tag as the author wrote it, for messages.
fn tag_text(tag: &Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else if tag.handle.is_empty() {
        format!("!<{}>", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

impl Reader<'_> {
    /// Handles one event; `false` once the stream is over.
    fn on_event(&mut self, event: Event<'_>, at: Location) -> Result<bool, ParseError> {
        match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(false),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(syntax_at(
                        self.file,
                        at,
                        "a second YAML document starts here; a template is exactly one document, remove the `---` line or split the file",
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if self.awaiting_key() {
                    self.key(value.into_owned(), style, anchor, tag.as_deref(), at);
                } else {
                    let text = value.into_owned();
                    if anchor != 0 {
                        // Kept as written, in case an alias uses it as a key.
                        self.scalar_anchors.insert(anchor, text.clone());
                    }
                    let node = self.scalar(text, style, tag.as_deref(), at);
                    self.add(node, anchor)?;
                }
            }
            Event::SequenceStart(anchor, tag) => self.open(
                at,
                anchor,
                tag.map(|t| t.into_owned()),
                Body::Seq(Vec::new()),
            )?,
            Event::MappingStart(anchor, tag) => self.open(
                at,
                anchor,
                tag.map(|t| t.into_owned()),
                Body::Map {
                    map: MapBuilder::default(),
                    key: None,
                },
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.frames.pop() else {
                    return Err(syntax_at(self.file, at, "unbalanced end of a list or map"));
                };
                let anchor = frame.anchor;
                let node = self.close(frame);
                self.add(node, anchor)?;
            }
            Event::Alias(id) => self.alias(id, at)?,
        }
        Ok(true)
    }

    fn awaiting_key(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame {
                body: Body::Map { key: None, .. },
                ..
            })
        )
    }

    /// The path of the value being read now (the next list item, or the
    /// value of the pending key); tagged lists and maps add their long name.
    /// Only problems use it, so segments are cut as problems quote them.
    fn path(&self) -> Vec<String> {
        path_of(&self.frames)
    }

    fn problem(&mut self, kind: ProblemKind, location: Location) {
        let frames = &self.frames;
        record(&mut self.problems, kind, || path_of(frames), location);
    }

    fn open(
        &mut self,
        at: Location,
        anchor: usize,
        tag: Option<Tag>,
        body: Body,
    ) -> Result<(), ParseError> {
        if self.frames.len() >= MAX_DEPTH {
            return Err(ParseError::TooDeep {
                file: self.file.to_owned(),
                location: at,
                limit: MAX_DEPTH,
            });
        }
        self.frames.push(Frame {
            at,
            anchor,
            tag,
            body,
        });
        Ok(())
    }

    /// Turns a finished list or map into a node, applying its tag.
    fn close(&mut self, frame: Frame) -> Node {
        let (kind, core) = match frame.body {
            Body::Seq(items) => (Kind::Seq(items), "seq"),
            Body::Map { map, key } => {
                let mut map = map;
                if let Some((k, key_at)) = key {
                    // A key with no value event cannot happen in a
                    // well-formed stream; keep it with a null value.
                    let path = self.path();
                    map.insert(
                        k,
                        key_at,
                        Node::new(key_at, Kind::Null),
                        &path,
                        &mut self.problems,
                    );
                }
                (Kind::Map(map.finish()), "map")
            }
        };
        let node = Node::new(frame.at, kind);
        match frame.tag {
            None => node,
            Some(tag) => {
                if let Some(name) = local_tag(&tag) {
                    Node::new(frame.at, Kind::Tagged(name.to_owned(), Box::new(node)))
                } else {
                    let plain = (tag.handle == "!" && tag.suffix.is_empty())
                        || (tag.is_yaml_core_schema() && tag.suffix == core);
                    if !plain {
                        self.problem(
                            ProblemKind::UnsupportedTag {
                                tag: tag_text(&tag),
                            },
                            frame.at,
                        );
                    }
                    node
                }
            }
        }
    }

    /// A scalar value (not a key).
    fn scalar(
        &mut self,
        text: String,
        style: ScalarStyle,
        tag: Option<&Tag>,
        at: Location,
    ) -> Node {
        let Some(tag) = tag else {
            return self.untagged(text, style, at);
        };
        if let Some(name) = local_tag(tag) {
            // Short-form functions take their scalar argument as written:
            // `!GetAZs` alone is the empty string, `!Ref 80` is "80".
            let inner = Node::new(at, Kind::String(text));
            return Node::new(at, Kind::Tagged(name.to_owned(), Box::new(inner)));
        }
        if tag.handle == "!" {
            // The non-specific tag `!` makes a scalar a string.
            return Node::new(at, Kind::String(text));
        }
        if tag.is_yaml_core_schema()
            && let Some(kind) = resolve_core(&tag.suffix, &text)
        {
            return Node::new(at, kind);
        }
        self.problem(ProblemKind::UnsupportedTag { tag: tag_text(tag) }, at);
        self.untagged(text, style, at)
    }

    fn untagged(&mut self, text: String, style: ScalarStyle, at: Location) -> Node {
        if style != ScalarStyle::Plain {
            return Node::new(at, Kind::String(text));
        }
        let (kind, reading) = resolve_plain(&text);
        if let Some(reading) = reading {
            self.problem(ProblemKind::Yaml11Scalar { text, reading }, at);
        }
        Node::new(at, kind)
    }

    /// A scalar in key position: its text as written.
    fn key(
        &mut self,
        text: String,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: Location,
    ) {
        if let Some(tag) = tag {
            let harmless = (tag.handle == "!" && tag.suffix.is_empty())
                || (tag.is_yaml_core_schema() && tag.suffix == "str");
            if !harmless {
                self.problem(
                    ProblemKind::NonStringKey {
                        found: format!("a value tagged {}", tag_text(tag)),
                    },
                    at,
                );
            }
        }
        if style == ScalarStyle::Plain && text == "<<" {
            self.problem(ProblemKind::MergeKey, at);
        }
        if anchor != 0 {
            self.scalar_anchors.insert(anchor, text.clone());
            if self.aliased.contains(&anchor) {
                let node = Node::new(at, Kind::String(text.clone()));
                let weight = node.weight();
                self.anchors.insert(anchor, (node, weight));
            }
        }
        self.set_key(text, at);
    }

    fn set_key(&mut self, text: String, at: Location) {
        if let Some(Frame {
            body: Body::Map { key, .. },
            ..
        }) = self.frames.last_mut()
        {
            *key = Some((text, at));
        }
    }

    /// Adds a finished value to the list, map or document being read.
    fn add(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 && self.aliased.contains(&anchor) {
            // The copy kept for aliases counts against the alias budget.
            let weight = node.weight();
            self.charge(weight, node.at)?;
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        if self.awaiting_key() {
            // A list, map or alias where a key should be.
            self.problem(
                ProblemKind::NonStringKey {
                    found: node.describe(),
                },
                node.at,
            );
            let placeholder = format!("<key at {}>", node.at);
            self.set_key(placeholder, node.at);
            return Ok(());
        }
        // The path is only needed to report a duplicate key; building it
        // for every value would cost a copy of every key above it.
        let duplicate = matches!(
            self.frames.last(),
            Some(Frame { body: Body::Map { map, key: Some((k, _)) }, .. }) if map.contains(k)
        );
        let path = if duplicate { self.path() } else { Vec::new() };
        match self.frames.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame {
                body: Body::Seq(items),
                ..
            }) => items.push(node),
            Some(Frame {
                body: Body::Map { map, key },
                ..
            }) => {
                if let Some((k, key_at)) = key.take() {
                    let map_path = &path[..path.len().saturating_sub(1)];
                    map.insert(k, key_at, node, map_path, &mut self.problems);
                }
            }
        }
        Ok(())
    }

    /// Counts a copy made for an alias against both budgets, before it is
    /// made.
    fn charge(&mut self, weight: Weight, at: Location) -> Result<(), ParseError> {
        self.alias_nodes = self.alias_nodes.saturating_add(weight.nodes);
        self.alias_bytes = self.alias_bytes.saturating_add(weight.bytes);
        let (limit, unit) = if self.alias_nodes > MAX_ALIAS_NODES {
            (MAX_ALIAS_NODES, "values")
        } else if self.alias_bytes > MAX_ALIAS_BYTES {
            (MAX_ALIAS_BYTES, "bytes of text")
        } else {
            return Ok(());
        };
        Err(ParseError::AliasLimit {
            file: self.file.to_owned(),
            location: at,
            limit,
            unit,
        })
    }

    /// Expands an alias in place, within the budgets, and reports it.
    fn alias(&mut self, id: usize, at: Location) -> Result<(), ParseError> {
        self.problem(ProblemKind::Alias, at);
        if self.awaiting_key() {
            return self.alias_key(id, at);
        }
        let Some((_, weight)) = self.anchors.get(&id) else {
            return Err(syntax_at(
                self.file,
                at,
                "this alias refers to the value that contains it; a value cannot include itself",
            ));
        };
        let weight = *weight;
        if self.frames.len() + weight.height > MAX_DEPTH {
            return Err(ParseError::TooDeep {
                file: self.file.to_owned(),
                location: at,
                limit: MAX_DEPTH,
            });
        }
        self.charge(weight, at)?;
        let Some((mut node, _)) = self.anchors.get(&id).cloned() else {
            return Ok(());
        };
        node.at = at;
        self.add(node, 0)
    }

    /// An alias where a key should be: an anchored scalar is the key as
    /// written (its text counts against the byte budget, like any copy);
    /// a list or map is reported as a key that is not a string, and never
    /// copied.
    fn alias_key(&mut self, id: usize, at: Location) -> Result<(), ParseError> {
        if let Some(text) = self.scalar_anchors.get(&id) {
            let weight = Weight {
                nodes: 1,
                bytes: text.len(),
                height: 0,
            };
            self.charge(weight, at)?;
            let text = self.scalar_anchors.get(&id).cloned().unwrap_or_default();
            self.set_key(text, at);
            return Ok(());
        }
        self.charge(
            Weight {
                nodes: 1,
                bytes: 0,
                height: 0,
            },
            at,
        )?;
        let found = match self.anchors.get(&id) {
            Some((node, _)) => node.describe(),
            // The anchor is still open: the alias is inside its own value.
            None => "an alias to the map that contains it".to_owned(),
        };
        self.problem(ProblemKind::NonStringKey { found }, at);
        self.set_key(format!("<key at {at}>"), at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        match read(text, "t.yaml") {
            Ok(r) => r.root,
            Err(e) => panic!("{e}"),
        }
    }

    fn problems(text: &str) -> Vec<Problem> {
        match read(text, "t.yaml") {
            Ok(r) => r.problems,
            Err(e) => panic!("{e}"),
        }
    }

    fn err(text: &str) -> String {
        match read(text, "t.yaml") {
            Ok(r) => panic!("expected an error, got {:?}", r.root),
            Err(e) => e.to_string(),
        }
    }

    fn map_of(node: &Node) -> &indexmap::IndexMap<String, super::super::node::Entry> {
        node.as_map().expect("a map")
    }

    #[test]
    fn keys_and_values_keep_their_own_positions() {
        let r = root("A: 1\nB:\n  C: x\n");
        let m = map_of(&r);
        assert_eq!(m["A"].key_at, Location::new(1, 1));
        assert_eq!(m["A"].value.at, Location::new(1, 4));
        let b = map_of(&m["B"].value);
        assert_eq!(b["C"].key_at, Location::new(3, 3));
        assert_eq!(b["C"].value.kind, Kind::String("x".into()));
    }

    #[test]
    fn local_tags_wrap_their_value_and_scalars_stay_strings() {
        let r = root("A: !Ref 80\nB: !GetAZs\nC: !Select [0, x]\n");
        let m = map_of(&r);
        let Kind::Tagged(tag, inner) = &m["A"].value.kind else {
            panic!("tagged")
        };
        assert_eq!(tag, "Ref");
        assert_eq!(inner.kind, Kind::String("80".into()));
        let Kind::Tagged(_, inner) = &m["B"].value.kind else {
            panic!("tagged")
        };
        assert_eq!(inner.kind, Kind::String(String::new()));
        let Kind::Tagged(tag, inner) = &m["C"].value.kind else {
            panic!("tagged")
        };
        assert_eq!(tag, "Select");
        assert!(matches!(&inner.kind, Kind::Seq(items) if items.len() == 2));
        assert_eq!(m["C"].value.at, Location::new(3, 4));
    }

    #[test]
    fn quoting_makes_a_string_and_plain_scalars_resolve() {
        let r = root("A: '80'\nB: 80\nC: \"true\"\nD: yes\nE: 2010-09-09\n");
        let m = map_of(&r);
        assert_eq!(m["A"].value.kind, Kind::String("80".into()));
        assert_eq!(m["B"].value.kind, Kind::Int(80));
        assert_eq!(m["C"].value.kind, Kind::String("true".into()));
        assert_eq!(m["D"].value.kind, Kind::Bool(true));
        assert_eq!(m["E"].value.kind, Kind::String("2010-09-09".into()));
    }

    #[test]
    fn yaml_1_1_readings_are_reported_with_their_path() {
        let p = problems("Tags:\n  - Value: YES\n");
        assert_eq!(
            p,
            vec![Problem {
                kind: ProblemKind::Yaml11Scalar {
                    text: "YES".into(),
                    reading: "the boolean true".into()
                },
                path: vec!["Tags".into(), "0".into(), "Value".into()],
                location: Location::new(2, 12),
            }]
        );
    }

    #[test]
    fn core_tags_apply_and_unsupported_ones_are_reported() {
        let r = read(
            "A: !!str 12\nB: !!binary aGk=\nC: !!set {a: null}\n",
            "t.yaml",
        )
        .unwrap();
        let m = map_of(&r.root);
        assert_eq!(m["A"].value.kind, Kind::String("12".into()));
        assert_eq!(m["B"].value.kind, Kind::String("aGk=".into()));
        let tags: Vec<String> = r
            .problems
            .iter()
            .map(|p| match &p.kind {
                ProblemKind::UnsupportedTag { tag } => tag.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(tags, ["!!binary", "!!set"]);
        assert_eq!(r.problems[1].path, ["C"]);
    }

    #[test]
    fn aliases_expand_and_are_reported() {
        let r = read("A: &x {k: v}\nB: *x\n", "t.yaml").unwrap();
        let m = map_of(&r.root);
        assert_eq!(
            map_of(&m["B"].value)["k"].value.kind,
            Kind::String("v".into())
        );
        assert_eq!(m["B"].value.at, Location::new(2, 4));
        assert_eq!(
            r.problems,
            vec![Problem {
                kind: ProblemKind::Alias,
                path: vec!["B".into()],
                location: Location::new(2, 4),
            }]
        );
    }

    #[test]
    fn an_alias_to_a_scalar_can_be_a_key_as_written() {
        let r = root("A: &k Name\n*k : 1\nB: &o 0755\n*o : 2\n");
        assert_eq!(map_of(&r)["Name"].value.kind, Kind::Int(1));
        assert_eq!(map_of(&r)["0755"].value.kind, Kind::Int(2));
    }

    #[test]
    fn billion_laughs_stops_at_the_alias_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let items = vec![prev; 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        // a0..a3 cost 24,674 nodes (copies kept for aliases included);
        // each alias on line 5 adds 11,111: the seventh goes over.
        assert_eq!(
            err(&text),
            "t.yaml:5:40: YAML aliases expand to more than 100000 values (an alias bomb?); CloudFormation rejects aliases anyway: write the values out in full"
        );
    }

    /// Regression (hostile input, alias bytes): the alias budget counted
    /// values only, so 99,000 aliases of one large string passed it and
    /// expanded to gigabytes. The text copied counts now.
    #[test]
    fn alias_bomb_of_one_large_string_stops_at_the_byte_budget() {
        let big = "x".repeat(100_000);
        let mut text = format!("A: &a \"{big}\"\nL:\n");
        for _ in 0..20 {
            text.push_str("  - *a\n");
        }
        // The copy kept for aliases costs 100,000 bytes, each alias as
        // much again: the tenth alias (line 12) goes over 1,000,000.
        assert_eq!(
            err(&text),
            "t.yaml:12:5: YAML aliases expand to more than 1000000 bytes of text (an alias bomb?); CloudFormation rejects aliases anyway: write the values out in full"
        );
    }

    /// Regression (hostile input, alias keys): an alias used as a key cost
    /// nothing, so a large anchored string could be copied as a key without
    /// limit. Keys count against both budgets now.
    #[test]
    fn aliases_used_as_keys_count_against_the_budget() {
        let big = "k".repeat(100_000);
        let mut text = format!("A: &a \"{big}\"\nL:\n");
        for _ in 0..20 {
            text.push_str("  - {*a : 1}\n");
        }
        assert_eq!(
            err(&text),
            "t.yaml:12:6: YAML aliases expand to more than 1000000 bytes of text (an alias bomb?); CloudFormation rejects aliases anyway: write the values out in full"
        );
        // And by count: each key alias is a value of the node budget.
        let mut text = String::from("A: &a k\nL:\n");
        for _ in 0..=MAX_ALIAS_NODES {
            text.push_str("- {*a : 1}\n");
        }
        let e = err(&text);
        assert!(
            e.ends_with("YAML aliases expand to more than 100000 values (an alias bomb?); CloudFormation rejects aliases anyway: write the values out in full"),
            "{e}"
        );
    }

    #[test]
    fn a_list_alias_used_as_a_key_is_reported_not_copied() {
        let p = problems("A: &l [1, 2]\nB: {*l : 1}\n");
        let kinds: Vec<String> = p.iter().map(|p| p.kind.to_string()).collect();
        assert_eq!(
            kinds[1],
            "map keys must be plain strings; found a list of 2 items"
        );
        assert_eq!(p[1].location, Location::new(2, 5));
        let p = problems("A: &m {*m : x}\n");
        assert!(p.iter().any(|p| p.kind.to_string()
            == "map keys must be plain strings; found an alias to the map that contains it"));
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_refused() {
        let e = err("a: &x [1, *x]\n");
        assert_eq!(
            e,
            "t.yaml:1:11: malformed YAML: this alias refers to the value that contains it; a value cannot include itself"
        );
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_where_it_happens() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            err(&text),
            format!(
                "t.yaml:1:{}: lists and maps are nested more than 100 levels deep; no CloudFormation template needs that, flatten the value",
                MAX_DEPTH + 1
            )
        );
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(root(&ok).height(), MAX_DEPTH);
    }

    #[test]
    fn an_alias_cannot_push_nesting_past_the_limit() {
        let deep = format!("{}{}", "[".repeat(60), "]".repeat(60));
        let text = format!(
            "a: &d {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
        );
        assert_eq!(
            err(&text),
            "t.yaml:2:46: lists and maps are nested more than 100 levels deep; no CloudFormation template needs that, flatten the value"
        );
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let p = problems("Resources:\n  A: 1\n  A: 2\n");
        assert_eq!(
            p,
            vec![Problem {
                kind: ProblemKind::DuplicateKey {
                    key: "A".into(),
                    first: Location::new(2, 3)
                },
                path: vec!["Resources".into(), "A".into()],
                location: Location::new(3, 3),
            }]
        );
    }

    #[test]
    fn keys_that_are_not_strings_are_reported() {
        let p = problems("? [a]\n: b\n!Ref k: v\n");
        assert_eq!(p.len(), 2);
        assert!(
            matches!(&p[0].kind, ProblemKind::NonStringKey { found } if found == "a list of 1 item")
        );
        assert_eq!(p[0].location, Location::new(1, 3));
        assert!(
            matches!(&p[1].kind, ProblemKind::NonStringKey { found } if found == "a value tagged !Ref")
        );
    }

    #[test]
    fn merge_keys_are_kept_as_keys_and_reported() {
        let r = read("A:\n  <<: {b: 1}\n", "t.yaml").unwrap();
        assert!(map_of(&map_of(&r.root)["A"].value).contains_key("<<"));
        assert_eq!(r.problems[0].kind, ProblemKind::MergeKey);
        assert_eq!(r.problems[0].path, ["A"]);
    }

    #[test]
    fn a_second_document_is_refused() {
        assert_eq!(
            err("a: 1\n---\nb: 2\n"),
            "t.yaml:2:1: malformed YAML: a second YAML document starts here; a template is exactly one document, remove the `---` line or split the file"
        );
    }

    #[test]
    fn syntax_errors_carry_the_parsers_position_one_based() {
        assert_eq!(
            err("a: b\n  c: d\n"),
            "t.yaml:2:4: malformed YAML: mapping values are not allowed in this context"
        );
        assert_eq!(
            err("a:\n\t- b\n"),
            "t.yaml:2:2: malformed YAML: tabs disallowed within this context (block indentation)"
        );
    }

    #[test]
    fn an_empty_document_is_null() {
        assert_eq!(root("# only a comment\n").kind, Kind::Null);
        assert_eq!(root("").kind, Kind::Null);
    }
}
