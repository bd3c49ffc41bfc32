//! Fuzz-style property tests of `hagen.toml` reading: no text makes it
//! panic, and every answer is consistent and bounded.
//!
//! Inputs: arbitrary strings, strings assembled from TOML tokens and the
//! keys hagen knows, the same token runs repeated hundreds of times (long
//! lines, more problems than are listed), and random edits of a real
//! configuration (the example of docs/config.md, with the test blueprint's
//! own section).
//!
//! Properties: a refused file lists at least one problem, every problem
//! but the one counting those left out carries a location inside the
//! text, at most [`MAX_PROBLEMS`] are listed, quoted lines and keys are cut
//! to their limits; an accepted file defines at most [`MAX_ENVIRONMENTS`]
//! environments of its own, each of which resolves (or is refused with
//! located problems) to at most [`MAX_TAGS`] tags of the user's.

use std::path::Path;

use proptest::collection::vec;
use proptest::prelude::*;

use super::error::{MAX_PROBLEMS, MAX_SNIPPET_CHARS, MAX_TEXT_CHARS};
use super::tests::Shop;
use super::{
    BaseEnvironment, Config, ConfigError, Environment, MAX_ENVIRONMENTS, MAX_TAGS, Problem,
};

/// A real configuration: every section and kind of value the file has.
const SEED: &str = r#"project = "shop"
default_environment = "stage"
region = "eu-west-1"

[tags]
Team = "web"
CostCenter = "1234"

[blueprint]
domain = "shop.example.com"

[environments.stage.blueprint]
instance_type = "t3.large"

[environments.prod]
az_count = 3
template_bucket = "acme-cfn-templates"

[environments.prod.blueprint.asg]
min = 6
max = 18

[environments.prod.tags]
CostCenter = "5678"

[environments.perf]
extends = "prod"
region = "us-east-2"
deletion_protection = false
"#;

const TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    " = ",
    ",",
    ".",
    "\n",
    " ",
    "\t",
    "#c",
    "\"",
    "\"\"\"",
    "'",
    "'''",
    "\\",
    "\\u00",
    "\r\n",
    "\u{feff}",
    "é",
    "\u{0}",
    "-",
    "+",
    "_",
    "0",
    "1",
    "1.5",
    "1e9",
    "inf",
    "nan",
    "0x1f",
    "99999999999999999999",
    "true",
    "false",
    "1979-05-27T07:32:00Z",
    "project",
    "region",
    "default_environment",
    "tags",
    "environments",
    "stage",
    "prod",
    "perf",
    "extends",
    "az_count",
    "blueprint",
    "asg",
    "min",
    "max",
    "instance_type",
    "domain",
    "deletion_protection",
    "template_bucket",
    "account",
    "parameters",
    "protect",
    "role_arn",
    "eu-west-1",
];

fn tokens() -> impl Strategy<Value = String> {
    vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.concat())
}

/// A run of 1 to 8 tokens repeated 50 to 1,500 times.
fn repeated() -> impl Strategy<Value = String> {
    (
        vec(prop::sample::select(TOKENS), 0..4),
        vec(prop::sample::select(TOKENS), 1..8),
        50..1_500usize,
    )
        .prop_map(|(head, run, times)| head.concat() + &run.concat().repeat(times))
}

/// Random edits of the seed: each inserts a token, deletes a few bytes or
/// swaps in a token at some position.
fn mutated() -> impl Strategy<Value = String> {
    vec(
        (
            any::<prop::sample::Index>(),
            0..3usize,
            prop::sample::select(TOKENS),
        ),
        1..6,
    )
    .prop_map(|edits| {
        let mut text = SEED.to_owned();
        for (at, action, token) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let mut end = (i + if action == 1 { 3 } else { token.len() }).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            match action {
                0 => text.insert_str(i, token),
                1 => text.replace_range(i..end, ""),
                _ => text.replace_range(i..end, token),
            }
        }
        text
    })
}

