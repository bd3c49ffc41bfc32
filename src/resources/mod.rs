//! Typed L1 resources: one Rust type per CloudFormation resource type the
//! constructs emit, with every property typed and able to hold an intrinsic.
//!
//! This module owns property names, value types and attribute names (taken
//! from AWS's resource provider schemas). It holds no defaults and no policy:
//! safe defaults are the constructs' job (`crate::constructs`).

#[macro_use]
mod macros;

use indexmap::IndexMap;

use crate::template::{Expr, List, Value};

pub mod autoscaling;
pub mod cloudwatch;
pub mod ec2;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod rds;
pub mod route53;
pub mod sns;

/// A CloudFormation resource type that can be added to a stack.
pub trait CfnResource {
    /// The CloudFormation type name, such as `AWS::EC2::VPC`.
    const TYPE: &'static str;

    /// The resource's `Properties`, in declaration order, unset ones left out.
    fn properties(&self) -> IndexMap<String, Expr>;

    /// Adds stack-wide tags in this type's own tag format. Tags already set on
    /// the resource win over stack-wide tags with the same key. Types without
    /// tags ignore the call.
    fn apply_tags(&mut self, _tags: &[Tag]) {}
}

cfn_struct! {
    /// A resource tag (`Key`/`Value`), the format most resource types use.
    pub struct Tag {
        /// Tag key.
        key: "Key" => String,
        /// Tag value.
        value: "Value" => String,
    }
}

impl Tag {
    /// A tag with a literal key and a value.
    pub fn pair(key: &str, value: impl Into<Value<String>>) -> Self {
        Tag::new().key(key).value(value)
    }

    /// The literal key, when the key is a literal.
    pub fn key_str(&self) -> Option<&str> {
        self.key.as_ref()?.literal().map(String::as_str)
    }
}

/// Merges stack-wide tags into a resource's `Tags` list: keys the resource
/// already sets are left as they are, the others are appended in order.
pub fn merge_standard_tags(target: &mut Option<Value<List<Tag>>>, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    match target {
        // A whole-list intrinsic (rare) cannot be merged into: keep the user's.
        Some(Value::Fn(_)) => {}
        Some(Value::Lit(list)) => {
            let present: Vec<String> = list
                .iter()
                .filter_map(|t| t.literal().and_then(Tag::key_str).map(str::to_owned))
                .collect();
            for tag in tags {
                if tag
                    .key_str()
                    .is_none_or(|k| !present.iter().any(|p| p == k))
                {
                    list.push(Value::Lit(tag.clone()));
                }
            }
        }
        None => *target = Some(Value::Lit(tags.iter().cloned().map(Value::Lit).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ToExpr;

    #[test]
    fn resource_tags_win_over_stack_tags_with_the_same_key() {
        let mut tags: Option<Value<List<Tag>>> = Some(vec![Tag::pair("Name", "web")].into());
        merge_standard_tags(
            &mut tags,
            &[
                Tag::pair("Name", "stack"),
                Tag::pair("Project", "swiftcode"),
            ],
        );
        let expr = tags.expect("tags set").to_expr();
        let Expr::List(items) = expr else {
            panic!("tags are a list")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], Tag::pair("Name", "web").to_expr());
    }
}
