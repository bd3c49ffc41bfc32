//! What every command that talks to AWS does before its own work: start
//! the runtime, get the clients (loaded from the flags, or the caller's
//! for tests), say where it is about to act, and refuse when the
//! environment pins another account or region.
//!
//! One place for these steps, so that `deploy`, `diff`, `ls`, `events`,
//! `drift`, `destroy` and `rollback` report their failures with the same
//! words and exit codes.

use crate::deploy::context::{self, Target};
use crate::deploy::{Clients, Console, DeployError};

use super::deploy::{AwsArgs, DeployContext, check_stack_name, report_error, runtime};
use super::exit;

/// A runtime and the AWS clients of one command.
pub struct Session {
    /// The runtime the command's AWS calls run on.
    pub rt: tokio::runtime::Runtime,
    /// The clients.
    pub clients: Clients,
}

/// How the account/region line reaches a JSON reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextRecord {
    /// As a `context` record of its own (commands that print JSON lines).
    Own,
    /// Inside the command's one JSON document: only the text line is
    /// printed here.
    InDocument,
}

impl Session {
    /// Starts the runtime and takes `given` clients or loads them from the
    /// flags (a missing profile or region, or an unknown region, is refused
    /// before any request). On failure the error is printed and its exit
    /// code returned.
    pub fn open(
        aws: &AwsArgs,
        ctx: &DeployContext,
        given: Option<&Clients>,
        console: &mut Console,
    ) -> Result<Session, u8> {
        let rt = runtime().map_err(|e| {
            console.error(e, exit::AWS_ERROR);
            exit::AWS_ERROR
        })?;
        let clients = match given {
            Some(c) => c.clone(),
            None => {
                let options = aws.options(ctx.environment.pins.region.as_deref());
                match rt.block_on(crate::deploy::aws::load_checked(&options)) {
                    Ok(config) => Clients::new(&config),
                    Err(e) => return Err(report_error(console, &e, aws, ctx.verbose)),
                }
            }
        };
        Ok(Session { rt, clients })
    }

    /// Finds where requests for `stack` go (account from STS, region,
    /// endpoint), says so, and with `check_pins` refuses (exit 5) when the
    /// environment pins another account or region.
    pub fn target(
        &self,
        stack: &str,
        ctx: &DeployContext,
        check_pins: bool,
        record: ContextRecord,
        console: &mut Console,
    ) -> Result<Target, u8> {
        let target = self.rt.block_on(context::target(&self.clients, stack));
        if record == ContextRecord::Own || !console.is_json() {
            console.context(&target);
        }
        if check_pins && let Err(e) = context::check(&target, &ctx.environment.pins) {
            console.error(e, exit::CHANGE_SET_REFUSED);
            return Err(exit::CHANGE_SET_REFUSED);
        }
        Ok(target)
    }
}

/// The stack a command acts on: the one named on the command line, else
/// the environment's (`from_env` then true, so that its pins apply). A
/// name must follow CloudFormation's rule; an ARN is taken as it is.
/// `usage` says how to name one when neither is there.
pub fn stack_name(
    given: Option<&String>,
    ctx: &DeployContext,
    usage: &str,
) -> Result<(String, bool), DeployError> {
    let (name, from_env) = match (given, &ctx.default_stack_name) {
        (Some(s), _) => (s.clone(), false),
        (None, Some(s)) => (s.clone(), true),
        (None, None) => return Err(DeployError::Usage(format!("no stack name: {usage}"))),
    };
    if !name.starts_with("arn:") {
        check_stack_name(&name).map_err(DeployError::Usage)?;
    }
    Ok((name, from_env))
}
