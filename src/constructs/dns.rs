//! The `AliasRecord` construct: Route 53 alias records (A, and AAAA when
//! asked) that point a domain name at a load balancer.
//!
//! Owns the record shape and the checks on literal names and zone IDs. It
//! takes the target's DNS name and canonical hosted zone ID as values
//! (normally `Fn::GetAtt` of a load balancer), so it does not depend on the
//! load balancer's type, and it does not create the hosted zone.

use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::route53::RecordSet;
use crate::resources::route53::record_set::AliasTarget;
use crate::stack::{Stack, check_logical_id};
use crate::template::Value;

/// Logical ID suffix of the A record.
pub const A_SUFFIX: &str = "A";
/// Logical ID suffix of the AAAA record.
pub const AAAA_SUFFIX: &str = "AAAA";

/// Everything an [`AliasRecord`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRecordProps {
    /// The hosted zone the records go into (normally a stack parameter of
    /// type `AWS::Route53::HostedZone::Id`).
    pub hosted_zone_id: Value<String>,
    /// The domain name to answer for (normally a stack parameter), inside
    /// that hosted zone.
    pub domain_name: Value<String>,
    /// The load balancer's DNS name (`Fn::GetAtt <Lb>.DNSName`).
    pub target_dns_name: Value<String>,
    /// The load balancer's canonical hosted zone
    /// (`Fn::GetAtt <Lb>.CanonicalHostedZoneID`).
    pub target_hosted_zone_id: Value<String>,
    /// Also write an AAAA record; only useful when the load balancer is
    /// dual-stack. Default off.
    pub ipv6: bool,
}

/// Alias records for one domain name, as written into the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRecord {
    /// The A record (`<id>A`).
    pub a: Handle<RecordSet>,
    /// The AAAA record (`<id>AAAA`), when `ipv6` was asked for.
    pub aaaa: Option<Handle<RecordSet>>,
}

impl AliasRecord {
    /// Checks `props` and writes the records into `stack`. Both records
    /// evaluate the target's health, so Route 53 stops answering with a load
    /// balancer that has no healthy targets when a failover record exists.
    pub fn new(stack: &mut Stack, id: &str, props: &AliasRecordProps) -> Result<Self, SynthError> {
        let name = format!("AliasRecord {id:?}");
        check_props(stack, &name, id, props)?;
        let record = |record_type: &str| {
            RecordSet::new(props.domain_name.clone(), record_type)
                .hosted_zone_id(props.hosted_zone_id.clone())
                .alias_target(
                    AliasTarget::new(
                        props.target_dns_name.clone(),
                        props.target_hosted_zone_id.clone(),
                    )
                    .evaluate_target_health(true),
                )
        };
        let a = stack.add(&format!("{id}{A_SUFFIX}"), record("A"))?;
        let aaaa = if props.ipv6 {
            Some(stack.add(&format!("{id}{AAAA_SUFFIX}"), record("AAAA"))?)
        } else {
            None
        };
        Ok(AliasRecord { a, aaaa })
    }
}

fn check_props(
    stack: &Stack,
    name: &str,
    id: &str,
    props: &AliasRecordProps,
) -> Result<(), SynthError> {
    let err = |message: String| SynthError::props(name, message);
    let longest = format!("{id}{AAAA_SUFFIX}");
    if id.is_empty() || check_logical_id(&longest, "Resources").is_err() {
        return Err(err(format!(
            "construct ID {id:?} must be letters and digits only, at most {} characters, \
             because logical IDs such as {longest:?} are derived from it",
            crate::stack::MAX_LOGICAL_ID_LEN - AAAA_SUFFIX.len()
        )));
    }
    for suffix in [A_SUFFIX, AAAA_SUFFIX] {
        let logical = format!("{id}{suffix}");
        if stack.contains(&logical) {
            return Err(err(format!(
                "the stack already has a resource {logical:?}; give these records another ID"
            )));
        }
    }
    if let Some(domain) = props.domain_name.literal() {
        check_domain_name(domain).map_err(err)?;
    }
    for (what, zone) in [
        ("hosted zone ID", &props.hosted_zone_id),
        ("target hosted zone ID", &props.target_hosted_zone_id),
    ] {
        if let Some(zone) = zone.literal() {
            check_zone_id(what, zone).map_err(err)?;
        }
    }
    if let Some(target) = props.target_dns_name.literal()
        && target.trim().is_empty()
    {
        return Err(err(
            "the target DNS name is empty; pass the load balancer's DNSName".to_owned(),
        ));
    }
    Ok(())
}

