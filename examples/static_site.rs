//! A static website on S3 and CloudFront, written against hagen's L1
//! resources only: the same stack a CDK user would build, in typed Rust.
//!
//! `StaticSite` builds:
//!
//! - a **content bucket**: private (all four public access blocks, ACLs
//!   disabled by `BucketOwnerEnforced`), encrypted with S3-managed keys,
//!   versioned, old versions expired, TLS-only, readable by this one
//!   CloudFront distribution only (origin access control, with the
//!   distribution's ARN as `AWS:SourceArn` in the bucket policy);
//! - a **log bucket**, as private, for the content bucket's server access
//!   logs and the distribution's access logs (CloudFront standard logging
//!   v2, delivered by CloudWatch Logs, which needs no bucket ACLs);
//! - a **CloudFront distribution**: HTTPS only (HTTP redirects), HTTP/2 and
//!   HTTP/3, IPv6, TLS 1.2 (`TLSv1.2_2021`) at least, the managed
//!   `CachingOptimized` cache policy, a response headers policy with the
//!   usual security headers, `index.html` as the root object and
//!   `404.html` as the not-found page;
//! - a **WAF web ACL** (scope `CLOUDFRONT`) with AWS managed rule groups
//!   (common rule set, known bad inputs, IP reputation) and a rate limit per
//!   client IP;
//! - **Route 53 alias records** (A and AAAA) from the site's domain to the
//!   distribution.
//!
//! Deploy-time values are parameters: `DomainName` (the site's host name),
//! `HostedZoneId` (the Route 53 zone it lives in) and `CertificateArn` (an
//! ACM certificate for that name).
//!
//! **Deploy the stack in us-east-1.** CloudFront only accepts ACM
//! certificates from us-east-1, a web ACL of scope `CLOUDFRONT` can only be
//! created there, and so can the delivery source of CloudFront's access
//! logs. The `CertificateArn` parameter only accepts a us-east-1 ARN.
//!
//! ```text
//! cargo run -p hagen --example static_site --features "cli,s3,cloudfront,wafv2,route53,logs" -- synth
//! cargo run -p hagen --example static_site --features "cli,s3,cloudfront,wafv2,route53,logs" -- synth --env prod -o site.yaml
//! ```
//!
//! Then upload the site (`aws s3 sync ./public s3://<ContentBucketName>`)
//! and, after a change, invalidate the cache
//! (`aws cloudfront create-invalidation --distribution-id <DistributionId> --paths '/*'`).

use std::process::ExitCode;

use hagen::blueprint::{self, Blueprint};
use hagen::config::Environment;
use hagen::constructs::checkov::{self, Skip};
use hagen::constructs::log_bucket::{deny_insecure_transport, private_bucket};
use hagen::error::SynthError;
use hagen::resources::Handle;
use hagen::resources::cloudfront::distribution::{
    CustomErrorResponse, DefaultCacheBehavior, DistributionConfig, HttpVersion,
    MinimumProtocolVersion, Origin, PriceClass, S3OriginConfig, SslSupportMethod,
    ViewerCertificate, ViewerProtocolPolicy,
};
use hagen::resources::cloudfront::origin_access_control::{
    OriginAccessControlConfig, OriginAccessControlOriginType, SigningBehavior, SigningProtocol,
};
use hagen::resources::cloudfront::response_headers_policy::{
    ContentTypeOptions, FrameOption, FrameOptions, ReferrerPolicy, ReferrerPolicyReferrerPolicy,
    ResponseHeadersPolicyConfig, SecurityHeadersConfig, StrictTransportSecurity,
};
use hagen::resources::cloudfront::{Distribution, OriginAccessControl, ResponseHeadersPolicy};
use hagen::resources::iam::policy_document;
use hagen::resources::logs::{Delivery, DeliveryDestination, DeliverySource};
use hagen::resources::route53::RecordSet;
use hagen::resources::route53::record_set::AliasTarget;
use hagen::resources::s3::bucket::{
    AbortIncompleteMultipartUpload, LifecycleConfiguration, LoggingConfiguration,
    NoncurrentVersionExpiration, Rule as LifecycleRule, RuleStatus,
};
use hagen::resources::s3::{Bucket, BucketPolicy};
use hagen::resources::wafv2::WebAcl;
use hagen::resources::wafv2::web_acl::{
    AggregateKeyType, AllowAction, BlockAction, DefaultAction, ManagedRuleGroupStatement,
    OverrideAction, RateBasedStatement, Rule as WafRule, RuleAction, Scope, Statement,
    VisibilityConfig,
};
use hagen::stack::{Attributes, ParamHandle, Stack};
use hagen::template::fns::{ACCOUNT_ID, ref_, sub};
use hagen::template::{Expr, IndexMap, Intrinsic, Output, Parameter, RetentionPolicy};

