//! Nested stacks: a stack of an app split into children
//! (`AWS::CloudFormation::Stack` resources), deployed in one operation
//! with their parent.
//!
//! Owns the wiring between a child and its parent. What a child takes from
//! its parent (a `Ref` or `Fn::GetAtt` of a parent's resource or
//! parameter, also inside `Fn::Sub` text) becomes a parameter of the child
//! that the parent passes; what the parent takes from a child is an output
//! of the child read with `Fn::GetAtt Child.Outputs.Name`
//! ([`super::App::nested_output`]). The child's `TemplateURL` is its file
//! name ([`file_name`]) until the deploy uploads it under a content-hash
//! key and puts the S3 URL in its place, as `aws cloudformation package`
//! does.

use indexmap::{IndexMap, IndexSet};

use crate::stack::Override;
use crate::template::{Expr, Intrinsic, Parameter, Resource, Template};

/// The resource type of a nested stack.
pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// One nested stack of a finished app.
#[derive(Debug, Clone)]
pub struct NestedStack {
    /// Its logical ID in the parent.
    pub logical_id: String,
    /// Its template file name, which is the parent's `TemplateURL` until
    /// the deploy uploads it.
    pub file: String,
    /// Its template, references to the parent turned into parameters.
    pub template: Template,
    /// Safe defaults its constructs overrode.
    pub overrides: Vec<Override>,
}

/// The file a child's template is written to by `synth --out-dir`, and its
/// `TemplateURL` before upload: `<parent stack name>.<logical ID>.nested.template`
/// (YAML or JSON, as CloudFormation reads either).
pub fn file_name(parent_stack_name: &str, logical_id: &str) -> String {
    format!("{parent_stack_name}.{logical_id}.nested.template")
}

/// Turns every reference of `child` to a resource or parameter of
/// `parent` into a parameter of the child, and returns the parameters the
/// parent passes (name -> the parent's `Ref` or `Fn::GetAtt`).
pub fn wire(child: &mut Template, parent: &Template) -> IndexMap<String, Expr> {
    let own: IndexSet<String> = child
        .resources
        .keys()
        .chain(child.parameters.keys())
        .cloned()
        .collect();
    let in_parent =
        |name: &str| parent.resources.contains_key(name) || parent.parameters.contains_key(name);
    let mut passed: IndexMap<String, Expr> = IndexMap::new();
    let mut rewrite = |e: &mut Expr| {
        let Expr::Fn(f) = e else { return };
        let replacement = match f.as_mut() {
            Intrinsic::Ref(name) if !own.contains(name.as_str()) && in_parent(name) => {
                let param = name.clone();
                passed
                    .entry(param.clone())
                    .or_insert_with(|| Expr::Fn(Box::new(Intrinsic::Ref(name.clone()))));
                Some(param)
            }
            Intrinsic::GetAtt {
                resource,
                attribute,
            } if !own.contains(resource.as_str()) && in_parent(resource) => {
                let param = parameter_name(resource, attribute);
                passed.entry(param.clone()).or_insert_with(|| {
                    Expr::Fn(Box::new(Intrinsic::GetAtt {
                        resource: resource.clone(),
                        attribute: attribute.clone(),
                    }))
                });
                Some(param)
            }
            Intrinsic::Sub {
                template,
                variables,
            } => {
                *template = rewrite_sub(template, variables, &own, &in_parent, &mut passed);
                None
            }
            _ => None,
        };
        if let Some(param) = replacement {
            *e = Expr::Fn(Box::new(Intrinsic::Ref(param)));
        }
    };
    for r in child.resources.values_mut() {
        r.properties
            .values_mut()
            .for_each(|v| v.walk_mut(&mut rewrite));
        r.metadata
            .values_mut()
            .for_each(|v| v.walk_mut(&mut rewrite));
        for e in [&mut r.update_policy, &mut r.creation_policy]
            .into_iter()
            .flatten()
        {
            e.walk_mut(&mut rewrite);
        }
    }
    for o in child.outputs.values_mut() {
        o.value.walk_mut(&mut rewrite);
    }
    for c in child.conditions.values_mut() {
        c.walk_mut(&mut rewrite);
    }
    for (name, value) in passed.iter_mut() {
        // A parent's parameter keeps its type in the child (an SSM
        // parameter arrives resolved); a list is passed joined, as nested
        // stack parameters are strings. Anything else is a string.
        let parent_type = match value {
            Expr::Fn(f) => match f.as_ref() {
                Intrinsic::Ref(n) => parent.parameters.get(n).map(|p| p.param_type.clone()),
                _ => None,
            },
            _ => None,
        };
        let param_type = parent_type
            .as_deref()
            .map_or_else(|| "String".to_owned(), child_type);
        if param_type.starts_with("List<") || param_type == "CommaDelimitedList" {
            *value = Expr::Fn(Box::new(Intrinsic::Join {
                delimiter: ",".into(),
                values: value.clone(),
            }));
        }
        child
            .parameters
            .entry(name.clone())
            .or_insert_with(|| Parameter {
                param_type,
                description: Some("Passed by the parent stack".into()),
                ..Parameter::default()
            });
    }
    passed
}

/// The type a child parameter gets for a parent's parameter of type `t`:
/// the same, except that an SSM parameter's value arrives resolved.
fn child_type(t: &str) -> String {
    t.strip_prefix("AWS::SSM::Parameter::Value<")
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or(t)
        .to_owned()
}

