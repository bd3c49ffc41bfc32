//! [`RawResource`]: any resource type by its name, with untyped
//! properties: the escape hatch beside the generated types, for a custom
//! resource, a type newer than hagen's schemas, or a property shape the
//! typed API cannot express.
//!
//! It keeps the guarantees of typed resources: its type name is checked
//! when it is added (with a suggestion for a typo), stack tags reach it in
//! its type's own tag format, and `hagen synth` validates its properties
//! against the type's schema like any other resource's.

use super::support::TagShape;
use super::{CfnResource, ResourceAttributes, Tag, known_type};
use crate::template::{Expr, IndexMap, Intrinsic, ToExpr};

/// A resource of any type, with properties as template values.
///
/// ```
/// use hagen::resources::RawResource;
/// use hagen::stack::Stack;
/// use hagen::template::Expr;
///
/// let mut stack = Stack::new("Raw");
/// stack.tag("Team", "web");
/// let bucket = stack.add(
///     "Logs",
///     RawResource::new("AWS::S3::Bucket").property("ObjectLockEnabled", Expr::Bool(true)),
/// )?;
/// let _arn = bucket.get_att("Arn");
/// let template = stack.into_template()?;
/// // Stack tags reach it in the type's own format.
/// assert!(template.resources["Logs"].properties.contains_key("Tags"));
/// # Ok::<(), hagen::error::SynthError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RawResource {
    type_name: String,
    properties: IndexMap<String, Expr>,
    unlisted: bool,
}

impl RawResource {
    /// A resource of a type the vendored schemas list (checked when it is
    /// added to a stack), or a custom resource (`Custom::Name`,
    /// `AWS::CloudFormation::CustomResource`).
    pub fn new(type_name: impl Into<String>) -> Self {
        RawResource {
            type_name: type_name.into(),
            properties: IndexMap::new(),
            unlisted: false,
        }
    }

    /// A resource of a type the vendored schemas do not list yet (AWS adds
    /// types every month). Nothing checks the name, stack tags are not
    /// applied and its properties are not validated; prefer
    /// [`RawResource::new`] whenever the type is listed.
    pub fn unlisted(type_name: impl Into<String>) -> Self {
        RawResource {
            unlisted: true,
            ..RawResource::new(type_name)
        }
    }

    /// Sets a property (builder style).
    #[must_use]
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Expr>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets a property.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Expr>) {
        self.properties.insert(name.into(), value.into());
    }

    /// A property's value.
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.properties.get(name)
    }

    /// Removes a property and returns its value.
    pub fn remove(&mut self, name: &str) -> Option<Expr> {
        self.properties.shift_remove(name)
    }

    fn is_custom(&self) -> bool {
        self.type_name.starts_with("Custom::")
            || self.type_name == "AWS::CloudFormation::CustomResource"
    }
}

impl CfnResource for RawResource {
    type Attributes = RawAttributes;

    fn resource_type(&self) -> &str {
        &self.type_name
    }

    fn properties(&self) -> IndexMap<String, Expr> {
        self.properties.clone()
    }

    fn apply_tags(&mut self, tags: &[Tag]) {
        if tags.is_empty() || self.unlisted {
            return;
        }
        match known_type(&self.type_name) {
            Some(TagShape::List {
                property,
                key,
                value,
                propagate,
            }) => merge_list(&mut self.properties, property, key, value, propagate, tags),
            Some(TagShape::Map(property) | TagShape::Json(property)) => {
                merge_map(&mut self.properties, property, tags);
            }
            Some(TagShape::None) | None => {}
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.unlisted || self.is_custom() || known_type(&self.type_name).is_some() {
            return Ok(());
        }
        let suggestion = super::type_names()
            .map(|t| {
                (
                    strsim::jaro_winkler(
                        &t.to_ascii_lowercase(),
                        &self.type_name.to_ascii_lowercase(),
                    ),
                    t,
                )
            })
            .filter(|(score, _)| *score > 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, t)| format!("; did you mean `{t}`?"))
            .unwrap_or_default();
        Err(format!(
            "`{}` is not a resource type in hagen's schemas (cfn-lint 1.58.0){suggestion} \
             A type newer than those schemas can be added with RawResource::unlisted, \
             a custom resource is named `Custom::Name`",
            self.type_name
        ))
    }
}

