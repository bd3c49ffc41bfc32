//! Security widening between the deployed template and the new one:
//! security group rules added or opened, IAM permissions added, Deny
//! statements removed.
//!
//! Owns the comparison; it reads templates as documents, so it works where
//! the change set gives no property details. It reports, it does not block.

use std::collections::BTreeSet;

use serde_json::Value;

use super::document::Document;

/// One way the new template widens access.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Widening {
    /// The resource that widens it.
    pub logical_id: String,
    /// What it does, in words (`opens tcp 22 to the internet (0.0.0.0/0)`).
    pub message: String,
    /// Open to the whole internet, or a wildcard action or resource.
    pub broad: bool,
}

const POLICY_HOLDERS: &[(&str, &str)] = &[
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::RolePolicy", "PolicyDocument"),
    ("AWS::IAM::UserPolicy", "PolicyDocument"),
    ("AWS::IAM::GroupPolicy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
];

/// Every widening of access from `old` (absent for a new stack) to `new`.
pub fn widenings(old: Option<&Document>, new: &Document) -> Vec<Widening> {
    let mut found = Vec::new();
    let Some(resources) = new.section("Resources") else {
        return found;
    };
    for (id, resource) in resources {
        let Some(ty) = resource.get("Type").and_then(Value::as_str) else {
            continue;
        };
        let new_props = new.properties(id);
        let old_props = old
            .filter(|o| o.resource_type(id) == Some(ty))
            .map(|o| o.properties(id))
            .unwrap_or_default();
        match ty {
            "AWS::EC2::SecurityGroup" => {
                for (key, direction) in [
                    ("SecurityGroupIngress", Direction::In),
                    ("SecurityGroupEgress", Direction::Out),
                ] {
                    let before = items(old_props.get(key));
                    for rule in items(new_props.get(key)) {
                        if !before.contains(&rule) {
                            found.push(rule_widening(id, &rule, direction));
                        }
                    }
                }
            }
            "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                let new_rule = Value::Object(new_props.clone());
                if old_props.is_empty() || Value::Object(old_props.clone()) != new_rule {
                    let direction = if ty.ends_with("Ingress") {
                        Direction::In
                    } else {
                        Direction::Out
                    };
                    found.push(rule_widening(id, &new_rule, direction));
                }
            }
            _ => {}
        }
        for (holder, key) in POLICY_HOLDERS {
            if *holder == ty {
                policy_widening(
                    id,
                    key,
                    old_props.get(*key),
                    new_props.get(*key),
                    &mut found,
                );
            }
        }
        if matches!(ty, "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group") {
            let before = inline_policies(old_props.get("Policies"));
            let after = inline_policies(new_props.get("Policies"));
            for (name, doc) in &after {
                let old_doc = before.iter().find(|(n, _)| n == name).map(|(_, d)| d);
                policy_widening(
                    id,
                    &format!("policy {name}"),
                    old_doc,
                    Some(doc),
                    &mut found,
                );
            }
            let before: BTreeSet<String> = items(old_props.get("ManagedPolicyArns"))
                .iter()
                .map(short)
                .collect();
            for arn in items(new_props.get("ManagedPolicyArns")) {
                let arn = short(&arn);
                if !before.contains(&arn) {
                    found.push(Widening {
                        logical_id: id.clone(),
                        broad: arn.ends_with("AdministratorAccess")
                            || arn.ends_with("PowerUserAccess"),
                        message: format!("attaches managed policy {arn}"),
                    });
                }
            }
        }
    }
    found
}

#[derive(Debug, Clone, Copy)]
enum Direction {
    In,
    Out,
}

fn items(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    }
}

