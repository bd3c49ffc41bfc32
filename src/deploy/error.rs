//! The typed errors of a deploy, each saying what happened and what to do.
//!
//! Owns the error enum and its conversion from SDK errors: an SDK error is
//! classified into an [`AwsProblem`] (no credentials, expired SSO session,
//! access denied, throttling...) so that the message is one line and the
//! fix another, with the SDK's full detail kept aside for `--verbose`. It
//! does not pick exit codes (that is `crate::cli::deploy`) and prints
//! nothing.

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use thiserror::Error;

/// Why a deploy (or diff) stopped before reaching an outcome.
#[derive(Debug, Error)]
pub enum DeployError {
    /// A flag or input that cannot work (bad `KEY=VALUE`, unknown parameter,
    /// a template too large to send without `--bucket`).
    #[error("{0}")]
    Usage(String),
    /// The deploy would remove or change exports that other stacks import;
    /// refused before any change set exists. The message lists them and
    /// the two deploys that resolve it.
    #[error("{message}")]
    ExportInUse {
        /// The exports, their importers and what to do.
        message: String,
    },
    /// CloudFormation rejected the template or the change set (validation
    /// error, failed change set, missing capability).
    #[error("CloudFormation rejected the template: {message}")]
    TemplateRejected {
        /// CloudFormation's reason, as it gave it.
        message: String,
    },
    /// An AWS call failed after the SDK's retries, or AWS access is not
    /// set up (no region, an unknown one, a missing profile).
    #[error("{}", aws_summary(action, message, problem))]
    Aws {
        /// What hagen was doing (`DescribeStacks for stack "web"`).
        action: String,
        /// The AWS error code, when the service answered (`Throttling`, `ValidationError`).
        code: Option<String>,
        /// The service's message, or the innermost transport error.
        message: String,
        /// What kind of failure it is, for the fix to print (boxed: errors
        /// travel in every `Result` of a deploy).
        problem: Box<AwsProblem>,
        /// The SDK's whole error with every cause, for `--verbose`.
        detail: String,
    },
    /// hagen lost contact with CloudFormation while a stack operation was
    /// running; the operation itself goes on.
    #[error(
        "lost contact with CloudFormation while watching stack {stack:?} ({message}); the operation continues in CloudFormation: follow it with `{follow}`"
    )]
    LostContact {
        /// The stack being watched.
        stack: String,
        /// The last error seen.
        message: String,
        /// A command that shows the stack's progress.
        follow: String,
    },
    /// Waiting for something took longer than allowed.
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout {
        /// What was being waited for.
        what: String,
        /// How long hagen waited.
        seconds: u64,
    },
    /// A parameters or tags input that cannot work: a file that cannot be
    /// read or has the wrong shape, or a parameter the template does not
    /// declare (the message names where it was written).
    #[error(transparent)]
    Input(#[from] super::inputs::InputError),
    /// A template that must go through S3 (over 51,200 bytes, or with
    /// nested stacks), no bucket given (`--bucket`, `template_bucket` in
    /// `hagen.toml`), and no usable bootstrap stack to take one from:
    /// `hagen bootstrap` makes it.
    #[error("{needs}, and no S3 bucket is set up for it: {reason}")]
    NoTemplateBucket {
        /// What needs the bucket (`the template is 61,760 bytes, over
        /// CloudFormation's inline limit of 51,200 bytes`).
        needs: String,
        /// Why the bootstrap stack gave no bucket (none, unfinished, not
        /// hagen's, too old).
        reason: String,
        /// The bootstrap stack looked up.
        bootstrap_stack: String,
        /// The flags that reach the same region and endpoint
        /// (`--region eu-west-1`), for the command in the fix.
        flags: String,
    },
    /// Writing a local file (outputs) or the terminal failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being written.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// What went wrong talking to AWS, as far as a person fixing it cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsProblem {
    /// No credentials anywhere in the standard chain.
    NoCredentials,
    /// The named profile is in no AWS config or credentials file.
    MissingProfile {
        /// The profile asked for.
        profile: String,
        /// The profiles the files do define.
        known: Vec<String>,
    },
    /// The profile uses IAM Identity Center (SSO) and its cached token is
    /// missing or expired.
    SsoLogin,
    /// The credentials (a session token) have expired.
    ExpiredCredentials,
    /// AWS does not recognise the access key or its signature.
    InvalidCredentials,
    /// The principal may not call the API.
    AccessDenied {
        /// The IAM action (`cloudformation:CreateChangeSet`).
        action: Option<String>,
        /// Who asked (`arn:aws:iam::123456789012:user/ana`), when AWS says.
        principal: Option<String>,
    },
    /// Still throttled after every retry.
    Throttled,
    /// The endpoint could not be reached (DNS, connection, timeout).
    Unreachable,
    /// No region anywhere (flag, environment, hagen.toml, profile).
    NoRegion,
    /// A region name that no AWS partition has.
    UnknownRegion {
        /// The name given.
        region: String,
        /// The closest known region, when one is close.
        suggestion: Option<String>,
    },
    /// Anything else: the service's own message says it.
    Other,
}