fn merge_list(
    properties: &mut IndexMap<String, Expr>,
    property: &str,
    key: &str,
    value: &str,
    propagate: Option<&str>,
    tags: &[Tag],
) {
    let list = properties
        .entry(property.to_owned())
        .or_insert_with(|| Expr::List(Vec::new()));
    let Expr::List(items) = list else { return };
    let present: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Expr::Map(m) => m.get(key).and_then(Expr::as_str).map(str::to_owned),
            _ => None,
        })
        .collect();
    for tag in tags {
        if tag
            .key_str()
            .is_some_and(|k| present.iter().any(|p| p == k))
        {
            continue;
        }
        let mut entry = IndexMap::new();
        entry.insert(key.to_owned(), tag.key.to_expr());
        entry.insert(value.to_owned(), tag.value.to_expr());
        if let Some(flag) = propagate {
            entry.insert(flag.to_owned(), Expr::Bool(true));
        }
        items.push(Expr::Map(entry));
    }
}

fn merge_map(properties: &mut IndexMap<String, Expr>, property: &str, tags: &[Tag]) {
    let map = properties
        .entry(property.to_owned())
        .or_insert_with(|| Expr::Map(IndexMap::new()));
    let Expr::Map(map) = map else { return };
    for tag in tags {
        if let Some(k) = tag.key_str()
            && !map.contains_key(k)
        {
            map.insert(k.to_owned(), tag.value.to_expr());
        }
    }
}

/// The attributes of a raw resource: untyped, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct RawAttributes {
    logical_id: String,
}

impl ResourceAttributes for RawAttributes {
    fn for_logical_id(logical_id: String) -> Self {
        RawAttributes { logical_id }
    }
}

impl RawAttributes {
    /// `Fn::GetAtt` of any attribute, untyped.
    pub fn attribute(&self, name: &str) -> Intrinsic {
        Intrinsic::GetAtt {
            resource: self.logical_id.clone(),
            attribute: name.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_in_the_type_is_refused_with_a_suggestion() {
        let err = RawResource::new("AWS:SNS::Topic")
            .check()
            .expect_err("typo");
        assert!(err.contains("did you mean `AWS::SNS::Topic`"), "{err}");
        assert!(RawResource::new("AWS::SNS::Topic").check().is_ok());
        assert!(RawResource::new("Custom::Seeder").check().is_ok());
        assert!(RawResource::unlisted("AWS::New::Thing").check().is_ok());
    }

    #[test]
    fn stack_tags_reach_a_raw_resource_in_its_types_format() {
        let mut topic = RawResource::new("AWS::SNS::Topic")
            .property("Tags", Expr::List(vec![Tag::new("Team", "ops").to_expr()]));
        topic.apply_tags(&[Tag::new("Team", "web"), Tag::new("Env", "stage")]);
        let tags = topic.get("Tags").expect("tags");
        assert_eq!(
            *tags,
            Expr::List(vec![
                Tag::new("Team", "ops").to_expr(),
                Tag::new("Env", "stage").to_expr()
            ])
        );
        let mut asg = RawResource::new("AWS::AutoScaling::AutoScalingGroup");
        asg.apply_tags(&[Tag::new("Env", "stage")]);
        let Some(Expr::List(items)) = asg.get("Tags") else {
            panic!("a list")
        };
        let Expr::Map(entry) = &items[0] else {
            panic!("a map")
        };
        assert_eq!(entry.get("PropagateAtLaunch"), Some(&Expr::Bool(true)));
    }
}
