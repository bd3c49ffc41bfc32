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
    /// Who may reach the bastion on port 22, when access is by key pair.
    pub admin_cidr: Option<ParamHandle>,
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

/// One octet of a dotted-quad IPv4 address, 0 to 255 without leading zeros:
/// 250-255, 200-249, 100-199, or 0-99.
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

/// The narrowest admin range: one address.
const NARROWEST_PREFIX: u8 = 32;

/// The widest `admin_cidr_min_prefix` the configuration accepts: a /8 is
/// already 16 million addresses.
pub const WIDEST_ADMIN_PREFIX: u8 = 8;

/// The `AllowedPattern` of `AdminCidr`: an IPv4 CIDR block whose prefix
/// length is from `min_prefix` to 32, so that CloudFormation refuses a
/// wider admin range (and the whole internet) before anything is created.
///
/// The pattern is `^` OCTET `\.` OCTET `\.` OCTET `\.` OCTET `/` PREFIX
/// `$`, where OCTET is a number from 0 to 255 without leading zeros
/// (`25[0-5]`, `2[0-4][0-9]`, `1[0-9][0-9]` or `[1-9]?[0-9]`) and PREFIX
/// lists the allowed prefix lengths by their tens digit: for 16 it is
/// `(1[6-9]|2[0-9]|3[0-2])`, that is 16-19, 20-29 and 30-32. CloudFormation
/// matches the whole value against it (Java regular expressions; the
/// constructs used here read the same in Rust's `regex`, which the tests
/// use). Host bits are not checked: `203.0.113.10/24` passes, as EC2
/// accepts it.
pub fn admin_cidr_pattern(min_prefix: u8) -> String {
    let prefix = prefix_range_pattern(min_prefix.min(NARROWEST_PREFIX), NARROWEST_PREFIX);
    format!(r"^({OCTET}\.){{3}}{OCTET}/{prefix}$")
}

/// A regular expression group matching the decimal numbers `lo` to `hi`
/// (both at most 39, as prefix lengths are), without leading zeros: one
/// alternative per tens digit, such as `[8-9]`, `1[0-9]` or `3[0-2]`.
fn prefix_range_pattern(lo: u8, hi: u8) -> String {
    let digits = |a: u8, b: u8| {
        if a == b {
            a.to_string()
        } else {
            format!("[{a}-{b}]")
        }
    };
    let mut alternatives = Vec::new();
    for tens in lo / 10..=hi / 10 {
        let from = lo.max(tens * 10) % 10;
        let to = hi.min(tens * 10 + 9) % 10;
        let units = digits(from, to);
        alternatives.push(if tens == 0 {
            units
        } else {
            format!("{tens}{units}")
        });
    }
    format!("({})", alternatives.join("|"))
}

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
    // Session Manager needs no inbound port: no admin range at all then.
    let admin_cidr = match config.bastion_access {
        BastionAccess::KeyPair => {
            let min = config.admin_cidr_min_prefix;
            Some(stack.parameter(
                "AdminCidr",
                Parameter {
                    allowed_pattern: Some(admin_cidr_pattern(min)),
                    constraint_description: Some(format!(
                        "an IPv4 CIDR block from /{min} to /32, such as 203.0.113.10/32 (admin \
                         access is never open to a wider range; see admin_cidr_min_prefix)"
                    )),
                    default: config.admin_cidr.map(|c| Expr::string(c.to_string())),
                    ..string("IPv4 range allowed to reach the bastion on port 22 (no default unless admin_cidr is configured).")
                },
            )?)
        }
        BastionAccess::SessionManager => None,
    };
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

    /// Regression: `AdminCidr` accepted ranges as wide as a /8. The pattern
    /// now refuses anything wider than `admin_cidr_min_prefix` (/16 by
    /// default), the whole internet included.
    #[test]
    fn the_admin_cidr_refuses_ranges_wider_than_the_limit() {
        let p = admin_cidr_pattern(16);
        assert_eq!(
            p,
            r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/(1[6-9]|2[0-9]|3[0-2])$"
        );
        for ok in [
            "203.0.113.10/32",
            "10.20.0.0/16",
            "192.168.1.0/24",
            "172.16.0.0/17",
            "198.51.100.0/29",
            "255.255.255.255/32",
            "0.0.0.0/30",
        ] {
            assert!(matches(&p, ok), "{ok} must be accepted");
        }
        for refused in [
            "10.0.0.0/8",
            "10.0.0.0/15",
            "0.0.0.0/0",
            "10.0.0.0/1",
            "10.0.0.0/33",
            "10.0.0.0/016",
            "10.0.0.0/",
            "256.0.0.1/32",
            "10.0.0.01/32",
            "10.0.0/24",
            "10.0.0.1",
            " 10.0.0.1/32",
            "10.0.0.1/32\n",
        ] {
            assert!(!matches(&p, refused), "{refused:?} must be refused");
        }
    }

    #[test]
    fn the_admin_cidr_limit_is_configurable_and_every_limit_means_what_it_says() {
        for min in WIDEST_ADMIN_PREFIX..=32 {
            let p = admin_cidr_pattern(min);
            for len in 0..=40u8 {
                assert_eq!(
                    matches(&p, &format!("198.51.100.7/{len}")),
                    (min..=32).contains(&len),
                    "min /{min}, block /{len}: {p}"
                );
            }
        }
        assert_eq!(prefix_range_pattern(8, 32), "([8-9]|1[0-9]|2[0-9]|3[0-2])");
        assert_eq!(prefix_range_pattern(30, 32), "(3[0-2])");
        assert_eq!(prefix_range_pattern(32, 32), "(32)");
        assert_eq!(prefix_range_pattern(20, 32), "(2[0-9]|3[0-2])");
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
