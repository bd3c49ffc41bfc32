//! Any template, its inputs and its context, through the `hagen` binary
//! against moto: `deploy`/`diff --template FILE` without a Rust crate,
//! parameters from files and `hagen.toml`, the account and region shown
//! first and checked against the environment's pins, and a template with
//! errors that never reaches AWS.

use std::fs;
use std::path::Path;

use crate::support;
use support::aws::{self, Process as Out};
use support::emulator::Emulator;
use support::fault_proxy::FaultProxy;

/// moto's account.
const MOTO_ACCOUNT: &str = "123456789012";

/// A hand-written template: comments, a parameter without a default, one
/// with a default.
const TEMPLATE: &str = r#"# Written by hand: the team's alert topic.
AWSTemplateFormatVersion: "2010-09-09"
Description: A template file deployed without a Rust crate
Parameters:
  ImageId:
    Type: String
    Description: The release's image
  Team:
    Type: String
    Default: web
Resources:
  Alerts:   # one topic per release
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub "alerts-${Team}-${ImageId}"
Outputs:
  TopicArn:
    Value: !Ref Alerts
"#;

/// `hagen` run in `dir` against `endpoint` (see [`aws::run_hagen`]).
fn run(dir: &Path, endpoint: &str, args: &[&str]) -> Out {
    aws::run_hagen(dir, endpoint, args)
}

/// The deployed template's text, as CloudFormation keeps it.
fn deployed_body(endpoint: &str, stack: &str) -> String {
    let clients = aws::clients(endpoint);
    aws::block_on(hagen::deploy::stack::template(&clients, stack, None))
        .unwrap_or_else(|e| panic!("GetTemplate {stack}: {e}"))
        .unwrap_or_else(|| panic!("{stack} has no template"))
}

/// The stack's parameters as deployed.
fn deployed_parameters(endpoint: &str, stack: &str) -> Vec<(String, String)> {
    let clients = aws::clients(endpoint);
    aws::block_on(hagen::deploy::stack::describe(&clients, stack))
        .unwrap_or_else(|e| panic!("describe {stack}: {e}"))
        .unwrap_or_else(|| panic!("{stack} does not exist"))
        .parameters
}

#[test]
fn regression_a_template_file_deploys_without_a_rust_crate() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = aws::stack_name("file");
    let file = format!("{stack}.yaml");
    fs::write(dir.path().join(&file), TEMPLATE).expect("template written");
    fs::write(
        dir.path().join("params.json"),
        r#"[{"ParameterKey": "ImageId", "ParameterValue": "ami-1"}]"#,
    )
    .expect("parameters written");
    let args = [
        "deploy",
        "--changeset",
        "--template",
        &file,
        "--parameters",
        "params.json",
        "--yes",
    ];
    let created = run(dir.path(), &ep, &args);
    assert_eq!(created.code, 0, "{}", created.all());
    assert!(
        created.out.contains(&format!(
            "Account {MOTO_ACCOUNT} · Region {} · Endpoint {ep} · Stack {stack}",
            aws::REGION
        )),
        "{}",
        created.all()
    );
    assert!(
        created.out.contains(&format!(
            "Stack name {stack}, from the file name (--stack-name NAME to choose another)"
        )),
        "{}",
        created.all()
    );
    assert!(
        created.out.contains(&format!("Validated {file}")),
        "{}",
        created.all()
    );
    assert_eq!(
        aws::stack_status(&ep, &stack).as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        deployed_body(&ep, &stack),
        TEMPLATE,
        "the file's text is sent as written, comments included"
    );
    let parameters = deployed_parameters(&ep, &stack);
    assert!(
        parameters.contains(&("ImageId".to_owned(), "ami-1".to_owned())),
        "{parameters:?}"
    );
    let again = run(dir.path(), &ep, &args);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.out.contains("no changes"), "{}", again.all());
}

