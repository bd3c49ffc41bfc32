//! AWS access: where credentials, region and endpoint come from, and how
//! requests are retried and timed out.
//!
//! Owns the SDK configuration only. Credentials and region come from the
//! standard chain (environment, profiles, SSO, `credential_process`,
//! instance metadata); `--profile`, `--region` and `--endpoint-url` (or
//! `AWS_ENDPOINT_URL`, which the chain reads itself) override it. It knows
//! nothing about stacks.

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
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader
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
