//! `hagen bootstrap`: the one S3 bucket per account and region that
//! templates too large to send inline (over 51,200 bytes), nested-stack
//! children and assets are uploaded to, made by a small CloudFormation
//! stack of its own; and how `hagen deploy` and `hagen diff` find that
//! bucket when no `--bucket` is given.
//!
//! Owns the bootstrap template (built with hagen's own typed resources, so
//! it goes through the same checks as any blueprint), the stack's outputs
//! and version, and the lookup of its `BucketName` output with the error
//! that says what to run when there is none. Deploying the template is
//! the ordinary change-set deploy ([`super::Deployer`]); the command line
//! is `crate::cli::bootstrap`.

use crate::constructs::checkov::{self, Skip};
use crate::constructs::log_bucket::{deny_insecure_transport, private_bucket};
use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::iam::policy_document;
use crate::resources::s3::bucket::{
    AbortIncompleteMultipartUpload, BucketEncryption, LifecycleConfiguration,
    NoncurrentVersionExpiration, Rule as LifecycleRule, RuleStatus, ServerSideEncryptionByDefault,
    ServerSideEncryptionRule, SseAlgorithm,
};
use crate::resources::s3::{Bucket, BucketPolicy};
use crate::stack::{Attributes, Stack};
use crate::template::{Expr, Output, RetentionPolicy, Template};

use super::aws::Clients;
use super::error::DeployError;
use super::stack::{self, StackInfo};
use super::upload;

/// The bootstrap stack's name unless `--stack-name` (bootstrap) or
/// `--bootstrap-stack` (deploy, diff) names another.
pub const DEFAULT_STACK_NAME: &str = "hagen-bootstrap";

/// The environment variable that names the bootstrap stack for every
/// command, for accounts that keep it under another name.
pub const STACK_NAME_ENV: &str = "HAGEN_BOOTSTRAP_STACK";

/// The version of the bootstrap template this hagen deploys. It is raised
/// whenever the template changes in a way later deploys rely on, so that a
/// hagen can tell an older bootstrap from its own and ask for a re-run.
pub const VERSION: u32 = 1;

/// The oldest bootstrap version this hagen's deploys can use.
pub const MIN_VERSION: u32 = 1;

/// Logical ID of the bucket.
pub const BUCKET_ID: &str = "TemplatesBucket";
/// Logical ID of the bucket's policy.
pub const POLICY_ID: &str = "TemplatesBucketPolicy";
/// The output holding the bucket's name.
pub const BUCKET_OUTPUT: &str = "BucketName";
/// The output holding [`VERSION`].
pub const VERSION_OUTPUT: &str = "BootstrapVersion";
/// The stack tag holding [`VERSION`] (stack tags also reach the bucket).
pub const VERSION_TAG: &str = "hagen:bootstrap-version";

/// Days an overwritten or deleted object stays recoverable as an old
/// version before it expires: long enough to notice and undo a mistake,
/// short enough that superseded templates do not pile up.
pub const NONCURRENT_VERSION_DAYS: u32 = 30;

/// Days after which the parts of an upload that never completed are
/// removed (they are billed, and invisible in a listing).
pub const INCOMPLETE_UPLOAD_DAYS: u32 = 7;

/// What the user may choose about the bootstrap bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootstrapOptions {
    /// Encrypt with this KMS key (`aws:kms`, with an S3 Bucket Key) instead
    /// of S3-managed keys (SSE-S3, `AES256`). A key or alias ARN.
    pub kms_key_id: Option<String>,
}

/// Checks a `--kms-key-id`: a KMS key or alias ARN
/// (`arn:PARTITION:kms:REGION:ACCOUNT:key/...` or `.../alias/...`). A full
/// ARN leaves no doubt about which account's key is meant.
pub fn check_kms_key_id(id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "kms"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && (parts[5].strip_prefix("key/").is_some_and(|k| !k.is_empty())
            || parts[5]
                .strip_prefix("alias/")
                .is_some_and(|a| !a.is_empty()))
        && !id.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--kms-key-id {id:?} is not a KMS key or alias ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME)"
        ))
    }
}