#[test]
fn regression_diff_shows_a_changed_parameter_without_changeset() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = aws::stack_name("diffparam");
    fs::write(dir.path().join("web.yaml"), TEMPLATE).expect("template written");
    let deployed = run(
        dir.path(),
        &ep,
        &[
            "deploy",
            "--template",
            "web.yaml",
            "--stack-name",
            &stack,
            "--parameter",
            "ImageId=ami-1",
            "--yes",
        ],
    );
    assert_eq!(deployed.code, 0, "{}", deployed.all());
    let diff = |extra: &[&str]| {
        let mut args = vec!["diff", "--template", "web.yaml", "--stack-name", &stack];
        args.extend_from_slice(extra);
        run(dir.path(), &ep, &args)
    };
    let changed = diff(&["--parameter", "ImageId=ami-2"]);
    assert_eq!(changed.code, 0, "{}", changed.all());
    assert!(
        changed
            .out
            .contains("Parameters:\n  ~ ImageId: ami-1 -> ami-2"),
        "a new AMI is a difference: {}",
        changed.all()
    );
    assert!(
        changed
            .out
            .contains(&format!("Account {MOTO_ACCOUNT} · Region")),
        "{}",
        changed.all()
    );
    let same = diff(&["--parameter", "ImageId=ami-1"]);
    assert_eq!(same.code, 0, "{}", same.all());
    assert!(!same.out.contains("Parameters:"), "{}", same.all());
    let kept = diff(&[]);
    assert!(
        !kept.out.contains("Parameters:"),
        "parameters not given keep their deployed value: {}",
        kept.all()
    );
    let typo = diff(&["--parameter", "ImageID=ami-2"]);
    assert_eq!(typo.code, 2, "{}", typo.all());
    assert!(
        typo.err.contains(
            "parameter ImageID (from --parameter): the template declares no such parameter; did you mean ImageId?"
        ),
        "{}",
        typo.all()
    );
}

#[test]
fn regression_parameters_files_and_hagen_toml_layer_and_name_their_lines() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = aws::stack_name("layers");
    fs::write(dir.path().join("web.yaml"), TEMPLATE).expect("template written");
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.parameters]\nImageId = \"ami-toml\"\nTeam = \"toml\"\n\n[environments.stage.tags]\nCostCenter = \"1234\"\n",
    )
    .expect("configuration written");
    fs::write(dir.path().join("team.yaml"), "Team: file\n").expect("parameters written");
    let deployed = run(
        dir.path(),
        &ep,
        &[
            "deploy",
            "--template",
            "web.yaml",
            "--stack-name",
            &stack,
            "--parameters",
            "team.yaml",
            "--tag",
            "Owner=ops",
            "--yes",
        ],
    );
    assert_eq!(deployed.code, 0, "{}", deployed.all());
    let mut parameters = deployed_parameters(&ep, &stack);
    parameters.sort();
    assert_eq!(
        parameters,
        [
            ("ImageId".to_owned(), "ami-toml".to_owned()),
            ("Team".to_owned(), "file".to_owned())
        ],
        "a file wins over hagen.toml"
    );
    let clients = aws::clients(&ep);
    let tags = aws::block_on(async {
        clients
            .cfn
            .describe_stacks()
            .stack_name(&stack)
            .send()
            .await
            .expect("DescribeStacks")
            .stacks()
            .first()
            .map(|s| {
                let mut t: Vec<(String, String)> = s
                    .tags()
                    .iter()
                    .map(|t| {
                        (
                            t.key().unwrap_or_default().to_owned(),
                            t.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                t.sort();
                t
            })
            .unwrap_or_default()
    });
    assert_eq!(
        tags,
        [
            ("CostCenter".to_owned(), "1234".to_owned()),
            ("Owner".to_owned(), "ops".to_owned())
        ],
        "hagen.toml's tags and --tag become the template's stack tags"
    );
    let retag = run(
        dir.path(),
        &ep,
        &[
            "diff",
            "--template",
            "web.yaml",
            "--stack-name",
            &stack,
            "--parameters",
            "team.yaml",
            "--tag",
            "Owner=dev",
        ],
    );
    assert_eq!(retag.code, 0, "{}", retag.all());
    assert!(
        retag.out.contains("Tags:\n  ~ Owner: ops -> dev"),
        "{}",
        retag.all()
    );
    assert!(!retag.out.contains("Parameters:"), "{}", retag.all());

    fs::write(
        dir.path().join("bad.json"),
        "[\n  {\"ParameterKey\": \"Team\"}\n]\n",
    )
    .expect("bad file written");
    let bad = run(
        dir.path(),
        &ep,
        &[
            "diff",
            "--template",
            "web.yaml",
            "--stack-name",
            &stack,
            "--parameters",
            "bad.json",
        ],
    );
    assert_eq!(bad.code, 4, "{}", bad.all());
    assert!(
        bad.err.contains("bad.json:2: Team has no ParameterValue"),
        "{}",
        bad.all()
    );
    assert!(bad.err.contains("\"Key=Value\" strings"), "{}", bad.all());

    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.parameters]\nImageId = \"ami-toml\"\nTeem = \"x\"\n",
    )
    .expect("configuration written");
    let stray = run(
        dir.path(),
        &ep,
        &["diff", "--template", "web.yaml", "--stack-name", &stack],
    );
    assert_eq!(stray.code, 2, "{}", stray.all());
    assert!(
        stray.err.contains(
            "parameter Teem (from hagen.toml:3:8 (`environments.stage.parameters.Teem`)): the template declares no such parameter; did you mean Team?"
        ),
        "{}",
        stray.all()
    );
}

