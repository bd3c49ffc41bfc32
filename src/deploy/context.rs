//! Where a deploy or diff is about to act: the account the credentials
//! belong to, the region, the endpoint (when one is set) and the stack,
//! shown before anything else, and checked against the account and region
//! an environment pins in `hagen.toml`.
//!
//! A deploy to the wrong account or region otherwise looks like an
//! ordinary create. Owns asking STS who the caller is, the one-line
//! summary, and the pin check; it creates nothing and changes nothing.

use std::fmt;

use thiserror::Error;

use super::aws::Clients;
use super::error::DeployError;

/// The account and region an environment is for (`account` and `region`
/// in `hagen.toml`); `None` pins nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    /// The account ID the environment belongs to.
    pub account: Option<String>,
    /// The region the environment is for.
    pub region: Option<String>,
    /// Where they were written, for messages (`hagen.toml:4:1`).
    pub account_origin: Option<String>,
    /// Where the region was written.
    pub region_origin: Option<String>,
    /// The environment's name, for messages.
    pub environment: Option<String>,
}

/// Where requests go and as whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    /// The account ID, when STS could tell.
    pub account: Option<String>,
    /// Why STS could not tell (its error), when it could not.
    pub account_unknown: Option<String>,
    /// The region requests go to.
    pub region: Option<String>,
    /// The custom endpoint, when one is set.
    pub endpoint: Option<String>,
    /// The stack.
    pub stack: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let account = self.account.as_deref().unwrap_or("unknown");
        let region = self.region.as_deref().unwrap_or("(none)");
        write!(f, "Account {account} · Region {region}")?;
        if let Some(endpoint) = &self.endpoint {
            write!(f, " · Endpoint {endpoint}")?;
        }
        write!(f, " · Stack {}", self.stack)
    }
}

/// Why hagen refuses to act where it would.
#[derive(Debug, Error)]
pub enum ContextError {
    /// The credentials or region are not those the environment pins.
    #[error("{0}")]
    Mismatch(String),
    /// The account is pinned and STS could not say whose the credentials are.
    #[error(
        "environment {environment} pins account {expected} ({origin}), but hagen cannot tell which account the credentials belong to: {cause}"
    )]
    Unverified {
        /// The environment.
        environment: String,
        /// The pinned account.
        expected: String,
        /// Where it is pinned.
        origin: String,
        /// STS's error, as it was reported.
        cause: String,
    },
}

/// Asks STS whose the credentials are, and returns the target. An STS
/// failure leaves the account unknown (the next AWS call reports the
/// credentials problem in full); [`check`] refuses it when an account is
/// pinned.
pub async fn target(clients: &Clients, stack: &str) -> Target {
    let (account, account_unknown) = match clients.sts.get_caller_identity().send().await {
        Ok(out) => (out.account().map(str::to_owned), None),
        Err(e) => (
            None,
            Some(DeployError::aws("GetCallerIdentity", &e).to_string()),
        ),
    };
    Target {
        account,
        account_unknown,
        region: clients.region.clone(),
        endpoint: clients.endpoint_url.clone(),
        stack: stack.to_owned(),
    }
}

/// Refuses a target outside what the environment pins, saying which is
/// expected, which is in use, and how to switch.
pub fn check(target: &Target, pins: &Pins) -> Result<(), ContextError> {
    let environment = pins.environment.as_deref().unwrap_or("(unnamed)");
    if let Some(expected) = &pins.account {
        let origin = pins.account_origin.as_deref().unwrap_or("hagen.toml");
        match &target.account {
            None => {
                return Err(ContextError::Unverified {
                    environment: environment.to_owned(),
                    expected: expected.clone(),
                    origin: origin.to_owned(),
                    cause: target
                        .account_unknown
                        .clone()
                        .unwrap_or_else(|| "STS gave no account".into()),
                });
            }
            Some(actual) if actual != expected => {
                return Err(ContextError::Mismatch(format!(
                    "environment {environment} is for account {expected} ({origin}), but the credentials in use belong to account {actual}; hagen stopped before changing anything\n  = help: switch to credentials of account {expected} (--profile NAME, or AWS_PROFILE), or pick the environment of account {actual} with --env"
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(expected) = &pins.region {
        let origin = pins.region_origin.as_deref().unwrap_or("hagen.toml");
        let actual = target.region.as_deref().unwrap_or("(none)");
        if actual != expected {
            return Err(ContextError::Mismatch(format!(
                "environment {environment} is for region {expected} ({origin}), but requests would go to region {actual}; hagen stopped before changing anything\n  = help: pass --region {expected} (or unset AWS_REGION / AWS_DEFAULT_REGION), or pick the environment of region {actual} with --env"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(account: Option<&str>, region: &str) -> Target {
        Target {
            account: account.map(str::to_owned),
            account_unknown: account.is_none().then(|| "no credentials".to_owned()),
            region: Some(region.to_owned()),
            endpoint: None,
            stack: "web-stage".into(),
        }
    }

    fn pins(account: Option<&str>, region: Option<&str>) -> Pins {
        Pins {
            account: account.map(str::to_owned),
            region: region.map(str::to_owned),
            account_origin: Some("hagen.toml:3:11".into()),
            region_origin: Some("hagen.toml:4:10".into()),
            environment: Some("stage".into()),
        }
    }

    #[test]
    fn the_summary_names_account_region_endpoint_and_stack() {
        let mut t = target(Some("123456789012"), "eu-west-1");
        assert_eq!(
            t.to_string(),
            "Account 123456789012 · Region eu-west-1 · Stack web-stage"
        );
        t.endpoint = Some("http://127.0.0.1:5000".into());
        t.account = None;
        assert_eq!(
            t.to_string(),
            "Account unknown · Region eu-west-1 · Endpoint http://127.0.0.1:5000 · Stack web-stage"
        );
    }

    #[test]
    fn nothing_pinned_accepts_anything() {
        assert!(check(&target(None, "us-east-1"), &Pins::default()).is_ok());
    }

    #[test]
    fn a_pinned_account_refuses_another_and_an_unknown_one() {
        let p = pins(Some("111111111111"), None);
        assert!(check(&target(Some("111111111111"), "us-east-1"), &p).is_ok());
        let err = check(&target(Some("222222222222"), "us-east-1"), &p).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("for account 111111111111 (hagen.toml:3:11)"),
            "{text}"
        );
        assert!(text.contains("belong to account 222222222222"), "{text}");
        assert!(text.contains("--profile"), "{text}");
        let err = check(&target(None, "us-east-1"), &p).unwrap_err();
        assert!(err.to_string().contains("no credentials"), "{err}");
    }

    #[test]
    fn a_pinned_region_refuses_another() {
        let p = pins(None, Some("eu-west-1"));
        assert!(check(&target(None, "eu-west-1"), &p).is_ok());
        let err = check(&target(None, "us-east-1"), &p).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("for region eu-west-1"), "{text}");
        assert!(text.contains("--region eu-west-1"), "{text}");
    }
}