fn defaults(base: BaseEnvironment) -> Environment {
    Environment::builtin(base, "shop")
}

/// A refused file's problems: at least one, at most the limit plus the
/// count of the rest, each located inside `text` and cut to the limits.
fn located(text: &str, problems: &[Problem]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty());
    prop_assert!(
        problems.len() <= MAX_PROBLEMS + 1,
        "{} problems",
        problems.len()
    );
    let lines = text.split('\n').count();
    let longest = text
        .split('\n')
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    for (i, p) in problems.iter().enumerate() {
        if i == MAX_PROBLEMS {
            // The count of the problems left out: about the file.
            prop_assert!(p.location.is_none() && p.message.contains("not listed"));
            continue;
        }
        let Some(at) = &p.location else {
            return Err(TestCaseError::fail(format!("no location: {p:?}")));
        };
        prop_assert!(
            at.line >= 1 && at.line <= lines,
            "{:?} of {} lines",
            at,
            lines
        );
        prop_assert!(at.column >= 1 && at.column <= longest + 1, "{:?}", at);
        if let Some(s) = &p.snippet {
            let shown = s.text.chars().count();
            prop_assert!(shown <= MAX_SNIPPET_CHARS + 6, "{} chars", shown);
            prop_assert!(s.underline.start < s.underline.end, "{:?}", s);
            prop_assert!(s.underline.end <= shown + 1, "{:?}", s);
        }
        for text in [&p.key, &p.help].into_iter().flatten() {
            prop_assert!(text.chars().count() <= MAX_TEXT_CHARS + 3);
        }
        prop_assert!(p.message.chars().count() <= MAX_TEXT_CHARS + 3);
    }
    Ok(())
}

/// Reads `text` as a `hagen.toml` and checks the answer.
fn check(text: &str) -> Result<(), TestCaseError> {
    match Config::parse::<Shop>(Path::new("hagen.toml"), text) {
        Ok(config) => {
            let names = config.environments();
            prop_assert!(
                names.len() <= MAX_ENVIRONMENTS + 2,
                "{} environments",
                names.len()
            );
            for name in &names {
                match config.resolve::<Shop>(Some(name), &defaults) {
                    Ok(resolved) => {
                        prop_assert!(resolved.environment.tags.len() <= MAX_TAGS);
                    }
                    Err(ConfigError::Invalid { problems }) => located(text, &problems)?,
                    Err(other) => prop_assert!(false, "{name}: {other}"),
                }
            }
            match config.check_all::<Shop>(&defaults) {
                Ok(()) => {}
                Err(ConfigError::Invalid { problems }) => {
                    prop_assert!(!problems.is_empty());
                    for p in &problems {
                        prop_assert!(p.location.is_some() || p.message.contains("default"));
                    }
                }
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
        Err(ConfigError::Invalid { problems }) => located(text, &problems)?,
        Err(other) => prop_assert!(false, "unexpected error for text input: {other}"),
    }
    Ok(())
}

/// Cases per property: 500 by default (a few seconds in a debug build);
/// set `HAGEN_FUZZ_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("HAGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_text_gets_a_consistent_answer(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn toml_token_soup_gets_a_consistent_answer(text in tokens()) {
        check(&text)?;
    }

    #[test]
    fn edited_configurations_get_a_consistent_answer(text in mutated()) {
        check(&text)?;
    }
}

proptest! {
    // Longer inputs: a tenth of the cases.
    #![proptest_config(ProptestConfig::with_cases(cases() / 10))]

    #[test]
    fn repeated_token_runs_stay_within_the_limits(text in repeated()) {
        check(&text)?;
    }
}

#[test]
fn the_seed_itself_reads_cleanly() {
    let config = Config::parse::<Shop>(Path::new("hagen.toml"), SEED).expect("valid seed");
    assert_eq!(config.environments(), ["stage", "prod", "perf"]);
    config
        .check_all::<Shop>(&defaults)
        .expect("every environment resolves");
}
