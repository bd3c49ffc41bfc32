//! `hagen synth`: build one environment of the blueprint and print its
//! CloudFormation template.
//!
//! Owns the synth command's options, its output rules (template to stdout
//! or atomically to a file, everything else to stderr) and its exit codes.
//! Template building is `crate::blueprint`; text formats are
//! `crate::template`.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Context, EnvArgs, exit};
use crate::blueprint::{self, Blueprint};
use crate::error::SynthError;
use crate::template::Template;
use crate::validate::{self, Diagnostic, Severity, render};

const EXAMPLES: &str = "\
Examples:
  hagen synth > stack.yaml                 stage (or the file's default environment), YAML
  hagen synth --env prod -o prod.yaml      prod, written atomically to prod.yaml
  hagen synth -o stack.json                JSON, chosen from the file name
  hagen synth --format json | jq .Outputs  JSON on stdout
  hagen synth --config ci.toml --env perf  an environment defined in ci.toml

With -o a file is replaced in one step (a temporary file in the same directory, then a
rename): on any error the previous file is left as it was and no partial file appears. A
device or pipe (-o /dev/stdout) is written through, a symbolic link is followed to its
target, and a directory, socket or block device is refused.";

/// Template text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Idiomatic CloudFormation YAML with short-form tags (`!Ref`, `!Sub`).
    Yaml,
    /// Pretty-printed JSON with long-form intrinsics (`{"Ref": ...}`).
    Json,
}

impl Format {
    /// The format a file name implies: JSON for `.json`, YAML otherwise.
    pub fn for_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Yaml,
        }
    }

    /// The template in this format.
    pub fn render(self, template: &Template) -> String {
        match self {
            Format::Yaml => template.to_yaml(),
            Format::Json => template.to_json(),
        }
    }
}

/// Options of `hagen synth`.
#[derive(Debug, Clone, Default, Args)]
#[command(after_help = EXAMPLES)]
pub struct SynthArgs {
    /// The stack to print, by its ID in the app or its stack name, when the
    /// blueprint has several stacks [default: the only one]
    #[arg(value_name = "STACK")]
    pub stack: Option<String>,

    /// Which environment, from which configuration.
    #[command(flatten)]
    pub target: EnvArgs,

    /// Output format [default: json when FILE ends in .json, else yaml]
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Write the template to FILE (atomically) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,

    /// Write every stack's template, and manifest.json (stacks, deploy order,
    /// exports and imports), into DIR (created if missing)
    #[arg(long, value_name = "DIR", conflicts_with = "stack")]
    pub out_dir: Option<PathBuf>,
}

/// One environment of the blueprint, built, rendered and checked: what
/// `synth` prints and what `diff` and `deploy` start from.
#[derive(Debug, Clone)]
pub struct Built {
    /// The template, its settings, stack name and overrides.
    pub synthesis: blueprint::Synthesis,
    /// The template's text in [`Built::format`].
    pub text: String,
    /// The format of [`Built::text`].
    pub format: Format,
}

/// Every stack of one environment, built, rendered and checked, alone and
/// together: what `synth --out-dir` writes and what a deploy of several
/// stacks starts from.
#[derive(Debug, Clone)]
pub struct BuiltApp {
    /// The environment's generic part.
    pub environment: crate::config::Environment,
    /// The stacks in deploy order, their templates and references.
    pub app: crate::app::BuiltApp,
    /// Each stack's text in [`BuiltApp::format`], in the order of
    /// `app.stacks`.
    pub texts: Vec<String>,
    /// The format of the texts.
    pub format: Format,
}

impl BuiltApp {
    /// One stack of it, as [`Built`].
    pub fn one(&self, index: usize) -> Option<Built> {
        let stack = self.app.stacks.get(index)?;
        Some(Built {
            synthesis: blueprint::Synthesis {
                environment: self.environment.clone(),
                stack_name: stack.name.clone(),
                template: stack.template.clone(),
                overrides: stack.overrides.clone(),
            },
            text: self.texts.get(index)?.clone(),
            format: self.format,
        })
    }

