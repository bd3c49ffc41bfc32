//! Benchmark of an app of several stacks at growing size: the `fleet`
//! example (`examples/fleet.rs`) at about 50, 500, 5,000 and 10,000
//! resources. Per size: building every stack (blueprint -> IR, exports and
//! imports wired), writing every template as YAML, and every check of
//! every template plus the checks across them (as `synth` runs them).
//!
//! `cargo bench --bench fleet` prints the median, minimum and maximum of
//! several rounds per stage and size, and the growth from 500 to 5,000
//! resources. Without `--bench` (`cargo test --all-targets`) it runs the
//! two small sizes once, as a smoke test. Figures are for reading, never
//! asserted. Whole-process time and peak memory are measured from the
//! outside (`/usr/bin/time -v fleet synth --out-dir`).

#[path = "../examples/fleet.rs"]
#[allow(dead_code)]
mod fleet;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

#[path = "timing.rs"]
mod timing;

use hagen::blueprint;
use hagen::config::Config;
use hagen::validate::{self, Options};

/// (tiers, label): 10 resources per tier plus the network stack's 21.
const SIZES: &[(u32, &str)] = &[(3, "~50"), (48, "~500"), (498, "~5,000"), (998, "~10,000")];

fn benching() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn main() {
    let (sizes, rounds) = if benching() {
        (SIZES, 5)
    } else {
        (&SIZES[..2], 1)
    };
    let mut medians: Vec<(usize, [Duration; 3])> = Vec::new();
    for &(tiers, label) in sizes {
        let config = Config::parse::<fleet::FleetConfig>(
            Path::new("fleet.toml"),
            &format!("[environments.stage.blueprint]\ntiers = {tiers}\n"),
        )
        .expect("a valid fleet configuration");
        let resolved =
            blueprint::resolve(&fleet::Fleet, &config, Some("stage")).expect("stage resolves");
        let app = blueprint::synthesize_app(&fleet::Fleet, &resolved)
            .expect("the fleet builds")
            .app;
        let resources: usize = app.stacks.iter().map(|s| s.template.resources.len()).sum();
        let texts: Vec<String> = app.stacks.iter().map(|s| s.template.to_yaml()).collect();
        println!(
            "fleet {label}: {tiers} tiers, {resources} resources in {} stacks, {} bytes of YAML",
            app.stacks.len(),
            texts.iter().map(String::len).sum::<usize>()
        );
        let build = timing::report("build every stack (blueprint -> IR)", rounds, || {
            black_box(blueprint::synthesize_app(&fleet::Fleet, &resolved).expect("builds"));
        });
        let write = timing::report("write every template (YAML)", rounds, || {
            for s in &app.stacks {
                black_box(s.template.to_yaml());
            }
        });
        let check = timing::report("check every template and across them", rounds, || {
            let own: Vec<Vec<validate::Diagnostic>> = app
                .stacks
                .iter()
                .zip(&texts)
                .map(|(s, text)| {
                    validate::check(
                        &s.template,
                        &Options {
                            strict: true,
                            body_size: Some(text.len()),
                            through_s3: false,
                        },
                    )
                    .diagnostics
                })
                .collect();
            let members: Vec<validate::app::Member<'_>> = app
                .stacks
                .iter()
                .zip(&own)
                .map(|(s, own)| s.as_member(own))
                .collect();
            black_box(validate::app::check(&members));
        });
        medians.push((resources, [build, write, check]));
    }
    if let (Some(small), Some(large)) = (
        medians.iter().find(|(r, _)| (400..700).contains(r)),
        medians.iter().find(|(r, _)| (4_000..7_000).contains(r)),
    ) {
        let names = ["build", "write", "check"];
        let ratios: Vec<String> = names
            .iter()
            .zip(small.1.iter().zip(&large.1))
            .map(|(n, (a, b))| format!("{n} x{:.1}", b.as_secs_f64() / a.as_secs_f64()))
            .collect();
        println!(
            "growth from {} to {} resources ({:.1}x): {}",
            small.0,
            large.0,
            large.0 as f64 / small.0 as f64,
            ratios.join(", ")
        );
    }
}
