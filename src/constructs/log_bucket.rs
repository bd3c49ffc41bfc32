//! `LogBucket`: the private, encrypted S3 bucket that AWS services deliver
//! logs into: VPC flow logs (through CloudWatch Logs' log delivery) and
//! Application Load Balancer access logs (through Elastic Load Balancing's
//! log delivery). Logs are the record an incident is reconstructed from, so
//! the bucket is built to keep them, and keep them to itself.
//!
//! Owns the bucket's safe settings (all four public access blocks, ACLs
//! disabled by `BucketOwnerEnforced`, SSE-S3 encryption, versioning, a
//! lifecycle that expires logs after the retention period, retained when the
//! stack is deleted or the bucket replaced) and its policy: TLS only, and
//! writes by each delivery service into its own prefix of this account only.
//! It does not turn logging on: the VPC ([`super::vpc::VpcProps::flow_logs`])
//! and the load balancer ([`super::load_balanced_asg::LoadBalancedAsgProps::access_logs`])
//! take what [`LogBucket::flow_logs`] and [`LogBucket::access_logs`] return.
//!
//! Logical IDs are `<id>Bucket` and `<id>BucketPolicy`.

use crate::constructs::checkov::{self, Skip};
use crate::constructs::load_balanced_asg::AccessLogs;
use crate::constructs::vpc::FlowLogs;
use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::iam::policy_document;
use crate::resources::s3::bucket::{
    AbortIncompleteMultipartUpload, BucketEncryption, LifecycleConfiguration,
    NoncurrentVersionExpiration, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, Rule as LifecycleRule, RuleStatus,
    ServerSideEncryptionByDefault, ServerSideEncryptionRule, SseAlgorithm, VersioningConfiguration,
    VersioningConfigurationStatus,
};
use crate::resources::s3::{Bucket, BucketPolicy};
use crate::stack::{Attributes, Stack, check_logical_id};
use crate::template::fns::{ACCOUNT_ID, ref_, sub};
use crate::template::{Expr, RetentionPolicy, Value};

/// Logical ID suffix of the bucket.
pub const BUCKET_SUFFIX: &str = "Bucket";
/// Logical ID suffix of the bucket policy.
pub const POLICY_SUFFIX: &str = "BucketPolicy";

/// Where load balancer access logs go in the bucket, by default.
pub const DEFAULT_ACCESS_LOGS_PREFIX: &str = "load-balancer";
/// Where VPC flow logs go in the bucket, by default.
pub const DEFAULT_FLOW_LOGS_PREFIX: &str = "flow-logs";

/// The service principal Elastic Load Balancing delivers access logs as.
///
/// The Application Load Balancer guide ("Enable access logs", step 2)
/// grants this principal `s3:PutObject` on `<prefix>/AWSLogs/<account>/*`.
/// Regions opened before August 2022 (us-east-1 among them) also accept the
/// older grant to the region's own ELB account (`127311923021` in
/// us-east-1), but AWS now advises replacing that with this principal,
/// which works in every region. It keeps the template region-agnostic: no
/// region-to-account mapping to maintain, nothing that breaks in a new
/// region.
pub const ELB_LOG_DELIVERY: &str = "logdelivery.elasticloadbalancing.amazonaws.com";

/// The service principal CloudWatch Logs delivers vended logs (VPC flow
/// logs among them) as (VPC user guide, "Amazon S3 bucket permissions for
/// flow logs").
pub const LOG_DELIVERY: &str = "delivery.logs.amazonaws.com";

/// Days old versions of a log file (overwritten or deleted) are kept, by
/// default: long enough to notice and undo a deletion.
pub const DEFAULT_NONCURRENT_DAYS: u32 = 30;

/// Longest retention the construct accepts: ten years.
pub const MAX_RETENTION_DAYS: u32 = 3653;

/// Everything a [`LogBucket`] needs. Build with [`LogBucketProps::new`] and
/// name the deliveries it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBucketProps {
    /// Days a log file is kept before it expires, 1 to [`MAX_RETENTION_DAYS`].
    pub retention_days: u32,
    /// Days an overwritten or deleted log file stays recoverable as an old
    /// version, 1 to `retention_days` (default [`DEFAULT_NONCURRENT_DAYS`],
    /// or the retention when shorter).
    pub noncurrent_version_days: u32,
    /// Take load balancer access logs under this prefix (default none).
    pub access_logs_prefix: Option<String>,
    /// Take VPC flow logs under this prefix (default none).
    pub flow_logs_prefix: Option<String>,
}

