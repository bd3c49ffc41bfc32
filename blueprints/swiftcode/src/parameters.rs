//! The SwiftCode stack's parameters: every value only known at deploy time,
//! so that one template serves every account and every release.
//!
//! Owns names, types, constraints and descriptions of the parameters. A new
//! application version is a new `ImageId`; nothing else changes.

use hagen::error::SynthError;
use hagen::stack::{ParamHandle, Stack};
use hagen::template::{Expr, Parameter};
use serde::{Deserialize, Serialize};

use crate::config::SwiftCodeConfig;

/// How people reach the bastion (`bastion_access` in `hagen.toml`:
/// `"key-pair"` or `"session-manager"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BastionAccess {
    /// SSH with an EC2 key pair (a required `KeyName` parameter), plus
    /// Session Manager.
    KeyPair,
    /// Session Manager only: no key pair, no `KeyName` parameter.
    /// (A parameter of type `AWS::EC2::KeyPair::KeyName` cannot be left
    /// empty, so "optional key pair" is a synth-time choice.)
    SessionManager,
}

/// Handles to the declared parameters.
pub struct Parameters {
    /// AMI of the application instances.
    pub image_id: ParamHandle,
    /// AMI of the bastion (latest Amazon Linux 2023 by default).
    pub bastion_image_id: ParamHandle,
    /// Who may reach the bastion on port 22.
    pub admin_cidr: ParamHandle,
    /// ACM certificate of the HTTPS listener.
    pub certificate_arn: ParamHandle,
    /// Route 53 hosted zone of the domain.
    pub hosted_zone_id: ParamHandle,
    /// The site's domain name.
    pub domain_name: ParamHandle,
    /// Where alarms and scaling notifications are e-mailed.
    pub alert_email: ParamHandle,
    /// EC2 key pair of the bastion, when access is by key pair.
    pub key_name: Option<ParamHandle>,
}

/// An IPv4 CIDR block from /8 to /32: an admin range, never the whole internet.
pub const ADMIN_CIDR_PATTERN: &str = r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([89]|[12][0-9]|3[0-2])$";
/// An ACM certificate ARN in any partition.
pub const CERTIFICATE_ARN_PATTERN: &str =
    r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$";
/// A lower-case DNS name with at least two labels.
pub const DOMAIN_PATTERN: &str =
    r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
/// An e-mail address, loosely: something@domain.tld.
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";

/// The public SSM parameter with the latest Amazon Linux 2023 AMI for an
/// instance type's architecture (Graviton families have a `g` after the
/// generation digit: `t4g`, `m7gd`).
pub fn bastion_ami_path(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or_default();
    let graviton = family
        .trim_start_matches(|c: char| c.is_ascii_lowercase())
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .starts_with('g');
    if graviton {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    } else {
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    }
}

fn string(description: &str) -> Parameter {
    Parameter {
        param_type: "String".into(),
        description: Some(description.into()),
        ..Parameter::default()
    }
}

