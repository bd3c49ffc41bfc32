//! Names and tokens hagen gives CloudFormation: change-set names and
//! idempotency tokens.
//!
//! Owns their format (CloudFormation's pattern `[a-zA-Z][-a-zA-Z0-9]*`, at
//! most 128 characters). A change-set name is a pure function of the stack
//! name, so a rerun finds (and replaces) the previous one; it includes the
//! stack name because some endpoints do not scope change-set names per stack.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Longest change-set name CloudFormation accepts.
pub const MAX_CHANGE_SET_NAME: usize = 128;

/// The change set `hagen deploy` creates for `stack`.
pub fn deploy_change_set_name(stack: &str) -> String {
    bounded_name("hagen-deploy-", stack)
}

/// The read-only change set `hagen diff --changeset` creates for `stack`
/// (distinct from the deploy one, so a diff never replaces a change set
/// left for review).
pub fn diff_change_set_name(stack: &str) -> String {
    bounded_name("hagen-diff-", stack)
}

fn bounded_name(prefix: &str, stack: &str) -> String {
    let name = format!("{prefix}{stack}");
    if name.len() <= MAX_CHANGE_SET_NAME {
        return name;
    }
    // Keep it unique per stack: a prefix of the stack name plus a hash of all of it.
    let hash = hex(&Sha256::digest(stack.as_bytes()))[..12].to_owned();
    let room = MAX_CHANGE_SET_NAME - prefix.len() - hash.len() - 1;
    format!("{prefix}{}-{hash}", &stack[..room])
}

/// A fresh idempotency token for one operation of one run (CreateChangeSet's
/// `ClientToken`, ExecuteChangeSet's `ClientRequestToken`). The SDK resends
/// the same token on retries, so a retried call cannot start a second
/// operation.
pub fn request_token(stack: &str, purpose: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let seed = format!("{stack}\0{purpose}\0{nanos}\0{}\0{n}", std::process::id());
    format!(
        "hagen-{purpose}-{}",
        &hex(&Sha256::digest(seed.as_bytes()))[..24]
    )
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        name.len() <= MAX_CHANGE_SET_NAME
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }

    #[test]
    fn change_set_names_are_stable_and_valid() {
        assert_eq!(deploy_change_set_name("web"), "hagen-deploy-web");
        assert_eq!(deploy_change_set_name("web"), deploy_change_set_name("web"));
        assert_ne!(deploy_change_set_name("web"), diff_change_set_name("web"));
        let long = "a".repeat(128);
        let name = deploy_change_set_name(&long);
        assert!(valid(&name), "{name}");
        let other = deploy_change_set_name(&format!("{}b", "a".repeat(127)));
        assert_ne!(name, other, "long names stay distinct per stack");
    }

    #[test]
    fn tokens_differ_per_call_and_fit_the_pattern() {
        let a = request_token("web", "create");
        let b = request_token("web", "create");
        assert_ne!(a, b);
        assert!(valid(&a));
    }
}
