//! `hagen deploy --template FILE` and `hagen diff --template FILE`: any
//! CloudFormation template in place of the blueprint's, checked by the same
//! validation as `hagen validate` before anything reaches AWS.
//!
//! Owns reading the file (with the template size limit), refusing it on
//! validation errors (suppressions in `Metadata` honoured, findings printed
//! with file and line), keeping its text exactly as written for the change
//! set, and the stack name a file name gives.

use std::path::Path;

use crate::deploy::Console;
use crate::template::parse::parse_template_bytes;
use crate::validate::render::{self, Input, Position};
use crate::validate::{Options, Severity, check_parsed, problem_diagnostics};

use super::deploy::{SynthOutput, check_stack_name};
use super::exit;

/// Reads and validates the template at `path` (`-`: standard input).
/// Findings are printed to the console's error stream; errors refuse the
/// template ([`exit::TEMPLATE_ERRORS`]), an unreadable file is
/// [`exit::UNREADABLE_INPUT`]. The body is the file's text as written, so
/// comments and formatting reach CloudFormation unchanged.
pub fn load(path: &Path, console: &mut Console) -> Result<SynthOutput, u8> {
    let (name, bytes) = match super::io::read_template_arg(path) {
        Ok(read) => read,
        Err(message) => {
            console.warn(format!("error: {message}"));
            return Err(exit::UNREADABLE_INPUT);
        }
    };
    check(&name, &bytes, console)
}

/// [`load`] over bytes already read (`name` is printed in messages).
pub fn check(name: &str, bytes: &[u8], console: &mut Console) -> Result<SynthOutput, u8> {
    let color = console.color;
    let parsed = match parse_template_bytes(bytes, name) {
        Ok(parsed) => parsed,
        Err(e) => {
            if let crate::template::parse::ParseError::Invalid { problems, .. } = &e {
                let report = crate::validate::Report {
                    diagnostics: problem_diagnostics(problems),
                    ..Default::default()
                };
                let locate = |p: &[String]| {
                    problems.iter().find(|x| x.path == p).map(|x| Position {
                        line: x.location.line,
                        column: x.location.column,
                    })
                };
                let input = Input {
                    name,
                    text: std::str::from_utf8(bytes).ok(),
                    locate: &locate,
                };
                console.warn(render::human(&report, &input, color).trim_end());
            }
            console.warn(format!(
                "error: {e}\n  = help: nothing was sent to AWS; `hagen validate {name}` shows every finding"
            ));
            return Err(exit::UNREADABLE_INPUT);
        }
    };
    let report = check_parsed(
        &parsed,
        &Options {
            strict: false,
            body_size: Some(bytes.len()),
            through_s3: false,
        },
    );
    let text = std::str::from_utf8(bytes).ok();
    let locate = |path: &[String]| {
        let l = parsed.locations.nearest(path);
        Some(Position {
            line: l.line,
            column: l.column,
        })
    };
    let input = Input {
        name,
        text,
        locate: &locate,
    };
    match report.worst() {
        Some(Severity::Error) => {
            console.warn(render::human(&report, &input, color).trim_end());
            console.warn(format!(
                "error: {name} has errors; nothing was sent to AWS (fix them, or silence one on purpose in the resource's Metadata: see docs/validation.md)"
            ));
            return Err(exit::TEMPLATE_ERRORS);
        }
        Some(Severity::Warning) => {
            console.warn(render::human(&report, &input, color).trim_end());
        }
        _ => console.say(format!("Validated {name}: no errors or warnings.")),
    }
    let body = match text {
        Some(t) => t.to_owned(),
        None => {
            console.warn(format!("error: {name} is not UTF-8 text; save it as UTF-8"));
            return Err(exit::UNREADABLE_INPUT);
        }
    };
    Ok(SynthOutput {
        nested: Vec::new(),
        template: parsed.template,
        body,
    })
}

/// The stack name a template file gives: its name without the extension
/// (`web-stage.yaml` gives `web-stage`), when that is a valid stack name.
pub fn stack_name_from(path: &Path) -> Result<String, String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|_| path.as_os_str() != "-")
        .ok_or_else(|| {
            format!(
                "no stack name: {} gives none; pass --stack-name NAME",
                path.display()
            )
        })?;
    check_stack_name(stem).map_err(|why| {
        format!(
            "no stack name: the file name {:?} is not one ({why}); pass --stack-name NAME",
            stem
        )
    })?;
    Ok(stem.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::{ProgressMode, SharedBuffer};

    fn console() -> (Console, SharedBuffer, SharedBuffer) {
        let out = SharedBuffer::new();
        let err = SharedBuffer::new();
        let console = Console::new(
            Box::new(out.clone()),
            Box::new(err.clone()),
            Box::new(crate::deploy::console::NoPrompt),
            ProgressMode::Events,
            false,
        );
        (console, out, err)
    }

    #[test]
    fn the_body_is_the_text_as_written() {
        let text =
            "# the team's topic\nResources:\n  Topic:   # comment\n    Type: AWS::SNS::Topic\n";
        let (mut c, out, _) = console();
        let loaded = check("t.yaml", text.as_bytes(), &mut c).unwrap();
        assert_eq!(loaded.body, text);
        assert!(loaded.template.resources.contains_key("Topic"));
        assert!(
            out.contents().contains("Validated t.yaml"),
            "{}",
            out.contents()
        );
    }

    #[test]
    fn errors_refuse_with_file_and_line_and_suppressions_hold() {
        let text =
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicNam: x\n";
        let (mut c, _, err) = console();
        assert_eq!(
            check("t.yaml", text.as_bytes(), &mut c).unwrap_err(),
            exit::TEMPLATE_ERRORS
        );
        let err = err.contents();
        assert!(err.contains("t.yaml:5:7"), "{err}");
        assert!(err.contains("nothing was sent to AWS"), "{err}");
        let (mut c, _, err) = console();
        assert_eq!(
            check("t.yaml", b"Resources: [\n", &mut c).unwrap_err(),
            exit::UNREADABLE_INPUT
        );
        assert!(err.contents().contains("t.yaml:"), "{}", err.contents());
    }

    #[test]
    fn a_suppression_with_a_reason_is_honoured_as_in_validate() {
        let text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Metadata:\n      hagen:\n        suppress:\n          - rule: HG102\n            reason: a property of a newer schema\n    Properties:\n      TopicNam: x\n";
        let (mut c, _, err) = console();
        assert!(
            check("t.yaml", text.as_bytes(), &mut c).is_ok(),
            "{}",
            err.contents()
        );
        let unexplained = text.replace("            reason: a property of a newer schema\n", "");
        let (mut c, _, err) = console();
        assert_eq!(
            check("t.yaml", unexplained.as_bytes(), &mut c).unwrap_err(),
            exit::TEMPLATE_ERRORS
        );
        assert!(err.contents().contains("HG001"), "{}", err.contents());
    }

    #[test]
    fn warnings_are_printed_and_do_not_refuse() {
        let text = "Parameters:\n  Unused:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n";
        let (mut c, _, err) = console();
        assert!(check("t.yaml", text.as_bytes(), &mut c).is_ok());
        assert!(err.contents().contains("warning"), "{}", err.contents());
    }

    #[test]
    fn stack_names_come_from_file_names_that_are_stack_names() {
        assert_eq!(
            stack_name_from(Path::new("dir/web-stage.yaml")).unwrap(),
            "web-stage"
        );
        let err = stack_name_from(Path::new("web_stage.yaml")).unwrap_err();
        assert!(err.contains("--stack-name"), "{err}");
        assert!(stack_name_from(Path::new("-")).is_err());
    }
}