fn aws_summary(action: &str, message: &str, problem: &AwsProblem) -> String {
    match problem {
        AwsProblem::NoCredentials => format!("no AWS credentials found ({action})"),
        AwsProblem::MissingProfile { profile, known } => {
            let found = if known.is_empty() {
                "the AWS config files define none".to_owned()
            } else {
                format!("profiles found: {}", known.join(", "))
            };
            format!("AWS profile {profile:?} does not exist ({found})")
        }
        AwsProblem::SsoLogin => {
            format!("the AWS SSO session has expired or was never started ({action})")
        }
        AwsProblem::ExpiredCredentials => {
            format!("the AWS credentials have expired ({action}: {message})")
        }
        AwsProblem::InvalidCredentials => {
            format!("AWS does not accept these credentials ({action}: {message})")
        }
        AwsProblem::AccessDenied {
            action: api,
            principal,
        } => {
            let who = principal.as_deref().unwrap_or("these credentials");
            let what = api.as_deref().unwrap_or("this action");
            format!("access denied: {who} may not call {what}")
        }
        AwsProblem::Throttled => format!(
            "AWS kept throttling the requests after {} attempts ({action}: {message})",
            super::aws::MAX_ATTEMPTS
        ),
        AwsProblem::Unreachable => format!("cannot reach AWS ({action}: {message})"),
        AwsProblem::NoRegion => "no AWS region is set".to_owned(),
        AwsProblem::UnknownRegion { region, .. } => format!("unknown AWS region {region:?}"),
        AwsProblem::Other => format!("{action} failed: {message}"),
    }
}

impl DeployError {
    /// What to do about this error, in one line, when hagen knows;
    /// `profile` is the profile in use (for `aws sso login`).
    pub fn fix(&self, profile: Option<&str>) -> Option<String> {
        if let DeployError::NoTemplateBucket {
            bootstrap_stack,
            flags,
            ..
        } = self
        {
            return Some(format!(
                "run `{}` once for this account and region (it creates the bucket), then deploy again; or pass --bucket NAME (an S3 bucket of your own in the stack's region)",
                super::bootstrap::bootstrap_command(bootstrap_stack, profile, flags)
            ));
        }
        let DeployError::Aws { problem, .. } = self else {
            return None;
        };
        let with_profile = profile
            .map(|p| format!(" --profile {p}"))
            .unwrap_or_default();
        let fix = match problem.as_ref() {
            AwsProblem::NoCredentials => "configure credentials: run `aws configure` (or `aws configure sso`), pass --profile NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_owned(),
            AwsProblem::MissingProfile { profile, known } => match known.first() {
                Some(first) => format!("pass --profile with one of the profiles found (e.g. --profile {first}), or create {profile:?} with `aws configure --profile {profile}`"),
                None => format!("create it with `aws configure --profile {profile}` (files: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/config)"),
            },
            AwsProblem::SsoLogin => format!("run `aws sso login{with_profile}`, then run hagen again"),
            AwsProblem::ExpiredCredentials => format!("get fresh credentials (`aws sso login{with_profile}`, or new temporary keys), then run hagen again"),
            AwsProblem::InvalidCredentials => "check the access key and secret in use (`aws configure list`), or pick another --profile".to_owned(),
            AwsProblem::AccessDenied { action, .. } => format!(
                "grant {} to that principal in IAM, or use a --profile that has it",
                action.as_deref().unwrap_or("the action")
            ),
            AwsProblem::Throttled => "wait a minute and run again; fewer deploys or scripts calling CloudFormation at once help".to_owned(),
            AwsProblem::Unreachable => "check the network (proxy, VPN), --region and --endpoint-url".to_owned(),
            AwsProblem::NoRegion => "pass --region REGION, set AWS_REGION, or set `region` for the environment in hagen.toml".to_owned(),
            AwsProblem::UnknownRegion { region, suggestion } => format!(
                "{}for a region newer than this hagen, pass --endpoint-url https://cloudformation.{region}.amazonaws.com",
                suggestion
                    .as_deref()
                    .map(|s| format!("did you mean --region {s}? "))
                    .unwrap_or_default()
            ),
            AwsProblem::Other => return None,
        };
        Some(fix)
    }

    /// The SDK's full error, for `--verbose`; `None` when there is nothing
    /// beyond the message.
    pub fn detail(&self) -> Option<&str> {
        match self {
            DeployError::Aws { detail, .. } if !detail.is_empty() => Some(detail),
            _ => None,
        }
    }