    /// The index of the stack `wanted` names (ID or stack name); with
    /// `None`, the only stack. Otherwise the error names the stacks and what
    /// to type.
    pub fn choose(&self, wanted: Option<&str>, command: &str) -> Result<usize, String> {
        let ids = self.app.ids().join(", ");
        match wanted {
            Some(w) => self
                .app
                .stacks
                .iter()
                .position(|s| s.id == w || s.name == w)
                .ok_or_else(|| format!("there is no stack {w:?}; the stacks are {ids}")),
            None if self.app.stacks.len() == 1 => Ok(0),
            None => Err(format!(
                "this blueprint has {} stacks ({ids}); name one (`{command} {}`), or write them all with `--out-dir DIR`",
                self.app.stacks.len(),
                self.app.stacks[0].id
            )),
        }
    }
}

/// Loads the configuration, builds every stack of the environment `target`
/// selects, reports every overridden safe default as a notice, renders the
/// templates and checks them, each alone and all together. This is the one
/// place the templates' checks belong: their findings go through [`gate`]
/// before anything is printed or deployed. On failure the reason is
/// already printed and the exit code is returned.
pub fn build_app<B: Blueprint + ?Sized>(
    target: &EnvArgs,
    format: Format,
    cx: &mut Context<'_, B>,
) -> Result<BuiltApp, u8> {
    let (config, resolved) = match target.resolve(cx.blueprint, &cx.dir) {
        Ok(found) => found,
        Err(e) => return Err(cx.config_error(&e)),
    };
    let environment = &resolved.environment;
    let synthesis = match blueprint::synthesize_app(cx.blueprint, &resolved) {
        Ok(synthesis) => synthesis,
        // A value from the file (or a built-in default) the blueprint
        // cannot build with: point at the line, like any configuration
        // problem.
        Err(SynthError::Config { key, message, help }) => {
            let problem = config.explain(environment, &[key], &message, Some(&help));
            cx.error(problem);
            cx.error(format!(
                "environment `{}` of blueprint {} cannot be built with this configuration; nothing was written",
                environment.name,
                cx.blueprint.name()
            ));
            return Err(exit::UNREADABLE_INPUT);
        }
        Err(e) => {
            cx.error(format!(
                "cannot build environment `{}` of blueprint {}: {e}",
                environment.name,
                cx.blueprint.name()
            ));
            return Err(exit::TEMPLATE_ERRORS);
        }
    };
    let app = synthesis.app;
    let several = !app.single;
    for stack in &app.stacks {
        for o in &stack.overrides {
            let place = if several {
                format!("stack {}: ", stack.id)
            } else {
                String::new()
            };
            cx.notice(format!(
                "{place}{}: {} (safe default overridden)",
                o.construct, o.message
            ));
        }
    }
    // hagen's own guarantees hold for what it prints: security and
    // availability findings are errors here (strict), and the size quotas
    // are measured on the text that would be sent.
    let strict = cx.blueprint.strict_checks();
    if !strict {
        cx.notice(format!(
            "blueprint {} turns strict checks off: security and availability findings are warnings, not errors",
            cx.blueprint.name()
        ));
    }
    let mut texts = Vec::with_capacity(app.stacks.len());
    let mut findings: Vec<(String, Diagnostic)> = Vec::new();
    // A nested stack's template always goes through S3.
    let mut check = |place: String, template: &crate::template::Template, text: &str, nested| {
        let report = validate::check(
            template,
            &validate::Options {
                strict,
                body_size: Some(text.len()),
                through_s3: nested,
            },
        );
        findings.extend(report.diagnostics.into_iter().map(|d| (place.clone(), d)));
    };
    for stack in &app.stacks {
        let text = format.render(&stack.template);
        check(stack.id.clone(), &stack.template, &text, false);
        for child in &stack.nested {
            let child_text = format.render(&child.template);
            check(
                format!("{}/{}", stack.id, child.logical_id),
                &child.template,
                &child_text,
                true,
            );
        }
        texts.push(text);
    }
    let several = several || app.stacks.iter().any(|s| !s.nested.is_empty());
    if several {
        let own: Vec<Vec<Diagnostic>> = app
            .stacks
            .iter()
            .map(|s| {
                findings
                    .iter()
                    .filter(|(place, _)| *place == s.id)
                    .map(|(_, d)| d.clone())
                    .collect()
            })
            .collect();
        let members: Vec<validate::app::Member<'_>> = app
            .stacks
            .iter()
            .zip(&own)
            .map(|(s, own)| s.as_member(own))
            .collect();
        findings.extend(validate::app::check(&members));
    }
    gate_stacks(&findings, several, cx)?;
    Ok(BuiltApp {
        environment: synthesis.environment,
        app,
        texts,
        format,
    })
}

