//! The template IR: CloudFormation as Rust values, and its YAML and JSON forms.
//!
//! Everything else in hagen speaks this IR: constructs build it, checks read
//! it, deploy sends its text. This module owns the data and its serialisation;
//! it holds no AWS knowledge beyond the template format itself.

mod document;
mod expr;
pub mod fns;
pub mod json;
pub mod parse;
mod value;
pub mod yaml;

pub use document::{FORMAT_VERSION, Output, Parameter, Resource, RetentionPolicy, Template};
pub use expr::{Expr, Intrinsic};
pub use value::{Attr, List, Map, ToExpr, Value};

/// The ordered map the IR uses for every mapping (`Expr::Map`, properties,
/// metadata), re-exported so blueprints need not depend on `indexmap`.
pub use indexmap::IndexMap;