/// The blueprint: no state; everything it varies on comes from the
/// [`Environment`] and the stack parameters.
pub struct StaticSite;

/// The hosted zone ID of every CloudFront alias target (a fixed value of
/// Route 53, the same for all distributions).
const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";

/// The managed cache policy `CachingOptimized`: long TTLs, gzip and
/// Brotli, no cookies, headers or query strings in the cache key (right for
/// static files). Its ID is fixed by CloudFront.
const CACHING_OPTIMIZED_POLICY_ID: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// The origin's ID inside the distribution.
const ORIGIN_ID: &str = "ContentBucket";

/// Requests one client IP may make in any 5 minutes before WAF blocks it.
/// A page with its assets is a few dozen requests, so this stops floods and
/// scrapers, not readers.
const RATE_LIMIT_PER_IP: u32 = 2000;

/// Days an overwritten or deleted page stays recoverable in the content
/// bucket.
const CONTENT_OLD_VERSION_DAYS: u32 = 90;

/// Days access logs are kept.
const LOG_RETENTION_DAYS: u32 = 365;

/// Where S3 writes the content bucket's server access logs in the log
/// bucket.
const S3_ACCESS_LOG_PREFIX: &str = "s3-access/content/";

impl Blueprint for StaticSite {
    /// No keys of its own in `hagen.toml`.
    type Config = ();

    fn name(&self) -> &str {
        "site"
    }

    fn description(&self) -> &str {
        "A static website: private S3 bucket, CloudFront with WAF, Route 53 alias records"
    }

    fn build(&self, env: &Environment, _config: &()) -> Result<Stack, SynthError> {
        // Description and the Project/Environment (and configured) tags.
        let mut stack = blueprint::new_stack(self, env);
        let params = parameters(&mut stack)?;

        let logs = log_bucket(&mut stack)?;
        let content = content_bucket(&mut stack, &logs)?;
        let web_acl = web_acl(&mut stack)?;
        let distribution = distribution(&mut stack, env, &params, &content, &web_acl)?;
        let distribution_arn = distribution_arn(&distribution);

        content_bucket_policy(&mut stack, &content, &distribution_arn)?;
        let log_policy = log_bucket_policy(&mut stack, &logs, &content)?;
        access_logs(&mut stack, env, &logs, &log_policy, &distribution_arn)?;
        alias_records(&mut stack, &params, &distribution)?;

        outputs(&mut stack, &params, &content, &distribution)?;
        Ok(stack)
    }
}

/// The stack parameters.
struct Params {
    domain_name: ParamHandle,
    hosted_zone_id: ParamHandle,
    certificate_arn: ParamHandle,
}