    /// An AWS access problem found before any call (region, profile).
    pub fn setup(problem: AwsProblem) -> Self {
        DeployError::Aws {
            action: "setting up AWS access".into(),
            code: None,
            message: String::new(),
            problem: Box::new(problem),
            detail: String::new(),
        }
    }

    /// An [`DeployError::Aws`] from any SDK error, keeping the error code when
    /// the service answered and the innermost transport cause otherwise,
    /// classified for its fix.
    pub fn aws<E>(action: impl Into<String>, err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let action = action.into();
        let detail = DisplayErrorContext(err).to_string();
        let (code, message) = match err.as_service_error() {
            Some(service) => {
                let code = service.code().map(str::to_owned);
                let message = match (service.message(), &code, err.raw_response()) {
                    (Some(message), _, _) => message.to_owned(),
                    // An answer that is not an AWS error document (a proxy's
                    // or load balancer's HTML page): its status says enough,
                    // the raw body would only bury it.
                    (None, None, Some(raw)) => format!(
                        "HTTP {} with no AWS error in the answer",
                        raw.status().as_u16()
                    ),
                    _ => DisplayErrorContext(err).to_string(),
                };
                (code, message)
            }
            None => (None, innermost(err)),
        };
        let transport = err.as_service_error().is_none()
            && matches!(
                err,
                SdkError::DispatchFailure(_)
                    | SdkError::TimeoutError(_)
                    | SdkError::ResponseError(_)
            );
        let problem = classify(&action, code.as_deref(), &message, &detail, transport);
        DeployError::Aws {
            action,
            code,
            message,
            problem: Box::new(problem),
            detail,
        }
    }

    /// An I/O error while writing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        DeployError::Io {
            what: what.into(),
            source,
        }
    }
}

/// The deepest cause of an error: for a transport failure the one line that
/// says what happened (`Connection refused`), without the wrappers.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// Sorts an AWS failure into an [`AwsProblem`]. `detail` is the error with
/// all its causes (credential provider errors only show up there);
/// `transport` says the request got no answer.
fn classify(
    action: &str,
    code: Option<&str>,
    message: &str,
    detail: &str,
    transport: bool,
) -> AwsProblem {
    if let Some(code) = code {
        return match code {
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
                let (principal, api) = parse_denial(message);
                AwsProblem::AccessDenied {
                    action: api.or_else(|| {
                        action
                            .split_whitespace()
                            .next()
                            .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
                            .map(|w| format!("cloudformation:{w}"))
                    }),
                    principal,
                }
            }
            "Throttling"
            | "ThrottlingException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded" => AwsProblem::Throttled,
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
                AwsProblem::ExpiredCredentials
            }
            "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "SignatureDoesNotMatch"
            | "InvalidAccessKeyId"
            | "IncompleteSignature" => AwsProblem::InvalidCredentials,
            _ => AwsProblem::Other,
        };
    }
    let lower = detail.to_ascii_lowercase();
    if lower.contains("sso token has expired")
        || lower.contains("cached sso token")
        || lower.contains("sso/cache")
        || (lower.contains("sso") && lower.contains("unauthorized"))
    {
        return AwsProblem::SsoLogin;
    }
    if let Some(rest) = detail.split("profile `").nth(1)
        && let Some((profile, after)) = rest.split_once('`')
        && after.starts_with(" was not defined")
    {
        return AwsProblem::MissingProfile {
            profile: profile.to_owned(),
            known: super::aws::known_profiles(),
        };
    }
    if lower.contains("no providers in chain provided credentials")
        || lower.contains("credentialsnotloaded")
        || lower.contains("no profiles were defined")
        || lower.contains("did not contain credential information")
        || lower.contains("failed to load credentials")
    {
        return AwsProblem::NoCredentials;
    }
    if transport {
        return AwsProblem::Unreachable;
    }
    AwsProblem::Other
}

