//! The command-line interface: argument parsing and rendering, over library
//! calls. Thin by design: no template logic and no AWS logic here.

pub mod deploy;
pub mod diff;
pub mod exit;
pub mod validate;
