//! What generated code uses: the names it imports, the ordered property map
//! it serialises into, the tag merges, and the tag shapes of the catalogue.
//!
//! Crate-private: generated modules import from here and nowhere else, so
//! a change to how generated code works is a change to this file and the
//! generator, not to 1,854 files by hand.

// With no service feature on, nothing uses these.
#![allow(dead_code, unused_imports)]

pub(crate) use super::handle::ResourceAttributes;
pub(crate) use super::tags::{TagEntry, merge_tag_json, merge_tag_list, merge_tag_map};
pub(crate) use super::{CfnResource, Tag};
pub(crate) use crate::template::{Attr, Expr, IndexMap, List, Map, ToExpr, Value};

/// How stack tags reach a resource type, for raw resources of that type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagShape {
    /// Not tagged.
    None,
    /// A list of entries under `property`, with these key and value names,
    /// and a boolean set to true in each new entry.
    List {
        property: &'static str,
        key: &'static str,
        value: &'static str,
        propagate: Option<&'static str>,
    },
    /// A string map under the property.
    Map(&'static str),
    /// A free-form property merged into when it is a literal map.
    Json(&'static str),
}

/// A required tag list (rare): merged like an optional one.
pub(crate) fn merge_tag_list_required<T: TagEntry>(target: &mut Value<List<T>>, tags: &[Tag]) {
    super::tags::merge_into_list(target, tags);
}

/// The ordered map a generated struct serialises into.
pub(crate) struct Props(IndexMap<String, Expr>);

impl Props {
    /// An empty map.
    pub(crate) fn new() -> Self {
        Props(IndexMap::new())
    }

    /// A property that is always present.
    pub(crate) fn req<T: ToExpr>(&mut self, name: &str, value: &T) {
        self.0.insert(name.to_owned(), value.to_expr());
    }

    /// A property that is present when set.
    pub(crate) fn opt<T: ToExpr>(&mut self, name: &str, value: &Option<T>) {
        if let Some(v) = value {
            self.0.insert(name.to_owned(), v.to_expr());
        }
    }

    /// The map as a template value.
    pub(crate) fn into_expr(self) -> Expr {
        Expr::Map(self.0)
    }

    /// A resource's properties, from its `ToExpr`.
    pub(crate) fn of<R: ToExpr>(resource: &R) -> IndexMap<String, Expr> {
        match resource.to_expr() {
            Expr::Map(map) => map,
            _ => IndexMap::new(),
        }
    }
}