impl LogBucketProps {
    /// A bucket keeping logs `retention_days`, taking no delivery yet.
    pub fn new(retention_days: u32) -> Self {
        LogBucketProps {
            retention_days,
            noncurrent_version_days: DEFAULT_NONCURRENT_DAYS.min(retention_days.max(1)),
            access_logs_prefix: None,
            flow_logs_prefix: None,
        }
    }

    /// Also take load balancer access logs, under [`DEFAULT_ACCESS_LOGS_PREFIX`].
    pub fn with_access_logs(mut self) -> Self {
        self.access_logs_prefix = Some(DEFAULT_ACCESS_LOGS_PREFIX.to_owned());
        self
    }

    /// Also take VPC flow logs, under [`DEFAULT_FLOW_LOGS_PREFIX`].
    pub fn with_flow_logs(mut self) -> Self {
        self.flow_logs_prefix = Some(DEFAULT_FLOW_LOGS_PREFIX.to_owned());
        self
    }
}

/// A log bucket and its policy, as written into the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBucket {
    /// The bucket (`<id>Bucket`).
    pub bucket: Handle<Bucket>,
    /// Its policy (`<id>BucketPolicy`). A resource that starts delivering
    /// into the bucket must wait for it: AWS checks the grant on creation.
    pub policy: Handle<BucketPolicy>,
    access_logs_prefix: Option<String>,
    flow_logs_prefix: Option<String>,
}

impl LogBucket {
    /// Checks `props` and writes the bucket and its policy into `stack`.
    pub fn new(stack: &mut Stack, id: &str, props: &LogBucketProps) -> Result<Self, SynthError> {
        let name = format!("LogBucket {id:?}");
        check(props).map_err(|m| SynthError::props(&name, m))?;
        for suffix in [BUCKET_SUFFIX, POLICY_SUFFIX] {
            check_logical_id(&format!("{id}{suffix}"), "Resources")?;
        }
        let bucket = stack.add_with(
            &format!("{id}{BUCKET_SUFFIX}"),
            bucket(props),
            Attributes::new()
                // Logs are evidence: deleting the stack must not delete them.
                .deletion_policy(RetentionPolicy::Retain)
                .update_replace_policy(RetentionPolicy::Retain)
                .metadata(
                    checkov::METADATA_KEY,
                    checkov::skips(&[Skip {
                        id: "CKV_AWS_18",
                        comment: "This is the log bucket: logging its own access into itself would \
                                  write a log record for every log record written",
                    }]),
                ),
        )?;
        let policy = stack.add(
            &format!("{id}{POLICY_SUFFIX}"),
            BucketPolicy::new(bucket.reference(), policy(&bucket, props)),
        )?;
        Ok(LogBucket {
            bucket,
            policy,
            access_logs_prefix: props.access_logs_prefix.clone(),
            flow_logs_prefix: props.flow_logs_prefix.clone(),
        })
    }

    /// The load balancer's access logs into this bucket, waiting for its
    /// policy; `None` unless the props asked for access logs.
    pub fn access_logs(&self) -> Option<AccessLogs> {
        let prefix = self.access_logs_prefix.clone()?;
        Some(AccessLogs {
            bucket: self.bucket.reference().into(),
            prefix: Some(prefix),
            dependencies: vec![self.policy.logical_id().to_owned()],
        })
    }

    /// The VPC's flow logs into this bucket, waiting for its policy; `None`
    /// unless the props asked for flow logs.
    pub fn flow_logs(&self) -> Option<FlowLogs> {
        let prefix = self.flow_logs_prefix.as_deref()?;
        Some(FlowLogs::to_s3(
            Value::from(sub(format!(
                "${{{}.Arn}}/{prefix}/",
                self.bucket.logical_id()
            ))),
            vec![self.policy.logical_id().to_owned()],
        ))
    }
}

