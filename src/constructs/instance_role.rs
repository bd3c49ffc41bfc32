//! `InstanceRole`: the IAM role and instance profile EC2 instances run with,
//! least privilege by default (Systems Manager core, plus what the caller
//! adds).
//!
//! Owns the role's trust policy and its default managed policies. It does
//! not decide which instances use it (`LoadBalancedAsg`, `Bastion` do).

use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::iam::role::Policy as InlinePolicy;
use crate::resources::iam::{self, InstanceProfile, Role};
use crate::stack::Stack;
use crate::template::{List, Value};

/// The AWS managed policy that lets Systems Manager (Session Manager, patching,
/// Run Command) manage an instance.
pub const SSM_CORE_POLICY: &str = "AmazonSSMManagedInstanceCore";
/// The AWS managed policy the CloudWatch agent needs to publish metrics and logs.
pub const CLOUDWATCH_AGENT_POLICY: &str = "CloudWatchAgentServerPolicy";

/// Logical ID suffix of the role.
pub const ROLE_SUFFIX: &str = "Role";
/// Logical ID suffix of the instance profile.
pub const INSTANCE_PROFILE_SUFFIX: &str = "InstanceProfile";

/// What an instance role may do.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceRoleProps {
    /// The role's description, shown in the IAM console.
    pub description: String,
    /// Names of AWS managed policies (`AmazonSSMManagedInstanceCore`, ...),
    /// turned into partition-aware ARNs.
    pub aws_managed_policies: Vec<String>,
    /// Inline policies for what the application itself needs (read one
    /// secret, write one bucket): scope them to the resources concerned.
    pub inline_policies: Vec<InlinePolicy>,
}

impl InstanceRoleProps {
    /// A role with Systems Manager core only.
    pub fn ssm_only(description: impl Into<String>) -> Self {
        InstanceRoleProps {
            description: description.into(),
            aws_managed_policies: vec![SSM_CORE_POLICY.to_owned()],
            inline_policies: Vec::new(),
        }
    }
}

/// A role EC2 instances assume, and the instance profile that carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceRole {
    /// The role (`<id>Role`).
    pub role: Handle<Role>,
    /// The instance profile (`<id>InstanceProfile`).
    pub instance_profile: Handle<InstanceProfile>,
}

impl InstanceRole {
    /// Adds `<id>Role` and `<id>InstanceProfile` to the stack.
    pub fn new(
        stack: &mut Stack,
        id: &str,
        props: &InstanceRoleProps,
    ) -> Result<InstanceRole, SynthError> {
        let name = format!("InstanceRole {id:?}");
        if let Some(bad) = props
            .aws_managed_policies
            .iter()
            .find(|p| p.is_empty() || p.contains(':') || p.contains('/'))
        {
            return Err(SynthError::props(
                name,
                format!(
                    "{bad:?} is not an AWS managed policy name; give the bare name, such as {SSM_CORE_POLICY:?}"
                ),
            ));
        }
        let mut role = Role::new(iam::service_trust_policy("ec2.amazonaws.com"))
            .description(props.description.as_str());
        if !props.aws_managed_policies.is_empty() {
            let arns: List<String> = props
                .aws_managed_policies
                .iter()
                .map(|p| Value::from(iam::aws_managed_policy_arn(p)))
                .collect();
            role = role.managed_policy_arns(arns);
        }
        if !props.inline_policies.is_empty() {
            role = role.policies(
                props
                    .inline_policies
                    .iter()
                    .cloned()
                    .map(Value::Lit)
                    .collect::<Vec<_>>(),
            );
        }
        let role = stack.add(&format!("{id}{ROLE_SUFFIX}"), role)?;
        let instance_profile = stack.add(
            &format!("{id}{INSTANCE_PROFILE_SUFFIX}"),
            InstanceProfile::new(vec![Value::from(role.reference())]),
        )?;
        Ok(InstanceRole {
            role,
            instance_profile,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::template::json::to_json_value;

    fn resources(stack: &Stack) -> serde_json::Value {
        to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone()
    }

    #[test]
    fn role_trusts_ec2_and_gets_partition_aware_managed_policies() {
        let mut stack = Stack::new("t");
        let mut props = InstanceRoleProps::ssm_only("app");
        props
            .aws_managed_policies
            .push(CLOUDWATCH_AGENT_POLICY.into());
        let out = InstanceRole::new(&mut stack, "Web", &props).unwrap();
        assert_eq!(out.role.logical_id(), "WebRole");
        assert_eq!(out.instance_profile.logical_id(), "WebInstanceProfile");
        let r = resources(&stack);
        assert_eq!(
            r["WebRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": ["ec2.amazonaws.com"]})
        );
        assert_eq!(
            r["WebRole"]["Properties"]["ManagedPolicyArns"],
            json!([
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"},
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/CloudWatchAgentServerPolicy"},
            ])
        );
        assert!(r["WebRole"]["Properties"].get("Policies").is_none());
        assert_eq!(
            r["WebInstanceProfile"]["Properties"],
            json!({"Roles": [{"Ref": "WebRole"}]})
        );
    }

    #[test]
    fn inline_policies_are_kept() {
        let mut stack = Stack::new("t");
        let mut props = InstanceRoleProps::ssm_only("app");
        props.inline_policies.push(InlinePolicy::new(
            iam::policy_document(vec![]),
            "ReadDbSecret",
        ));
        InstanceRole::new(&mut stack, "Web", &props).unwrap();
        assert_eq!(
            resources(&stack)["WebRole"]["Properties"]["Policies"][0]["PolicyName"],
            "ReadDbSecret"
        );
    }

    #[test]
    fn a_policy_arn_instead_of_a_name_is_refused() {
        let mut stack = Stack::new("t");
        let mut props = InstanceRoleProps::ssm_only("app");
        props
            .aws_managed_policies
            .push("arn:aws:iam::aws:policy/AdministratorAccess".into());
        let err = InstanceRole::new(&mut stack, "Web", &props).unwrap_err();
        assert!(
            err.to_string().starts_with("InstanceRole \"Web\": "),
            "{err}"
        );
        assert!(stack.template().unwrap().resources.is_empty());
    }
}
