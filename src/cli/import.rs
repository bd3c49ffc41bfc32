//! `hagen import`: a CloudFormation template, or a deployed stack's, to a
//! Rust crate with a blueprint that reproduces it; then, unless
//! `--no-check`, the proof: the crate is built and its synthesized template
//! compared with the input.
//!
//! Owns the command's flags, where the template comes from (a file, or
//! with the `deploy` feature a stack through GetTemplate and
//! DescribeStacks), and the report; the code generation is
//! `crate::import`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Context, exit};
use crate::blueprint::{Blueprint, HAGEN_VERSION};
use crate::import::{self, DeployedStack, HagenDependency, ImportOptions, ImportedCrate};
use crate::template::Template;

/// What `--help` ends with.
pub const EXAMPLES: &str = "\
Examples:
  hagen import stack.yaml                       ./stack: a crate whose blueprint reproduces stack.yaml
  hagen import cdk.out/Web.template.json -o web --name web
  hagen import --stack web-prod --region eu-west-1   a deployed stack, its parameters and tags
  hagen import stack.yaml --hagen-path ../hagen      depend on a local hagen checkout
  hagen import stack.yaml --constructs           the Vpc construct where it reproduces the network
  hagen import stack.yaml --no-check             write the crate without building it

After writing, the crate is built (`cargo run -- synth`) and its template compared with the
input: short and long forms, key order and number spelling do not count, anything else is
listed. Exit codes: 0 reproduced, 4 unreadable template, 7 AWS error, 8 cannot write,
12 the crate does not build or does not reproduce the template. See docs/import.md.";

/// Flags of `hagen import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The template to import (JSON or YAML, short-form tags included; `-`
    /// reads standard input).
    #[arg(
        value_name = "FILE",
        required_unless_present = "stack",
        conflicts_with = "stack"
    )]
    pub template: Option<PathBuf>,

    /// Import a deployed stack instead: its template (as submitted), its
    /// parameter values and stack tags, which go into the crate's
    /// hagen.toml as an environment that deploys back to this stack.
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,

    /// The environment's name in the crate's hagen.toml (with --stack).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "imported",
        requires = "stack"
    )]
    pub env_name: String,

    /// The directory to write the crate to; it must not exist or be empty
    /// [default: ./NAME]
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// The crate's name, also its binary's and (with `-` for `_`) its
    /// blueprint's [default: from the file or stack name]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Depend on hagen at this path (a checkout) rather than on this
    /// hagen's version.
    #[arg(long, value_name = "PATH")]
    pub hagen_path: Option<PathBuf>,

    /// Call hagen's constructs (today: `Vpc`) where one reproduces a group
    /// of resources exactly, proven by running it; everything else stays
    /// L1.
    #[arg(long)]
    pub constructs: bool,

    /// Write the crate without building it and comparing its template with
    /// the input.
    #[arg(long)]
    pub no_check: bool,

    /// AWS access (with --stack).
    #[cfg(feature = "deploy")]
    #[command(flatten)]
    pub aws: super::deploy::AwsArgs,
}

/// Runs `hagen import` and returns its exit code.
pub fn run<B: Blueprint + ?Sized>(args: &ImportArgs, cx: &mut Context<'_, B>) -> u8 {
    let (template, source, stack) = match (&args.template, &args.stack) {
        (Some(path), _) => match super::io::read_template_file(path, cx) {
            Ok((t, name)) => (t, name, None),
            Err(code) => return code,
        },
        (None, Some(name)) => match deployed(args, name, cx) {
            Ok((t, stack)) => (t, format!("stack {name}"), Some(stack)),
            Err(code) => return code,
        },
        (None, None) => {
            cx.error("give a template FILE or --stack NAME");
            return exit::USAGE;
        }
    };
    let name = match &args.name {
        Some(n) => n.clone(),
        None => import::crate_name(
            args.stack
                .as_deref()
                .unwrap_or_else(|| if source == "-" { "imported" } else { &source }),
        ),
    };
    let dir = args.output.clone().unwrap_or_else(|| PathBuf::from(&name));
    let hagen = match &args.hagen_path {
        Some(p) => HagenDependency::Path(std::path::absolute(p).unwrap_or_else(|_| p.clone())),
        None => HagenDependency::Version(HAGEN_VERSION.to_owned()),
    };
    let options = ImportOptions {
        name,
        source: source.clone(),
        hagen,
        stack,
        constructs: args.constructs,
        standalone: true,
    };
    let imported = match import::import(&template, &options) {
        Ok(mut i) => {
            // The versions that checkout was built and tested with, rather
            // than whatever is newest today.
            if let Some(path) = &args.hagen_path
                && let Ok(lock) = std::fs::read_to_string(path.join("Cargo.lock"))
            {
                i.files.push((PathBuf::from("Cargo.lock"), lock));
            }
            i
        }
        Err(e @ import::ImportError::Name(_)) => {
            cx.error(format!("{e}; pass --name"));
            return exit::USAGE;
        }
        Err(e) => {
            cx.error(e);
            return exit::UNREADABLE_INPUT;
        }
    };
    if let Err(e) = import::write_crate(&dir, &imported) {
        cx.error(e);
        return exit::CANNOT_WRITE;
    }
    report(&dir, &imported, cx);
    if args.no_check {
        let _ = writeln!(
            cx.err,
            "not checked (--no-check): `cargo run -- synth` in {} builds it",
            dir.display()
        );
        return exit::OK;
    }
    check(&dir, &template, args, cx)
}