fn check(props: &LogBucketProps) -> Result<(), String> {
    if !(1..=MAX_RETENTION_DAYS).contains(&props.retention_days) {
        return Err(format!(
            "retention_days is {}; keep logs 1 to {MAX_RETENTION_DAYS} days",
            props.retention_days
        ));
    }
    if !(1..=props.retention_days).contains(&props.noncurrent_version_days) {
        return Err(format!(
            "noncurrent_version_days is {}; keep old versions 1 to retention_days ({}) days",
            props.noncurrent_version_days, props.retention_days
        ));
    }
    if props.access_logs_prefix.is_none() && props.flow_logs_prefix.is_none() {
        return Err(
            "the bucket takes no logs: set access_logs_prefix or flow_logs_prefix (with_access_logs, with_flow_logs)"
                .to_owned(),
        );
    }
    let prefixes: Vec<(&str, &String)> = [
        ("access_logs_prefix", &props.access_logs_prefix),
        ("flow_logs_prefix", &props.flow_logs_prefix),
    ]
    .into_iter()
    .filter_map(|(field, p)| p.as_ref().map(|p| (field, p)))
    .collect();
    for (field, prefix) in &prefixes {
        check_prefix(field, prefix)?;
    }
    if let [(_, a), (_, b)] = prefixes.as_slice()
        && (a.starts_with(b.as_str()) || b.starts_with(a.as_str()))
    {
        return Err(format!(
            "access_logs_prefix {a:?} and flow_logs_prefix {b:?} overlap; give each delivery a prefix of its own, so that each may write only its own logs"
        ));
    }
    Ok(())
}

/// A key prefix: 1 to 100 letters, digits and `-_./`, no `/` at either end,
/// and not `AWSLogs`, which the delivery services add themselves (and ELB
/// refuses in a prefix).
fn check_prefix(field: &str, prefix: &str) -> Result<(), String> {
    let ok = !prefix.is_empty()
        && prefix.len() <= 100
        && !prefix.starts_with('/')
        && !prefix.ends_with('/')
        && !prefix.contains("AWSLogs")
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field} {prefix:?} is not a key prefix: 1 to 100 letters, digits and -_./, no / at either end, and not AWSLogs (the services add it)"
        ))
    }
}

/// A bucket that holds data nobody outside the account may see: every kind
/// of public access blocked, ACLs off (`BucketOwnerEnforced`), SSE-S3
/// encryption, versioning. The base of [`LogBucket`] and of user blueprints'
/// buckets (the static-site example's).
///
/// SSE-S3, not SSE-KMS: it is the only encryption Elastic Load Balancing
/// delivers access logs into (ALB guide, "Enable access logs", bucket
/// requirements), and S3 server access logs accept no other.
pub fn private_bucket() -> Bucket {
    Bucket::new()
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::new()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true),
        )
        .ownership_controls(OwnershipControls::new(vec![
            OwnershipControlsRule::new().object_ownership(ObjectOwnership::BucketOwnerEnforced),
        ]))
        .bucket_encryption(BucketEncryption::new(vec![
            ServerSideEncryptionRule::new().server_side_encryption_by_default(
                ServerSideEncryptionByDefault::new(SseAlgorithm::Aes256),
            ),
        ]))
        .versioning_configuration(VersioningConfiguration::new(
            VersioningConfigurationStatus::Enabled,
        ))
}

/// The bucket policy statement every hagen bucket starts with: any request
/// to the bucket or its objects that does not use TLS is denied, whoever
/// makes it.
pub fn deny_insecure_transport(bucket: &Handle<Bucket>) -> Expr {
    Expr::map_of([
        ("Sid", Expr::string("DenyInsecureTransport")),
        ("Effect", Expr::string("Deny")),
        ("Principal", Expr::string("*")),
        ("Action", Expr::string("s3:*")),
        (
            "Resource",
            Expr::List(vec![arn(bucket, ""), arn(bucket, "/*")]),
        ),
        (
            "Condition",
            Expr::map_of([(
                "Bool",
                Expr::map_of([("aws:SecureTransport", Expr::string("false"))]),
            )]),
        ),
    ])
}

/// A [`private_bucket`] whose logs expire after the retention.
fn bucket(props: &LogBucketProps) -> Bucket {
    private_bucket().lifecycle_configuration(LifecycleConfiguration::new(vec![
        LifecycleRule::new(RuleStatus::Enabled)
            .id("ExpireLogs")
            .expiration_in_days(props.retention_days)
            .noncurrent_version_expiration(NoncurrentVersionExpiration::new(
                props.noncurrent_version_days,
            ))
            .abort_incomplete_multipart_upload(AbortIncompleteMultipartUpload::new(7)),
    ]))
}

