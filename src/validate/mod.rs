//! Checks over a [`Template`](crate::template::Template): AWS resource
//! schemas, references, quotas, network consistency, and named security and
//! availability rules with suppressions that carry a reason.

mod diagnostic;
pub mod rules;
pub mod scenario;
pub mod schema;
#[cfg(test)]
mod testing;
mod text;

pub use diagnostic::{Diagnostic, Severity};
