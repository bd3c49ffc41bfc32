//! The two ends every command that takes or gives a document shares: a
//! template argument read with the size limit (a path, or `-` for standard
//! input), and text written to stdout or, with `-o`, to a file through
//! [`crate::output_file`]. One place, so `validate`, `graph` and `synth`
//! word their errors and exit codes alike.

use std::io;
use std::path::Path;

use super::{Context, exit};
use crate::input::{self, ReadError};
use crate::template::Template;
use crate::template::parse::{MAX_TEMPLATE_BYTES, ParseError, parse_template_bytes};

/// A template argument read and parsed, with the name messages give it;
/// on failure the error is printed (with the `hagen validate` hint for a
/// template that does not parse) and [`exit::UNREADABLE_INPUT`] returned.
/// What `graph --template` and `import` take.
pub fn read_template_file<B: ?Sized>(
    path: &Path,
    cx: &mut Context<'_, B>,
) -> Result<(Template, String), u8> {
    let (name, bytes) = read_template_arg(path).map_err(|message| {
        cx.error(message);
        exit::UNREADABLE_INPUT
    })?;
    match parse_template_bytes(&bytes, &name) {
        Ok(parsed) => Ok((parsed.template, name)),
        Err(e) => {
            cx.error(format!(
                "{e}\n  = help: `hagen validate {name}` lists every problem with its line"
            ));
            Err(exit::UNREADABLE_INPUT)
        }
    }
}

/// A template argument's bytes and the name messages give it (`<stdin>`
/// for `-`). At most one byte more than any template may hold is read,
/// whatever the input is (`/dev/zero`, an endless pipe). The error is the
/// message to print, without a prefix; its exit code is
/// [`exit::UNREADABLE_INPUT`].
pub fn read_template_arg(path: &Path) -> Result<(String, Vec<u8>), String> {
    let from_stdin = path.as_os_str() == "-";
    let name = if from_stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    let read = if from_stdin {
        input::read_limited(io::stdin().lock(), MAX_TEMPLATE_BYTES)
    } else {
        input::read_file_limited(path, MAX_TEMPLATE_BYTES)
    };
    match read {
        Ok(bytes) => Ok((name, bytes)),
        Err(ReadError::TooLarge { size, .. }) => Err(ParseError::TooLarge {
            file: name,
            bytes: size.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        }
        .to_string()),
        Err(ReadError::Io(e)) => Err(format!(
            "cannot read {name}: {e}; give the path of a JSON or YAML template, or - for standard input"
        )),
    }
}

/// Writes `text` (`what` names it in errors: "the template") to stdout, or
/// atomically to `output`. `Ok(true)` when a file was written, so the
/// caller can say what it holds; a closed pipe (`hagen synth | head`) is
/// success. Errors are printed; the `Err` is the exit code.
pub fn write_text<B: ?Sized>(
    output: Option<&Path>,
    text: &str,
    what: &str,
    cx: &mut Context<'_, B>,
) -> Result<bool, u8> {
    match output {
        None => match cx
            .out
            .write_all(text.as_bytes())
            .and_then(|()| cx.out.flush())
        {
            Ok(()) => Ok(false),
            // The reader has all it wanted.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => {
                cx.error(format!("cannot write {what} to stdout: {e}"));
                Err(exit::CANNOT_WRITE)
            }
        },
        Some(path) => match crate::output_file::write_output(path, text.as_bytes()) {
            Ok(_) => Ok(true),
            Err(e) => {
                cx.error(format!(
                    "cannot write {}: {e}; nothing was written",
                    path.display()
                ));
                Err(exit::CANNOT_WRITE)
            }
        },
    }
}