/// The bucket's ARN, or `${<Bucket>.Arn}<suffix>` for keys in it.
fn arn(bucket: &Handle<Bucket>, suffix: &str) -> Expr {
    if suffix.is_empty() {
        return bucket.arn().into();
    }
    sub(format!("${{{}.Arn}}{suffix}", bucket.logical_id())).into()
}

/// The policy: TLS only for everyone; then, as AWS documents each grant,
/// Elastic Load Balancing may put access logs under its prefix, and
/// CloudWatch Logs' delivery service may put flow logs under its prefix and
/// read the bucket's ACL and listing, both only for this account's logs.
fn policy(bucket: &Handle<Bucket>, props: &LogBucketProps) -> Expr {
    let account = || Expr::from(ref_(ACCOUNT_ID));
    let mut statements = vec![deny_insecure_transport(bucket)];
    if let Some(prefix) = &props.access_logs_prefix {
        // ALB guide, "Enable access logs", step 2: the log delivery
        // principal, PutObject under <prefix>/AWSLogs/<account>/, no
        // condition (the delivery sets no source ARN to match).
        statements.push(Expr::map_of([
            ("Sid", Expr::string("ElbAccessLogsWrite")),
            ("Effect", Expr::string("Allow")),
            (
                "Principal",
                Expr::map_of([("Service", Expr::string(ELB_LOG_DELIVERY))]),
            ),
            ("Action", Expr::string("s3:PutObject")),
            (
                "Resource",
                arn(bucket, &format!("/{prefix}/AWSLogs/${{AWS::AccountId}}/*")),
            ),
        ]));
    }
    if let Some(prefix) = &props.flow_logs_prefix {
        // VPC user guide, "Amazon S3 bucket permissions for flow logs":
        // PutObject with the bucket-owner-full-control ACL, and the ACL
        // check, both limited to log deliveries of this account.
        let from_this_account = |acl: bool| {
            let mut equals = vec![("aws:SourceAccount", account())];
            if acl {
                equals.push(("s3:x-amz-acl", Expr::string("bucket-owner-full-control")));
            }
            Expr::map_of([
                (
                    "StringEquals",
                    Expr::Map(equals.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
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
        statements.push(Expr::map_of([
            ("Sid", Expr::string("FlowLogsWrite")),
            ("Effect", Expr::string("Allow")),
            (
                "Principal",
                Expr::map_of([("Service", Expr::string(LOG_DELIVERY))]),
            ),
            ("Action", Expr::string("s3:PutObject")),
            (
                "Resource",
                arn(bucket, &format!("/{prefix}/AWSLogs/${{AWS::AccountId}}/*")),
            ),
            ("Condition", from_this_account(true)),
        ]));
        statements.push(Expr::map_of([
            ("Sid", Expr::string("FlowLogsAclCheck")),
            ("Effect", Expr::string("Allow")),
            (
                "Principal",
                Expr::map_of([("Service", Expr::string(LOG_DELIVERY))]),
            ),
            (
                "Action",
                Expr::strings(&["s3:GetBucketAcl", "s3:ListBucket"]),
            ),
            ("Resource", arn(bucket, "")),
            ("Condition", from_this_account(false)),
        ]));
    }
    policy_document(statements)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::template::json::to_json_value;

    fn build(props: &LogBucketProps) -> (Json, Result<LogBucket, SynthError>) {
        let mut stack = Stack::new("t");
        let out = LogBucket::new(&mut stack, "Logs", props);
        (
            to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone(),
            out,
        )
    }

    fn both() -> LogBucketProps {
        LogBucketProps::new(365).with_access_logs().with_flow_logs()
    }

    #[test]
    fn the_bucket_is_private_encrypted_versioned_expiring_and_retained() {
        let (r, out) = build(&both());
        out.expect("builds");
        let b = &r["LogsBucket"];
        assert_eq!(b["DeletionPolicy"], "Retain");
        assert_eq!(b["UpdateReplacePolicy"], "Retain");
        let p = &b["Properties"];
        assert_eq!(
            p["PublicAccessBlockConfiguration"],
            json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})
        );
        assert_eq!(
            p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
                ["SSEAlgorithm"],
            "AES256"
        );
        assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
        assert_eq!(
            p["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
            "BucketOwnerEnforced"
        );
        let rule = &p["LifecycleConfiguration"]["Rules"][0];
        assert_eq!(rule["ExpirationInDays"], 365);
        assert_eq!(
            rule["NoncurrentVersionExpiration"]["NoncurrentDays"],
            DEFAULT_NONCURRENT_DAYS
        );
        assert_eq!(b["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_18");
    }

    #[test]
    fn the_policy_denies_plain_http_and_grants_each_delivery_its_own_prefix() {
        let (r, _) = build(&both());
        let statements = r["LogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .expect("statements")
            .clone();
        let sids: Vec<&str> = statements
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(
            sids,
            [
                "DenyInsecureTransport",
                "ElbAccessLogsWrite",
                "FlowLogsWrite",
                "FlowLogsAclCheck"
            ]
        );
        assert_eq!(
            statements[0]["Condition"],
            json!({"Bool": {"aws:SecureTransport": "false"}})
        );
        assert_eq!(
            statements[1]["Principal"],
            json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"})
        );
        assert_eq!(
            statements[1]["Resource"],
            json!({"Fn::Sub": "${LogsBucket.Arn}/load-balancer/AWSLogs/${AWS::AccountId}/*"})
        );
        assert_eq!(
            statements[2]["Principal"],
            json!({"Service": "delivery.logs.amazonaws.com"})
        );
        assert_eq!(
            statements[2]["Resource"],
            json!({"Fn::Sub": "${LogsBucket.Arn}/flow-logs/AWSLogs/${AWS::AccountId}/*"})
        );
        assert_eq!(
            statements[2]["Condition"],
            json!({
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}, "s3:x-amz-acl": "bucket-owner-full-control"},
                "ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"}},
            })
        );
        assert_eq!(
            statements[3]["Action"],
            json!(["s3:GetBucketAcl", "s3:ListBucket"])
        );
        assert_eq!(
            statements[3]["Resource"],
            json!({"Fn::GetAtt": ["LogsBucket", "Arn"]})
        );
    }

    #[test]
    fn only_the_deliveries_asked_for_are_granted_and_handed_out() {
        let mut stack = Stack::new("t");
        let logs = LogBucket::new(
            &mut stack,
            "Logs",
            &LogBucketProps::new(30).with_flow_logs(),
        )
        .expect("builds");
        assert!(logs.access_logs().is_none());
        let flow = logs.flow_logs().expect("flow logs");
        assert_eq!(flow.dependencies, ["LogsBucketPolicy"]);
        let r = to_json_value(&stack.template().unwrap().to_expr())["Resources"].clone();
        let text = r["LogsBucketPolicy"].to_string();
        assert!(!text.contains(ELB_LOG_DELIVERY), "{text}");

        let mut stack = Stack::new("t");
        let logs = LogBucket::new(
            &mut stack,
            "Logs",
            &LogBucketProps::new(30).with_access_logs(),
        )
        .expect("builds");
        assert!(logs.flow_logs().is_none());
        let access = logs.access_logs().expect("access logs");
        assert_eq!(access.prefix.as_deref(), Some(DEFAULT_ACCESS_LOGS_PREFIX));
        assert_eq!(access.dependencies, ["LogsBucketPolicy"]);
    }

    #[test]
    fn bad_props_are_refused_and_nothing_is_written() {
        let cases: Vec<(LogBucketProps, &str)> = vec![
            (LogBucketProps::new(30), "takes no logs"),
            (
                LogBucketProps::new(0).with_flow_logs(),
                "retention_days is 0",
            ),
            (
                LogBucketProps {
                    noncurrent_version_days: 40,
                    ..LogBucketProps::new(30).with_flow_logs()
                },
                "noncurrent_version_days is 40",
            ),
            (
                LogBucketProps {
                    flow_logs_prefix: Some("x/AWSLogs".into()),
                    ..LogBucketProps::new(30)
                },
                "not a key prefix",
            ),
            (
                LogBucketProps {
                    flow_logs_prefix: Some("/logs".into()),
                    ..LogBucketProps::new(30)
                },
                "not a key prefix",
            ),
            (
                LogBucketProps {
                    access_logs_prefix: Some("logs".into()),
                    flow_logs_prefix: Some("logs/vpc".into()),
                    ..LogBucketProps::new(30)
                },
                "overlap",
            ),
        ];
        for (props, expected) in cases {
            let (r, out) = build(&props);
            let msg = out.expect_err(expected).to_string();
            assert!(msg.contains("LogBucket \"Logs\""), "{msg}");
            assert!(msg.contains(expected), "{msg}");
            assert_eq!(r, json!({}), "nothing may be written");
        }
    }
}