/// [`build_app`], then the one stack `stack` names (or the only one): what
/// `synth STACK`, `diff` and `deploy` of one stack start from.
pub fn build<B: Blueprint + ?Sized>(
    target: &EnvArgs,
    stack: Option<&str>,
    format: Format,
    cx: &mut Context<'_, B>,
) -> Result<Built, u8> {
    let all = build_app(target, format, cx)?;
    let command = format!("{} synth", cx.blueprint.command_name());
    let index = match all.choose(stack, &command) {
        Ok(index) => index,
        Err(why) => {
            cx.error(why);
            return Err(exit::USAGE);
        }
    };
    all.one(index).ok_or(exit::USAGE)
}

/// Runs `hagen synth` and returns its exit code.
pub fn run<B: Blueprint + ?Sized>(args: &SynthArgs, cx: &mut Context<'_, B>) -> u8 {
    let format = args.format.unwrap_or_else(|| {
        args.output
            .as_deref()
            .map_or(Format::Yaml, Format::for_path)
    });
    if let Some(dir) = &args.out_dir {
        return match build_app(&args.target, format, cx) {
            Ok(all) => super::synth_dir::write(dir, &all, cx),
            Err(code) => code,
        };
    }
    let built = match build(&args.target, args.stack.as_deref(), format, cx) {
        Ok(built) => built,
        Err(code) => return code,
    };
    let (synthesis, text, environment) = (
        &built.synthesis,
        &built.text,
        &built.synthesis.environment.name,
    );
    match super::io::write_text(args.output.as_deref(), text, "the template", cx) {
        Ok(true) => {
            let t = &synthesis.template;
            let _ = writeln!(
                cx.err,
                "wrote {}: stack {} ({} environment), {} resources, {} parameters, {} outputs, {} bytes",
                args.output.as_deref().unwrap_or(Path::new("-")).display(),
                synthesis.stack_name,
                environment,
                t.resources.len(),
                t.parameters.len(),
                t.outputs.len(),
                text.len()
            );
            exit::OK
        }
        Ok(false) => exit::OK,
        Err(code) => code,
    }
}

/// [`gate`] over the findings of several stacks: each stack's findings
/// are placed in it (`<synth network>`) when there are several.
fn gate_stacks<B: ?Sized>(
    findings: &[(String, Diagnostic)],
    several: bool,
    cx: &mut Context<'_, B>,
) -> Result<(), u8> {
    if !several {
        let plain: Vec<Diagnostic> = findings.iter().map(|(_, d)| d.clone()).collect();
        return gate(&plain, cx);
    }
    let mut text = String::new();
    let nowhere = |_: &[String]| None;
    for (stack, d) in findings {
        let name = format!("<synth {stack}>");
        let input = render::Input {
            name: &name,
            text: None,
            locate: &nowhere,
        };
        render::human_one(&mut text, d, &input, true);
    }
    let _ = cx.err.write_all(text.as_bytes());
    count_errors(findings.iter().map(|(_, d)| d), cx)
}

/// Prints check findings to stderr (in `hagen validate`'s human form,
/// placed by logical ID and property path, since a synthesized template has
/// no file of its own) and decides whether output may go on:
/// `Err(exit::TEMPLATE_ERRORS)` when any finding is an error. Warnings and
/// notes are printed and let the template through.
pub fn gate<B: ?Sized>(findings: &[Diagnostic], cx: &mut Context<'_, B>) -> Result<(), u8> {
    let nowhere = |_: &[String]| None;
    let input = render::Input {
        name: "<synth>",
        text: None,
        locate: &nowhere,
    };
    let mut text = String::new();
    for d in findings {
        // Colour is removed downstream when stderr is not a terminal.
        render::human_one(&mut text, d, &input, true);
    }
    let _ = cx.err.write_all(text.as_bytes());
    count_errors(findings.iter(), cx)
}