/// A DNS name as Route 53 takes it: at most 253 characters without the
/// trailing dot, at least two labels of 1 to 63 letters, digits, hyphens or
/// underscores (no hyphen at either end), and `*` only as the whole first label.
fn check_domain_name(domain: &str) -> Result<(), String> {
    let bare = domain.strip_suffix('.').unwrap_or(domain);
    let bad = |why: &str| Err(format!("domain name {domain:?} {why}"));
    if bare.is_empty() {
        return bad("is empty");
    }
    if bare.len() > 253 {
        return bad("is longer than 253 characters");
    }
    let labels: Vec<&str> = bare.split('.').collect();
    if labels.len() < 2 {
        return bad("needs at least two labels, such as \"example.com\"");
    }
    for (i, label) in labels.iter().enumerate() {
        if *label == "*" && i == 0 {
            continue;
        }
        if label.is_empty() || label.len() > 63 {
            return bad("has a label that is empty or longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return bad(&format!(
                "has {label:?}: labels are letters, digits, hyphens and underscores (`*` only \
                 as the first label)"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad(&format!(
                "has {label:?}, which starts or ends with a hyphen"
            ));
        }
    }
    Ok(())
}

fn check_zone_id(what: &str, zone: &str) -> Result<(), String> {
    if let Some(bare) = zone.strip_prefix("/hostedzone/") {
        return Err(format!(
            "{what} {zone:?} has the API path prefix; give the bare ID {bare:?}"
        ));
    }
    if zone.is_empty()
        || zone.len() > 32
        || !zone
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(format!(
            "{what} {zone:?} is not a Route 53 hosted zone ID (upper-case letters and digits, \
             such as \"Z35SXDOTRQ7X7K\")"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Expr, Intrinsic};

    fn props() -> AliasRecordProps {
        AliasRecordProps {
            hosted_zone_id: Intrinsic::Ref("HostedZoneId".into()).into(),
            domain_name: Intrinsic::Ref("DomainName".into()).into(),
            target_dns_name: Intrinsic::GetAtt {
                resource: "WebLb".into(),
                attribute: "DNSName".into(),
            }
            .into(),
            target_hosted_zone_id: Intrinsic::GetAtt {
                resource: "WebLb".into(),
                attribute: "CanonicalHostedZoneID".into(),
            }
            .into(),
            ipv6: false,
        }
    }

    fn message(err: SynthError) -> String {
        match err {
            SynthError::InvalidProps { construct, message } => {
                assert_eq!(construct, "AliasRecord \"Site\"");
                message
            }
            other => panic!("expected a props error, got {other:?}"),
        }
    }

    fn err_of(p: &AliasRecordProps) -> String {
        let mut stack = Stack::new("t");
        message(AliasRecord::new(&mut stack, "Site", p).unwrap_err())
    }

    #[test]
    fn writes_an_alias_a_record_that_evaluates_target_health() {
        let mut stack = Stack::new("t");
        let rec = AliasRecord::new(&mut stack, "Site", &props()).unwrap();
        assert_eq!(rec.a, Handle::new("SiteA"));
        assert_eq!(rec.aaaa, None);
        let template = stack.template().unwrap();
        let resources = &template.resources;
        assert_eq!(resources.keys().collect::<Vec<_>>(), ["SiteA"]);
        let a = &resources["SiteA"];
        assert_eq!(a.resource_type, "AWS::Route53::RecordSet");
        assert_eq!(a.properties["Type"], Expr::string("A"));
        assert_eq!(
            a.properties["HostedZoneId"],
            Expr::func(Intrinsic::Ref("HostedZoneId".into()))
        );
        assert_eq!(
            a.properties["Name"],
            Expr::func(Intrinsic::Ref("DomainName".into()))
        );
        assert!(!a.properties.contains_key("TTL"));
        let Expr::Map(alias) = &a.properties["AliasTarget"] else {
            panic!("alias target is a map")
        };
        assert_eq!(alias["EvaluateTargetHealth"], Expr::Bool(true));
        assert_eq!(
            alias["HostedZoneId"],
            Expr::func(Intrinsic::GetAtt {
                resource: "WebLb".into(),
                attribute: "CanonicalHostedZoneID".into()
            })
        );
    }

    #[test]
    fn ipv6_adds_an_aaaa_record_with_the_same_target() {
        let mut p = props();
        p.ipv6 = true;
        let mut stack = Stack::new("t");
        let rec = AliasRecord::new(&mut stack, "Site", &p).unwrap();
        assert_eq!(rec.aaaa, Some(Handle::new("SiteAAAA")));
        let template = stack.template().unwrap();
        let resources = &template.resources;
        assert_eq!(
            resources["SiteAAAA"].properties["Type"],
            Expr::string("AAAA")
        );
        assert_eq!(
            resources["SiteAAAA"].properties["AliasTarget"],
            resources["SiteA"].properties["AliasTarget"]
        );
    }

    #[test]
    fn literal_names_and_zones_are_accepted_when_valid() {
        let mut p = props();
        p.domain_name = "www.example.com.".into();
        p.hosted_zone_id = "Z0123456789ABCDEFGHIJ".into();
        p.target_hosted_zone_id = "Z35SXDOTRQ7X7K".into();
        p.target_dns_name = "web-123.eu-west-1.elb.amazonaws.com".into();
        let mut stack = Stack::new("t");
        assert!(AliasRecord::new(&mut stack, "Site", &p).is_ok());
        p.domain_name = "*.example.com".into();
        assert!(AliasRecord::new(&mut stack, "Wild", &p).is_ok());
    }

    #[test]
    fn refuses_bad_domain_names() {
        for (domain, why) in [
            ("", "is empty"),
            ("localhost", "at least two labels"),
            ("a..example.com", "empty or longer than 63"),
            ("shop.-example.com", "starts or ends with a hyphen"),
            ("sh op.example.com", "labels are letters"),
            ("www.*.example.com", "labels are letters"),
        ] {
            let mut p = props();
            p.domain_name = domain.into();
            let msg = err_of(&p);
            assert!(msg.contains(why), "{domain}: {msg}");
        }
        let mut p = props();
        p.domain_name = format!("{}.com", "a".repeat(64)).into();
        assert!(err_of(&p).contains("longer than 63"));
        p.domain_name = vec!["abcdefghij"; 24].join(".").into();
        assert!(err_of(&p).contains("longer than 253"));
    }

    #[test]
    fn refuses_bad_zone_ids_and_empty_targets() {
        let mut p = props();
        p.hosted_zone_id = "/hostedzone/Z123".into();
        assert!(err_of(&p).contains("give the bare ID \"Z123\""));
        p.hosted_zone_id = "z123".into();
        assert!(err_of(&p).contains("hosted zone ID \"z123\" is not"));
        let mut p = props();
        p.target_hosted_zone_id = "".into();
        assert!(err_of(&p).contains("target hosted zone ID"));
        let mut p = props();
        p.target_dns_name = " ".into();
        assert!(err_of(&p).contains("target DNS name is empty"));
    }

    #[test]
    fn refuses_bad_and_taken_ids() {
        let mut stack = Stack::new("t");
        let err = AliasRecord::new(&mut stack, "site-dns", &props()).unwrap_err();
        assert!(err.to_string().contains("letters and digits"));
        AliasRecord::new(&mut stack, "Site", &props()).unwrap();
        let err = AliasRecord::new(&mut stack, "Site", &props()).unwrap_err();
        assert!(message(err).contains("already has a resource \"SiteA\""));
    }
}
