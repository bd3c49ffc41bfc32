//! Stack-wide tags and how they are merged into a resource's own: the
//! standard `Tags` list of `Key`/`Value`, tag entries with more fields (the
//! Auto Scaling group's `PropagateAtLaunch`), and string maps.
//!
//! In every style, a key the resource already sets wins; the others are
//! appended in the stack's order.

use crate::template::{Expr, List, Map, ToExpr, Value};

/// A resource tag (`Key`/`Value`): the stack's tags, and the tag list most
/// resource types take.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Tag key.
    pub key: Value<String>,
    /// Tag value.
    pub value: Value<String>,
}

impl Tag {
    /// A tag with a key and a value.
    pub fn new(key: impl Into<Value<String>>, value: impl Into<Value<String>>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }

    /// The literal key, when the key is a literal.
    pub fn key_str(&self) -> Option<&str> {
        self.key.literal().map(String::as_str)
    }
}

impl ToExpr for Tag {
    fn to_expr(&self) -> Expr {
        let mut map = crate::template::IndexMap::new();
        map.insert("Key".to_owned(), self.key.to_expr());
        map.insert("Value".to_owned(), self.value.to_expr());
        Expr::Map(map)
    }
}

impl From<Tag> for Value<Tag> {
    fn from(tag: Tag) -> Self {
        Value::Lit(tag)
    }
}

/// An entry of a resource's tag list that is not a plain [`Tag`] (more
/// fields, other key names): how stack tags become entries.
pub trait TagEntry: Sized {
    /// The entry's key, when it is a literal.
    fn key_literal(&self) -> Option<&str>;
    /// The entry for a stack tag.
    fn from_tag(tag: &Tag) -> Self;
}

impl TagEntry for Tag {
    fn key_literal(&self) -> Option<&str> {
        self.key_str()
    }

    fn from_tag(tag: &Tag) -> Self {
        tag.clone()
    }
}

/// Merges stack tags into a tag list: keys the list already has are left
/// as they are, the others are appended in order. A list that is a single
/// intrinsic cannot be merged into and is kept as it is.
pub(crate) fn merge_into_list<T: TagEntry>(list: &mut Value<List<T>>, tags: &[Tag]) {
    let Value::Lit(items) = list else { return };
    let present: Vec<String> = items
        .iter()
        .filter_map(|t| t.literal().and_then(T::key_literal).map(str::to_owned))
        .collect();
    for tag in tags {
        if tag
            .key_str()
            .is_some_and(|k| present.iter().any(|p| p == k))
        {
            continue;
        }
        items.push(Value::Lit(T::from_tag(tag)));
    }
}

/// [`merge_into_list`] for an optional list: no stack tags leave an unset
/// list unset.
pub(crate) fn merge_tag_list<T: TagEntry>(target: &mut Option<Value<List<T>>>, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    merge_into_list(target.get_or_insert_with(|| Value::Lit(Vec::new())), tags);
}

/// Merges stack tags into a string map of tags; tags whose key is not a
/// literal cannot be map keys and are left out.
pub(crate) fn merge_tag_map(target: &mut Option<Value<Map<String>>>, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    let Value::Lit(map) = target.get_or_insert_with(|| Value::Lit(Map::new())) else {
        return;
    };
    for tag in tags {
        if let Some(key) = tag.key_str()
            && !map.contains_key(key)
        {
            map.insert(key.to_owned(), tag.value.clone());
        }
    }
}

/// Merges stack tags into a free-form tag property that is a literal map
/// (types whose schema allows a map or a string there).
pub(crate) fn merge_tag_json(target: &mut Option<Value<Expr>>, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    let value = target.get_or_insert_with(|| Value::Lit(Expr::Map(Default::default())));
    let Value::Lit(Expr::Map(map)) = value else {
        return;
    };
    for tag in tags {
        if let Some(key) = tag.key_str()
            && !map.contains_key(key)
        {
            map.insert(key.to_owned(), tag.value.to_expr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_tags_win_over_stack_tags_with_the_same_key() {
        let mut tags: Option<Value<List<Tag>>> = Some(vec![Tag::new("Name", "web")].into());
        merge_tag_list(
            &mut tags,
            &[Tag::new("Name", "stack"), Tag::new("Project", "swiftcode")],
        );
        let expr = tags.expect("tags set").to_expr();
        let Expr::List(items) = expr else {
            panic!("tags are a list")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], Tag::new("Name", "web").to_expr());
    }

    #[test]
    fn no_stack_tags_leave_an_unset_list_unset() {
        let mut tags: Option<Value<List<Tag>>> = None;
        merge_tag_list(&mut tags, &[]);
        assert!(tags.is_none());
    }

    #[test]
    fn map_tags_keep_their_own_keys() {
        let mut tags: Option<Value<Map<String>>> = None;
        merge_tag_map(&mut tags, &[Tag::new("A", "1")]);
        merge_tag_map(&mut tags, &[Tag::new("A", "2"), Tag::new("B", "3")]);
        let Some(Value::Lit(map)) = tags else {
            panic!("a literal map")
        };
        assert_eq!(map["A"], Value::from("1"));
        assert_eq!(map["B"], Value::from("3"));
    }
}
