//! hagen deploy next to `aws cloudformation deploy` (the AWS CLI from the
//! moto venv) on the same template and endpoint: both must create the same
//! stack. The wall-clock time of each full create is printed as a
//! measurement (run with `--nocapture`), never asserted.

use crate::support;

use std::process::Command;
use std::time::Instant;

use hagen::template::Template;
use support::aws;
use support::emulator::{Emulator, venv};
use support::templates;

fn awscli_deploy(endpoint: &str, stack: &str, template: &Template, dir: &std::path::Path) -> f64 {
    let file = dir.join(format!("{stack}.yaml"));
    std::fs::write(&file, template.to_yaml()).expect("template file");
    let aws = venv("moto").join("bin/aws");
    let start = Instant::now();
    let out = Command::new(&aws)
        .args(["cloudformation", "deploy", "--template-file"])
        .arg(&file)
        .args([
            "--stack-name",
            stack,
            "--parameter-overrides",
            "ImageId=ami-0aaaaaaaaaaaaaaa1",
            "--endpoint-url",
            endpoint,
            "--region",
            aws::REGION,
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", aws.display()));
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "aws cloudformation deploy failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    secs
}

fn compare(emulator: Emulator, template: &Template) {
    let ep = emulator.endpoint();
    let ours = aws::stack_name("timing-hagen");
    let theirs = aws::stack_name("timing-awscli");
    let start = Instant::now();
    let run = aws::deploy_product_timing(
        &ep,
        &ours,
        template,
        &["--yes", "--parameter", "ImageId=ami-0aaaaaaaaaaaaaaa1"],
    );
    let hagen_secs = start.elapsed().as_secs_f64();
    assert_eq!(run.code, 0, "{}", run.all());
    let awscli_secs = awscli_deploy(&ep, &theirs, template, emulator.scratch());
    eprintln!(
        "{:?}: full create of {} resources: hagen deploy {hagen_secs:.2} s, aws cloudformation deploy {awscli_secs:.2} s",
        emulator.kind,
        template.resources.len()
    );
    let types = |stack: &str| {
        let mut t: Vec<(String, String)> = aws::stack_resources(&ep, stack)
            .into_iter()
            .map(|(id, ty, _)| (id, ty))
            .collect();
        t.sort();
        t
    };
    assert_eq!(types(&ours), types(&theirs));
    assert_eq!(
        aws::stack_status(&ep, &theirs).as_deref(),
        Some("CREATE_COMPLETE")
    );
}

#[test]
fn moto_full_create_next_to_the_aws_cli() {
    compare(Emulator::moto(), &templates::network(None));
}

#[test]
fn localstack_full_create_next_to_the_aws_cli() {
    compare(Emulator::localstack(), &templates::network(None));
}
