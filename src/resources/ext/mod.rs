//! Hand-written additions to generated service modules, re-exported from
//! them (`hagen::resources::iam::policy_document`): helpers for values the
//! schemas leave free-form, shortcuts for common shapes, and the one tag
//! format that needs code. The generator's override table lists each
//! service that has one, with its reason.

#[cfg(feature = "autoscaling")]
pub mod autoscaling;
#[cfg(feature = "ec2")]
pub mod ec2;
#[cfg(feature = "elasticloadbalancingv2")]
pub mod elasticloadbalancingv2;
#[cfg(feature = "iam")]
pub mod iam;
