//! The capabilities a template makes CloudFormation ask for.
//!
//! Owns the rule: `CAPABILITY_IAM` only when the template has IAM
//! resources, `CAPABILITY_NAMED_IAM` when one of them has an explicit name,
//! `CAPABILITY_AUTO_EXPAND` when it uses a transform. Acknowledging more
//! than needed would hide a template that suddenly creates IAM resources.

use crate::template::Template;

/// IAM resource types and the property that gives each an explicit name.
const IAM_TYPES: &[(&str, Option<&str>)] = &[
    ("AWS::IAM::Role", Some("RoleName")),
    ("AWS::IAM::User", Some("UserName")),
    ("AWS::IAM::Group", Some("GroupName")),
    ("AWS::IAM::InstanceProfile", Some("InstanceProfileName")),
    ("AWS::IAM::ManagedPolicy", Some("ManagedPolicyName")),
    ("AWS::IAM::Policy", None),
    ("AWS::IAM::AccessKey", None),
    ("AWS::IAM::UserToGroupAddition", None),
    ("AWS::IAM::ServiceLinkedRole", None),
    ("AWS::IAM::RolePolicy", None),
    ("AWS::IAM::UserPolicy", None),
    ("AWS::IAM::GroupPolicy", None),
];

/// A capability to acknowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Capability {
    /// The template creates or changes IAM resources.
    Iam,
    /// ... and some of them have explicit names.
    NamedIam,
    /// The template uses a transform (macro).
    AutoExpand,
}

impl Capability {
    /// CloudFormation's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
            Capability::AutoExpand => "CAPABILITY_AUTO_EXPAND",
        }
    }
}

/// The capabilities `template` needs, in a stable order.
pub fn required(template: &Template) -> Vec<Capability> {
    let mut caps = Vec::new();
    let mut iam = false;
    let mut named = false;
    for resource in template.resources.values() {
        if let Some((_, name_prop)) = IAM_TYPES.iter().find(|(t, _)| *t == resource.resource_type) {
            iam = true;
            if name_prop.is_some_and(|p| resource.properties.contains_key(p)) {
                named = true;
            }
        }
    }
    if named {
        caps.push(Capability::NamedIam);
    } else if iam {
        caps.push(Capability::Iam);
    }
    if template.transform.is_some() {
        caps.push(Capability::AutoExpand);
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Expr, Resource};

    fn with(resources: &[(&str, Option<&str>)]) -> Template {
        let mut t = Template::default();
        for (i, (ty, name)) in resources.iter().enumerate() {
            let mut r = Resource::new(*ty);
            if let Some(n) = name {
                r.properties.insert((*n).into(), Expr::string("fixed"));
            }
            t.resources.insert(format!("R{i}"), r);
        }
        t
    }

    #[test]
    fn no_iam_resources_means_no_capabilities() {
        assert!(required(&with(&[("AWS::SNS::Topic", None)])).is_empty());
    }

    #[test]
    fn unnamed_iam_needs_iam_and_named_iam_needs_named() {
        assert_eq!(
            required(&with(&[("AWS::IAM::Role", None)])),
            [Capability::Iam]
        );
        assert_eq!(
            required(&with(&[
                ("AWS::IAM::Role", None),
                ("AWS::IAM::Role", Some("RoleName"))
            ])),
            [Capability::NamedIam]
        );
        assert_eq!(
            required(&with(&[("AWS::IAM::Policy", None)])),
            [Capability::Iam]
        );
    }

    #[test]
    fn transforms_need_auto_expand() {
        let mut t = with(&[]);
        t.transform = Some(Expr::string("AWS::Serverless-2016-10-31"));
        assert_eq!(required(&t), [Capability::AutoExpand]);
    }
}
