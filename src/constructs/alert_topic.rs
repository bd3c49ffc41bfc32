//! The `AlertTopic` construct: an encrypted SNS topic with one e-mail
//! subscription, where alarms and Auto Scaling notifications go.
//!
//! Owns the topic's encryption choice and the key policy that lets
//! CloudWatch alarms publish to an encrypted topic. CloudWatch alarms cannot
//! publish to a topic encrypted with the AWS managed key `alias/aws/sns`
//! (its key policy cannot be changed to admit `cloudwatch.amazonaws.com`;
//! AWS knowledge center, "configure CloudWatch alarm with encrypted SNS
//! topic"), so by default the topic gets its own customer managed key. It
//! does not create alarms.

use crate::constructs::checkov::{self, Skip};
use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::kms::Key;
use crate::resources::sns::{Subscription, Topic};
use crate::stack::{Attributes, Stack, check_logical_id};
use crate::template::{Expr, Intrinsic, Value, fns};

/// Logical ID suffix of the topic's KMS key.
pub const KEY_SUFFIX: &str = "Key";
/// Logical ID suffix of the topic.
pub const TOPIC_SUFFIX: &str = "Topic";
/// Logical ID suffix of the e-mail subscription.
pub const SUBSCRIPTION_SUFFIX: &str = "EmailSubscription";
/// The AWS managed key for SNS.
pub const AWS_MANAGED_SNS_KEY: &str = "alias/aws/sns";

/// How the topic's messages are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TopicEncryption {
    /// A customer managed key created with the topic (rotation on), whose
    /// policy admits CloudWatch alarms and, through SNS only, callers in this
    /// account (such as Auto Scaling's service-linked role). The default.
    #[default]
    DedicatedKey,
    /// The AWS managed key `alias/aws/sns`. CloudWatch alarms cannot publish
    /// to such a topic, so this is recorded as an override.
    AwsManagedKey,
    /// A key the caller manages (ARN, ID or alias); its policy must admit
    /// `cloudwatch.amazonaws.com` for alarms to be delivered.
    ExistingKey(Value<String>),
}

/// Everything an [`AlertTopic`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertTopicProps {
    /// The address that receives alerts (normally a stack parameter). AWS
    /// sends it a confirmation mail; nothing is delivered until it is confirmed.
    pub email: Value<String>,
    /// Name shown as the sender of the mails (at most 100 characters). Default none.
    pub display_name: Option<String>,
    /// Encryption at rest. Default [`TopicEncryption::DedicatedKey`].
    pub encryption: TopicEncryption,
}

impl AlertTopicProps {
    /// Defaults for alerts mailed to `email`.
    pub fn new(email: impl Into<Value<String>>) -> Self {
        AlertTopicProps {
            email: email.into(),
            display_name: None,
            encryption: TopicEncryption::DedicatedKey,
        }
    }
}

/// An SNS topic with an e-mail subscription, as written into the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertTopic {
    /// The topic (`<id>Topic`).
    pub topic: Handle<Topic>,
    /// The e-mail subscription (`<id>EmailSubscription`).
    pub subscription: Handle<Subscription>,
    /// The dedicated key (`<id>Key`), with [`TopicEncryption::DedicatedKey`].
    pub key: Option<Handle<Key>>,
}