/// Declares the parameters, in the order the console shows them.
pub fn declare(stack: &mut Stack, config: &SwiftCodeConfig) -> Result<Parameters, SynthError> {
    let image_id = stack.parameter(
        "ImageId",
        Parameter {
            param_type: "AWS::EC2::Image::Id".into(),
            description: Some(
                "AMI of the application instances, with SwiftCode and Leto installed. A new \
                 image (new release or patches) is rolled out instance by instance."
                    .into(),
            ),
            ..Parameter::default()
        },
    )?;
    let admin_cidr = stack.parameter(
        "AdminCidr",
        Parameter {
            allowed_pattern: Some(ADMIN_CIDR_PATTERN.into()),
            constraint_description: Some(
                "an IPv4 CIDR block from /8 to /32, such as 203.0.113.10/32 (admin access is \
                 never open to the whole internet)"
                    .into(),
            ),
            ..string("IPv4 range allowed to reach the bastion on port 22 (no default on purpose).")
        },
    )?;
    let certificate_arn = stack.parameter(
        "CertificateArn",
        Parameter {
            allowed_pattern: Some(CERTIFICATE_ARN_PATTERN.into()),
            constraint_description: Some(
                "an ACM certificate ARN, arn:aws:acm:REGION:ACCOUNT:certificate/ID".into(),
            ),
            ..string("ACM certificate for the domain, in the stack's region (HTTPS listener).")
        },
    )?;
    let hosted_zone_id = stack.parameter(
        "HostedZoneId",
        Parameter {
            param_type: "AWS::Route53::HostedZone::Id".into(),
            description: Some("Route 53 hosted zone that holds the domain name.".into()),
            ..Parameter::default()
        },
    )?;
    let domain_name = stack.parameter(
        "DomainName",
        Parameter {
            allowed_pattern: Some(DOMAIN_PATTERN.into()),
            constraint_description: Some(
                "a lower-case domain name such as app.example.com".into(),
            ),
            default: config.domain.as_deref().map(Expr::string),
            ..string("The site's domain name, inside the hosted zone (an alias to the load balancer is created).")
        },
    )?;
    let alert_email = stack.parameter(
        "AlertEmail",
        Parameter {
            allowed_pattern: Some(EMAIL_PATTERN.into()),
            constraint_description: Some("an e-mail address".into()),
            ..string("E-mail address for alarms and Auto Scaling notifications (confirm the subscription e-mail).")
        },
    )?;
    let key_name = match config.bastion_access {
        BastionAccess::KeyPair => Some(stack.parameter(
            "KeyName",
            Parameter {
                param_type: "AWS::EC2::KeyPair::KeyName".into(),
                description: Some(
                    "EC2 key pair for SSH to the bastion (Session Manager works too).".into(),
                ),
                ..Parameter::default()
            },
        )?),
        BastionAccess::SessionManager => None,
    };
    let bastion_image_id = stack.parameter(
        "BastionImageId",
        Parameter {
            param_type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>".into(),
            description: Some(
                "AMI of the bastion; by default the latest Amazon Linux 2023, resolved at each \
                 deploy (a newer image replaces the bastion)."
                    .into(),
            ),
            default: Some(Expr::string(bastion_ami_path(
                &config.bastion_instance_type,
            ))),
            ..Parameter::default()
        },
    )?;
    Ok(Parameters {
        image_id,
        bastion_image_id,
        admin_cidr,
        certificate_arn,
        hosted_zone_id,
        domain_name,
        alert_email,
        key_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, value: &str) -> bool {
        regex::Regex::new(pattern)
            .expect("valid pattern")
            .is_match(value)
    }

    #[test]
    fn the_admin_cidr_refuses_the_whole_internet() {
        assert!(matches(ADMIN_CIDR_PATTERN, "203.0.113.10/32"));
        assert!(matches(ADMIN_CIDR_PATTERN, "10.0.0.0/8"));
        assert!(!matches(ADMIN_CIDR_PATTERN, "0.0.0.0/0"));
        assert!(!matches(ADMIN_CIDR_PATTERN, "10.0.0.0/4"));
        assert!(!matches(ADMIN_CIDR_PATTERN, "256.0.0.1/32"));
        assert!(!matches(ADMIN_CIDR_PATTERN, "10.0.0.1"));
    }

    #[test]
    fn deploy_time_values_are_checked_by_pattern() {
        assert!(matches(
            CERTIFICATE_ARN_PATTERN,
            "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        ));
        assert!(!matches(
            CERTIFICATE_ARN_PATTERN,
            "arn:aws:iam::123456789012:server-certificate/x"
        ));
        assert!(matches(DOMAIN_PATTERN, "app.example.com"));
        assert!(!matches(DOMAIN_PATTERN, "App.Example.com"));
        assert!(!matches(DOMAIN_PATTERN, "localhost"));
        assert!(matches(EMAIL_PATTERN, "ops@example.com"));
        assert!(!matches(EMAIL_PATTERN, "ops@example"));
    }

    #[test]
    fn graviton_bastions_get_the_arm_image() {
        assert!(bastion_ami_path("t4g.micro").ends_with("arm64"));
        assert!(bastion_ami_path("m7gd.large").ends_with("arm64"));
        assert!(bastion_ami_path("t3.micro").ends_with("x86_64"));
        assert!(bastion_ami_path("t3a.micro").ends_with("x86_64"));
    }
}
