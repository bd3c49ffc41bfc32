//! AWS access: where credentials, region and endpoint come from, and how
//! requests are retried and timed out.
//!
//! Owns the SDK configuration only. Credentials and region come from the
//! standard chain (environment, profiles, SSO, `credential_process`,
//! instance metadata); `--profile`, `--region` and `--endpoint-url` (or
//! `AWS_ENDPOINT_URL`, which the chain reads itself) override it. The
//! environment's configured region (`region` in `hagen.toml`) comes between
//! the user's explicit choice and the ambient defaults: see
//! [`region_override`]. It knows nothing about stacks.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};

use super::error::{AwsProblem, DeployError};

/// Attempts per AWS call, the first included. The SDK's standard mode
/// default is 3; CloudFormation's describe calls are throttled often enough
/// when several deploys run at once that a few more attempts pay off.
pub const MAX_ATTEMPTS: u32 = 5;

/// Where to reach AWS and as whom; every field overrides the standard chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// A named profile from `~/.aws/config` (`--profile`).
    pub profile: Option<String>,
    /// The region (`--region`).
    pub region: Option<String>,
    /// The region the environment's configuration is for (`region` in
    /// `hagen.toml`): used when neither `--region` nor `AWS_REGION` /
    /// `AWS_DEFAULT_REGION` names one, before the profile's region.
    pub configured_region: Option<String>,
    /// A custom endpoint for every service (`--endpoint-url`), such as a
    /// local emulator or a VPC endpoint.
    pub endpoint_url: Option<String>,
}

/// Standard retry mode with exponential backoff and jitter, and timeouts
/// that keep a silent network from hanging a deploy.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(500))
        .with_max_backoff(Duration::from_secs(20))
}

/// Connect, read and per-attempt timeouts: a request that gets no answer is
/// retried instead of waited on forever.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(180))
        .build()
}

/// The SDK loader with hagen's retry and timeout settings and the user's
/// overrides applied. Callers may adjust it further (tests set static
/// credentials) before `.load()`.
pub fn config_loader(options: &AwsOptions) -> ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(timeout_config());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    let env_var = |name: &str| std::env::var(name).ok();
    if let Some(region) = region_override(options, env_var) {
        loader = loader.region(Region::new(region));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader
}

/// The region to set on the SDK, by precedence: `--region`; then nothing
/// when `AWS_REGION` or `AWS_DEFAULT_REGION` is set (the standard chain
/// reads them itself); then the configured region. `None` leaves the
/// choice to the rest of the standard chain (the profile, instance
/// metadata). `env_var` reads the process environment (tests pass their own).
pub fn region_override(
    options: &AwsOptions,
    env_var: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    if let Some(region) = &options.region {
        return Some(region.clone());
    }
    let from_environment = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .any(|name| env_var(name).is_some_and(|v| !v.trim().is_empty()));
    if from_environment {
        return None;
    }
    options.configured_region.clone()
}

/// The regions of every AWS partition the SDK knows (its partition data
/// as of aws-sdk-cloudformation 1.136), for refusing a misspelt region at
/// once instead of after DNS lookups time out.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// Checks what can be checked without a request: the profile exists, a
/// region is set, and (without a custom endpoint) it is a known one.
/// `env_var` reads the process environment.
pub fn check(
    config: &SdkConfig,
    options: &AwsOptions,
    env_var: impl Fn(&str) -> Option<String>,
) -> Result<(), DeployError> {
    let profile = options
        .profile
        .clone()
        .or_else(|| env_var("AWS_PROFILE").filter(|p| !p.trim().is_empty()));
    if let Some(profile) = profile {
        let known = known_profiles_in(&env_var);
        if !known.contains(&profile) {
            return Err(DeployError::setup(AwsProblem::MissingProfile {
                profile,
                known,
            }));
        }
    }
    let Some(region) = config.region().map(|r| r.as_ref().to_owned()) else {
        return Err(DeployError::setup(AwsProblem::NoRegion));
    };
    let custom_endpoint = config.endpoint_url().is_some()
        || env_var("AWS_ENDPOINT_URL").is_some()
        || env_var("AWS_ENDPOINT_URL_CLOUDFORMATION").is_some();
    if !custom_endpoint && !KNOWN_REGIONS.contains(&region.as_str()) {
        let suggestion = closest_region(&region);
        return Err(DeployError::setup(AwsProblem::UnknownRegion {
            region,
            suggestion,
        }));
    }
    Ok(())
}

