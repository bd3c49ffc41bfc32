//! The typed errors of a deploy, each saying what happened and what to do.
//!
//! Owns the error enum and its conversion from SDK errors. It does not pick
//! exit codes (that is `crate::cli::deploy`) and prints nothing.

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
    pub fn aws<E>(action: impl Into<String>, err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
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