impl AlertTopic {
    /// Checks `props` and writes the topic into `stack`. Logical IDs are
    /// `id` plus fixed suffixes (`Key`, `Topic`, `EmailSubscription`).
    pub fn new(stack: &mut Stack, id: &str, props: &AlertTopicProps) -> Result<Self, SynthError> {
        let name = format!("AlertTopic {id:?}");
        check_props(stack, &name, id, props)?;

        let key = match &props.encryption {
            TopicEncryption::DedicatedKey => Some(
                stack.add_with(
                    &format!("{id}{KEY_SUFFIX}"),
                    Key::new()
                        .description(format!("{id}: encrypts the alert topic"))
                        .enable_key_rotation(true)
                        .key_policy(key_policy()),
                    Attributes::new().metadata(
                        checkov::METADATA_KEY,
                        checkov::skips(&[WILDCARD_PRINCIPAL_SKIP]),
                    ),
                )?,
            ),
            _ => None,
        };
        let key_id: Value<String> = match (&props.encryption, &key) {
            (TopicEncryption::ExistingKey(existing), _) => existing.clone(),
            (TopicEncryption::DedicatedKey, Some(key)) => key.reference().into(),
            _ => AWS_MANAGED_SNS_KEY.into(),
        };
        let mut topic = Topic::new().kms_master_key_id(key_id);
        if let Some(display) = &props.display_name {
            topic = topic.display_name(display.as_str());
        }
        let topic = stack.add(&format!("{id}{TOPIC_SUFFIX}"), topic)?;
        let subscription = stack.add(
            &format!("{id}{SUBSCRIPTION_SUFFIX}"),
            Subscription::new("email", topic.reference()).endpoint(props.email.clone()),
        )?;
        let aws_managed = match &props.encryption {
            TopicEncryption::AwsManagedKey => true,
            TopicEncryption::ExistingKey(key) => {
                key.literal().map(String::as_str) == Some(AWS_MANAGED_SNS_KEY)
            }
            TopicEncryption::DedicatedKey => false,
        };
        if aws_managed {
            stack.record_override(
                name,
                "the topic uses the AWS managed key alias/aws/sns: CloudWatch alarms cannot \
                 publish to it, so alarm notifications will not be delivered",
            );
        }
        Ok(AlertTopic {
            topic,
            subscription,
            key,
        })
    }

    /// The topic's ARN (`Ref <id>Topic`), for alarm actions and
    /// notification configurations.
    pub fn arn(&self) -> Intrinsic {
        self.topic.reference()
    }
}

/// The key policy: the account administers the key (so IAM policies apply
/// and the key can never become unmanageable); CloudWatch alarms may use it;
/// callers in this account may use it only through SNS in this region (the
/// same grant the AWS managed `aws/sns` key makes).
fn key_policy() -> Expr {
    let use_actions = Expr::strings(&["kms:Decrypt", "kms:GenerateDataKey*"]);
    crate::resources::ext::iam::policy_document(vec![
        crate::resources::ext::iam::account_administers_key(),
        Expr::map_of([
            ("Sid", Expr::string("CloudWatchAlarmsPublish")),
            ("Effect", Expr::string("Allow")),
            (
                "Principal",
                Expr::map_of([("Service", Expr::string("cloudwatch.amazonaws.com"))]),
            ),
            ("Action", use_actions.clone()),
            ("Resource", Expr::string("*")),
        ]),
        Expr::map_of([
            ("Sid", Expr::string("AccountPublishesThroughSns")),
            ("Effect", Expr::string("Allow")),
            ("Principal", Expr::map_of([("AWS", Expr::string("*"))])),
            ("Action", use_actions),
            ("Resource", Expr::string("*")),
            (
                "Condition",
                Expr::map_of([(
                    "StringEquals",
                    Expr::map_of([
                        ("kms:CallerAccount", fns::ref_(fns::ACCOUNT_ID).into()),
                        (
                            "kms:ViaService",
                            fns::sub("sns.${AWS::Region}.amazonaws.com").into(),
                        ),
                    ]),
                )]),
            ),
        ]),
    ])
}

/// Why the key policy's wildcard principal is right, in checkov's terms.
const WILDCARD_PRINCIPAL_SKIP: Skip<'static> = Skip {
    id: "CKV_AWS_33",
    comment: "The wildcard principal is limited by kms:CallerAccount to this account and \
              by kms:ViaService to SNS in this region, as in the AWS managed aws/sns key; \
              Auto Scaling's service-linked role publishes through it.",
};