/// A child parameter's name for an attribute of a parent's resource:
/// `DbEndpointAddress` for `Db.Endpoint.Address`.
fn parameter_name(resource: &str, attribute: &str) -> String {
    let mut name = resource.to_owned();
    name.extend(attribute.chars().filter(char::is_ascii_alphanumeric));
    name
}

/// `${Name}` and `${Name.Attr}` of a parent's resource in `Fn::Sub` text
/// become `${Param}` (variables of the two-argument form are the
/// child's own and left alone; `${!Literal}` too).
fn rewrite_sub(
    text: &str,
    variables: &IndexMap<String, Expr>,
    own: &IndexSet<String>,
    in_parent: &dyn Fn(&str) -> bool,
    passed: &mut IndexMap<String, Expr>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let token = &after[..end];
        let (name, attribute) = match token.split_once('.') {
            Some((n, a)) => (n, Some(a)),
            None => (token, None),
        };
        let parental = !token.starts_with('!')
            && !variables.contains_key(token)
            && !own.contains(name)
            && in_parent(name);
        if parental {
            let (param, value) = match attribute {
                None => (name.to_owned(), Intrinsic::Ref(name.to_owned())),
                Some(a) => (
                    parameter_name(name, a),
                    Intrinsic::GetAtt {
                        resource: name.to_owned(),
                        attribute: a.to_owned(),
                    },
                ),
            };
            passed
                .entry(param.clone())
                .or_insert_with(|| Expr::Fn(Box::new(value)));
            out.push_str(&format!("${{{param}}}"));
        } else {
            out.push_str(&rest[start..start + 2 + end + 1]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The parent's `AWS::CloudFormation::Stack` resource for a child.
pub fn stack_resource(file: &str, parameters: IndexMap<String, Expr>) -> Resource {
    let mut properties = IndexMap::new();
    properties.insert("TemplateURL".to_owned(), Expr::String(file.to_owned()));
    if !parameters.is_empty() {
        properties.insert("Parameters".to_owned(), Expr::Map(parameters));
    }
    Resource {
        resource_type: STACK_TYPE.to_owned(),
        properties,
        ..Resource::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    fn t(text: &str) -> Template {
        parse_template(text, "t.yaml").expect("parses").template
    }

    #[test]
    fn references_to_the_parent_become_parameters_it_passes() {
        let parent = t(
            "Parameters:\n  Env:\n    Type: String\n  Image:\n    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>\n  Zones:\n    Type: List<AWS::EC2::AvailabilityZone::Name>\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  Db:\n    Type: AWS::SNS::Topic\n",
        );
        let mut child = t(concat!(
            "Resources:\n",
            "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n",
            "      GroupDescription: !Sub 'in ${Vpc} for ${Env}, ${Db.TopicName} ${!Literal} ${Group} ${AWS::Region}'\n",
            "      VpcId: !Ref Vpc\n",
            "      Tags:\n        - Key: Cidr\n          Value: !GetAtt Vpc.CidrBlock\n",
            "        - Key: Own\n          Value: !Ref Group2\n",
            "        - Key: Image\n          Value: !Ref Image\n",
            "        - Key: Zones\n          Value: !Join [',', !Ref Zones]\n",
            "  Group2:\n    Type: AWS::SNS::Topic\n",
        ));
        let passed = wire(&mut child, &parent);
        let names: Vec<&str> = passed.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "Vpc",
                "Env",
                "DbTopicName",
                "VpcCidrBlock",
                "Image",
                "Zones"
            ]
        );
        assert_eq!(child.parameters["Image"].param_type, "AWS::EC2::Image::Id");
        assert_eq!(
            child.parameters["Zones"].param_type,
            "List<AWS::EC2::AvailabilityZone::Name>"
        );
        assert!(
            matches!(&passed["Zones"], Expr::Fn(f) if matches!(f.as_ref(), Intrinsic::Join { .. })),
            "a list is passed joined: {:?}",
            passed["Zones"]
        );
        assert_eq!(
            passed["VpcCidrBlock"],
            Expr::Fn(Box::new(Intrinsic::GetAtt {
                resource: "Vpc".into(),
                attribute: "CidrBlock".into()
            }))
        );
        let group = &child.resources["Group"].properties;
        assert_eq!(
            group["GroupDescription"],
            Expr::Fn(Box::new(Intrinsic::Sub {
                template:
                    "in ${Vpc} for ${Env}, ${DbTopicName} ${!Literal} ${Group} ${AWS::Region}"
                        .into(),
                variables: IndexMap::new(),
            }))
        );
        assert_eq!(
            group["VpcId"],
            Expr::Fn(Box::new(Intrinsic::Ref("Vpc".into())))
        );
        for name in ["Vpc", "Env", "DbTopicName", "VpcCidrBlock"] {
            assert_eq!(child.parameters[name].param_type, "String", "{name}");
        }
        // The child's own resource is not a parameter.
        assert!(!child.parameters.contains_key("Group2"));
        let r = stack_resource("p.Child.nested.template", passed);
        assert_eq!(r.resource_type, STACK_TYPE);
        assert_eq!(
            r.properties["TemplateURL"],
            Expr::String("p.Child.nested.template".into())
        );
    }
}