/// The bootstrap stack's template: a private, encrypted, versioned bucket
/// kept when the stack is deleted, a policy refusing every request not
/// made over TLS, and the [`BUCKET_OUTPUT`] and [`VERSION_OUTPUT`] outputs.
pub fn template(options: &BootstrapOptions) -> Result<Template, SynthError> {
    if let Some(id) = &options.kms_key_id {
        check_kms_key_id(id).map_err(|m| SynthError::props("bootstrap bucket", m))?;
    }
    let mut stack = Stack::new(format!(
        "hagen bootstrap (version {VERSION}): the S3 bucket hagen deploys upload templates, nested-stack children and assets to, one per account and region"
    ));
    let bucket = stack.add_with(
        BUCKET_ID,
        bucket(options),
        Attributes::new()
            // Stacks deployed from these templates may still point at them
            // (nested-stack children are read again on every update):
            // deleting this stack must not delete the bucket.
            .deletion_policy(RetentionPolicy::Retain)
            .update_replace_policy(RetentionPolicy::Retain)
            .metadata(
                checkov::METADATA_KEY,
                checkov::skips(&[Skip {
                    id: "CKV_AWS_18",
                    comment: "Only hagen writes here, through CloudFormation deploys that \
                              CloudTrail records; server access logs would need a second \
                              bucket for every account and region",
                }]),
            ),
    )?;
    stack.add(
        POLICY_ID,
        BucketPolicy::new(bucket.reference(), tls_only(&bucket)),
    )?;
    stack.output(
        BUCKET_OUTPUT,
        Output {
            description: Some(
                "The bucket hagen deploy uploads large templates, nested-stack children and assets to"
                    .into(),
            ),
            value: bucket.reference().into(),
            export_name: None,
            condition: None,
        },
    )?;
    stack.output(
        VERSION_OUTPUT,
        Output {
            description: Some(
                "The version of hagen's bootstrap template, so that a later hagen can tell an older bootstrap"
                    .into(),
            ),
            value: Expr::string(VERSION.to_string()),
            export_name: None,
            condition: None,
        },
    )?;
    stack.into_template()
}

/// hagen's private bucket (all public access blocked, ACLs off, versioned)
/// with the chosen encryption and the lifecycle that clears old versions
/// and abandoned uploads.
fn bucket(options: &BootstrapOptions) -> Bucket {
    let encryption = match &options.kms_key_id {
        None => ServerSideEncryptionRule::new().server_side_encryption_by_default(
            ServerSideEncryptionByDefault::new(SseAlgorithm::Aes256),
        ),
        Some(key) => ServerSideEncryptionRule::new()
            // One data key per bucket, not per object: far fewer KMS calls.
            .bucket_key_enabled(true)
            .server_side_encryption_by_default(
                ServerSideEncryptionByDefault::new(SseAlgorithm::AwsKms)
                    .kms_master_key_id(key.clone()),
            ),
    };
    private_bucket()
        .bucket_encryption(BucketEncryption::new(vec![encryption]))
        .lifecycle_configuration(LifecycleConfiguration::new(vec![
            LifecycleRule::new(RuleStatus::Enabled)
                .id("ExpireOldVersions")
                .noncurrent_version_expiration(NoncurrentVersionExpiration::new(
                    NONCURRENT_VERSION_DAYS,
                ))
                .abort_incomplete_multipart_upload(AbortIncompleteMultipartUpload::new(
                    INCOMPLETE_UPLOAD_DAYS,
                )),
        ]))
}

/// The bucket policy: every request that does not come over TLS is denied,
/// whoever makes it.
fn tls_only(bucket: &Handle<Bucket>) -> Expr {
    policy_document(vec![deny_insecure_transport(bucket)])
}

/// The bucket a template too large to send inline goes to, and where that
/// came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateBucket {
    /// The bucket's name.
    pub name: String,
    /// The bootstrap stack it was read from; `None` when the user named
    /// the bucket (`--bucket`, or `template_bucket` in `hagen.toml`).
    pub from_stack: Option<String>,
    /// The account the bucket must belong to: the bootstrap stack's own
    /// (uploads send it as the expected bucket owner, in case the bucket
    /// was deleted and its name taken by another account); `None` for a
    /// bucket the user named, which may be another account's on purpose.
    pub owner: Option<String>,
}

impl TemplateBucket {
    /// The line a deploy says once the template is uploaded:
    /// `Template is 61,760 bytes (> 51,200 inline): uploaded to
    /// s3://BUCKET/KEY (bucket from stack hagen-bootstrap)`.
    pub fn uploaded(&self, bytes: usize, key: &str) -> String {
        let from = match &self.from_stack {
            Some(stack) => format!(" (bucket from stack {stack})"),
            None => String::new(),
        };
        format!(
            "Template is {} bytes (> {} inline): uploaded to s3://{}/{key}{from}",
            thousands(bytes),
            thousands(upload::MAX_INLINE_BYTES),
            self.name
        )
    }
}

