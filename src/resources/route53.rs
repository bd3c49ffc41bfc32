//! Amazon Route 53 resource types: record sets.
//!
//! Property names and types follow AWS's provider schema for
//! `AWS::Route53::RecordSet`. `TTL` is a string in the schema; it is an
//! integer here (CloudFormation and cfn-lint accept a number). Record sets
//! take no tags and have no `GetAtt` attributes; `Ref` returns the record's
//! name.

use crate::template::List;

cfn_struct! {
    /// `AliasTarget`: the AWS resource (load balancer, CloudFront
    /// distribution, ...) an alias record answers with.
    pub struct AliasTarget {
        /// The target's DNS name (a load balancer's `DNSName`).
        dns_name: "DNSName" => String,
        /// The target's hosted zone (a load balancer's `CanonicalHostedZoneID`).
        hosted_zone_id: "HostedZoneId" => String,
        /// Whether the record inherits the target's health.
        evaluate_target_health: "EvaluateTargetHealth" => bool,
    }
}

cfn_struct! {
    /// `GeoLocation`: where queries must come from for the record to answer.
    pub struct GeoLocation {
        /// Two-letter continent code.
        continent_code: "ContinentCode" => String,
        /// Two-letter country code.
        country_code: "CountryCode" => String,
        /// State or province code (United States, Ukraine).
        subdivision_code: "SubdivisionCode" => String,
    }
}

cfn_resource! {
    /// `AWS::Route53::RecordSet`: one DNS record set in a hosted zone.
    pub struct RecordSet = "AWS::Route53::RecordSet", tags: none {
        /// Alias target (alias records only; excludes `TTL` and `ResourceRecords`).
        alias_target: "AliasTarget" => AliasTarget,
        /// Free-text comment.
        comment: "Comment" => String,
        /// `PRIMARY` or `SECONDARY` for failover routing.
        failover: "Failover" => String,
        /// Geolocation routing.
        geo_location: "GeoLocation" => GeoLocation,
        /// Health check that decides whether the record answers.
        health_check_id: "HealthCheckId" => String,
        /// The hosted zone's ID (exactly one of this and `HostedZoneName`).
        hosted_zone_id: "HostedZoneId" => String,
        /// The hosted zone's name with a trailing dot.
        hosted_zone_name: "HostedZoneName" => String,
        /// Whether this is a multivalue answer record.
        multi_value_answer: "MultiValueAnswer" => bool,
        /// The record's name (required).
        name: "Name" => String,
        /// Region for latency-based routing.
        region: "Region" => String,
        /// Values of a non-alias record.
        resource_records: "ResourceRecords" => List<String>,
        /// Distinguishes records with the same name and type (routing policies).
        set_identifier: "SetIdentifier" => String,
        /// Time to live in seconds (non-alias records).
        ttl: "TTL" => i64,
        /// Record type (required): `A`, `AAAA`, `CNAME`, ...
        record_type: "Type" => String,
        /// Weight for weighted routing.
        weight: "Weight" => i64,
    }
    attributes {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::CfnResource;
    use crate::template::{Expr, Intrinsic, ToExpr};

    #[test]
    fn alias_record_serialises_alias_target_keys() {
        let record = RecordSet::new()
            .hosted_zone_id(Intrinsic::Ref("Zone".into()))
            .name("www.example.com")
            .record_type("A")
            .alias_target(
                AliasTarget::new()
                    .dns_name(Intrinsic::GetAtt {
                        resource: "Lb".into(),
                        attribute: "DNSName".into(),
                    })
                    .hosted_zone_id("Z35SXDOTRQ7X7K")
                    .evaluate_target_health(true),
            );
        let props = record.properties();
        assert_eq!(
            props.keys().collect::<Vec<_>>(),
            ["AliasTarget", "HostedZoneId", "Name", "Type"]
        );
        let Expr::Map(alias) = &props["AliasTarget"] else {
            panic!("alias target is a map")
        };
        assert_eq!(
            alias.keys().collect::<Vec<_>>(),
            ["DNSName", "HostedZoneId", "EvaluateTargetHealth"]
        );
        assert_eq!(alias["EvaluateTargetHealth"], Expr::Bool(true));
    }

    #[test]
    fn ttl_is_a_number() {
        let record = RecordSet::new().ttl(300).resource_records(["192.0.2.1"]);
        assert_eq!(record.properties()["TTL"], Expr::Int(300));
        assert_eq!(
            GeoLocation::new().country_code("DE").to_expr(),
            Expr::Map([("CountryCode".to_owned(), Expr::string("DE"))].into())
        );
    }
}