/// A value in a few characters: strings as they are, `Ref`/`GetAtt` in
/// short form, anything else as compact JSON.
pub fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m
                .iter()
                .next()
                .map(|(k, a)| (k.as_str(), a))
                .unwrap_or(("", v));
            match (k, arg) {
                ("Ref", Value::String(name)) => format!("!Ref {name}"),
                ("Fn::GetAtt", Value::Array(parts)) => format!(
                    "!GetAtt {}",
                    parts.iter().map(short).collect::<Vec<_>>().join(".")
                ),
                _ => v.to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn rule_widening(id: &str, rule: &Value, direction: Direction) -> Widening {
    let get = |k: &str| rule.get(k).map(short);
    let protocol = get("IpProtocol").unwrap_or_else(|| "?".into());
    let ports = match (get("FromPort"), get("ToPort")) {
        _ if protocol == "-1" => String::new(),
        (Some(a), Some(b)) if a == b => format!(" port {a}"),
        (Some(a), Some(b)) => format!(" ports {a}-{b}"),
        (Some(a), None) | (None, Some(a)) => format!(" port {a}"),
        (None, None) => String::new(),
    };
    let what = if protocol == "-1" {
        "all traffic".to_owned()
    } else {
        format!("{protocol}{ports}")
    };
    let cidr = get("CidrIp").or_else(|| get("CidrIpv6"));
    let peer = cidr
        .clone()
        .or_else(|| get("SourceSecurityGroupId"))
        .or_else(|| get("DestinationSecurityGroupId"))
        .or_else(|| get("SourcePrefixListId"))
        .or_else(|| get("DestinationPrefixListId"))
        .unwrap_or_else(|| "?".into());
    let internet = matches!(cidr.as_deref(), Some("0.0.0.0/0") | Some("::/0"));
    let message = match (direction, internet) {
        (Direction::In, true) => format!("opens inbound {what} to the internet ({peer})"),
        (Direction::In, false) => format!("allows inbound {what} from {peer}"),
        (Direction::Out, true) => format!("allows outbound {what} to the internet ({peer})"),
        (Direction::Out, false) => format!("allows outbound {what} to {peer}"),
    };
    Widening {
        logical_id: id.to_owned(),
        message,
        broad: internet && matches!(direction, Direction::In),
    }
}

fn inline_policies(v: Option<&Value>) -> Vec<(String, Value)> {
    items(v)
        .iter()
        .map(|p| {
            (
                p.get("PolicyName").map(short).unwrap_or_default(),
                p.get("PolicyDocument").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

fn statements(doc: Option<&Value>) -> Vec<Value> {
    doc.map(|d| items(d.get("Statement"))).unwrap_or_default()
}

fn effect(statement: &Value) -> &str {
    statement
        .get("Effect")
        .and_then(Value::as_str)
        .unwrap_or("Allow")
}

fn policy_widening(
    id: &str,
    what: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    found: &mut Vec<Widening>,
) {
    let before = statements(old);
    let after = statements(new);
    for s in &after {
        if effect(s) == "Allow" && !before.contains(s) {
            let list = |k: &str| items(s.get(k)).iter().map(short).collect::<Vec<_>>();
            let actions = list("Action");
            let not_actions = list("NotAction");
            let resources = list("Resource");
            let principal = s.get("Principal").map(short);
            let broad = actions.iter().any(|a| a == "*" || a.ends_with(":*"))
                || !not_actions.is_empty()
                || resources.iter().any(|r| r == "*")
                || principal.as_deref() == Some("*")
                || principal.as_deref() == Some(r#"{"AWS":"*"}"#);
            let mut message = if actions.is_empty() && !not_actions.is_empty() {
                format!("{what} allows everything except {}", not_actions.join(", "))
            } else {
                format!("{what} allows {}", actions.join(", "))
            };
            if !resources.is_empty() {
                message.push_str(&format!(" on {}", resources.join(", ")));
            }
            if let Some(p) = principal {
                message.push_str(&format!(" to {p}"));
            }
            found.push(Widening {
                logical_id: id.to_owned(),
                message,
                broad,
            });
        }
    }
    for s in &before {
        if effect(s) == "Deny" && !after.contains(s) {
            let actions: Vec<String> = items(s.get("Action")).iter().map(short).collect();
            found.push(Widening {
                logical_id: id.to_owned(),
                message: format!("{what} drops a Deny of {}", actions.join(", ")),
                broad: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Document {
        Document::parse(yaml).unwrap()
    }

    const SG_OLD: &str = "Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n";

    #[test]
    fn an_unchanged_rule_is_not_reported_again() {
        assert!(widenings(Some(&doc(SG_OLD)), &doc(SG_OLD)).is_empty());
    }

    #[test]
    fn a_new_ssh_rule_open_to_the_internet_is_broad() {
        let new = format!(
            "{SG_OLD}        - {{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}}\n"
        );
        let w = widenings(Some(&doc(SG_OLD)), &doc(&new));
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "opens inbound tcp port 22 to the internet (0.0.0.0/0)"
        );
        assert!(w[0].broad);
    }

    #[test]
    fn a_separate_ingress_resource_from_another_group_is_reported_narrow() {
        let new = "Resources:\n  DbIn:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      IpProtocol: tcp\n      FromPort: 5432\n      ToPort: 5432\n      SourceSecurityGroupId: !Ref AppSg\n";
        let w = widenings(None, &doc(new));
        assert_eq!(w[0].message, "allows inbound tcp port 5432 from !Ref AppSg");
        assert!(!w[0].broad);
    }

    #[test]
    fn added_iam_statements_and_managed_policies_are_reported() {
        let old = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Statement:\n              - {Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}\n";
        let new = format!(
            "{old}              - {{Effect: Allow, Action: 's3:*', Resource: '*'}}\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n"
        );
        let w = widenings(Some(&doc(old)), &doc(&new));
        let messages: Vec<_> = w.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "policy read allows s3:* on *",
                "attaches managed policy arn:aws:iam::aws:policy/AdministratorAccess"
            ]
        );
        assert!(w.iter().all(|w| w.broad));
    }

    #[test]
    fn a_removed_deny_is_a_widening() {
        let old = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - {Effect: Deny, Action: 'iam:*', Resource: '*'}\n";
        let new = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement: []\n";
        let w = widenings(Some(&doc(old)), &doc(new));
        assert_eq!(w[0].message, "PolicyDocument drops a Deny of iam:*");
    }
}
