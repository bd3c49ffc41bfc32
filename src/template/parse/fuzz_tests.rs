//! Fuzz-style property tests: no input makes the reader panic, and every
//! answer is consistent (a template comes back only without fatal problems,
//! an invalid one always names at least one, every location is inside the
//! text).
//!
//! Inputs: arbitrary bytes, arbitrary strings, strings assembled from YAML
//! and JSON tokens (which reach far more parser states than random text),
//! the same token runs repeated hundreds of times (long lines, thousands of
//! problems), random edits of a real template, and generated alias bombs.
//!
//! Besides consistency, every answer respects the reader's limits: at most
//! [`MAX_PROBLEMS`] problems plus the one that counts the rest, no quoted
//! path segment longer than [`MAX_QUOTED_CHARS`] (plus its `...`), and
//! alias expansion refused exactly when it goes over [`MAX_ALIAS_NODES`]
//! or [`MAX_ALIAS_BYTES`].

use proptest::collection::vec;
use proptest::prelude::*;

use super::{
    Location, MAX_ALIAS_BYTES, MAX_ALIAS_NODES, MAX_PROBLEMS, MAX_QUOTED_CHARS, ParseError,
    Problem, ProblemKind, parse_template, parse_template_bytes,
};
use crate::template::Expr;

/// A real template with every construct the reader knows.
const SEED: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, AllowedValues: [stage, prod]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      Tags:
        - Key: Name
          Value: !Sub '${AWS::StackName}-vpc'
  Subnet:
    Type: AWS::EC2::Subnet
    DependsOn: [Vpc]
    Properties:
      VpcId: !Ref Vpc
      AvailabilityZone: !Select [0, !GetAZs '']
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          echo ${Env}
Outputs:
  VpcId:
    Value: !If [IsProd, !Ref Vpc, !Ref AWS::NoValue]
    Export: {Name: !Join ['-', [!Ref AWS::StackName, vpc]]}
";

const TOKENS: &[&str] = &[
    "- ",
    "-",
    ": ",
    ":",
    "? ",
    "?",
    ",",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "\t",
    "#c",
    "'",
    "''",
    "\"",
    "\\",
    "\\u00",
    "|",
    "|-",
    "|+",
    "|2",
    ">",
    "&a ",
    "&b ",
    "*a",
    "*b",
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!Select ",
    "!If ",
    "!Foo ",
    "!",
    "!!str ",
    "!!binary ",
    "!<tag:x> ",
    "%YAML 1.2\n",
    "%TAG ! tag:x:\n",
    "---\n",
    "...\n",
    "<<: ",
    "Resources",
    "Type",
    "Properties",
    "Parameters",
    "Outputs",
    "Value",
    "Fn::If",
    "Ref",
    "Condition",
    "a",
    "b",
    "yes",
    "0755",
    "1:30",
    "1.5",
    "null",
    "~",
    "true",
    "\u{feff}",
    "é",
    "\r\n",
    "\r",
    "\u{0}",
    "\u{85}",
    "\u{2028}",
];

fn tokens() -> impl Strategy<Value = String> {
    vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.concat())
}

/// Random edits of the seed: each (position, action) inserts a token,
/// deletes a few bytes or swaps in a token.
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
            match action {
                0 => text.insert_str(i, token),
                1 => {
                    let mut end = (i + 3).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, "");
                }
                _ => {
                    let mut end = (i + token.len()).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(i..end, token);
                }
            }
        }
        text
    })
}

/// Whether a location can point into `text`. YAML counts `\r`, `\n` and
/// `\r\n` as line breaks, and the parser may point one line past the end
/// when the text stops mid-construct.
fn inside(text: &str, at: Location) -> bool {
    let breaks = text.replace("\r\n", "\n").matches(['\r', '\n']).count();
    let longest = text
        .split(['\r', '\n'])
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    at.line >= 1 && at.line <= breaks + 2 && at.column >= 1 && at.column <= longest + 2
}

/// A run of 1 to 8 tokens repeated 50 to 1,500 times: long lines, long
/// keys, and more problems than the reader keeps.
fn repeated() -> impl Strategy<Value = String> {
    (
        vec(prop::sample::select(TOKENS), 0..4),
        vec(prop::sample::select(TOKENS), 1..8),
        50..1_500usize,
    )
        .prop_map(|(head, run, times)| head.concat() + &run.concat().repeat(times))
}

/// A problem list within the reader's limits: at most [`MAX_PROBLEMS`]
/// kept, the count of the rest only last, path segments cut.
fn bounded(problems: &[Problem]) -> Result<(), TestCaseError> {
    prop_assert!(
        problems.len() <= MAX_PROBLEMS + 1,
        "{} problems",
        problems.len()
    );
    for (i, p) in problems.iter().enumerate() {
        let omitted = matches!(p.kind, ProblemKind::Omitted { .. });
        prop_assert_eq!(omitted, i == MAX_PROBLEMS, "{:?} at {}", p.kind, i);
        for segment in &p.path {
            prop_assert!(
                segment.chars().count() <= MAX_QUOTED_CHARS + 3,
                "{}",
                segment
            );
        }
    }
    Ok(())
}