/// `61760` as `61,760`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a bootstrap stack says about its bucket: the bucket's name, or why
/// it cannot be used (no such stack, not finished, not hagen's, too old).
pub fn bucket_of(stack_name: &str, info: Option<&StackInfo>) -> Result<String, String> {
    let Some(info) = info else {
        return Err(format!(
            "there is no bootstrap stack {stack_name} in this account and region"
        ));
    };
    let output = |key: &str| {
        info.outputs
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.trim())
            .filter(|v| !v.is_empty())
    };
    let Some(bucket) = output(BUCKET_OUTPUT) else {
        return Err(format!(
            "stack {stack_name} ({}) has no {BUCKET_OUTPUT} output",
            info.status
        ));
    };
    let version = output(VERSION_OUTPUT).and_then(|v| v.parse::<u32>().ok());
    match version {
        None => Err(format!(
            "stack {stack_name} has no numeric {VERSION_OUTPUT} output: it was not made by hagen bootstrap"
        )),
        Some(v) if v < MIN_VERSION => Err(format!(
            "stack {stack_name} is bootstrap version {v}; this hagen needs version {MIN_VERSION} or later"
        )),
        Some(_) => Ok(bucket.to_owned()),
    }
}

/// The bootstrap stack's bucket in the clients' account and region
/// (DescribeStacks on `stack_name`), or why there is none, as `Err` inside.
pub async fn find(
    clients: &Clients,
    stack_name: &str,
) -> Result<Result<String, String>, DeployError> {
    let info = stack::describe(clients, stack_name).await?;
    Ok(bucket_of(stack_name, info.as_ref()))
}

/// The account in a stack ARN
/// (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`).
pub fn stack_account(stack_id: &str) -> Option<String> {
    let account = stack_id.split(':').nth(4)?;
    (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())).then(|| account.to_owned())
}

/// Why a template of `bytes` bytes must go through S3, for
/// [`template_bucket`].
pub fn too_large(bytes: usize) -> String {
    format!(
        "the template is {} bytes, over CloudFormation's inline limit of {} bytes",
        thousands(bytes),
        thousands(upload::MAX_INLINE_BYTES)
    )
}

/// Why the templates of `count` nested stacks of `stack` must go through
/// S3, for [`template_bucket`].
pub fn nested(stack: &str, count: usize) -> String {
    format!(
        "stack {stack} has {count} nested stack{}, whose templates must be in S3",
        if count == 1 { "" } else { "s" }
    )
}

/// Where a template that must go through S3 (`needs` says why: see
/// [`too_large`] and [`nested`]) goes: the bucket the user `given`, else
/// the bootstrap stack's. Without either the error says to run `hagen
/// bootstrap` with the same flags, or to pass `--bucket`.
pub async fn template_bucket(
    clients: &Clients,
    given: Option<&str>,
    bootstrap_stack: &str,
    needs: String,
) -> Result<TemplateBucket, DeployError> {
    if let Some(name) = given {
        return Ok(TemplateBucket {
            name: name.to_owned(),
            from_stack: None,
            owner: None,
        });
    }
    let info = stack::describe(clients, bootstrap_stack).await?;
    match bucket_of(bootstrap_stack, info.as_ref()) {
        Ok(name) => Ok(TemplateBucket {
            name,
            from_stack: Some(bootstrap_stack.to_owned()),
            owner: info.as_ref().and_then(|i| stack_account(&i.id)),
        }),
        Err(reason) => Err(DeployError::NoTemplateBucket {
            needs,
            reason,
            bootstrap_stack: bootstrap_stack.to_owned(),
            flags: clients.cli_flags(),
        }),
    }
}