/// What was written, what stayed untyped.
fn report<B: ?Sized>(dir: &Path, imported: &ImportedCrate, cx: &mut Context<'_, B>) {
    let r = &imported.report;
    let _ = writeln!(
        cx.err,
        "wrote {}: {} resources of {} types, {} typed, {} raw, {} property overrides",
        dir.display(),
        r.resources,
        r.types.len(),
        r.typed_resources,
        r.raw.len(),
        r.overrides.len()
    );
    for c in &r.constructs {
        let _ = writeln!(cx.err, "  construct {c}");
    }
    for f in &r.raw {
        let _ = writeln!(cx.err, "  raw       {} ({}): {}", f.id, f.what, f.why);
    }
    for f in &r.overrides {
        let _ = writeln!(cx.err, "  override  {}.{}: {}", f.id, f.what, f.why);
    }
    if let Some(found) = &r.strict_findings {
        cx.warning(format!(
            "the template has findings hagen's strict checks refuse ({found}): the blueprint turns \
             strict checks off (`strict_checks` in src/blueprint.rs), so synth prints them as \
             warnings; `hagen validate --strict FILE` lists them"
        ));
    }
    if !imported.formatted {
        cx.notice("rustfmt was not found: src/blueprint.rs is not laid out (`cargo fmt` in the crate does it)");
    }
}

/// Builds the crate and compares.
fn check<B: ?Sized>(
    dir: &Path,
    template: &Template,
    args: &ImportArgs,
    cx: &mut Context<'_, B>,
) -> u8 {
    let _ = writeln!(
        cx.err,
        "checking: `cargo run -- synth` in {} (the first build compiles hagen)",
        dir.display()
    );
    match import::check::round_trip(dir, template) {
        Ok(rt) if rt.differences.is_empty() => {
            let _ = writeln!(
                cx.err,
                "round trip: the crate reproduces the template ({:.1} s to build and synthesize)",
                rt.elapsed.as_secs_f64()
            );
            exit::OK
        }
        Ok(rt) => {
            cx.error(format!(
                "round trip: the crate's template differs from the input in {} places:",
                rt.differences.len()
            ));
            for d in rt.differences.iter().take(50) {
                let _ = writeln!(
                    cx.err,
                    "  {}: {} -> {}",
                    d.path,
                    d.expected.as_deref().unwrap_or("(absent)"),
                    d.actual.as_deref().unwrap_or("(absent)")
                );
            }
            if rt.differences.len() > 50 {
                let _ = writeln!(cx.err, "  ... and {} more", rt.differences.len() - 50);
            }
            exit::ROUND_TRIP_FAILED
        }
        Err(e) => {
            let help = if args.hagen_path.is_none() {
                "\n  = help: the crate depends on hagen by version; with no registry at hand, \
                 pass --hagen-path to a hagen checkout"
            } else {
                ""
            };
            cx.error(format!("{e}{help}"));
            exit::ROUND_TRIP_FAILED
        }
    }
}

/// The deployed stack's template, parameters and tags.
#[cfg(feature = "deploy")]
fn deployed<B: Blueprint + ?Sized>(
    args: &ImportArgs,
    name: &str,
    cx: &mut Context<'_, B>,
) -> Result<(Template, DeployedStack), u8> {
    use super::session::{ContextRecord, Session};
    use crate::deploy::stack;

    let mut console = crate::deploy::Console::stdio_colored(None);
    let ctx = super::deploy::DeployContext {
        default_stack_name: Some(name.to_owned()),
        default_bucket: None,
        command: format!("{} import", cx.blueprint.command_name()),
        verbose: cx.verbose,
        ..super::deploy::DeployContext::default()
    };
    let session = Session::open(&args.aws, &ctx, None, &mut console)?;
    let target = session.target(name, &ctx, false, ContextRecord::InDocument, &mut console)?;
    let aws_error = |console: &mut crate::deploy::Console, e: crate::deploy::DeployError| {
        super::deploy::report_error(console, &e, &args.aws, cx.verbose)
    };
    let info = match session.rt.block_on(stack::describe(&session.clients, name)) {
        Ok(Some(info)) => info,
        Ok(None) => {
            cx.error(format!(
                "there is no stack {name:?} in {}\n  = help: `hagen ls` lists the stacks of the account and region",
                target.region.as_deref().unwrap_or("this region")
            ));
            return Err(exit::USAGE);
        }
        Err(e) => return Err(aws_error(&mut console, e)),
    };
    let body = match session
        .rt
        .block_on(stack::template(&session.clients, name, None))
    {
        Ok(Some(body)) => body,
        Ok(None) => {
            cx.error(format!("stack {name:?} returned no template"));
            return Err(exit::AWS_ERROR);
        }
        Err(e) => return Err(aws_error(&mut console, e)),
    };
    let source = format!("stack {name}");
    let template = match crate::template::parse::parse_template(&body, &source) {
        Ok(parsed) => parsed.template,
        Err(e) => {
            cx.error(e);
            return Err(exit::UNREADABLE_INPUT);
        }
    };
    let mut parameters = Vec::new();
    for (k, v) in info.parameters {
        if template.parameters.get(&k).is_some_and(|p| p.no_echo) {
            cx.notice(format!(
                "parameter {k} is NoEcho: AWS does not return its value, so hagen.toml leaves it out \
                 (give it at deploy time with --parameter {k}=...)"
            ));
            continue;
        }
        parameters.push((k, v));
    }
    Ok((
        template,
        DeployedStack {
            stack_name: info.name,
            environment: args.env_name.clone(),
            region: target.region,
            parameters,
            tags: info.tags,
        },
    ))
}

/// Without the `deploy` feature there is no AWS client to read a stack.
#[cfg(not(feature = "deploy"))]
fn deployed<B: Blueprint + ?Sized>(
    _args: &ImportArgs,
    _name: &str,
    cx: &mut Context<'_, B>,
) -> Result<(Template, DeployedStack), u8> {
    cx.error(super::DEPLOY_NOT_BUILT);
    Err(exit::USAGE)
}