/// Reads `text` and checks that the answer is consistent.
fn check(text: &str) -> Result<(), TestCaseError> {
    match parse_template(text, "fuzz.yaml") {
        Ok(parsed) => {
            prop_assert!(parsed.problems.iter().all(|p| !p.kind.is_fatal()));
            bounded(&parsed.problems)?;
            for p in &parsed.problems {
                prop_assert!(inside(text, p.location), "{:?} outside {:?}", p, text);
            }
            let root = parsed.locations.nearest::<&str>(&[]);
            prop_assert!(inside(text, root));
        }
        Err(ParseError::Invalid { problems, .. }) => {
            prop_assert!(problems.iter().any(|p| p.kind.is_fatal()));
            bounded(&problems)?;
            for p in &problems {
                prop_assert!(inside(text, p.location), "{:?} outside {:?}", p, text);
            }
        }
        Err(
            ParseError::Syntax { location, .. }
            | ParseError::TooDeep { location, .. }
            | ParseError::AliasLimit { location, .. },
        ) => {
            prop_assert!(inside(text, location), "{:?} outside {:?}", location, text);
        }
        Err(other) => prop_assert!(false, "unexpected error for text input: {other}"),
    }
    Ok(())
}

/// An alias bomb: a string of `length` bytes anchored as level 0, each
/// level up to `levels` a list of `fan_out` aliases of the one below (the
/// last level is not anchored), and `keys` maps using level 0 as a key.
#[derive(Debug, Clone)]
struct Bomb {
    length: usize,
    levels: usize,
    fan_out: usize,
    keys: usize,
}

impl Bomb {
    fn text(&self) -> String {
        let mut text = format!("Metadata:\n  L0: &a0 \"{}\"\n", "x".repeat(self.length));
        for level in 1..=self.levels {
            let anchor = if level < self.levels {
                format!("&a{level} ")
            } else {
                String::new()
            };
            let items = vec![format!("*a{}", level - 1); self.fan_out].join(", ");
            text.push_str(&format!("  L{level}: {anchor}[{items}]\n"));
        }
        for k in 0..self.keys {
            text.push_str(&format!("  K{k}: {{*a0 : 1}}\n"));
        }
        text + "Resources:\n  T: {Type: AWS::SNS::Topic}\n"
    }

    /// What expansion costs, as the reader counts it: each anchored value
    /// once (the copy kept for aliases), each alias its value's size, each
    /// alias used as a key one value and its text.
    fn charge(&self) -> (usize, usize) {
        let (mut nodes, mut bytes) = (1usize, self.length);
        let (mut total_nodes, mut total_bytes) = (0usize, 0usize);
        for _ in 1..=self.levels {
            // The level below is anchored (kept once) and aliased fan_out times.
            total_nodes += nodes * (1 + self.fan_out);
            total_bytes += bytes * (1 + self.fan_out);
            nodes = 1 + nodes * self.fan_out;
            bytes *= self.fan_out;
        }
        (
            total_nodes + self.keys,
            total_bytes + self.keys * self.length,
        )
    }

    /// Bytes of text in the top level once expanded.
    fn expanded_bytes(&self) -> usize {
        self.length * self.fan_out.pow(self.levels as u32)
    }
}

fn bomb() -> impl Strategy<Value = Bomb> {
    // Short strings as often as long ones: both sides of the budgets.
    let length = prop_oneof![0..200usize, 0..60_000usize];
    (length, 1..7usize, 1..12usize, 0..30usize).prop_map(|(length, levels, fan_out, keys)| Bomb {
        length,
        levels,
        fan_out,
        keys,
    })
}

/// Bytes of text (strings and keys) in a value.
fn text_bytes(e: &Expr) -> usize {
    match e {
        Expr::String(s) => s.len(),
        Expr::List(items) => items.iter().map(text_bytes).sum(),
        Expr::Map(m) => m.iter().map(|(k, v)| k.len() + text_bytes(v)).sum(),
        _ => 0,
    }
}

/// Cases per property: 1,000 by default (a few seconds); set
/// `HAGEN_FUZZ_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("HAGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..400)) {
        let _ = parse_template_bytes(&bytes, "fuzz.bin");
    }

    #[test]
    fn arbitrary_text_gets_a_consistent_answer(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn yaml_and_json_token_soup_gets_a_consistent_answer(text in tokens()) {
        check(&text)?;
    }

    #[test]
    fn edited_templates_get_a_consistent_answer(text in mutated()) {
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

    /// Alias expansion is refused exactly when what it copies goes over
    /// one of the budgets, and what it produces is what was asked for.
    #[test]
    fn alias_bombs_are_refused_exactly_past_the_budgets(b in bomb()) {
        let text = b.text();
        let (nodes, bytes) = b.charge();
        let within = nodes <= MAX_ALIAS_NODES && bytes <= MAX_ALIAS_BYTES;
        match parse_template(&text, "bomb.yaml") {
            Ok(parsed) => {
                prop_assert!(within, "{b:?} cost {nodes} values, {bytes} bytes, yet was expanded");
                let top = &parsed.template.metadata[&format!("L{}", b.levels)];
                prop_assert_eq!(text_bytes(top), b.expanded_bytes());
                bounded(&parsed.problems)?;
            }
            Err(ParseError::AliasLimit { location, .. }) => {
                prop_assert!(!within, "{b:?} cost {nodes} values, {bytes} bytes, yet was refused");
                prop_assert!(inside(&text, location));
            }
            Err(other) => prop_assert!(false, "{b:?}: {other}"),
        }
    }
}

#[test]
fn the_seed_itself_reads_cleanly() {
    let parsed = parse_template(SEED, "seed.yaml").unwrap();
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.template.resources.len(), 2);
}
