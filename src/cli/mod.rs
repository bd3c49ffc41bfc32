//! The command-line interface: argument parsing and rendering, over library
//! calls. Thin by design: no template logic and no AWS logic here.

pub mod exit;
pub mod validate;
