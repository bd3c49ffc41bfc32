//! The typed errors of a deploy, each saying what happened and what to do.
//!
//! Owns the error enum and its conversion from SDK errors. It does not pick
//! exit codes (that is `crate::cli::deploy`) and prints nothing.

use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use thiserror::Error;

/// Why a deploy (or diff) stopped before reaching an outcome.
#[derive(Debug, Error)]
pub enum DeployError {
    /// A flag or input that cannot work (bad `KEY=VALUE`, unknown parameter,
    /// a template too large to send without `--bucket`).
    #[error("{0}")]
    Usage(String),
    /// CloudFormation rejected the template or the change set (validation
    /// error, failed change set, missing capability).
    #[error("CloudFormation rejected the template: {message}")]
    TemplateRejected {
        /// CloudFormation's reason, as it gave it.
        message: String,
    },
    /// An AWS call failed after the SDK's retries.
    #[error("{action} failed: {message}")]
    Aws {
        /// What hagen was doing (`DescribeStacks for stack "web"`).
        action: String,
        /// The AWS error code, when the service answered (`Throttling`, `ValidationError`).
        code: Option<String>,
        /// The service's message, or the transport error with its causes.
        message: String,
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

impl DeployError {
    /// An [`DeployError::Aws`] from any SDK error, keeping the error code when
    /// the service answered and the transport causes otherwise.
    pub fn aws<E, R>(action: impl Into<String>, err: &SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let (code, message) = match err.as_service_error() {
            Some(service) => (
                service.code().map(str::to_owned),
                service
                    .message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| DisplayErrorContext(err).to_string()),
            ),
            None => (None, DisplayErrorContext(err).to_string()),
        };
        DeployError::Aws {
            action: action.into(),
            code,
            message,
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