/// The `hagen bootstrap` command that creates (or repairs) the stack,
/// with the flags that reach the same account and region.
pub fn bootstrap_command(bootstrap_stack: &str, profile: Option<&str>, flags: &str) -> String {
    let mut command = "hagen bootstrap".to_owned();
    if bootstrap_stack != DEFAULT_STACK_NAME {
        command.push_str(&format!(" --stack-name {bootstrap_stack}"));
    }
    if let Some(p) = profile {
        command.push_str(&format!(" --profile {p}"));
    }
    command.push_str(flags);
    command
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::deploy::outputs::StackOutput;
    use crate::template::json::to_json_value;
    use crate::validate::{self, Severity};

    fn resources(options: &BootstrapOptions) -> Json {
        let t = template(options).expect("the bootstrap template builds");
        to_json_value(&t.to_expr())
    }

    #[test]
    fn the_bucket_is_private_encrypted_versioned_retained_and_expires_old_versions() {
        let t = resources(&BootstrapOptions::default());
        let b = &t["Resources"][BUCKET_ID];
        assert_eq!(b["Type"], "AWS::S3::Bucket");
        assert_eq!(b["DeletionPolicy"], "Retain");
        assert_eq!(b["UpdateReplacePolicy"], "Retain");
        let p = &b["Properties"];
        assert_eq!(
            p["PublicAccessBlockConfiguration"],
            json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})
        );
        assert_eq!(
            p["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
            "BucketOwnerEnforced"
        );
        assert_eq!(
            p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"],
            json!({"SSEAlgorithm": "AES256"})
        );
        assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
        let rule = &p["LifecycleConfiguration"]["Rules"][0];
        assert_eq!(rule["Status"], "Enabled");
        assert_eq!(
            rule["NoncurrentVersionExpiration"]["NoncurrentDays"],
            NONCURRENT_VERSION_DAYS
        );
        assert_eq!(
            rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
            INCOMPLETE_UPLOAD_DAYS
        );
        assert!(
            rule.get("ExpirationInDays").is_none(),
            "current templates never expire: stacks may still read them"
        );
    }

    #[test]
    fn the_policy_denies_every_request_without_tls() {
        let t = resources(&BootstrapOptions::default());
        let policy = &t["Resources"][POLICY_ID];
        assert_eq!(policy["Type"], "AWS::S3::BucketPolicy");
        assert_eq!(policy["Properties"]["Bucket"], json!({"Ref": BUCKET_ID}));
        let statements = policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .expect("statements");
        assert_eq!(statements.len(), 1, "the policy grants nothing");
        let deny = &statements[0];
        assert_eq!(deny["Effect"], "Deny");
        assert_eq!(deny["Principal"], "*");
        assert_eq!(deny["Action"], "s3:*");
        assert_eq!(
            deny["Condition"],
            json!({"Bool": {"aws:SecureTransport": "false"}})
        );
        assert_eq!(deny["Resource"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn a_kms_key_switches_to_aws_kms_with_a_bucket_key() {
        let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let t = resources(&BootstrapOptions {
            kms_key_id: Some(key.into()),
        });
        let rule = &t["Resources"][BUCKET_ID]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            [0];
        assert_eq!(
            rule["ServerSideEncryptionByDefault"],
            json!({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key})
        );
        assert_eq!(rule["BucketKeyEnabled"], true);
        for bad in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:s3:eu-west-1:123456789012:key/x",
            "arn:aws:kms:eu-west-1:1234:key/x",
            "arn:aws:kms:eu-west-1:123456789012:key/",
            "arn:aws:kms:eu-west-1:123456789012:secret/x",
        ] {
            assert!(check_kms_key_id(bad).is_err(), "{bad}");
            assert!(
                template(&BootstrapOptions {
                    kms_key_id: Some(bad.into())
                })
                .is_err(),
                "{bad}"
            );
        }
        assert!(check_kms_key_id("arn:aws:kms:eu-west-1:123456789012:alias/hagen").is_ok());
    }

    #[test]
    fn the_outputs_name_the_bucket_and_the_version() {
        let t = resources(&BootstrapOptions::default());
        assert_eq!(
            t["Outputs"][BUCKET_OUTPUT]["Value"],
            json!({"Ref": BUCKET_ID})
        );
        assert_eq!(
            t["Outputs"][VERSION_OUTPUT]["Value"],
            VERSION.to_string().as_str()
        );
    }

    #[test]
    fn the_template_passes_hagens_strict_checks() {
        for options in [
            BootstrapOptions::default(),
            BootstrapOptions {
                kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:alias/hagen".into()),
            },
        ] {
            let t = template(&options).expect("builds");
            let report = validate::check(
                &t,
                &validate::Options {
                    strict: true,
                    body_size: Some(t.to_yaml().len()),
                    through_s3: false,
                },
            );
            let findings: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity >= Severity::Warning)
                .map(|d| {
                    format!(
                        "{} {}: {}",
                        d.rule,
                        d.resource.as_deref().unwrap_or("-"),
                        d.message
                    )
                })
                .collect();
            assert!(findings.is_empty(), "{findings:#?}");
        }
    }

    fn info(status: &str, outputs: &[(&str, &str)]) -> StackInfo {
        StackInfo {
            id: "arn:aws:cloudformation:us-east-1:123456789012:stack/hagen-bootstrap/1".into(),
            name: DEFAULT_STACK_NAME.into(),
            status: status.into(),
            status_reason: None,
            parameter_keys: Vec::new(),
            parameters: Vec::new(),
            outputs: outputs
                .iter()
                .map(|(k, v)| StackOutput {
                    key: (*k).into(),
                    value: (*v).into(),
                    description: None,
                    export_name: None,
                })
                .collect(),
            tags: Vec::new(),
            last_updated: None,
            drift_status: None,
            termination_protection: false,
        }
    }

    #[test]
    fn the_bucket_is_read_from_a_complete_bootstrap_stack_only() {
        let s = DEFAULT_STACK_NAME;
        let good = info(
            "CREATE_COMPLETE",
            &[
                (BUCKET_OUTPUT, "hagen-bootstrap-templatesbucket-1x"),
                (VERSION_OUTPUT, "1"),
            ],
        );
        assert_eq!(
            bucket_of(s, Some(&good)).as_deref(),
            Ok("hagen-bootstrap-templatesbucket-1x")
        );
        let missing = bucket_of(s, None).unwrap_err();
        assert!(
            missing.contains("no bootstrap stack hagen-bootstrap"),
            "{missing}"
        );
        let failed = bucket_of(s, Some(&info("ROLLBACK_COMPLETE", &[]))).unwrap_err();
        assert!(
            failed.contains("(ROLLBACK_COMPLETE) has no BucketName output"),
            "{failed}"
        );
        let foreign =
            bucket_of(s, Some(&info("CREATE_COMPLETE", &[(BUCKET_OUTPUT, "b")]))).unwrap_err();
        assert!(foreign.contains("not made by hagen bootstrap"), "{foreign}");
        let old = bucket_of(
            s,
            Some(&info(
                "UPDATE_COMPLETE",
                &[(BUCKET_OUTPUT, "b"), (VERSION_OUTPUT, "0")],
            )),
        )
        .unwrap_err();
        assert!(old.contains("bootstrap version 0"), "{old}");
    }

    #[test]
    fn without_a_bucket_the_error_says_to_run_hagen_bootstrap_with_the_same_flags() {
        let err = DeployError::NoTemplateBucket {
            needs: too_large(61_760),
            reason: "there is no bootstrap stack hagen-bootstrap in this account and region".into(),
            bootstrap_stack: DEFAULT_STACK_NAME.into(),
            flags: " --region eu-west-1".into(),
        };
        let message = err.to_string();
        assert!(message.contains("61,760 bytes"), "{message}");
        assert!(
            message.contains("no bootstrap stack hagen-bootstrap"),
            "{message}"
        );
        let fix = err.fix(Some("dev")).expect("a fix");
        assert!(
            fix.contains("`hagen bootstrap --profile dev --region eu-west-1`"),
            "{fix}"
        );
        assert!(fix.contains("pass --bucket NAME"), "{fix}");
        let other = DeployError::NoTemplateBucket {
            needs: nested("web", 2),
            reason: String::new(),
            bootstrap_stack: "team-bootstrap".into(),
            flags: String::new(),
        };
        assert!(
            other.to_string().starts_with(
                "stack web has 2 nested stacks, whose templates must be in S3, and no S3 bucket"
            ),
            "{other}"
        );
        assert!(
            other
                .fix(None)
                .expect("a fix")
                .contains("`hagen bootstrap --stack-name team-bootstrap`")
        );
    }

    #[test]
    fn upload_lines_say_the_size_and_where_the_bucket_came_from() {
        let from_stack = TemplateBucket {
            name: "b".into(),
            from_stack: Some(DEFAULT_STACK_NAME.into()),
            owner: Some("123456789012".into()),
        };
        assert_eq!(
            from_stack.uploaded(61_760, "hagen/web/abc.template"),
            "Template is 61,760 bytes (> 51,200 inline): uploaded to s3://b/hagen/web/abc.template (bucket from stack hagen-bootstrap)"
        );
        let given = TemplateBucket {
            name: "b".into(),
            from_stack: None,
            owner: None,
        };
        assert!(given.uploaded(1, "k").ends_with("s3://b/k"));
        assert_eq!(
            stack_account("arn:aws:cloudformation:us-east-1:123456789012:stack/hagen-bootstrap/1")
                .as_deref(),
            Some("123456789012")
        );
        assert_eq!(stack_account("hagen-bootstrap"), None);
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
