//! The library's integration tests, in one test binary: the constructs
//! checked by cfn-lint, and the checks (`hagen::validate`) against their
//! corpus, cfn-lint, their documentation and random templates.
//!
//! Nothing here needs the AWS SDK or the `hagen` binary; those tests live
//! in `tests/cli` (the `swiftcode` package, which builds the binary).

#[path = "../common/tools.rs"]
mod tools;

mod constructs_compute;
mod constructs_data;
mod constructs_network;
mod user_crate;
mod validate_cfn_lint;
mod validate_corpus;
mod validate_docs;
mod validate_proptest;