fn check_props(
    stack: &Stack,
    name: &str,
    id: &str,
    props: &AlertTopicProps,
) -> Result<(), SynthError> {
    let err = |message: String| SynthError::props(name, message);
    let longest = format!("{id}{SUBSCRIPTION_SUFFIX}");
    if id.is_empty() || check_logical_id(&longest, "Resources").is_err() {
        return Err(err(format!(
            "construct ID {id:?} must be letters and digits only, at most {} characters, \
             because logical IDs such as {longest:?} are derived from it",
            crate::stack::MAX_LOGICAL_ID_LEN - SUBSCRIPTION_SUFFIX.len()
        )));
    }
    for suffix in [KEY_SUFFIX, TOPIC_SUFFIX, SUBSCRIPTION_SUFFIX] {
        let logical = format!("{id}{suffix}");
        if stack.contains(&logical) {
            return Err(err(format!(
                "the stack already has a resource {logical:?}; give this topic another ID"
            )));
        }
    }
    if let Some(email) = props.email.literal()
        && !looks_like_email(email)
    {
        return Err(err(format!(
            "{email:?} is not an e-mail address; give one such as \"ops@example.com\" \
             (or a stack parameter)"
        )));
    }
    if let Some(display) = &props.display_name
        && (display.is_empty() || display.chars().count() > 100)
    {
        return Err(err(format!(
            "display name {display:?} must be 1 to 100 characters"
        )));
    }
    if let TopicEncryption::ExistingKey(key) = &props.encryption
        && key.literal().is_some_and(|k| k.trim().is_empty())
    {
        return Err(err(
            "the existing KMS key is empty; give its ARN, ID or alias".to_owned(),
        ));
    }
    Ok(())
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Resource;

    fn build(props: &AlertTopicProps) -> Result<(Stack, AlertTopic), SynthError> {
        let mut stack = Stack::new("t");
        let topic = AlertTopic::new(&mut stack, "Alerts", props)?;
        Ok((stack, topic))
    }

    fn resource(stack: &Stack, id: &str) -> Resource {
        stack.template().unwrap().resources[id].clone()
    }

    fn message(err: SynthError) -> String {
        match err {
            SynthError::InvalidProps { construct, message } => {
                assert_eq!(construct, "AlertTopic \"Alerts\"");
                message
            }
            other => panic!("expected a props error, got {other:?}"),
        }
    }

    #[test]
    fn default_topic_has_its_own_rotating_key_and_an_email_subscription() {
        let email = Intrinsic::Ref("AlertEmail".into());
        let (stack, topic) = build(&AlertTopicProps::new(&email)).unwrap();
        let template = stack.template().unwrap();
        let ids: Vec<&String> = template.resources.keys().collect();
        assert_eq!(ids, ["AlertsKey", "AlertsTopic", "AlertsEmailSubscription"]);
        let key = resource(&stack, "AlertsKey");
        assert_eq!(key.resource_type, "AWS::KMS::Key");
        assert_eq!(key.properties["EnableKeyRotation"], Expr::Bool(true));
        assert_eq!(key.properties["KeyPolicy"], key_policy());
        assert!(key.metadata.contains_key("checkov"));
        assert_eq!(
            resource(&stack, "AlertsTopic").properties["KmsMasterKeyId"],
            Expr::func(Intrinsic::Ref("AlertsKey".into()))
        );
        let sub = &resource(&stack, "AlertsEmailSubscription").properties;
        assert_eq!(sub["Protocol"], Expr::string("email"));
        assert_eq!(sub["Endpoint"], Expr::func(email));
        assert_eq!(
            sub["TopicArn"],
            Expr::func(Intrinsic::Ref("AlertsTopic".into()))
        );
        assert_eq!(topic.arn(), Intrinsic::Ref("AlertsTopic".into()));
        assert_eq!(topic.key, Some(Handle::new("AlertsKey")));
        assert!(stack.overrides().is_empty());
    }

    #[test]
    fn key_policy_admits_cloudwatch_and_sns_callers_of_this_account_only() {
        let policy = key_policy();
        let Expr::Map(policy) = policy else {
            panic!("policy is a map")
        };
        let Expr::List(statements) = &policy["Statement"] else {
            panic!("statements are a list")
        };
        assert_eq!(statements.len(), 3);
        let Expr::Map(cloudwatch) = &statements[1] else {
            panic!("statement is a map")
        };
        assert_eq!(
            cloudwatch["Principal"],
            Expr::map_of([("Service", Expr::string("cloudwatch.amazonaws.com"))])
        );
        let Expr::Map(wildcard) = &statements[2] else {
            panic!("statement is a map")
        };
        let Expr::Map(condition) = &wildcard["Condition"] else {
            panic!("condition is a map")
        };
        let Expr::Map(equals) = &condition["StringEquals"] else {
            panic!("StringEquals is a map")
        };
        assert!(equals.contains_key("kms:CallerAccount"));
        assert!(equals.contains_key("kms:ViaService"));
    }

    #[test]
    fn aws_managed_key_is_allowed_but_recorded_as_an_override() {
        let mut props = AlertTopicProps::new("ops@example.com");
        props.encryption = TopicEncryption::AwsManagedKey;
        props.display_name = Some("SwiftCode".into());
        let (stack, topic) = build(&props).unwrap();
        assert_eq!(topic.key, None);
        assert!(
            !stack
                .template()
                .unwrap()
                .resources
                .contains_key("AlertsKey")
        );
        let props = &resource(&stack, "AlertsTopic").properties;
        assert_eq!(props["KmsMasterKeyId"], Expr::string("alias/aws/sns"));
        assert_eq!(props["DisplayName"], Expr::string("SwiftCode"));
        assert_eq!(stack.overrides().len(), 1);
        assert!(
            stack.overrides()[0]
                .message
                .contains("CloudWatch alarms cannot")
        );
    }

    #[test]
    fn existing_key_is_used_as_given() {
        let mut props = AlertTopicProps::new("ops@example.com");
        props.encryption = TopicEncryption::ExistingKey("alias/ops".into());
        let (stack, topic) = build(&props).unwrap();
        assert_eq!(topic.key, None);
        assert_eq!(
            resource(&stack, "AlertsTopic").properties["KmsMasterKeyId"],
            Expr::string("alias/ops")
        );
        assert!(stack.overrides().is_empty());

        let mut props = AlertTopicProps::new("ops@example.com");
        props.encryption = TopicEncryption::ExistingKey(AWS_MANAGED_SNS_KEY.into());
        let (stack, _) = build(&props).unwrap();
        assert_eq!(
            stack.overrides().len(),
            1,
            "the AWS managed key by name is noticed too"
        );
    }

    #[test]
    fn refuses_a_literal_that_is_not_an_email_address() {
        for bad in [
            "",
            "ops",
            "ops@",
            "@example.com",
            "ops@example",
            "o ps@example.com",
            "a@b@c.com",
        ] {
            let err = build(&AlertTopicProps::new(bad)).unwrap_err();
            assert!(message(err).contains("is not an e-mail address"), "{bad}");
        }
    }

    #[test]
    fn refuses_bad_display_names_keys_and_ids() {
        let mut props = AlertTopicProps::new("ops@example.com");
        props.display_name = Some("x".repeat(101));
        assert!(message(build(&props).unwrap_err()).contains("1 to 100 characters"));
        let mut props = AlertTopicProps::new("ops@example.com");
        props.encryption = TopicEncryption::ExistingKey(" ".into());
        assert!(message(build(&props).unwrap_err()).contains("existing KMS key is empty"));

        let mut stack = Stack::new("t");
        let props = AlertTopicProps::new("ops@example.com");
        let err = AlertTopic::new(&mut stack, "alert-topic", &props).unwrap_err();
        assert!(err.to_string().contains("letters and digits"));
        AlertTopic::new(&mut stack, "Alerts", &props).unwrap();
        let err = AlertTopic::new(&mut stack, "Alerts", &props).unwrap_err();
        assert!(message(err).contains("already has a resource \"AlertsKey\""));
    }
}
