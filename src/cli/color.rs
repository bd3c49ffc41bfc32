//! `--color auto|always|never`, one flag for every subcommand, honoured
//! through `anstream`: `always` colours even through a pipe and whatever
//! `NO_COLOR` says, `never` never colours, and only `auto` looks at the
//! terminal and at `NO_COLOR`.
//!
//! The streams are made before clap parses (a parse error is printed
//! through them), so [`Color::from_args`] reads the flag from the raw
//! arguments first; clap then checks it like any other flag.

use std::ffi::OsString;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Color {
    /// When the output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always, even through a pipe, whatever `NO_COLOR` says.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// The last `--color WHEN` / `--color=WHEN` in `args` (before a `--`),
    /// or `auto`; a value clap would reject counts as `auto` here.
    pub fn from_args(args: &[OsString]) -> Color {
        let mut found = Color::Auto;
        let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
        while let Some(arg) = iter.next() {
            if arg == "--" {
                break;
            }
            let value = if arg == "--color" {
                iter.next().map(|v| v.into_owned())
            } else {
                arg.strip_prefix("--color=").map(str::to_owned)
            };
            if let Some(v) = value {
                found = match v.as_str() {
                    "always" => Color::Always,
                    "never" => Color::Never,
                    _ => Color::Auto,
                };
            }
        }
        found
    }

    /// The choice for an `anstream` stream.
    pub fn stream_choice(self) -> anstream::ColorChoice {
        match self {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        }
    }

    /// `Some(true)` for always, `Some(false)` for never, `None` for auto
    /// (decide by the stream).
    pub fn forced(self) -> Option<bool> {
        match self {
            Color::Auto => None,
            Color::Always => Some(true),
            Color::Never => Some(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_is_found_in_both_spellings_and_the_last_wins() {
        assert_eq!(Color::from_args(&args(&["hagen", "synth"])), Color::Auto);
        assert_eq!(
            Color::from_args(&args(&["hagen", "validate", "--color", "always", "x.yaml"])),
            Color::Always
        );
        assert_eq!(
            Color::from_args(&args(&["hagen", "--color=always", "diff", "--color=never"])),
            Color::Never
        );
        assert_eq!(
            Color::from_args(&args(&["hagen", "validate", "--", "--color=always"])),
            Color::Auto
        );
    }
}
