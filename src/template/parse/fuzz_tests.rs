//! Fuzz-style property tests: no input makes the reader panic, and every
//! answer is consistent (a template comes back only without fatal problems,
//! an invalid one always names at least one, every location is inside the
//! text).
//!
//! Inputs: arbitrary bytes, arbitrary strings, strings assembled from YAML
//! and JSON tokens (which reach far more parser states than random text),
//! and random edits of a real template.

use proptest::collection::vec;
use proptest::prelude::*;

use super::{Location, ParseError, parse_template, parse_template_bytes};

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

/// Reads `text` and checks that the answer is consistent.
fn check(text: &str) -> Result<(), TestCaseError> {
    match parse_template(text, "fuzz.yaml") {
        Ok(parsed) => {
            prop_assert!(parsed.problems.iter().all(|p| !p.kind.is_fatal()));
            for p in &parsed.problems {
                prop_assert!(inside(text, p.location), "{:?} outside {:?}", p, text);
            }
            let root = parsed.locations.nearest::<&str>(&[]);
            prop_assert!(inside(text, root));
        }
        Err(ParseError::Invalid { problems, .. }) => {
            prop_assert!(problems.iter().any(|p| p.kind.is_fatal()));
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

#[test]
fn the_seed_itself_reads_cleanly() {
    let parsed = parse_template(SEED, "seed.yaml").unwrap();
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.template.resources.len(), 2);
}