/// Deploy-time values: the site's name, its zone and its certificate.
fn parameters(stack: &mut Stack) -> Result<Params, SynthError> {
    let domain_name = stack.parameter(
        "DomainName",
        Parameter {
            param_type: "String".into(),
            description: Some(
                "The site's host name, such as www.example.com; the certificate must cover it"
                    .into(),
            ),
            allowed_pattern: Some(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$".into()),
            max_length: Some(253),
            constraint_description: Some(
                "a lower-case DNS name such as www.example.com, without a trailing dot".into(),
            ),
            ..Parameter::default()
        },
    )?;
    let hosted_zone_id = stack.parameter(
        "HostedZoneId",
        Parameter {
            param_type: "AWS::Route53::HostedZone::Id".into(),
            description: Some("The Route 53 public hosted zone that holds DomainName".into()),
            ..Parameter::default()
        },
    )?;
    // CloudFront takes ACM certificates from us-east-1 only, whatever
    // region the rest of the stack is in; the pattern says so before AWS
    // does.
    let certificate_arn = stack.parameter(
        "CertificateArn",
        Parameter {
            param_type: "String".into(),
            description: Some(
                "ARN of an ACM certificate in us-east-1 that covers DomainName".into(),
            ),
            allowed_pattern: Some(
                r"^arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$".into(),
            ),
            constraint_description: Some(
                "an ACM certificate ARN in us-east-1 (CloudFront uses no other region)".into(),
            ),
            ..Parameter::default()
        },
    )?;
    Ok(Params {
        domain_name,
        hosted_zone_id,
        certificate_arn,
    })
}

/// Buckets hold data: keep them when the stack is deleted or they are
/// replaced.
fn retained() -> Attributes {
    Attributes::new()
        .deletion_policy(RetentionPolicy::Retain)
        .update_replace_policy(RetentionPolicy::Retain)
}

/// The log bucket: access logs of the content bucket and the distribution,
/// expired after a year.
fn log_bucket(stack: &mut Stack) -> Result<Handle<Bucket>, SynthError> {
    let bucket = private_bucket().lifecycle_configuration(LifecycleConfiguration::new(vec![
        LifecycleRule::new(RuleStatus::Enabled)
            .id("ExpireLogs")
            .expiration_in_days(LOG_RETENTION_DAYS)
            .noncurrent_version_expiration(NoncurrentVersionExpiration::new(30))
            .abort_incomplete_multipart_upload(AbortIncompleteMultipartUpload::new(7)),
    ]));
    stack.add_with(
        "LogBucket",
        bucket,
        retained().metadata(
            checkov::METADATA_KEY,
            checkov::skips(&[Skip {
                id: "CKV_AWS_18",
                comment: "This is the log bucket: logging its own access into itself would \
                          write a log record for every log record written",
            }]),
        ),
    )
}

/// The content bucket: the site's files, readable by the distribution only
/// (see [`content_bucket_policy`]).
///
/// SSE-S3 (what [`private_bucket`] sets) rather than SSE-KMS: CloudFront's
/// origin access control reads SSE-KMS objects only when the key policy
/// grants the distribution `kms:Decrypt`, and that key policy would name the
/// distribution, which names the bucket, which names the key: a dependency
/// cycle to break by hand, for content that is public once served.
fn content_bucket(stack: &mut Stack, logs: &Handle<Bucket>) -> Result<Handle<Bucket>, SynthError> {
    let bucket = private_bucket()
        .logging_configuration(
            LoggingConfiguration::new()
                .destination_bucket_name(logs.reference())
                .log_file_prefix(S3_ACCESS_LOG_PREFIX),
        )
        .lifecycle_configuration(LifecycleConfiguration::new(vec![
            LifecycleRule::new(RuleStatus::Enabled)
                .id("ExpireOldVersions")
                .noncurrent_version_expiration(NoncurrentVersionExpiration::new(
                    CONTENT_OLD_VERSION_DAYS,
                ))
                .abort_incomplete_multipart_upload(AbortIncompleteMultipartUpload::new(7)),
        ]));
    stack.add_with("ContentBucket", bucket, retained())
}

/// The WAF web ACL in front of the distribution: AWS managed rule groups,
/// then a rate limit per client IP; everything else is allowed.
fn web_acl(stack: &mut Stack) -> Result<Handle<WebAcl>, SynthError> {
    let visibility = |metric: &str| VisibilityConfig::new(true, metric, true);
    let managed = |priority: u32, name: &str| {
        WafRule::new(
            format!("AWS-{name}"),
            priority,
            Statement::new()
                .managed_rule_group_statement(ManagedRuleGroupStatement::new(name, "AWS")),
            visibility(name),
        )
        // `None`: the rule group's own actions (block) apply. The schema
        // leaves `OverrideAction.None` a free-form object, so it takes an
        // `Expr`: the empty map.
        .override_action(OverrideAction::new().none(Expr::Map(IndexMap::new())))
    };
    let rules = vec![
        // OWASP-style protections: bad bots, path traversal, oversized bodies.
        managed(0, "AWSManagedRulesCommonRuleSet"),
        // Request patterns known to be malicious, Log4j exploits among them.
        managed(1, "AWSManagedRulesKnownBadInputsRuleSet"),
        // Addresses Amazon threat intelligence lists as bots or attackers.
        managed(2, "AWSManagedRulesAmazonIpReputationList"),
        WafRule::new(
            "RateLimitPerIp",
            3,
            Statement::new().rate_based_statement(RateBasedStatement::new(
                AggregateKeyType::Ip,
                RATE_LIMIT_PER_IP,
            )),
            visibility("RateLimitPerIp"),
        )
        .action(RuleAction::new().block(BlockAction::new())),
    ];
    stack.add(
        "WebAcl",
        WebAcl::new(
            DefaultAction::new().allow(AllowAction::new()),
            Scope::Cloudfront,
            visibility("StaticSiteWebAcl"),
        )
        .description("Managed rule groups and a rate limit in front of the static site")
        .rules(rules),
    )
}

/// `<project>-<environment>-<suffix>`, cut to `max` characters, for the
/// names CloudFront and CloudWatch Logs require to be unique in the
/// account. Project and environment are checked names (lower-case
/// letters, digits, `-`), valid in all of them.
fn physical_name(env: &Environment, suffix: &str, max: usize) -> String {
    let mut prefix = format!("{}-{}", env.project, env.name);
    prefix.truncate(max.saturating_sub(suffix.len() + 1));
    format!("{prefix}-{suffix}")
}

/// The distribution, its origin access control and its response headers
/// policy.
fn distribution(
    stack: &mut Stack,
    env: &Environment,
    params: &Params,
    content: &Handle<Bucket>,
    web_acl: &Handle<WebAcl>,
) -> Result<Handle<Distribution>, SynthError> {
    // CloudFront signs every origin request (SigV4), so the bucket policy
    // can admit this distribution and nobody else.
    let oac = stack.add(
        "OriginAccessControl",
        OriginAccessControl::new(
            OriginAccessControlConfig::new(
                physical_name(env, "site", 64),
                OriginAccessControlOriginType::S3,
                SigningBehavior::Always,
                SigningProtocol::Sigv4,
            )
            .description("CloudFront reads the static site's content bucket"),
        ),
    )?;

    // Security headers on every response, whatever the origin sends.
    let headers = stack.add(
        "SecurityHeadersPolicy",
        ResponseHeadersPolicy::new(
            ResponseHeadersPolicyConfig::new(physical_name(env, "security-headers", 128))
                .comment("HSTS, nosniff, no framing, strict referrer")
                .security_headers_config(
                    SecurityHeadersConfig::new()
                        // Two years (HSTS preload lists ask for one at least).
                        .strict_transport_security(
                            StrictTransportSecurity::new(63_072_000, true).include_subdomains(true),
                        )
                        .content_type_options(ContentTypeOptions::new(true))
                        .frame_options(FrameOptions::new(FrameOption::Deny, true))
                        .referrer_policy(ReferrerPolicy::new(
                            true,
                            ReferrerPolicyReferrerPolicy::StrictOriginWhenCrossOrigin,
                        )),
                ),
        ),
    )?;

    let origin = Origin::new(content.regional_domain_name(), ORIGIN_ID)
        .origin_access_control_id(oac.id())
        // With origin access control the S3 origin keeps an empty origin
        // access identity (the legacy mechanism).
        .s3_origin_config(S3OriginConfig::new().origin_access_identity(""));

    let behavior = DefaultCacheBehavior::new(ORIGIN_ID, ViewerProtocolPolicy::RedirectToHttps)
        .cache_policy_id(CACHING_OPTIMIZED_POLICY_ID)
        .response_headers_policy_id(headers.id())
        .allowed_methods(vec!["GET", "HEAD"])
        .cached_methods(vec!["GET", "HEAD"])
        .compress(true);

    let config = DistributionConfig::new(behavior, true)
        .comment(format!("Static site ({} environment)", env.name))
        .aliases(vec![params.domain_name.reference()])
        .origins(vec![origin])
        .default_root_object("index.html")
        // The bucket policy grants s3:ListBucket, so a missing file is a
        // 404 from S3 (not a 403), served with the site's own page.
        .custom_error_responses(vec![
            CustomErrorResponse::new(404)
                .response_code(404)
                .response_page_path("/404.html")
                .error_caching_min_ttl(60),
        ])
        .http_version(HttpVersion::Http2and3)
        .ipv6_enabled(true)
        // North America and Europe: the cheapest class; PriceClassAll
        // serves the rest of the world from nearer edges too.
        .price_class(PriceClass::PriceClass100)
        .viewer_certificate(
            ViewerCertificate::new()
                .acm_certificate_arn(params.certificate_arn.reference())
                .minimum_protocol_version(MinimumProtocolVersion::Tlsv1_2_2021)
                .ssl_support_method(SslSupportMethod::SniOnly),
        )
        // A WAFv2 web ACL is attached by its ARN (a WAF Classic one by ID).
        .web_acl_id(web_acl.arn());

    stack.add_with(
        "Distribution",
        Distribution::new(config),
        Attributes::new().metadata(
            checkov::METADATA_KEY,
            checkov::skips(&[Skip {
                id: "CKV_AWS_86",
                comment: "Access logs go to LogBucket through CloudFront standard logging v2 \
                          (AccessLogSource, AccessLogDelivery); checkov only knows the legacy \
                          Logging property, which needs ACLs enabled on the log bucket",
            }]),
        ),
    )
}

/// The distribution's ARN. `AWS::CloudFront::Distribution` has no `Arn`
/// attribute; the ARN is built from its ID (its `Ref`).
fn distribution_arn(distribution: &Handle<Distribution>) -> Intrinsic {
    sub(format!(
        "arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{}}}",
        distribution.logical_id()
    ))
}

/// `${<Bucket>.Arn}<suffix>`: an ARN of objects in a bucket.
fn objects_arn(bucket: &Handle<Bucket>, suffix: &str) -> Intrinsic {
    sub(format!("${{{}.Arn}}{suffix}", bucket.logical_id()))
}

/// `{"Service": service}`: an AWS service principal.
fn service(name: &str) -> Expr {
    Expr::map_of([("Service", Expr::string(name))])
}

/// The content bucket's policy: TLS only, and reads by this distribution
/// only, through its origin access control.
fn content_bucket_policy(
    stack: &mut Stack,
    content: &Handle<Bucket>,
    distribution_arn: &Intrinsic,
) -> Result<Handle<BucketPolicy>, SynthError> {
    let from_this_distribution = Expr::map_of([(
        "StringEquals",
        Expr::map_of([("AWS:SourceArn", distribution_arn.clone().into())]),
    )]);
    let document = policy_document(vec![
        deny_insecure_transport(content),
        Expr::map_of([
            ("Sid", Expr::string("CloudFrontReadsObjects")),
            ("Effect", Expr::string("Allow")),
            ("Principal", service("cloudfront.amazonaws.com")),
            ("Action", Expr::string("s3:GetObject")),
            ("Resource", objects_arn(content, "/*").into()),
            ("Condition", from_this_distribution.clone()),
        ]),
        // Listing lets S3 answer 404 rather than 403 for a missing file,
        // which the distribution turns into the site's 404 page. Viewers
        // cannot list: `/` is the default root object, and the cache policy
        // forwards no query string to the origin.
        Expr::map_of([
            ("Sid", Expr::string("CloudFrontSeesMissingObjects")),
            ("Effect", Expr::string("Allow")),
            ("Principal", service("cloudfront.amazonaws.com")),
            ("Action", Expr::string("s3:ListBucket")),
            ("Resource", content.arn().into()),
            ("Condition", from_this_distribution),
        ]),
    ]);
    stack.add(
        "ContentBucketPolicy",
        BucketPolicy::new(content.reference(), document),
    )
}

/// The log bucket's policy: TLS only; S3 writes the content bucket's
/// server access logs; CloudWatch Logs delivers the distribution's access
/// logs (the grants its documentation lists for vended logs to S3).
fn log_bucket_policy(
    stack: &mut Stack,
    logs: &Handle<Bucket>,
    content: &Handle<Bucket>,
) -> Result<Handle<BucketPolicy>, SynthError> {
    let account = || Expr::from(ref_(ACCOUNT_ID));
    let from_log_delivery = || {
        Expr::map_of([
            (
                "StringEquals",
                Expr::map_of([("aws:SourceAccount", account())]),
            ),
            (
                "ArnLike",
                Expr::map_of([(
                    "aws:SourceArn",
                    sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*").into(),
                )]),
            ),
        ])
    };
    let document = policy_document(vec![
        deny_insecure_transport(logs),
        Expr::map_of([
            ("Sid", Expr::string("S3ServerAccessLogs")),
            ("Effect", Expr::string("Allow")),
            ("Principal", service("logging.s3.amazonaws.com")),
            ("Action", Expr::string("s3:PutObject")),
            (
                "Resource",
                objects_arn(logs, &format!("/{S3_ACCESS_LOG_PREFIX}*")).into(),
            ),
            (
                "Condition",
                Expr::map_of([
                    (
                        "ArnLike",
                        Expr::map_of([("aws:SourceArn", content.arn().into())]),
                    ),
                    (
                        "StringEquals",
                        Expr::map_of([("aws:SourceAccount", account())]),
                    ),
                ]),
            ),
        ]),
        Expr::map_of([
            ("Sid", Expr::string("LogDeliveryWrite")),
            ("Effect", Expr::string("Allow")),
            ("Principal", service("delivery.logs.amazonaws.com")),
            ("Action", Expr::string("s3:PutObject")),
            (
                "Resource",
                objects_arn(logs, "/AWSLogs/${AWS::AccountId}/*").into(),
            ),
            (
                "Condition",
                Expr::map_of([
                    (
                        "StringEquals",
                        Expr::map_of([
                            ("aws:SourceAccount", account()),
                            ("s3:x-amz-acl", Expr::string("bucket-owner-full-control")),
                        ]),
                    ),
                    (
                        "ArnLike",
                        Expr::map_of([(
                            "aws:SourceArn",
                            sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*")
                                .into(),
                        )]),
                    ),
                ]),
            ),
        ]),
        Expr::map_of([
            ("Sid", Expr::string("LogDeliveryAclCheck")),
            ("Effect", Expr::string("Allow")),
            ("Principal", service("delivery.logs.amazonaws.com")),
            (
                "Action",
                Expr::strings(&["s3:GetBucketAcl", "s3:ListBucket"]),
            ),
            ("Resource", logs.arn().into()),
            ("Condition", from_log_delivery()),
        ]),
    ]);
    stack.add(
        "LogBucketPolicy",
        BucketPolicy::new(logs.reference(), document),
    )
}

/// CloudFront standard logging (v2): the distribution's access logs,
/// delivered by CloudWatch Logs into the log bucket. Unlike legacy
/// logging, it needs no ACLs on the bucket.
fn access_logs(
    stack: &mut Stack,
    env: &Environment,
    logs: &Handle<Bucket>,
    log_policy: &Handle<BucketPolicy>,
    distribution_arn: &Intrinsic,
) -> Result<(), SynthError> {
    let source = stack.add(
        "AccessLogSource",
        DeliverySource::new(physical_name(env, "cdn", 60))
            .log_type("ACCESS_LOGS")
            .resource_arn(distribution_arn.clone()),
    )?;
    let destination = stack.add(
        "AccessLogDestination",
        DeliveryDestination::new(physical_name(env, "cdn-logs", 60))
            .destination_resource_arn(logs.arn()),
    )?;
    // The bucket policy must be in place before the delivery starts, or
    // CloudWatch Logs tries to write its own.
    stack.add_with(
        "AccessLogDelivery",
        Delivery::new(destination.arn(), source.reference()),
        Attributes::new().depends_on(log_policy),
    )?;
    Ok(())
}

/// A and AAAA alias records from the site's name to the distribution.
fn alias_records(
    stack: &mut Stack,
    params: &Params,
    distribution: &Handle<Distribution>,
) -> Result<(), SynthError> {
    for (id, record_type) in [("SiteRecordA", "A"), ("SiteRecordAAAA", "AAAA")] {
        stack.add(
            id,
            RecordSet::new(params.domain_name.reference(), record_type)
                .hosted_zone_id(params.hosted_zone_id.reference())
                .alias_target(
                    // Route 53 cannot evaluate a distribution's health.
                    AliasTarget::new(distribution.domain_name(), CLOUDFRONT_HOSTED_ZONE_ID)
                        .evaluate_target_health(false),
                ),
        )?;
    }
    Ok(())
}

/// What a user needs after the deploy: the URL, where to upload, what to
/// invalidate.
fn outputs(
    stack: &mut Stack,
    params: &Params,
    content: &Handle<Bucket>,
    distribution: &Handle<Distribution>,
) -> Result<(), SynthError> {
    let output = |description: &str, value: Expr| Output {
        description: Some(description.into()),
        value,
        export_name: None,
        condition: None,
    };
    stack.output(
        "SiteUrl",
        output(
            "The site's address",
            sub(format!("https://${{{}}}", params.domain_name.name())).into(),
        ),
    )?;
    stack.output(
        "DistributionDomainName",
        output(
            "The distribution's own host name (the alias records' target)",
            distribution.domain_name().into(),
        ),
    )?;
    stack.output(
        "DistributionId",
        output(
            "The distribution's ID, for cache invalidations",
            distribution.reference().into(),
        ),
    )?;
    stack.output(
        "ContentBucketName",
        output(
            "The bucket to upload the site's files to",
            content.reference().into(),
        ),
    )?;
    Ok(())
}

fn main() -> ExitCode {
    hagen::cli::main(StaticSite)
}