/// `Err(exit::TEMPLATE_ERRORS)`, said, when any finding is an error.
fn count_errors<'d, B: ?Sized>(
    findings: impl Iterator<Item = &'d Diagnostic>,
    cx: &mut Context<'_, B>,
) -> Result<(), u8> {
    let errors = findings.filter(|d| d.severity == Severity::Error).count();
    if errors == 0 {
        Ok(())
    } else {
        cx.error(format!(
            "{errors} error{} in the template; nothing was written",
            if errors == 1 { "" } else { "s" }
        ));
        Err(exit::TEMPLATE_ERRORS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;
    use crate::stack::Stack;

    struct Empty;

    impl Blueprint for Empty {
        type Config = ();
        fn name(&self) -> &str {
            "empty"
        }
        fn description(&self) -> &str {
            "nothing"
        }
        fn build(&self, env: &Environment, _: &()) -> Result<Stack, SynthError> {
            Ok(crate::blueprint::new_stack(self, env))
        }
    }

    fn finding(severity: Severity) -> Diagnostic {
        Diagnostic {
            rule: "HG0001".into(),
            severity,
            message: "something".into(),
            resource: Some("Db".into()),
            path: vec!["Resources".into(), "Db".into()],
            hint: Some("fix it".into()),
        }
    }

    #[test]
    fn format_follows_the_file_name_unless_given() {
        assert_eq!(Format::for_path(Path::new("a/stack.JSON")), Format::Json);
        assert_eq!(Format::for_path(Path::new("stack.yaml")), Format::Yaml);
        assert_eq!(Format::for_path(Path::new("stack")), Format::Yaml);
    }

    #[test]
    fn errors_stop_output_and_warnings_do_not() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut cx = Context {
            blueprint: &Empty,
            out: &mut out,
            err: &mut err,
            dir: PathBuf::new(),
            verbose: false,
        };
        assert_eq!(gate(&[finding(Severity::Warning)], &mut cx), Ok(()));
        assert_eq!(
            gate(
                &[finding(Severity::Warning), finding(Severity::Error)],
                &mut cx
            ),
            Err(exit::TEMPLATE_ERRORS)
        );
        let text =
            anstream::adapter::strip_str(&String::from_utf8(err).expect("utf-8")).to_string();
        assert!(text.contains("warning[HG0001]: something\n"), "{text}");
        assert!(text.contains("error[HG0001]: something\n"), "{text}");
        assert!(
            text.contains("   = at: Resources.Db\n   = help: fix it\n"),
            "{text}"
        );
        assert!(text.contains("error: 1 error in the template; nothing was written"));
    }

    /// A blueprint whose template CloudFormation would reject: an output
    /// refers to a resource that does not exist.
    struct Dangling;

    impl Blueprint for Dangling {
        type Config = ();
        fn name(&self) -> &str {
            "dangling"
        }
        fn description(&self) -> &str {
            "a broken reference"
        }
        fn build(&self, env: &Environment, _: &()) -> Result<Stack, SynthError> {
            let mut stack = crate::blueprint::new_stack(self, env);
            stack.add("Topic", crate::resources::sns::Topic::new())?;
            stack.output(
                "Missing",
                crate::template::Output {
                    description: None,
                    value: crate::template::fns::ref_("NoSuchResource").into(),
                    export_name: None,
                    condition: None,
                },
            )?;
            Ok(stack)
        }
    }

    #[test]
    fn a_template_with_errors_is_not_printed_or_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("stack.yaml");
        let path_arg = path.to_string_lossy().into_owned();
        for args in [
            vec!["hagen", "synth"],
            vec!["hagen", "synth", "-o", path_arg.as_str()],
        ] {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = crate::cli::run(&Dangling, args, &mut out, &mut err);
            let err = anstream::adapter::strip_str(&String::from_utf8_lossy(&err)).to_string();
            assert_eq!(code, exit::TEMPLATE_ERRORS, "{err}");
            assert!(out.is_empty(), "nothing on stdout");
            assert!(err.contains("NoSuchResource"), "{err}");
            assert!(err.contains("nothing was written"), "{err}");
        }
        assert!(!path.exists(), "no file written");
    }

    #[test]
    fn synth_of_a_trivial_blueprint_prints_yaml() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = crate::cli::run(&Empty, ["hagen", "synth"], &mut out, &mut err);
        assert_eq!(code, exit::OK, "{}", String::from_utf8_lossy(&err));
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.starts_with("AWSTemplateFormatVersion: '2010-09-09'\n"),
            "{text}"
        );
    }
}
