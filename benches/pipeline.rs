//! Benchmark of hagen's pipeline on the SwiftCode blueprint: build the
//! template, write YAML and JSON, read the YAML back, and run every check
//! (schema compilation included on the first round, cached afterwards).
//!
//! `cargo bench --bench pipeline` prints, per stage, the median, minimum and
//! maximum of many rounds. Figures are for reading, never asserted: wall
//! clock depends on the machine. Whole-process time and peak memory of
//! `hagen synth` are measured from the outside (see the README).

use std::hint::black_box;
use std::time::Instant;

#[path = "timing.rs"]
mod timing;

use hagen::blueprint;
use hagen::config::Config;
use hagen::template::parse::parse_template;
use hagen::validate::{self, Options};

/// Rounds per stage under `cargo bench`. `cargo test --all-targets` runs
/// this binary without `--bench`, as a smoke test: then two rounds are enough.
fn rounds() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        200
    } else {
        2
    }
}

fn main() {
    let bp = swiftcode::SwiftCode;
    let config = Config::builtin();
    for env in ["stage", "prod"] {
        let resolved = blueprint::resolve(&bp, &config, Some(env)).expect("built-in env");
        let template = blueprint::synthesize(&bp, &resolved)
            .expect("SwiftCode builds")
            .template;
        let yaml = template.to_yaml();
        let options = Options {
            strict: true,
            body_size: Some(yaml.len()),
            through_s3: false,
        };
        let cold = Instant::now();
        black_box(validate::check(&template, &options));
        let cold = cold.elapsed();

        println!(
            "SwiftCode {env}: {} resources, {} bytes of YAML",
            template.resources.len(),
            yaml.len()
        );
        println!("  checks, first run (schemas unpacked and compiled): {cold:?}");
        timing::report("build template (blueprint -> IR)", rounds(), || {
            black_box(blueprint::synthesize(&bp, &resolved).expect("builds"));
        });
        timing::report("write YAML", rounds(), || {
            black_box(template.to_yaml());
        });
        timing::report("write JSON", rounds(), || {
            black_box(template.to_json());
        });
        timing::report("read YAML back", rounds(), || {
            black_box(parse_template(&yaml, "stack.yaml").expect("reads back"));
        });
        timing::report("run every check (schemas cached)", rounds(), || {
            black_box(validate::check(&template, &options));
        });
    }
}
