//! IAM policy documents: trust policies, documents from statements, AWS
//! managed policy ARNs. Documents are [`Expr`] maps, so any statement
//! CloudFormation accepts can be written and can hold intrinsics.

use crate::template::{Expr, IndexMap, Intrinsic, fns};

/// The policy language version every document hagen writes uses.
pub const POLICY_VERSION: &str = "2012-10-17";

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

/// The key-policy statement that lets the account administer a KMS key:
/// IAM policies in the account then govern its use, and the key can never
/// become unmanageable (KMS developer guide, "Default key policy").
/// Statement ID `AccountAdministersKey`.
pub fn account_administers_key() -> Expr {
    Expr::map_of([
        ("Sid", Expr::string("AccountAdministersKey")),
        ("Effect", Expr::string("Allow")),
        (
            "Principal",
            Expr::map_of([(
                "AWS",
                fns::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root").into(),
            )]),
        ),
        ("Action", Expr::string("kms:*")),
        ("Resource", Expr::string("*")),
    ])
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
    use crate::resources::iam::role::Policy;
    use crate::resources::iam::{InstanceProfile, Role};
    use crate::resources::{CfnResource, Handle, Tag};
    use crate::template::Value;
    use crate::template::json::to_json_value;

    #[test]
    fn role_serialises_documents_and_managed_policies() {
        let role = Role::new(service_trust_policy("ec2.amazonaws.com")).managed_policy_arns(vec![
            Value::from(aws_managed_policy_arn("AmazonSSMManagedInstanceCore")),
        ]);
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
        let role = Role::new(service_trust_policy("ec2.amazonaws.com"))
            .policies(vec![Policy::new(policy_document(vec![]), "Logs")]);
        let p = to_json_value(&Expr::Map(role.properties()));
        assert_eq!(
            p["Policies"],
            json!([{"PolicyDocument": {"Version": "2012-10-17", "Statement": []}, "PolicyName": "Logs"}])
        );
    }

    #[test]
    fn instance_profile_has_no_tags_and_a_typed_arn() {
        let mut profile = InstanceProfile::new(vec![Value::from(Intrinsic::Ref("Role".into()))]);
        profile.apply_tags(&[Tag::new("Project", "x")]);
        assert_eq!(
            to_json_value(&Expr::Map(profile.properties())),
            json!({"Roles": [{"Ref": "Role"}]})
        );
        let h: Handle<InstanceProfile> = Handle::new("Profile");
        assert_eq!(
            to_json_value(&h.arn().into()),
            json!({"Fn::GetAtt": ["Profile", "Arn"]})
        );
    }

    #[test]
    fn roles_take_stack_tags() {
        let mut role = Role::new(service_trust_policy("ec2.amazonaws.com"));
        role.apply_tags(&[Tag::new("Project", "x")]);
        assert_eq!(
            to_json_value(&Expr::Map(role.properties()))["Tags"],
            json!([{"Key": "Project", "Value": "x"}])
        );
    }
}
