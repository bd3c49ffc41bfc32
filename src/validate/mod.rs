//! Checks over a [`Template`](crate::template::Template): AWS resource
//! schemas, references, quotas, network consistency, and named security and
//! availability rules with suppressions that carry a reason.

mod diagnostic;

pub use diagnostic::{Diagnostic, Severity};