/// The principal and IAM action of an access-denied message in AWS's usual
/// form: `User: ARN is not authorized to perform: ACTION on resource: ...`.
fn parse_denial(message: &str) -> (Option<String>, Option<String>) {
    let principal = message
        .split("User: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned);
    let api = message
        .split("perform: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|a| a.trim_end_matches([',', '.']).to_owned());
    (principal, api)
}

/// The service's error code and message, when the service answered.
pub(crate) fn service_error<E, R>(err: &SdkError<E, R>) -> Option<(String, String)>
where
    E: ProvideErrorMetadata,
{
    let service = err.as_service_error()?;
    Some((
        service.code().unwrap_or_default().to_owned(),
        service.message().unwrap_or_default().to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudformation::config::http::HttpResponse;
    use aws_sdk_cloudformation::error::{ErrorMetadata, SdkError};
    use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetError;
    use aws_sdk_s3::primitives::SdkBody;

    use super::DeployError;

    fn answered(status: u16, metadata: ErrorMetadata) -> DeployError {
        let raw = HttpResponse::new(
            status.try_into().expect("a valid status"),
            SdkBody::from("<!doctype html><title>500 Internal Server Error</title>"),
        );
        let err = SdkError::service_error(ExecuteChangeSetError::generic(metadata), raw);
        DeployError::aws("ExecuteChangeSet", &err)
    }

    #[test]
    fn an_html_error_page_is_reported_by_its_status_not_its_body() {
        let DeployError::Aws { code, message, .. } = answered(500, ErrorMetadata::default()) else {
            panic!("an AWS error")
        };
        assert_eq!(code, None);
        assert_eq!(message, "HTTP 500 with no AWS error in the answer");
    }

    #[test]
    fn access_denied_names_the_principal_and_the_action() {
        let meta = ErrorMetadata::builder()
            .code("AccessDenied")
            .message("User: arn:aws:iam::123456789012:user/ana is not authorized to perform: cloudformation:ExecuteChangeSet on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/web/1 because no identity-based policy allows the cloudformation:ExecuteChangeSet action")
            .build();
        let err = answered(403, meta);
        assert_eq!(
            err.to_string(),
            "access denied: arn:aws:iam::123456789012:user/ana may not call cloudformation:ExecuteChangeSet"
        );
        assert!(
            err.fix(None)
                .is_some_and(|f| f.contains("grant cloudformation:ExecuteChangeSet"))
        );
    }

    #[test]
    fn access_denied_without_details_names_the_call_hagen_made() {
        let meta = ErrorMetadata::builder()
            .code("AccessDenied")
            .message("Access Denied")
            .build();
        let err = answered(403, meta);
        assert_eq!(
            err.to_string(),
            "access denied: these credentials may not call cloudformation:ExecuteChangeSet"
        );
    }

    #[test]
    fn expired_and_rejected_credentials_say_what_to_do() {
        let expired = ErrorMetadata::builder()
            .code("ExpiredToken")
            .message("The security token included in the request is expired")
            .build();
        let err = answered(400, expired);
        assert!(
            err.to_string()
                .starts_with("the AWS credentials have expired")
        );
        assert_eq!(
            err.fix(Some("dev")).as_deref(),
            Some(
                "get fresh credentials (`aws sso login --profile dev`, or new temporary keys), then run hagen again"
            )
        );
        let rejected = ErrorMetadata::builder()
            .code("InvalidClientTokenId")
            .message("The security token included in the request is invalid.")
            .build();
        let err = answered(403, rejected);
        assert!(
            err.to_string()
                .starts_with("AWS does not accept these credentials")
        );
        assert!(
            err.fix(None)
                .is_some_and(|f| f.contains("aws configure list"))
        );
    }

    #[test]
    fn other_service_errors_keep_their_message_and_have_no_fix() {
        let meta = ErrorMetadata::builder()
            .code("ValidationError")
            .message("Stack [web] does not exist")
            .build();
        let err = answered(400, meta);
        assert_eq!(
            err.to_string(),
            "ExecuteChangeSet failed: Stack [web] does not exist"
        );
        assert_eq!(err.fix(None), None);
    }

    #[test]
    fn credential_chain_failures_are_told_apart() {
        use super::{AwsProblem, classify};
        let sso = "dispatch failure: other: the credential provider was not enabled: the SSO token has expired and cannot be refreshed";
        assert_eq!(classify("X", None, "", sso, true), AwsProblem::SsoLogin);
        let none = "failed to construct request: no providers in chain provided credentials";
        assert_eq!(
            classify("X", None, "", none, true),
            AwsProblem::NoCredentials
        );
        let profile = "ProfileFile provider could not be built: profile `nope` was not defined: x";
        assert!(matches!(
            classify("X", None, "", profile, true),
            AwsProblem::MissingProfile { profile, .. } if profile == "nope"
        ));
        assert_eq!(
            classify("X", None, "Connection refused", "io error", true),
            AwsProblem::Unreachable
        );
        assert_eq!(
            classify("X", Some("ValidationError"), "", "", false),
            AwsProblem::Other
        );
    }

    #[test]
    fn an_aws_error_keeps_its_code_and_message() {
        let meta = ErrorMetadata::builder()
            .code("Throttling")
            .message("Rate exceeded")
            .build();
        let DeployError::Aws { code, message, .. } = answered(400, meta) else {
            panic!("an AWS error")
        };
        assert_eq!(code.as_deref(), Some("Throttling"));
        assert_eq!(message, "Rate exceeded");
    }
}
