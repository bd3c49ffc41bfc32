//! AWS IAM resource types: roles and instance profiles, plus builders for the
//! policy-document shapes they carry (documents themselves are [`Expr`], so
//! any statement CloudFormation accepts can be written).
//!
//! Property names and attributes follow AWS's provider schemas for
//! `AWS::IAM::Role` and `AWS::IAM::InstanceProfile`. Which permissions a role
//! gets is the constructs' decision, not this module's.

use indexmap::IndexMap;

use crate::resources::Tag;
use crate::template::{Expr, Intrinsic, List, fns};

/// The policy language version every document hagen writes uses.
pub const POLICY_VERSION: &str = "2012-10-17";

cfn_struct! {
    /// An inline policy embedded in a role (`Policies` item).
    pub struct InlinePolicy {
        /// Name, unique within the role.
        policy_name: "PolicyName" => String,
        /// The policy document.
        policy_document: "PolicyDocument" => Expr,
    }
}

cfn_resource! {
    /// `AWS::IAM::Role`: an identity that AWS services (EC2 instances here)
    /// assume to call AWS APIs.
    pub struct Role = "AWS::IAM::Role", tags: standard {
        /// Who may assume the role (the trust policy).
        assume_role_policy_document: "AssumeRolePolicyDocument" => Expr,
        /// What the role is for.
        description: "Description" => String,
        /// ARNs of managed policies attached to the role.
        managed_policy_arns: "ManagedPolicyArns" => List<String>,
        /// Longest session in seconds (3600 to 43200).
        max_session_duration: "MaxSessionDuration" => i64,
        /// IAM path (`/` by default).
        path: "Path" => String,
        /// ARN of a policy that caps the role's permissions.
        permissions_boundary: "PermissionsBoundary" => String,
        /// Inline policies.
        policies: "Policies" => List<InlinePolicy>,
        /// Physical name (leave unset: a named role needs CAPABILITY_NAMED_IAM
        /// and cannot be replaced without a rename).
        role_name: "RoleName" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The role ARN.
        arn: "Arn",
        /// The stable unique ID of the role.
        role_id: "RoleId",
    }
}

cfn_resource! {
    /// `AWS::IAM::InstanceProfile`: the container that hands a role to EC2
    /// instances.
    pub struct InstanceProfile = "AWS::IAM::InstanceProfile", tags: none {
        /// Physical name (leave unset).
        instance_profile_name: "InstanceProfileName" => String,
        /// IAM path.
        path: "Path" => String,
        /// The role (exactly one; `!Ref Role`).
        roles: "Roles" => List<String>,
    }
    attributes {
        /// The instance profile ARN.
        arn: "Arn",
    }
}

/// A trust policy that lets one AWS service principal (such as
/// `ec2.amazonaws.com`) assume the role.
pub fn service_trust_policy(service: &str) -> Expr {
    let mut principal = IndexMap::new();
    principal.insert(
        "Service".to_owned(),
        Expr::List(vec![Expr::string(service)]),
    );
    policy_document(vec![statement(
        "Allow",
        Expr::Map(principal),
        &["sts:AssumeRole"],
    )])
}

/// A policy document (`Version` and `Statement`) from its statements.
pub fn policy_document(statements: Vec<Expr>) -> Expr {
    let mut doc = IndexMap::new();
    doc.insert("Version".to_owned(), Expr::string(POLICY_VERSION));
    doc.insert("Statement".to_owned(), Expr::List(statements));
    Expr::Map(doc)
}

/// A statement of a trust policy: an effect, a principal and actions.
fn statement(effect: &str, principal: Expr, actions: &[&str]) -> Expr {
    let mut s = IndexMap::new();
    s.insert("Effect".to_owned(), Expr::string(effect));
    s.insert("Principal".to_owned(), principal);
    s.insert(
        "Action".to_owned(),
        Expr::List(actions.iter().map(|a| Expr::string(*a)).collect()),
    );
    Expr::Map(s)
}

/// The ARN of an AWS managed policy in the stack's partition:
/// `!Sub arn:${AWS::Partition}:iam::aws:policy/<name>`.
pub fn aws_managed_policy_arn(name: &str) -> Intrinsic {
    fns::sub(format!(
        "arn:${{{}}}:iam::aws:policy/{name}",
        fns::PARTITION
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::resources::CfnResource;
    use crate::template::json::to_json_value;
    use crate::template::{Handle, ToExpr, Value};

    #[test]
    fn role_serialises_documents_and_managed_policies() {
        let role = Role::new()
            .assume_role_policy_document(service_trust_policy("ec2.amazonaws.com"))
            .managed_policy_arns(vec![Value::from(aws_managed_policy_arn(
                "AmazonSSMManagedInstanceCore",
            ))]);
        assert_eq!(
            to_json_value(&Expr::Map(role.properties())),
            json!({
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": ["ec2.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"],
                    }],
                },
                "ManagedPolicyArns": [
                    {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}
                ],
            })
        );
    }

    #[test]
    fn inline_policies_keep_their_document() {
        let doc = policy_document(vec![]);
        let role = Role::new().policies(vec![
            InlinePolicy::new()
                .policy_name("Logs")
                .policy_document(doc.clone()),
        ]);
        let p = to_json_value(&Expr::Map(role.properties()));
        assert_eq!(
            p["Policies"],
            json!([{"PolicyName": "Logs", "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}])
        );
    }

    #[test]
    fn instance_profile_has_no_tags_and_an_arn() {
        let mut profile =
            InstanceProfile::new().roles(vec![Value::from(Intrinsic::Ref("Role".into()))]);
        profile.apply_tags(&[Tag::pair("Project", "x")]);
        assert_eq!(
            to_json_value(&Expr::Map(profile.properties())),
            json!({"Roles": [{"Ref": "Role"}]})
        );
        let h: Handle<InstanceProfile> = Handle::new("Profile");
        assert_eq!(
            to_json_value(&h.arn().to_expr()),
            json!({"Fn::GetAtt": ["Profile", "Arn"]})
        );
    }

    #[test]
    fn roles_take_stack_tags() {
        let mut role = Role::new();
        role.apply_tags(&[Tag::pair("Project", "x")]);
        assert_eq!(
            to_json_value(&Expr::Map(role.properties()))["Tags"],
            json!([{"Key": "Project", "Value": "x"}])
        );
    }
}
