//! Nested stacks at deploy: each child's template uploaded to the template
//! bucket under a content-hash key, and its parent's `TemplateURL` (the
//! child's file name, as `synth` leaves it) pointed at the object, as
//! `aws cloudformation package` does.
//!
//! Owns the rewrite and the order: children first, then the parent's text
//! rendered again from the rewritten template. An unchanged child keeps its
//! key, so its URL, so CloudFormation sees no change to it.

use indexmap::IndexMap;

use super::aws::Clients;
use super::error::DeployError;
use super::upload;
use crate::template::{Expr, Template};

/// A nested stack's template as the deploy sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBody {
    /// The `AWS::CloudFormation::Stack` resource's logical ID in the parent.
    pub logical_id: String,
    /// The child's template text.
    pub body: String,
}

/// The parent with each named child's `TemplateURL` replaced by its URL
/// (logical ID -> URL). A logical ID that is not a nested stack of the
/// parent is an error naming it.
pub fn point_at(
    parent: &Template,
    urls: &IndexMap<String, String>,
) -> Result<Template, DeployError> {
    let mut out = parent.clone();
    for (id, url) in urls {
        let Some(resource) = out.resources.get_mut(id) else {
            return Err(DeployError::Usage(format!(
                "nested stack {id} is not a resource of the parent template"
            )));
        };
        resource
            .properties
            .insert("TemplateURL".to_owned(), Expr::String(url.clone()));
    }
    Ok(out)
}

/// Uploads every child of `stack` to `bucket` and returns the parent's
/// template and text pointing at them.
pub async fn package(
    clients: &Clients,
    bucket: &str,
    stack: &str,
    parent: &Template,
    nested: &[NestedBody],
) -> Result<(Template, String), DeployError> {
    let mut urls = IndexMap::new();
    for child in nested {
        let url = upload::upload(
            clients,
            bucket,
            &format!("{stack}/{}", child.logical_id),
            &child.body,
        )
        .await?;
        urls.insert(child.logical_id.clone(), url);
    }
    let template = point_at(parent, &urls)?;
    let body = template.to_yaml();
    Ok((template, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    #[test]
    fn the_parent_points_at_the_uploaded_children_and_nothing_else_changes() {
        let parent = parse_template(
            "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: p.Child.nested.template\n      Parameters:\n        A: b\n  T:\n    Type: AWS::SNS::Topic\n",
            "p.yaml",
        )
        .expect("parses")
        .template;
        let urls = IndexMap::from([(
            "Child".to_owned(),
            "https://b.s3.us-east-1.amazonaws.com/hagen/p/Child/abc.template".to_owned(),
        )]);
        let pointed = point_at(&parent, &urls).expect("points");
        assert_eq!(
            pointed.resources["Child"].properties["TemplateURL"],
            Expr::String(urls["Child"].clone())
        );
        assert_eq!(
            pointed.resources["Child"].properties["Parameters"],
            parent.resources["Child"].properties["Parameters"]
        );
        assert_eq!(pointed.resources["T"], parent.resources["T"]);
        let missing = IndexMap::from([("Nope".to_owned(), "u".to_owned())]);
        assert!(point_at(&parent, &missing).is_err());
    }
}