#[test]
fn regression_a_pinned_account_or_region_mismatch_creates_no_change_set() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = aws::stack_name("pinned");
    fs::write(dir.path().join("web.yaml"), TEMPLATE).expect("template written");
    let deploy = [
        "deploy",
        "--template",
        "web.yaml",
        "--stack-name",
        &stack,
        "--parameter",
        "ImageId=ami-1",
        "--yes",
    ];
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage]\naccount = \"111111111111\"\n",
    )
    .expect("configuration written");
    let wrong_account = run(dir.path(), &ep, &deploy);
    assert_eq!(wrong_account.code, 5, "{}", wrong_account.all());
    assert!(
        wrong_account.err.contains(&format!(
            "environment stage is for account 111111111111 (hagen.toml:2:11), but the credentials in use belong to account {MOTO_ACCOUNT}"
        )),
        "{}",
        wrong_account.all()
    );
    assert!(
        wrong_account.err.contains("--profile"),
        "{}",
        wrong_account.all()
    );
    // A change set for a new stack creates the stack (REVIEW_IN_PROGRESS):
    // none exists, so no change set was made.
    assert_eq!(aws::stack_status(&ep, &stack), None);

    fs::write(
        dir.path().join("hagen.toml"),
        format!("[environments.stage]\naccount = \"{MOTO_ACCOUNT}\"\nregion = \"eu-west-1\"\n"),
    )
    .expect("configuration written");
    let wrong_region = run(dir.path(), &ep, &deploy);
    assert_eq!(wrong_region.code, 5, "{}", wrong_region.all());
    assert!(
        wrong_region.err.contains(&format!(
            "environment stage is for region eu-west-1 (hagen.toml:3:10), but requests would go to region {}",
            aws::REGION
        )),
        "{}",
        wrong_region.all()
    );
    assert!(
        wrong_region.err.contains("--region eu-west-1"),
        "{}",
        wrong_region.all()
    );
    assert_eq!(aws::stack_status(&ep, &stack), None);

    let mut flags = deploy.to_vec();
    flags.extend(["--region", aws::REGION]);
    let flagged = run(dir.path(), &ep, &flags);
    assert_eq!(
        flagged.code,
        5,
        "--region does not override the pin: {}",
        flagged.all()
    );

    fs::write(
        dir.path().join("hagen.toml"),
        format!(
            "[environments.stage]\naccount = \"{MOTO_ACCOUNT}\"\nregion = \"{}\"\n",
            aws::REGION
        ),
    )
    .expect("configuration written");
    let right = run(dir.path(), &ep, &deploy);
    assert_eq!(right.code, 0, "{}", right.all());
}

