//! What a check reports: a rule ID, a severity, where, what, and what to do.
//!
//! Every check in `crate::validate` returns these; reporters (human, JSON,
//! SARIF) and `hagen synth` consume them. This module owns the shape only.

use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails anything.
    Info,
    /// Likely a mistake or a risk; `hagen validate` exits with the warnings code.
    Warning,
    /// CloudFormation would reject it, or it breaks security or availability
    /// guarantees: synth refuses to print, deploy refuses to start.
    Error,
}

impl Severity {
    /// Lower-case name used in reports (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable rule ID (`E3012`-style codes are cfn-lint's; ours are `HG...`).
    pub rule: String,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Logical ID of the resource (or parameter, output...) concerned, if any.
    pub resource: Option<String>,
    /// Path inside the template, from the top: `["Resources", "Db", "Properties", "Port"]`.
    pub path: Vec<String>,
    /// What to do about it.
    pub hint: Option<String>,
}
