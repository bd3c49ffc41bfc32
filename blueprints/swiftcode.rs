//! The SwiftCode blueprint: SwiftCode (a JVM web app) and Leto (a Django
//! app) on a multi-AZ, self-healing, auto-scaling architecture, as
//! described in the architecture note (network, NACLs, security groups,
//! launch template and Auto Scaling group behind an HTTPS load balancer,
//! DNS alias, alarms to an e-mail topic, Multi-AZ database, bastion).
//!
//! Written only against the public `hagen::` API, as a user's blueprint
//! would be; `src/main.rs` and the tests include this file by path.

#[path = "swiftcode/parameters.rs"]
mod parameters;
#[path = "swiftcode/user_data.rs"]
mod user_data;

use hagen::blueprint::{self, Blueprint};
use hagen::config::{CustomKey, CustomKind, Settings};
use hagen::constructs::alert_topic::{AlertTopic, AlertTopicProps};
use hagen::error::SynthError;
use hagen::stack::Stack;
use hagen::template::Output;

pub use parameters::BastionAccess;

/// The SwiftCode blueprint. Stateless: everything it varies on comes from
/// [`Settings`].
pub struct SwiftCode;

/// SwiftCode's own keys in `[environments.NAME.blueprint]`.
const CUSTOM_KEYS: &[CustomKey] = &[
    CustomKey {
        name: "bastion_access",
        kind: CustomKind::Choice(&["key-pair", "session-manager"]),
        help: "how people reach the bastion: SSH with a key pair (KeyName parameter) or Session Manager only",
    },
    CustomKey {
        name: "scaling",
        kind: CustomKind::Choice(&["cpu", "requests"]),
        help: "scale on average CPU (alarms at 75% and 10%) or track request count per target",
    },
    CustomKey {
        name: "requests_per_target",
        kind: CustomKind::Integer {
            min: 10,
            max: 100_000,
        },
        help: "target request count per instance per minute when scaling = \"requests\"",
    },
    CustomKey {
        name: "health_check_path",
        kind: CustomKind::String,
        help: "path the load balancer's health check requests from SwiftCode",
    },
    CustomKey {
        name: "cfn_signal",
        kind: CustomKind::Bool,
        help: "instances report their health to CloudFormation (needs cfn-signal on the image)",
    },
];

/// The choices SwiftCode reads from its own keys, with their defaults.
struct Choices {
    bastion_access: BastionAccess,
}

impl Choices {
    fn from(settings: &Settings) -> Self {
        let custom = &settings.custom;
        Choices {
            bastion_access: match custom.string("bastion_access") {
                Some("session-manager") => BastionAccess::SessionManager,
                _ => BastionAccess::KeyPair,
            },
        }
    }
}

impl Blueprint for SwiftCode {
    fn name(&self) -> &str {
        "swiftcode"
    }

    fn description(&self) -> &str {
        "SwiftCode and Leto: a multi-AZ, self-healing, auto-scaling web application"
    }

    fn custom_keys(&self) -> &[CustomKey] {
        CUSTOM_KEYS
    }

    fn build(&self, settings: &Settings) -> Result<Stack, SynthError> {
        let choices = Choices::from(settings);
        let mut stack = blueprint::new_stack(self, settings);
        let params = parameters::declare(&mut stack, settings, choices.bastion_access)?;

        let alerts = AlertTopic::new(
            &mut stack,
            "Alerts",
            &AlertTopicProps {
                display_name: Some(format!(
                    "{} {} alerts",
                    settings.project, settings.environment
                )),
                ..AlertTopicProps::new(params.alert_email.reference())
            },
        )?;

        stack.output(
            "AlertTopicArn",
            Output {
                description: Some("SNS topic of alarms and Auto Scaling notifications".into()),
                value: alerts.arn().into(),
                export_name: None,
                condition: None,
            },
        )?;
        Ok(stack)
    }
}