#[test]
fn regression_a_template_with_a_validation_error_never_reaches_aws() {
    let moto = Emulator::moto();
    let proxy = FaultProxy::start(&moto.endpoint(), vec![]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let broken = TEMPLATE.replace("DisplayName:", "DisplayNam:");
    fs::write(dir.path().join("web.yaml"), &broken).expect("template written");
    let run_it = |sub: &str| {
        run(
            dir.path(),
            &proxy.endpoint(),
            &[
                sub,
                "--template",
                "web.yaml",
                "--parameter",
                "ImageId=ami-1",
            ],
        )
    };
    for sub in ["deploy", "diff"] {
        let refused = run_it(sub);
        assert_eq!(refused.code, 1, "{sub}: {}", refused.all());
        assert!(refused.err.contains("web.yaml:15:7"), "{}", refused.all());
        assert!(
            refused.err.contains("did you mean DisplayName?"),
            "{}",
            refused.all()
        );
        assert!(
            refused.err.contains("nothing was sent to AWS"),
            "{}",
            refused.all()
        );
    }
    assert_eq!(proxy.log(), vec![], "no request reached AWS");
}

#[test]
fn regression_swiftcode_parameters_come_from_a_file_or_hagen_toml() {
    let moto = Emulator::moto();
    // SwiftCode's stage template goes through S3; moto reads a TemplateURL
    // path-style only when its host is "localhost" (see deploy_moto.rs).
    let ep = moto.endpoint().replace("127.0.0.1", "localhost");
    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = aws::stack_name("swiftparams");
    let bucket = "hagen-swiftcode-templates";
    aws::block_on(aws::s3(&ep).create_bucket().bucket(bucket).send()).expect("bucket created");
    fs::write(
        dir.path().join("hagen.toml"),
        "[environments.stage.parameters]\nAdminCidr = \"203.0.113.10/32\"\nDomainName = \"app.example.com\"\nAlertEmail = \"ops@example.com\"\nKeyName = \"ops\"\n",
    )
    .expect("configuration written");
    fs::write(
        dir.path().join("release.json"),
        r#"[
  {"ParameterKey": "ImageId", "ParameterValue": "ami-0aaaaaaaaaaaaaaa1"},
  {"ParameterKey": "CertificateArn", "ParameterValue": "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
  "HostedZoneId=Z0123456789"
]"#,
    )
    .expect("parameters written");
    let left = run(
        dir.path(),
        &ep,
        &[
            "deploy",
            "--changeset",
            "--stack-name",
            &stack,
            "--bucket",
            bucket,
            "--parameters",
            "release.json",
            "--parameter",
            "KeyName=release",
            "--no-execute",
        ],
    );
    assert_eq!(left.code, 0, "{}", left.all());
    assert!(left.out.contains("Execute it with:"), "{}", left.all());
    let clients = aws::clients(&ep);
    let sent: Vec<(String, String)> = aws::block_on(async {
        let sets = clients
            .cfn
            .list_change_sets()
            .stack_name(&stack)
            .send()
            .await
            .expect("ListChangeSets");
        let id = sets
            .summaries()
            .first()
            .and_then(|s| s.change_set_id())
            .expect("one change set")
            .to_owned();
        clients
            .cfn
            .describe_change_set()
            .change_set_name(id)
            .send()
            .await
            .expect("DescribeChangeSet")
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().to_owned(),
                    p.parameter_value().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    });
    for (key, value) in [
        ("AdminCidr", "203.0.113.10/32"),
        ("DomainName", "app.example.com"),
        ("AlertEmail", "ops@example.com"),
        ("KeyName", "release"),
        ("ImageId", "ami-0aaaaaaaaaaaaaaa1"),
        ("HostedZoneId", "Z0123456789"),
    ] {
        assert!(
            sent.contains(&(key.to_owned(), value.to_owned())),
            "{key}={value} not in the change set's parameters {sent:?}"
        );
    }
}

#[test]
fn a_template_file_over_the_inline_limit_goes_through_s3_as_written() {
    let moto = Emulator::moto();
    // moto reads a TemplateURL path-style only when its host is
    // "localhost" (see deploy_moto.rs).
    let ep = moto.endpoint().replace("127.0.0.1", "localhost");
    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = aws::stack_name("bigfile");
    let bucket = "hagen-file-templates";
    aws::block_on(aws::s3(&ep).create_bucket().bucket(bucket).send()).expect("bucket created");
    // Comments count: CloudFormation gets the text as written.
    let notes: String = (0..1200)
        .map(|i| format!("# operations note {i:04}: who to call, what to check first\n"))
        .collect();
    let text = format!("{notes}{TEMPLATE}");
    assert!(text.len() > hagen::deploy::upload::MAX_INLINE_BYTES);
    fs::write(dir.path().join("big.yaml"), &text).expect("template written");
    let base = [
        "deploy",
        "--template",
        "big.yaml",
        "--stack-name",
        &stack,
        "--parameter",
        "ImageId=ami-1",
        "--yes",
    ];
    let refused = run(dir.path(), &ep, &base);
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(
        refused.err.contains("pass --bucket NAME"),
        "{}",
        refused.all()
    );
    let mut with_bucket = base.to_vec();
    with_bucket.extend(["--bucket", bucket]);
    let deployed = run(dir.path(), &ep, &with_bucket);
    assert_eq!(deployed.code, 0, "{}", deployed.all());
    assert!(
        deployed.out.contains(&format!(
            "Template is {} bytes (> 51,200 inline): uploaded to s3://{bucket}/hagen/{stack}/",
            hagen::deploy::bootstrap::thousands(text.len())
        )),
        "{}",
        deployed.all()
    );
    assert_eq!(deployed_body(&ep, &stack), text);
}
