//! Names and tokens hagen gives CloudFormation: change-set names, their
//! descriptions, and idempotency tokens.
//!
//! Owns their format (CloudFormation's pattern `[a-zA-Z][-a-zA-Z0-9]*`, at
//! most 128 characters). Every deploy run gets a change-set name of its
//! own (`hagen-deploy-` + UTC time + a random part), so two runs on one
//! stack never replace each other's change set; the description says which
//! kind of run made it and who ran it, which is how hagen recognises its
//! own change sets later (see [`RunKind::of_description`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Longest change-set name CloudFormation accepts.
pub const MAX_CHANGE_SET_NAME: usize = 128;

/// The prefix of every change set `hagen deploy` creates.
pub const DEPLOY_PREFIX: &str = "hagen-deploy-";

/// A fresh change-set name for one `hagen deploy` run: `hagen-deploy-`,
/// the UTC time (`20261206-110146`) and 8 random hex digits. Unique per run,
/// so a second deploy of the same stack never deletes the first one's.
pub fn deploy_change_set_name() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let random = &request_token("", "name")["hagen-name-".len()..]; // 24 hex digits
    format!("{DEPLOY_PREFIX}{}-{}", utc_stamp(now), &random[..8])
}

/// `YYYYMMDD-HHMMSS` for seconds since the Unix epoch, in UTC.
fn utc_stamp(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or_default();
    let rest = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// Which kind of `hagen deploy` run made a change set, as its description
/// records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// A run that reviews and executes (or cleans up) its change set: while
    /// its change set is pending, that run is still going.
    Deploy,
    /// `--no-execute`: the change set is kept for review on purpose.
    ForReview,
}

const DEPLOY_DESCRIPTION: &str = "hagen deploy run";
const REVIEW_DESCRIPTION: &str = "hagen deploy --no-execute";

impl RunKind {
    /// The change-set description for a run of this kind by `who`
    /// (`user@host`, pid), within CloudFormation's 1,024 characters.
    pub fn description(self, who: &str) -> String {
        let what = match self {
            RunKind::Deploy => DEPLOY_DESCRIPTION,
            RunKind::ForReview => REVIEW_DESCRIPTION,
        };
        let text = format!("{what} by {who}");
        text.chars().take(1_024).collect()
    }

    /// The kind of run a change-set description names, or `None` when
    /// hagen did not make it (or an older hagen did).
    pub fn of_description(description: &str) -> Option<RunKind> {
        if description.starts_with(REVIEW_DESCRIPTION) {
            Some(RunKind::ForReview)
        } else if description.starts_with(DEPLOY_DESCRIPTION) {
            Some(RunKind::Deploy)
        } else {
            None
        }
    }

    /// Who a description says made the change set (`user@host (pid N)`).
    pub fn who(description: &str) -> Option<&str> {
        description.split_once(" by ").map(|(_, who)| who)
    }
}

/// Who runs this process, for change-set descriptions: `user@host (pid N)`
/// from the environment, parts that are unknown left out.
pub fn this_run() -> String {
    let user = ["USER", "USERNAME", "LOGNAME"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        });
    let pid = std::process::id();
    match (user, host) {
        (Some(u), Some(h)) => format!("{u}@{h} (pid {pid})"),
        (Some(u), None) => format!("{u} (pid {pid})"),
        (None, Some(h)) => format!("{h} (pid {pid})"),
        (None, None) => format!("pid {pid}"),
    }
}

/// The read-only change set `hagen diff --changeset` creates for `stack`
/// (distinct from the deploy ones, so a diff never replaces a change set
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
    fn regression_every_deploy_run_gets_its_own_change_set_name() {
        let a = deploy_change_set_name();
        let b = deploy_change_set_name();
        assert_ne!(a, b);
        assert!(valid(&a) && a.starts_with(DEPLOY_PREFIX), "{a}");
        assert_eq!(a.len(), DEPLOY_PREFIX.len() + 15 + 1 + 8, "{a}");
    }

    #[test]
    fn diff_names_are_stable_and_valid() {
        assert_eq!(diff_change_set_name("web"), "hagen-diff-web");
        let long = "a".repeat(128);
        let name = diff_change_set_name(&long);
        assert!(valid(&name), "{name}");
        let other = diff_change_set_name(&format!("{}b", "a".repeat(127)));
        assert_ne!(name, other, "long names stay distinct per stack");
    }

    #[test]
    fn utc_stamps_are_calendar_dates() {
        assert_eq!(utc_stamp(0), "19700101-000000");
        assert_eq!(utc_stamp(951_782_400), "20000229-000000");
        assert_eq!(utc_stamp(1_796_555_106), "20261206-110506");
    }

    #[test]
    fn descriptions_say_which_run_made_a_change_set() {
        let d = RunKind::Deploy.description("ana@ci (pid 7)");
        assert_eq!(RunKind::of_description(&d), Some(RunKind::Deploy));
        assert_eq!(RunKind::who(&d), Some("ana@ci (pid 7)"));
        let r = RunKind::ForReview.description("ana@ci (pid 7)");
        assert_eq!(RunKind::of_description(&r), Some(RunKind::ForReview));
        assert_eq!(RunKind::of_description("Created by hagen deploy"), None);
        assert_eq!(RunKind::of_description("made by hand"), None);
    }

    #[test]
    fn tokens_differ_per_call_and_fit_the_pattern() {
        let a = request_token("web", "create");
        let b = request_token("web", "create");
        assert_ne!(a, b);
        assert!(valid(&a));
    }
}
