//! EC2 additions: how stack tags reach a launch template. They go on the
//! template itself (`TagSpecifications` for `launch-template`) and into its
//! data's `TagSpecifications` for `instance` and `volume`, so the instances
//! an Auto Scaling group launches, and their volumes, carry them too.

use crate::resources::Tag;
use crate::resources::ec2::LaunchTemplate;
use crate::resources::ec2::launch_template::{
    LaunchTemplateTagSpecification, LaunchTemplateTagSpecificationResourceType, ResourceType,
    TagSpecification,
};
use crate::resources::support::merge_tag_list;
use crate::template::{List, Value};

/// Resource types launched from a template that receive stack-wide tags.
pub const PROPAGATED_TAG_RESOURCE_TYPES: [ResourceType; 2] =
    [ResourceType::Instance, ResourceType::Volume];

/// Applies stack tags to a launch template (its `apply_tags`).
pub(crate) fn tag_launch_template(template: &mut LaunchTemplate, tags: &[Tag]) {
    if tags.is_empty() {
        return;
    }
    merge_spec(
        &mut template.tag_specifications,
        LaunchTemplateTagSpecificationResourceType::LaunchTemplate,
        tags,
    );
    // A whole-data intrinsic cannot be merged into; it keeps its own tags.
    if let Value::Lit(data) = template.launch_template_data.as_mut() {
        for resource_type in PROPAGATED_TAG_RESOURCE_TYPES {
            merge_spec(&mut data.tag_specifications, resource_type, tags);
        }
    }
}

/// The two tag specification shapes (for the template, for what it
/// launches), so one merge serves both.
trait TagSpec: Sized {
    type Kind: PartialEq + Copy;
    fn make(kind: Self::Kind, tags: List<Tag>) -> Self;
    fn parts(&mut self) -> (Option<Self::Kind>, &mut Option<Value<List<Tag>>>);
}

impl TagSpec for TagSpecification {
    type Kind = ResourceType;
    fn make(kind: ResourceType, tags: List<Tag>) -> Self {
        TagSpecification::new().resource_type(kind).tags(tags)
    }
    fn parts(&mut self) -> (Option<ResourceType>, &mut Option<Value<List<Tag>>>) {
        let kind = self
            .resource_type
            .as_ref()
            .and_then(Value::literal)
            .copied();
        (kind, &mut self.tags)
    }
}

impl TagSpec for LaunchTemplateTagSpecification {
    type Kind = LaunchTemplateTagSpecificationResourceType;
    fn make(kind: Self::Kind, tags: List<Tag>) -> Self {
        LaunchTemplateTagSpecification::new()
            .resource_type(kind)
            .tags(tags)
    }
    fn parts(&mut self) -> (Option<Self::Kind>, &mut Option<Value<List<Tag>>>) {
        let kind = self
            .resource_type
            .as_ref()
            .and_then(Value::literal)
            .copied();
        (kind, &mut self.tags)
    }
}

/// Merges `tags` into the specification for `kind` in `specs`, adding the
/// specification when there is none. Tags already in the specification win
/// over stack-wide tags with the same key.
fn merge_spec<S: TagSpec>(specs: &mut Option<Value<List<S>>>, kind: S::Kind, tags: &[Tag]) {
    let list = match specs.get_or_insert_with(|| Value::Lit(Vec::new())) {
        Value::Lit(list) => list,
        Value::Fn(_) => return,
    };
    for spec in list.iter_mut() {
        let Value::Lit(spec) = spec else { continue };
        let (k, spec_tags) = spec.parts();
        if k == Some(kind) {
            merge_tag_list(spec_tags, tags);
            return;
        }
    }
    list.push(Value::Lit(S::make(
        kind,
        tags.iter().cloned().map(Value::Lit).collect(),
    )));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resources::CfnResource;
    use crate::resources::ec2::launch_template::LaunchTemplateData;
    use crate::template::Expr;
    use crate::template::json::to_json_value;

    fn props(lt: &LaunchTemplate) -> serde_json::Value {
        to_json_value(&Expr::Map(lt.properties()))
    }

    #[test]
    fn stack_tags_reach_instances_volumes_and_the_template_itself() {
        let mut lt = LaunchTemplate::new(LaunchTemplateData::new().instance_type("t3.small"));
        lt.apply_tags(&[Tag::new("Project", "swiftcode")]);
        let p = props(&lt);
        let tag = json!([{"Key": "Project", "Value": "swiftcode"}]);
        assert_eq!(
            p["TagSpecifications"],
            json!([{"ResourceType": "launch-template", "Tags": tag}])
        );
        assert_eq!(
            p["LaunchTemplateData"]["TagSpecifications"],
            json!([
                {"ResourceType": "instance", "Tags": tag},
                {"ResourceType": "volume", "Tags": tag},
            ])
        );
    }

    #[test]
    fn tags_set_on_a_tag_specification_win_over_stack_tags() {
        let mut lt = LaunchTemplate::new(LaunchTemplateData::new().tag_specifications(vec![
            TagSpecification::new()
                .resource_type(ResourceType::Instance)
                .tags(vec![Tag::new("Name", "web")]),
        ]));
        lt.apply_tags(&[Tag::new("Name", "stack"), Tag::new("Env", "stage")]);
        let p = props(&lt);
        assert_eq!(
            p["LaunchTemplateData"]["TagSpecifications"][0],
            json!({"ResourceType": "instance", "Tags": [
                {"Key": "Name", "Value": "web"}, {"Key": "Env", "Value": "stage"}]})
        );
        assert_eq!(
            p["LaunchTemplateData"]["TagSpecifications"][1]["ResourceType"],
            "volume"
        );
    }

    #[test]
    fn no_stack_tags_leave_the_template_untouched() {
        let mut lt = LaunchTemplate::new(LaunchTemplateData::new());
        lt.apply_tags(&[]);
        assert_eq!(props(&lt), json!({"LaunchTemplateData": {}}));
    }
}