/// The known region nearest to `region` by edit distance, when it is
/// within three edits (a typo, not another name).
fn closest_region(region: &str) -> Option<String> {
    KNOWN_REGIONS
        .iter()
        .map(|k| (edit_distance(region, k), *k))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, k)| k.to_owned())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The profiles the AWS config and credentials files define (the files
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` name, else
/// `~/.aws/config` and `~/.aws/credentials`), sorted.
pub fn known_profiles() -> Vec<String> {
    known_profiles_in(&|name: &str| std::env::var(name).ok())
}

fn known_profiles_in(env_var: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let home = env_var("HOME").or_else(|| env_var("USERPROFILE"));
    let file = |var: &str, default: &str| {
        env_var(var).map(std::path::PathBuf::from).or_else(|| {
            home.as_ref()
                .map(|h| std::path::Path::new(h).join(".aws").join(default))
        })
    };
    let mut found = Vec::new();
    for (path, config) in [
        (file("AWS_CONFIG_FILE", "config"), true),
        (file("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
    ] {
        let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) else {
            continue;
        };
        for line in text.lines() {
            let Some(section) = line
                .trim()
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            else {
                continue;
            };
            let section = section.trim();
            let name = if config {
                match section.strip_prefix("profile ") {
                    Some(n) => n.trim(),
                    None if section == "default" => section,
                    None => continue,
                }
            } else {
                section
            };
            if !found.iter().any(|f| f == name) {
                found.push(name.to_owned());
            }
        }
    }
    found.sort();
    found
}

/// Loads the SDK configuration through the standard chain.
pub async fn load(options: &AwsOptions) -> SdkConfig {
    config_loader(options).load().await
}

/// [`load`], then [`check`] against the process environment: what a
/// command that talks to AWS calls, so that a missing profile or region,
/// or a misspelt region, is refused before any request.
pub async fn load_checked(options: &AwsOptions) -> Result<SdkConfig, DeployError> {
    let config = load(options).await;
    check(&config, options, |name| std::env::var(name).ok())?;
    Ok(config)
}

/// The clients a deploy needs, built from one configuration.
#[derive(Debug, Clone)]
pub struct Clients {
    /// CloudFormation.
    pub cfn: aws_sdk_cloudformation::Client,
    /// S3, for templates too large to send inline.
    pub s3: aws_sdk_s3::Client,
    /// STS, to show (and check) the account the credentials belong to.
    pub sts: aws_sdk_sts::Client,
    /// The region requests go to (for S3 URLs and printed commands).
    pub region: Option<String>,
    /// The custom endpoint, when one is set (for S3 URLs and printed commands).
    pub endpoint_url: Option<String>,
}

impl Clients {
    /// Clients for every service hagen calls. With a custom endpoint, S3
    /// uses path-style addresses (`ENDPOINT/BUCKET/KEY`), the form the
    /// template URL takes there too.
    pub fn new(config: &SdkConfig) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Clients {
            cfn: aws_sdk_cloudformation::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            sts: aws_sdk_sts::Client::new(config),
            region: config.region().map(|r| r.as_ref().to_owned()),
            endpoint_url: config.endpoint_url().map(str::to_owned),
        }
    }

    /// Extra flags that make a printed `aws` command reach the same place.
    pub fn cli_flags(&self) -> String {
        let mut flags = String::new();
        if let Some(region) = &self.region {
            flags.push_str(&format!(" --region {region}"));
        }
        if let Some(url) = &self.endpoint_url {
            flags.push_str(&format!(" --endpoint-url {url}"));
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(flag: Option<&str>, configured: Option<&str>) -> AwsOptions {
        AwsOptions {
            region: flag.map(str::to_owned),
            configured_region: configured.map(str::to_owned),
            ..AwsOptions::default()
        }
    }

    fn config(region: Option<&str>, endpoint: Option<&str>) -> SdkConfig {
        let mut b = SdkConfig::builder().behavior_version(BehaviorVersion::latest());
        if let Some(r) = region {
            b = b.region(Region::new(r.to_owned()));
        }
        if let Some(e) = endpoint {
            b = b.endpoint_url(e);
        }
        b.build()
    }

    #[test]
    fn regression_an_unknown_region_is_refused_without_a_request() {
        let none = |_: &str| None;
        let err = check(&config(Some("us-est-1"), None), &options(None, None), none)
            .expect_err("refused");
        assert_eq!(err.to_string(), "unknown AWS region \"us-est-1\"");
        assert!(
            err.fix(None)
                .is_some_and(|f| f.contains("did you mean --region us-east-1?")),
            "{:?}",
            err.fix(None)
        );
        assert!(check(&config(Some("eu-west-3"), None), &options(None, None), none).is_ok());
        assert!(
            check(
                &config(Some("local-1"), Some("http://127.0.0.1:5000")),
                &options(None, None),
                none
            )
            .is_ok(),
            "a custom endpoint takes any region name"
        );
    }

    #[test]
    fn regression_no_region_is_refused_with_the_ways_to_set_one() {
        let err =
            check(&config(None, None), &options(None, None), |_: &str| None).expect_err("refused");
        assert_eq!(err.to_string(), "no AWS region is set");
        assert!(err.fix(None).is_some_and(|f| f.contains("--region")));
    }

    #[test]
    fn profiles_are_read_from_both_files() {
        let dir = std::env::temp_dir().join(format!("hagen-profiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let config_file = dir.join("config");
        let credentials_file = dir.join("credentials");
        std::fs::write(
            &config_file,
            "[default]\nregion=x\n[profile dev]\n[sso-session s]\n",
        )
        .expect("config");
        std::fs::write(&credentials_file, "[ci]\naws_access_key_id=a\n").expect("credentials");
        let env = |name: &str| match name {
            "AWS_CONFIG_FILE" => Some(config_file.display().to_string()),
            "AWS_SHARED_CREDENTIALS_FILE" => Some(credentials_file.display().to_string()),
            _ => None,
        };
        assert_eq!(known_profiles_in(&env), ["ci", "default", "dev"]);
        let missing = AwsOptions {
            profile: Some("prod".into()),
            ..AwsOptions::default()
        };
        let err = check(&config(Some("us-east-1"), None), &missing, env).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "AWS profile \"prod\" does not exist (profiles found: ci, default, dev)"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_flag_wins_then_the_environment_variables_then_the_configuration() {
        let none = |_: &str| None;
        let aws_region = |n: &str| (n == "AWS_REGION").then(|| "us-east-2".to_owned());
        let default_region = |n: &str| (n == "AWS_DEFAULT_REGION").then(|| "us-west-1".to_owned());
        let flag_and_config = options(Some("ap-south-1"), Some("eu-west-1"));
        assert_eq!(
            region_override(&flag_and_config, aws_region).as_deref(),
            Some("ap-south-1")
        );
        let config_only = options(None, Some("eu-west-1"));
        assert_eq!(
            region_override(&config_only, aws_region),
            None,
            "the chain reads AWS_REGION"
        );
        assert_eq!(region_override(&config_only, default_region), None);
        assert_eq!(
            region_override(&config_only, none).as_deref(),
            Some("eu-west-1"),
            "before the profile's region"
        );
        let blank = |_: &str| Some(" ".to_owned());
        assert_eq!(
            region_override(&config_only, blank).as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(region_override(&options(None, None), none), None);
    }
}
