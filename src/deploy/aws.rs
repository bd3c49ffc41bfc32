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

/// Loads the SDK configuration through the standard chain.
pub async fn load(options: &AwsOptions) -> SdkConfig {
    config_loader(options).load().await
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
