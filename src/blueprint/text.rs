//! Text files rendered at synth time (boot scripts, unit files, config
//! files) with minijinja, from sources embedded in the binary.
//!
//! Owns the rendering rules: no HTML escaping, undefined variables are
//! errors (a typo must not become an empty string in a boot script), and
//! every error names the template file and line. It does not know what the
//! text is for or where it goes in the template.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, syntax::SyntaxConfig};

use crate::error::SynthError;

pub use minijinja::Value;
pub use minijinja::context;

/// A set of named text templates, compiled once.
///
/// Names are the files' paths in the source tree
/// (`templates/swiftcode/user-data.sh.j2`), so that errors point at the file
/// to edit; sources come from `include_str!`, so the binary works from any
/// directory:
///
/// ```
/// use hagen::blueprint::text::{TextTemplates, context};
///
/// let t = TextTemplates::new(&[("motd.j2", "Welcome to {{ env }}\n")])?;
/// assert_eq!(t.render("motd.j2", context! { env => "stage" })?, "Welcome to stage\n");
/// # Ok::<(), hagen::error::SynthError>(())
/// ```
#[derive(Debug)]
pub struct TextTemplates {
    env: Environment<'static>,
}

impl TextTemplates {
    /// Compiles `(name, source)` pairs. Templates may `{% include %}` each
    /// other by name. Blocks are trimmed (`trim_blocks`, `lstrip_blocks`), so
    /// `{% if %}` lines leave no blank lines behind, and a final newline is kept.
    pub fn new(files: &[(&'static str, &'static str)]) -> Result<Self, SynthError> {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| error("(syntax settings)", &e))?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        for (name, source) in files {
            env.add_template(name, source)
                .map_err(|e| error(name, &e))?;
        }
        Ok(TextTemplates { env })
    }

    /// Renders one template with a context (`context! { key => value }`).
    pub fn render(&self, name: &str, context: Value) -> Result<String, SynthError> {
        let template = self.env.get_template(name).map_err(|e| error(name, &e))?;
        template.render(context).map_err(|e| error(name, &e))
    }
}

/// A minijinja error as a synth error naming the file (the innermost
/// template, for errors inside an include) and line.
fn error(name: &str, outer: &minijinja::Error) -> SynthError {
    // An error inside an include is the source of an "error in" error at the
    // include line: report the innermost one, which is where the fix goes.
    let mut e = outer;
    let mut next = std::error::Error::source(e);
    while let Some(source) = next {
        if let Some(inner) = source.downcast_ref::<minijinja::Error>() {
            e = inner;
        }
        next = source.source();
    }
    let template = e.name().unwrap_or(name).to_owned();
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let message = match e.line() {
        Some(line) => format!("line {line}: {what}"),
        None => what,
    };
    SynthError::TextTemplate { template, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undefined_variable_is_an_error_naming_file_and_line() {
        let t = TextTemplates::new(&[("templates/x.sh.j2", "#!/bin/sh\necho {{ nope }}\n")])
            .expect("compiles");
        let err = t
            .render("templates/x.sh.j2", context! {})
            .expect_err("undefined");
        let SynthError::TextTemplate { template, message } = err else {
            panic!("text template error expected")
        };
        assert_eq!(template, "templates/x.sh.j2");
        assert!(message.starts_with("line 2:"), "{message}");
    }

    #[test]
    fn a_syntax_error_is_reported_at_compile_time_with_the_line() {
        let err = TextTemplates::new(&[("a.j2", "ok\n{% if %}\n")]).expect_err("bad syntax");
        assert!(err.to_string().contains("a.j2"), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn an_error_inside_an_include_names_the_included_file() {
        let t = TextTemplates::new(&[
            ("outer.j2", "a\n{% include \"inner.j2\" %}\n"),
            ("inner.j2", "b\n\n{{ missing }}\n"),
        ])
        .expect("compiles");
        let err = t.render("outer.j2", context! {}).expect_err("undefined");
        let SynthError::TextTemplate { template, message } = err else {
            panic!("text template error expected")
        };
        assert_eq!(template, "inner.j2");
        assert!(message.starts_with("line 3:"), "{message}");
    }

    #[test]
    fn shell_text_is_not_html_escaped_and_blocks_leave_no_blank_lines() {
        let t = TextTemplates::new(&[(
            "s.sh.j2",
            "{% if on %}\necho \"<{{ v }}>\" && true\n{% endif %}\ndone\n",
        )])
        .expect("compiles");
        let out = t
            .render("s.sh.j2", context! { on => true, v => "a&b" })
            .expect("renders");
        assert_eq!(out, "echo \"<a&b>\" && true\ndone\n");
    }
}
