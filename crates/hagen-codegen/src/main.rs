//! `hagen-codegen`: regenerates hagen's L1 layer from `schemas/`.
//!
//! ```text
//! cargo run -p hagen-codegen            write the generated files (changed ones only)
//! cargo run -p hagen-codegen -- --check exit 1 and list the files that are out of date
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => {
                    eprintln!("error: --root needs a directory");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!(
                    "hagen-codegen: writes src/resources/services/, src/resources/catalog.rs and the \
                     service features of Cargo.toml from the vendored schemas in schemas/.\n\n\
                     Usage: hagen-codegen [--check] [--root DIR]\n\n  \
                     --check     write nothing; exit 1 listing the files that differ\n  \
                     --root DIR  the repository (default: the one this tool was built in)"
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unexpected argument `{other}` (see --help)");
                return ExitCode::from(2);
            }
        }
    }
    let output = match hagen_codegen::generate(&root) {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let s = &output.stats;
    eprintln!(
        "{} services, {} resource types, {} property types, {} enums, {} fields, {} attributes, {} lines",
        s.services, s.types, s.property_types, s.enums, s.fields, s.attributes, s.lines
    );
    if check {
        let stale = hagen_codegen::stale(&root, &output);
        if stale.is_empty() {
            eprintln!("generated files are up to date");
            return ExitCode::SUCCESS;
        }
        for path in &stale {
            eprintln!("out of date: {path}");
        }
        eprintln!("run `cargo run -p hagen-codegen` and review the diff");
        return ExitCode::FAILURE;
    }
    match hagen_codegen::write(&root, &output) {
        Ok(n) => {
            eprintln!("{n} files written");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
