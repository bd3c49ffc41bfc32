//! `hagen bootstrap` against emulators: the stack and its bucket on
//! LocalStack (encrypted, versioned, private, TLS-only, checked through the
//! S3 API), a second run that changes nothing, deploys and diffs that find
//! the bucket by themselves, the error that names `hagen bootstrap` when
//! there is none; and a three-AZ SwiftCode stage deployed through the
//! bootstrap bucket on moto (which, unlike LocalStack's community edition,
//! creates SwiftCode's load balancer, Auto Scaling group and database).

use crate::deploy_moto;
use crate::support;

use std::path::Path;

use hagen::blueprint::{self, Blueprint};
use hagen::config::Config;
use hagen::deploy::bootstrap;
use hagen::deploy::upload::{MAX_INLINE_BYTES, template_key};
use hagen::template::Template;
use support::aws::{self, Process as Out};
use support::emulator::Emulator;
use support::templates;

/// Runs the `hagen` binary in `dir` against `endpoint`.
fn hagen(dir: &Path, endpoint: &str, args: &[&str]) -> Out {
    aws::run_hagen(dir, endpoint, args)
}

/// The bucket a bootstrap run named on its last line.
fn bucket_of(run: &Out) -> String {
    run.out
        .lines()
        .find_map(|l| l.strip_prefix("Template bucket: "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no bucket named:\n{}", run.all()))
        .to_owned()
}

/// Whether `bucket` holds `key`.
fn object_exists(endpoint: &str, bucket: &str, key: &str) -> bool {
    let s3 = aws::s3(endpoint);
    aws::block_on(async {
        s3.head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .is_ok()
    })
}

#[test]
fn bootstrap_makes_a_private_encrypted_bucket_once_and_deploys_find_it() {
    let ls = Emulator::localstack();
    let ep = ls.endpoint();
    let stack = aws::stack_name("big");
    let template = templates::oversized(60_000);
    let body = template.to_yaml();
    assert!(body.len() > MAX_INLINE_BYTES);

    // No bootstrap stack yet: the error says what to run.
    let refused = aws::deploy(&ep, &stack, &template, &["--yes"], &[]);
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(
        refused
            .err
            .contains("no bootstrap stack hagen-bootstrap in this account and region"),
        "{}",
        refused.all()
    );
    assert!(
        refused.err.contains(&format!(
            "run `hagen bootstrap --region us-east-1 --endpoint-url {ep}`"
        )),
        "{}",
        refused.all()
    );
    assert!(
        refused.err.contains("pass --bucket NAME"),
        "{}",
        refused.all()
    );
    assert_eq!(aws::stack_status(&ep, &stack), None, "nothing was created");

    // An environment pinned to another account refuses to bootstrap here.
    let pinned = ls.scratch().join("pinned");
    std::fs::create_dir_all(&pinned).expect("directory for a pinned hagen.toml");
    std::fs::write(
        pinned.join("hagen.toml"),
        "[environments.stage]\naccount = \"111111111111\"\n",
    )
    .expect("hagen.toml written");
    let refused = hagen(&pinned, &ep, &["bootstrap", "--yes", "--env", "stage"]);
    assert_eq!(refused.code, 5, "{}", refused.all());
    assert!(
        refused
            .err
            .contains("environment stage is for account 111111111111"),
        "{}",
        refused.all()
    );
    assert_eq!(
        aws::stack_status(&ep, bootstrap::DEFAULT_STACK_NAME),
        None,
        "nothing was created"
    );

    let first = hagen(
        ls.scratch(),
        &ep,
        &["bootstrap", "--yes", "--progress", "events"],
    );
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(first.out.contains("Executing"), "{}", first.all());
    let bucket = bucket_of(&first);
    assert_eq!(
        aws::stack_status(&ep, bootstrap::DEFAULT_STACK_NAME).as_deref(),
        Some("CREATE_COMPLETE")
    );

    // The bucket, as S3 reports it.
    let s3 = aws::s3(&ep);
    aws::block_on(async {
        let encryption = s3
            .get_bucket_encryption()
            .bucket(&bucket)
            .send()
            .await
            .expect("GetBucketEncryption");
        let algorithm = encryption
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| d.sse_algorithm().as_str().to_owned());
        assert_eq!(algorithm.as_deref(), Some("AES256"));

        let versioning = s3
            .get_bucket_versioning()
            .bucket(&bucket)
            .send()
            .await
            .expect("GetBucketVersioning");
        assert_eq!(versioning.status().map(|s| s.as_str()), Some("Enabled"));

        let block = s3
            .get_public_access_block()
            .bucket(&bucket)
            .send()
            .await
            .expect("GetPublicAccessBlock");
        let block = block
            .public_access_block_configuration()
            .expect("a public access block");
        assert_eq!(
            (
                block.block_public_acls(),
                block.ignore_public_acls(),
                block.block_public_policy(),
                block.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true))
        );

        let ownership = s3
            .get_bucket_ownership_controls()
            .bucket(&bucket)
            .send()
            .await
            .expect("GetBucketOwnershipControls");
        let owner = ownership
            .ownership_controls()
            .and_then(|c| c.rules().first())
            .map(|r| r.object_ownership().as_str().to_owned());
        assert_eq!(owner.as_deref(), Some("BucketOwnerEnforced"));

        let policy = s3
            .get_bucket_policy()
            .bucket(&bucket)
            .send()
            .await
            .expect("GetBucketPolicy");
        let policy: serde_json::Value =
            serde_json::from_str(policy.policy().expect("a policy")).expect("policy JSON");
        assert_eq!(policy["Statement"][0]["Effect"], "Deny");
        assert_eq!(
            policy["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );

        // LocalStack 2026.3.0's AWS::S3::Bucket provider applies
        // VersioningConfiguration (checked above) but not
        // LifecycleConfiguration, BucketEncryption, PublicAccessBlock or
        // OwnershipControls; the last three hold anyway, since they are
        // S3's defaults for a new bucket. The template's lifecycle rule and
        // every other setting are checked beside the code
        // (src/deploy/bootstrap.rs), and the template CloudFormation holds
        // is hagen's (below).
    });

    // The version, as an output and a stack tag.
    let info = aws::block_on(hagen::deploy::stack::describe(
        &aws::clients(&ep),
        bootstrap::DEFAULT_STACK_NAME,
    ))
    .expect("DescribeStacks")
    .expect("the bootstrap stack");
    assert!(
        info.outputs
            .iter()
            .any(|o| o.key == "BootstrapVersion" && o.value == "1"),
        "{:?}",
        info.outputs
    );
    assert!(
        info.tags
            .contains(&("hagen:bootstrap-version".to_owned(), "1".to_owned())),
        "{:?}",
        info.tags
    );

    let deployed_template = aws::block_on(async {
        aws::clients(&ep)
            .cfn
            .get_template()
            .stack_name(bootstrap::DEFAULT_STACK_NAME)
            .send()
            .await
            .expect("GetTemplate")
            .template_body()
            .map(str::to_owned)
            .expect("a template body")
    });
    assert_eq!(
        deployed_template,
        bootstrap::template(&Default::default())
            .expect("builds")
            .to_yaml()
    );

    // A second run changes nothing and names the same bucket.
    let second = hagen(ls.scratch(), &ep, &["bootstrap", "--yes"]);
    assert_eq!(second.code, 0, "{}", second.all());
    assert!(second.out.contains("no changes"), "{}", second.all());
    assert!(!second.out.contains("Executing"), "{}", second.all());
    assert_eq!(bucket_of(&second), bucket);

    // For programs: deploy's JSON lines, then the bucket as a record.
    let json = hagen(
        ls.scratch(),
        &ep,
        &["bootstrap", "--yes", "--format", "json"],
    );
    assert_eq!(json.code, 0, "{}", json.all());
    let records: Vec<serde_json::Value> = json
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let outcome = records
        .iter()
        .find(|r| r["type"] == "outcome")
        .unwrap_or_else(|| panic!("no outcome record:\n{}", json.all()));
    assert_eq!(outcome["outcome"], "no_changes");
    let last = records.last().expect("records");
    assert_eq!(last["type"], "bootstrap", "{}", json.all());
    assert_eq!(last["bucket"], bucket.as_str());
    assert_eq!(last["stack"], bootstrap::DEFAULT_STACK_NAME);
    assert_eq!(last["version"], bootstrap::VERSION);

    // Now the large template goes through the bootstrap bucket by itself.
    let deployed = aws::deploy(&ep, &stack, &template, &["--yes"], &[]);
    assert_eq!(deployed.code, 0, "{}", deployed.all());
    let key = template_key(&stack, &body);
    assert!(
        deployed.out.contains(&format!(
            "Template is {} bytes (> 51,200 inline): uploaded to s3://{bucket}/{key} (bucket from stack hagen-bootstrap)",
            bootstrap::thousands(body.len())
        )),
        "{}",
        deployed.all()
    );
    assert!(object_exists(&ep, &bucket, &key));

    // And so does diff's change set.
    let changed = templates::oversized(61_000);
    let diff = aws::diff(&ep, &stack, &changed, &["--changeset"]);
    assert_eq!(diff.code, 0, "{}", diff.all());
    let changed_key = template_key(&stack, &changed.to_yaml());
    assert!(
        diff.out.contains(&format!(
            "uploaded to s3://{bucket}/{changed_key} (bucket from stack hagen-bootstrap)"
        )),
        "{}",
        diff.all()
    );
    assert!(object_exists(&ep, &bucket, &changed_key));
}

#[test]
fn a_three_az_swiftcode_stage_deploys_through_the_bootstrap_bucket_without_bucket() {
    let moto = Emulator::moto();
    // moto reads a TemplateURL path-style only when its host is
    // "localhost" (see deploy_moto.rs).
    let ep = moto.endpoint().replace("127.0.0.1", "localhost");
    // moto 5.2.5 keeps the outputs a stack had when it was made: a stack
    // created through a change set (as `hagen bootstrap` does, tested on
    // LocalStack above) is made empty in REVIEW_IN_PROGRESS, and executing
    // the change set never adds its outputs (`execute_change_set` in
    // moto/cloudformation/models.py applies resources only). The harness
    // therefore creates the bootstrap stack from hagen's bootstrap template
    // with CreateStack, which moto gives outputs.
    let clients = aws::clients(&ep);
    let bucket = aws::block_on(async {
        clients
            .cfn
            .create_stack()
            .stack_name(bootstrap::DEFAULT_STACK_NAME)
            .template_body(
                bootstrap::template(&Default::default())
                    .expect("builds")
                    .to_yaml(),
            )
            .send()
            .await
            .expect("CreateStack of the bootstrap stack in moto");
        bootstrap::find(&clients, bootstrap::DEFAULT_STACK_NAME)
            .await
            .expect("DescribeStacks")
            .expect("the bootstrap stack names its bucket")
    });

    // A hagen.toml that spreads stage over three availability zones.
    let toml = moto.scratch().join("hagen.toml");
    std::fs::write(&toml, "[environments.stage]\naz_count = 3\n").expect("hagen.toml written");
    let bp = swiftcode::SwiftCode;
    let config = Config::load::<<swiftcode::SwiftCode as Blueprint>::Config>(&toml)
        .expect("the three-AZ configuration");
    let resolved = blueprint::resolve(&bp, &config, Some("stage")).expect("stage resolves");
    let mut template: Template = blueprint::synthesize(&bp, &resolved)
        .expect("SwiftCode builds with three AZs")
        .template;
    let nat_gateways = template
        .resources
        .values()
        .filter(|r| r.resource_type == "AWS::EC2::NatGateway")
        .count();
    assert_eq!(nat_gateways, 3, "one NAT gateway per AZ");

    // moto's quirks, handled as deploy_moto.rs does for the two-AZ stage.
    deploy_moto::without_kms_key_tags(&mut template);
    deploy_moto::without_ssm_bastion_ami(&mut template);
    deploy_moto::without_master_user_secret_getatt(&mut template);
    let body = deploy_moto::long_form_nested_getatt(&template.to_yaml());
    assert!(body.len() > MAX_INLINE_BYTES, "{} bytes", body.len());

    let domain = "app.example.com";
    let pre = deploy_moto::create_prerequisites(&ep, domain);
    let parameters = [
        ("AdminCidr", "203.0.113.10/32".to_owned()),
        ("CertificateArn", pre.certificate_arn),
        ("HostedZoneId", pre.hosted_zone_id),
        ("DomainName", domain.to_owned()),
        ("AlertEmail", "ops@example.com".to_owned()),
        ("KeyName", pre.key_name),
        ("ImageId", "ami-0aaaaaaaaaaaaaaa1".to_owned()),
    ];
    let mut flags = vec!["--yes".to_owned()];
    for (k, v) in &parameters {
        flags.push("--parameter".into());
        flags.push(format!("{k}={v}"));
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let stack = aws::stack_name("swiftcode-3az");
    let run = aws::deploy_body(&ep, &stack, &template, &body, &flags);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.out.contains("CREATE_COMPLETE"), "{}", run.all());
    let key = template_key(&stack, &body);
    assert!(
        run.out.contains(&format!(
            "uploaded to s3://{bucket}/{key} (bucket from stack hagen-bootstrap)"
        )),
        "{}",
        run.all()
    );
    assert!(
        object_exists(&ep, &bucket, &key),
        "the template is in the bootstrap bucket under its content hash"
    );
}
