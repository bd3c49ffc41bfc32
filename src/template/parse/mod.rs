//! Reads CloudFormation templates written by anyone (JSON, or YAML with
//! short-form tags) into the [`Template`] IR, with the source location of
//! every value.
//!
//! The one entry point is [`parse_template`] (and [`parse_template_bytes`]
//! for raw file contents). It answers in one of two ways:
//!
//! - `Ok(`[`Parsed`]`)`: the IR, a [`Locations`] map from document paths to
//!   lines and columns, and the non-fatal [`Problem`]s found on the way
//!   (intrinsic functions with the wrong shape, YAML aliases, YAML 1.1
//!   readings such as `yes`, unsupported tags, `Fn::ForEach` entries). The
//!   validator reports these; [`ProblemKind::rejected_by_cloudformation`]
//!   says which ones CloudFormation refuses.
//! - `Err(`[`ParseError`]`)`: the text cannot be read as a template. Size,
//!   syntax, alias-bomb and depth errors stop at the first; everything
//!   else (wrong section types, missing `Type`, unknown keys, duplicate
//!   keys ...) is collected, so [`ParseError::Invalid`] lists every problem
//!   at once, non-fatal ones included.
//!
//! How text is read:
//! - Text whose first non-blank character is `{` is read as JSON by
//!   serde_json (exact JSON semantics: `1e3` is a number, duplicate keys
//!   are caught). A YAML flow map also starts with `{`, so when serde_json
//!   refuses the text it is tried as YAML, and the JSON error is reported
//!   if YAML refuses it too. (cfn-lint reads YAML first and falls back to
//!   JSON, so it reads `1e3` in a JSON template as a string; hagen follows
//!   JSON, which CloudFormation follows for JSON templates: ECMA-404.)
//! - YAML scalars are read as CloudFormation's YAML 1.1 reader reads them:
//!   see `scalar` for the rules (`yes` is true, `2010-09-09` a string).
//! - Short-form tags become the same IR as long forms; unknown functions
//!   and tags stay one-entry maps (`{"Fn::Length": ...}`): see
//!   `intrinsics` for the rules.
//! - Limits: [`MAX_TEMPLATE_BYTES`] (CloudFormation's own maximum),
//!   [`MAX_DEPTH`] nested lists and maps, [`MAX_ALIAS_NODES`] produced by
//!   alias expansion. No input makes the reader panic.
//!
//! This module owns reading only: it never checks what values mean (that
//! is `crate::validate`) and never writes text (that is `super::yaml` and
//! `super::json`).

mod data;
mod document;
mod error;
mod intrinsics;
mod json;
mod locations;
mod node;
mod scalar;
mod yaml;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod roundtrip_tests;

pub use data::{Data, DataValue, read_data};
pub use error::{
    Format, Location, MAX_ALIAS_BYTES, MAX_ALIAS_NODES, MAX_DEPTH, MAX_PROBLEMS, MAX_QUOTED_CHARS,
    MAX_TEMPLATE_BYTES, ParseError, Problem, ProblemKind,
};
pub use locations::Locations;

use super::Template;
use intrinsics::Converter;

/// A template read from text, with where everything in it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The template as the IR holds it.
    pub template: Template,
    /// Source locations by document path.
    pub locations: Locations,
    /// Problems that did not stop the template from being read, in source
    /// order. None of them is fatal ([`ProblemKind::is_fatal`]).
    pub problems: Vec<Problem>,
    /// Whether the text was read as JSON or YAML.
    pub format: Format,
}

/// Reads a template from text. `source` names it in every message (a file
/// path, or `-` for standard input).
pub fn parse_template(text: &str, source: &str) -> Result<Parsed, ParseError> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(ParseError::TooLarge {
            file: source.to_owned(),
            bytes: Some(text.len()),
        });
    }
    // A byte-order mark is not part of the document (editors hide it).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (read, format) = read(text, source)?;
    let locations = Locations::build(&read.0);
    let mut problems = read.1;
    let template = {
        let mut converter = Converter {
            path: Vec::new(),
            problems: &mut problems,
        };
        document::template(&read.0, &mut converter)
    };
    error::sort(&mut problems);
    if problems.iter().any(|p| p.kind.is_fatal()) {
        return Err(ParseError::Invalid {
            file: source.to_owned(),
            problems,
        });
    }
    Ok(Parsed {
        template,
        locations,
        problems,
        format,
    })
}

/// Reads a template from a file's bytes: like [`parse_template`], and
/// refuses text that is not UTF-8 with the location of the first bad byte.
pub fn parse_template_bytes(bytes: &[u8], source: &str) -> Result<Parsed, ParseError> {
    if bytes.len() > MAX_TEMPLATE_BYTES {
        return Err(ParseError::TooLarge {
            file: source.to_owned(),
            bytes: Some(bytes.len()),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_template(text, source),
        Err(e) => {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ParseError::NotUtf8 {
                file: source.to_owned(),
                location: Location::new(line, column),
            })
        }
    }
}

/// The document tree and the reader's problems, in the detected format.
fn read(text: &str, source: &str) -> Result<((node::Node, Vec<Problem>), Format), ParseError> {
    if text.trim_start().starts_with('{') {
        match json::read(text, source) {
            Ok(r) => return Ok(((r.root, r.problems), Format::Json)),
            Err(json_error @ ParseError::Syntax { .. }) => {
                return match yaml::read(text, source) {
                    Ok(r) => Ok(((r.root, r.problems), Format::Yaml)),
                    Err(_) => Err(json_error),
                };
            }
            Err(other) => return Err(other),
        }
    }
    let r = yaml::read(text, source)?;
    Ok(((r.root, r.problems), Format::Yaml))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Expr, Intrinsic, RetentionPolicy};

    fn parse(text: &str) -> Parsed {
        match parse_template(text, "t.yaml") {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn error(text: &str) -> ParseError {
        match parse_template(text, "t.yaml") {
            Ok(p) => panic!("expected an error, got {:?}", p.template),
            Err(e) => e,
        }
    }

    /// The single fatal problem of an invalid template: message, location, path.
    fn invalid(text: &str) -> (String, Location, Vec<String>) {
        match error(text) {
            ParseError::Invalid { problems, .. } => {
                let fatal: Vec<&Problem> = problems.iter().filter(|p| p.kind.is_fatal()).collect();
                assert_eq!(fatal.len(), 1, "{fatal:?}");
                (
                    fatal[0].kind.to_string(),
                    fatal[0].location,
                    fatal[0].path.clone(),
                )
            }
            other => panic!("expected an invalid template, got {other}"),
        }
    }

    const MINIMAL: &str = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n";

    #[test]
    fn a_full_yaml_template_reads_into_every_section() {
        let text = "\
AWSTemplateFormatVersion: 2010-09-09
Description: Demo
Metadata:
  Owner: ops
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env:
    Type: String
    Default: stage
    AllowedValues: [stage, prod]
    MinLength: '1'
    MaxLength: 10
    NoEcho: 'true'
  Count:
    Type: Number
    MinValue: 1
    MaxValue: 2.5
Rules:
  R:
    Assertions: []
Mappings:
  Ami:
    us-east-1:
      Id: ami-1
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Condition: IsProd
    DependsOn: Topic
    DeletionPolicy: Snapshot
    UpdateReplacePolicy: Retain
    CreationPolicy: {ResourceSignal: {Count: 1}}
    UpdatePolicy: {AutoScalingRollingUpdate: {MaxBatchSize: 1}}
    Metadata: {Note: x}
    Properties:
      Port: 5432
  Topic:
    Type: AWS::SNS::Topic
    DependsOn: [A, B]
Outputs:
  Endpoint:
    Description: Where
    Condition: IsProd
    Value: !GetAtt Db.Endpoint.Address
    Export:
      Name: !Sub '${AWS::StackName}-db'
";
        let p = parse(text);
        assert_eq!(p.format, Format::Yaml);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let t = &p.template;
        assert_eq!(t.format_version.as_deref(), Some("2010-09-09"));
        assert_eq!(t.description.as_deref(), Some("Demo"));
        assert_eq!(t.metadata["Owner"], Expr::string("ops"));
        assert_eq!(
            t.transform,
            Some(Expr::string("AWS::Serverless-2016-10-31"))
        );
        let env = &t.parameters["Env"];
        assert_eq!(env.param_type, "String");
        assert_eq!(env.default, Some(Expr::string("stage")));
        assert_eq!(env.allowed_values.len(), 2);
        assert_eq!((env.min_length, env.max_length), (Some(1), Some(10)));
        assert!(env.no_echo);
        let count = &t.parameters["Count"];
        assert_eq!((count.min_value, count.max_value), (Some(1.0), Some(2.5)));
        assert!(t.rules.contains_key("R"));
        assert_eq!(t.mappings["Ami"]["us-east-1"]["Id"], Expr::string("ami-1"));
        assert!(matches!(
            t.conditions["IsProd"].as_fn(),
            Some(Intrinsic::Equals(..))
        ));
        let db = &t.resources["Db"];
        assert_eq!(db.resource_type, "AWS::RDS::DBInstance");
        assert_eq!(db.condition.as_deref(), Some("IsProd"));
        assert_eq!(db.depends_on, ["Topic"]);
        assert_eq!(db.deletion_policy, Some(RetentionPolicy::Snapshot));
        assert_eq!(db.update_replace_policy, Some(RetentionPolicy::Retain));
        assert!(db.creation_policy.is_some() && db.update_policy.is_some());
        assert_eq!(db.metadata["Note"], Expr::string("x"));
        assert_eq!(db.properties["Port"], Expr::Int(5432));
        assert_eq!(t.resources["Topic"].depends_on, ["A", "B"]);
        let out = &t.outputs["Endpoint"];
        assert_eq!(out.description.as_deref(), Some("Where"));
        assert_eq!(out.condition.as_deref(), Some("IsProd"));
        assert!(matches!(out.value.as_fn(), Some(Intrinsic::GetAtt { .. })));
        assert!(matches!(
            out.export_name.as_ref().and_then(Expr::as_fn),
            Some(Intrinsic::Sub { .. })
        ));
        assert_eq!(
            p.locations.get(&["Resources", "Db", "Properties", "Port"]),
            Some(Location::new(38, 7))
        );
    }

    #[test]
    fn json_is_read_as_json() {
        let text = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"N": 1e3, "S": {"Fn::Sub": "x"}}}}}"#;
        let p = parse(text);
        assert_eq!(p.format, Format::Json);
        let props = &p.template.resources["T"].properties;
        assert_eq!(props["N"], Expr::Float(1000.0));
        assert!(matches!(props["S"].as_fn(), Some(Intrinsic::Sub { .. })));
        assert_eq!(
            p.locations
                .get(&["Resources", "T", "Properties", "S", "Fn::Sub"]),
            Some(Location::new(1, 80))
        );
    }

    #[test]
    fn a_flow_yaml_document_that_starts_like_json_is_read_as_yaml() {
        let p = parse("{Resources: {T: {Type: AWS::SNS::Topic, Properties: {A: !Ref X}}}}");
        assert_eq!(p.format, Format::Yaml);
        assert!(p.template.resources["T"].properties["A"].as_fn().is_some());
    }

    #[test]
    fn invalid_json_that_is_not_yaml_either_reports_the_json_error() {
        let e = error("{\"Resources\": {\"T\": }");
        assert_eq!(e.to_string(), "t.yaml:1:21: malformed JSON: expected value");
    }

    #[test]
    fn windows_line_endings_keep_lines_and_columns() {
        let p = parse(&MINIMAL.replace('\n', "\r\n"));
        assert_eq!(
            p.locations.value(&["Resources", "Topic", "Type"]),
            Some(Location::new(3, 11))
        );
        let json = "{\r\n  \"Resources\": {\r\n    \"T\": {\"Type\": \"X\"}}}";
        let p = parse(json);
        assert_eq!(
            p.locations.get(&["Resources", "T"]),
            Some(Location::new(3, 5))
        );
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let p = parse(&format!("\u{feff}{MINIMAL}"));
        assert_eq!(p.locations.get(&["Resources"]), Some(Location::new(1, 1)));
        let p = parse("\u{feff}{\"Resources\": {}}");
        assert_eq!(p.format, Format::Json);
    }

    #[test]
    fn non_fatal_problems_come_back_beside_the_template_in_source_order() {
        let text = "\
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      A: !Select [0]
      B: yes
      C: !!binary aGk=
";
        let p = parse(text);
        let kinds: Vec<String> = p.problems.iter().map(|p| p.kind.to_string()).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert!(kinds[0].starts_with("Fn::Select takes"));
        assert_eq!(
            kinds[1],
            "plain \"yes\" is read by CloudFormation (YAML 1.1) as the boolean true; quote it if you meant the string"
        );
        assert!(kinds[2].starts_with("YAML tag !!binary"));
        assert_eq!(p.problems[0].logical_id(), Some("T"));
        assert!(p.problems[0].kind.rejected_by_cloudformation());
        assert!(!p.problems[1].kind.rejected_by_cloudformation());
    }

    #[test]
    fn too_large_names_cloudformations_limit() {
        let text = format!("{MINIMAL}#{}\n", "x".repeat(MAX_TEMPLATE_BYTES));
        assert_eq!(
            error(&text).to_string(),
            format!(
                "t.yaml: the template is {} bytes; CloudFormation accepts at most 1000000 bytes (uploaded to S3; 51,200 inline): split it into nested stacks",
                text.len()
            )
        );
        let exactly = format!(
            "{MINIMAL}#{}",
            "x".repeat(MAX_TEMPLATE_BYTES - MINIMAL.len() - 1)
        );
        assert_eq!(exactly.len(), MAX_TEMPLATE_BYTES);
        parse(&exactly);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        let mut bytes = MINIMAL.as_bytes().to_vec();
        bytes.extend_from_slice(b"# caf\xe9\n");
        let e = parse_template_bytes(&bytes, "t.yaml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:4:6: the template is not UTF-8 text; save it as UTF-8"
        );
        assert!(parse_template_bytes(MINIMAL.as_bytes(), "t.yaml").is_ok());
    }

    #[test]
    fn malformed_yaml_names_file_line_and_column() {
        assert_eq!(
            error("Resources:\n  T: [a\n").to_string(),
            "t.yaml:3:1: malformed YAML: while parsing a flow sequence, expected ',' or ']'"
        );
    }

    #[test]
    fn the_template_must_be_a_map() {
        let (msg, at, path) = invalid("- a\n- b\n");
        assert_eq!(
            msg,
            "the template must be a map of sections (AWSTemplateFormatVersion, Resources, ...); found a list of 2 items"
        );
        assert_eq!((at, path.len()), (Location::new(1, 1), 0));
        let (msg, ..) = invalid("# nothing\n");
        assert!(msg.ends_with("found an empty document"), "{msg}");
        let (msg, ..) = invalid("just text");
        assert!(msg.ends_with("found the string \"just text\""), "{msg}");
    }

    #[test]
    fn resources_must_exist_and_be_a_map() {
        let (msg, at, _) = invalid("Description: x\n");
        assert_eq!(
            msg,
            "the template has no Resources; CloudFormation requires a Resources section with at least one resource"
        );
        assert_eq!(at, Location::new(1, 1));
        let (msg, at, path) = invalid("Resources: [a]\n");
        assert_eq!(
            msg,
            "Resources must be a map of logical IDs to resources; found a list of 1 item"
        );
        assert_eq!(
            (at, path),
            (Location::new(1, 12), vec!["Resources".to_string()])
        );
    }

    #[test]
    fn a_resource_needs_a_type() {
        let (msg, at, path) = invalid("Resources:\n  Db:\n    Properties: {}\n");
        assert_eq!(
            msg,
            "resource \"Db\" has no Type; add its resource type, such as Type: AWS::EC2::VPC"
        );
        assert_eq!(at, Location::new(2, 3));
        assert_eq!(path, ["Resources", "Db"]);
        let (msg, ..) = invalid("Resources:\n  Db: x\n");
        assert_eq!(
            msg,
            "resource \"Db\" must be a map with at least a Type; found the string \"x\""
        );
        let (msg, ..) = invalid("Resources:\n  Db:\n    Type: [a]\n");
        assert_eq!(
            msg,
            "resource \"Db\" Type must be a string; found a list of 1 item"
        );
    }

    #[test]
    fn properties_must_be_a_map() {
        let (msg, at, path) =
            invalid("Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: [Port]\n");
        assert_eq!(
            msg,
            "resource \"Db\" Properties must be a map of property names to values; found a list of 1 item"
        );
        assert_eq!(at, Location::new(4, 17));
        assert_eq!(path, ["Resources", "Db", "Properties"]);
    }

    #[test]
    fn depends_on_must_be_a_name_or_a_list_of_names() {
        let (msg, at, _) = invalid("Resources:\n  A:\n    Type: T\n    DependsOn: {B: 1}\n");
        assert_eq!(
            msg,
            "resource \"A\" DependsOn must be a logical ID or a list of logical IDs; found a map"
        );
        assert_eq!(at, Location::new(4, 16));
        let (_, at, path) = invalid("Resources:\n  A:\n    Type: T\n    DependsOn: [B, [C]]\n");
        assert_eq!(at, Location::new(4, 20));
        assert_eq!(path, ["Resources", "A", "DependsOn", "1"]);
    }

    #[test]
    fn unknown_deletion_policies_are_refused() {
        let (msg, at, _) = invalid("Resources:\n  A:\n    Type: T\n    DeletionPolicy: Keep\n");
        assert_eq!(
            msg,
            "DeletionPolicy \"Keep\" is not a policy CloudFormation knows; use Delete, Retain, RetainExceptOnCreate or Snapshot"
        );
        assert_eq!(at, Location::new(4, 21));
        let (msg, ..) = invalid("Resources:\n  A:\n    Type: T\n    UpdateReplacePolicy: !Ref P\n");
        assert_eq!(
            msg,
            "resource \"A\" UpdateReplacePolicy must be one of Delete, Retain, RetainExceptOnCreate or Snapshot (hagen does not read intrinsics here); found the function !Ref"
        );
    }

    #[test]
    fn parameters_need_a_type_and_known_keys() {
        let (msg, at, path) = invalid(&format!("Parameters:\n  Env:\n    Default: x\n{MINIMAL}"));
        assert_eq!(
            msg,
            "parameter \"Env\" has no Type; add one, such as String, Number or AWS::EC2::Image::Id"
        );
        assert_eq!(at, Location::new(2, 3));
        assert_eq!(path, ["Parameters", "Env"]);
        let (msg, at, _) = invalid(&format!(
            "Parameters:\n  Env:\n    Type: String\n    Defualt: x\n{MINIMAL}"
        ));
        assert_eq!(
            msg,
            "parameter \"Env\" has an unknown key \"Defualt\"; did you mean \"Default\"?"
        );
        assert_eq!(at, Location::new(4, 5));
        let (msg, ..) = invalid(&format!(
            "Parameters:\n  N:\n    Type: Number\n    MinValue: low\n{MINIMAL}"
        ));
        assert_eq!(
            msg,
            "parameter \"N\" MinValue must be a number; found the string \"low\""
        );
        let (msg, ..) = invalid(&format!(
            "Parameters:\n  N:\n    Type: String\n    MaxLength: 1.5\n{MINIMAL}"
        ));
        assert_eq!(
            msg,
            "parameter \"N\" MaxLength must be a whole number; found the number 1.5"
        );
        let (msg, ..) = invalid(&format!(
            "Parameters:\n  N:\n    Type: String\n    NoEcho: maybe\n{MINIMAL}"
        ));
        assert_eq!(
            msg,
            "parameter \"N\" NoEcho must be true or false; found the string \"maybe\""
        );
        let (msg, ..) = invalid(&format!(
            "Parameters:\n  N:\n    Type: String\n    AllowedValues: a\n{MINIMAL}"
        ));
        assert_eq!(
            msg,
            "parameter \"N\" AllowedValues must be a list of values; found the string \"a\""
        );
    }

    #[test]
    fn unknown_sections_and_attributes_suggest_the_right_name() {
        let (msg, at, _) = invalid(&format!("{MINIMAL}Output:\n  A: {{Value: 1}}\n"));
        assert_eq!(
            msg,
            "the template has an unknown key \"Output\"; did you mean \"Outputs\"?"
        );
        assert_eq!(at, Location::new(4, 1));
        let (msg, ..) = invalid("Resources:\n  A:\n    Type: T\n    Propertes: {}\n");
        assert_eq!(
            msg,
            "resource \"A\" has an unknown key \"Propertes\"; did you mean \"Properties\"?"
        );
        let (msg, ..) = invalid("Resources:\n  A:\n    Type: T\n    Zebra: {}\n");
        assert_eq!(
            msg,
            "resource \"A\" has an unknown key \"Zebra\"; the keys allowed here are Type, Properties, DependsOn, Condition, DeletionPolicy, UpdateReplacePolicy, CreationPolicy, UpdatePolicy, Metadata"
        );
    }

    #[test]
    fn outputs_need_a_value_and_exports_a_name() {
        let (msg, at, _) = invalid(&format!("{MINIMAL}Outputs:\n  O:\n    Description: d\n"));
        assert_eq!(
            msg,
            "output \"O\" has no Value; add the value to output, such as Value: !Ref Vpc"
        );
        assert_eq!(at, Location::new(5, 3));
        let (msg, at, _) = invalid(&format!(
            "{MINIMAL}Outputs:\n  O:\n    Value: 1\n    Export: {{}}\n"
        ));
        assert!(msg.starts_with("output \"O\" Export has no Name;"), "{msg}");
        assert_eq!(at, Location::new(7, 5));
        let (msg, ..) = invalid(&format!(
            "{MINIMAL}Outputs:\n  O:\n    Value: 1\n    Export: x\n"
        ));
        assert_eq!(
            msg,
            "output \"O\" Export must be a map with a Name; found the string \"x\""
        );
    }

    #[test]
    fn mappings_must_be_two_levels_of_maps() {
        let (msg, at, path) = invalid(&format!("Mappings:\n  M:\n    k: v\n{MINIMAL}"));
        assert_eq!(
            msg,
            "mapping \"M\" key \"k\" must be a map of second-level keys to values; found the string \"v\""
        );
        assert_eq!(at, Location::new(3, 8));
        assert_eq!(path, ["Mappings", "M", "k"]);
    }

    #[test]
    fn every_section_and_attribute_has_its_type_checked() {
        let cases = [
            (
                "AWSTemplateFormatVersion: [1]\n",
                "AWSTemplateFormatVersion must be a string; found a list of 1 item",
                Location::new(1, 27),
            ),
            (
                "Description: {a: b}\n",
                "Description must be a string; found a map",
                Location::new(1, 14),
            ),
            (
                "Metadata: x\n",
                "Metadata must be a map; found the string \"x\"",
                Location::new(1, 11),
            ),
            (
                "Parameters: [x]\n",
                "Parameters must be a map of parameter names to parameters; found a list of 1 item",
                Location::new(1, 13),
            ),
            (
                "Rules: 1\n",
                "Rules must be a map; found the number 1",
                Location::new(1, 8),
            ),
            (
                "Mappings: x\n",
                "Mappings must be a map of mapping names to mappings; found the string \"x\"",
                Location::new(1, 11),
            ),
            (
                "Mappings:\n  M: x\n",
                "mapping \"M\" must be a map of top-level keys to maps; found the string \"x\"",
                Location::new(2, 6),
            ),
            (
                "Conditions: x\n",
                "Conditions must be a map of condition names to conditions; found the string \"x\"",
                Location::new(1, 13),
            ),
            (
                "Outputs: x\n",
                "Outputs must be a map of output names to outputs; found the string \"x\"",
                Location::new(1, 10),
            ),
            (
                "Outputs:\n  O: x\n",
                "output \"O\" must be a map with at least a Value; found the string \"x\"",
                Location::new(2, 6),
            ),
            (
                "Outputs:\n  O: {Value: 1, Exprt: {}}\n",
                "output \"O\" has an unknown key \"Exprt\"; did you mean \"Export\"?",
                Location::new(2, 17),
            ),
            (
                "Outputs:\n  O: {Value: 1, Export: {Name: x, Scope: y}}\n",
                "output \"O\" Export has an unknown key \"Scope\"; the keys allowed here are Name",
                Location::new(2, 35),
            ),
            (
                "Parameters:\n  P: x\n",
                "parameter \"P\" must be a map with at least a Type; found the string \"x\"",
                Location::new(2, 6),
            ),
            (
                "Resources:\n  A: {Type: T, Metadata: [x]}\n",
                "resource \"A\" Metadata must be a map; found a list of 1 item",
                Location::new(2, 26),
            ),
            (
                "Resources:\n  A: {Type: T, Condition: [x]}\n",
                "resource \"A\" Condition must be a string; found a list of 1 item",
                Location::new(2, 27),
            ),
        ];
        for (text, message, location) in cases {
            let text = if text.contains("Resources") {
                text.to_owned()
            } else {
                format!("{text}{MINIMAL}")
            };
            let (msg, at, _) = invalid(&text);
            assert_eq!((msg.as_str(), at), (message, location), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_are_errors_naming_both_lines() {
        let text = "Resources:\n  A:\n    Type: T\n  A:\n    Type: U\n";
        let e = error(text);
        assert_eq!(
            e.to_string(),
            "t.yaml:4:3: duplicate key \"A\" (first at line 2, column 3); keep one of them, readers silently drop the other"
        );
        let json = "{\"Resources\": {\"A\": {\"Type\": \"T\"}},\n \"Resources\": {}}";
        let (msg, at, _) = match parse_template(json, "t.json") {
            Err(ParseError::Invalid { problems, .. }) => (
                problems[0].kind.to_string(),
                problems[0].location,
                problems[0].path.clone(),
            ),
            other => panic!("{other:?}"),
        };
        assert!(msg.starts_with("duplicate key \"Resources\" (first at line 1, column 2)"));
        assert_eq!(at, Location::new(2, 2));
    }

    #[test]
    fn every_fatal_problem_is_listed_at_once() {
        let text = "Resources:\n  A:\n    Properties: {}\n  B:\n    Type: T\n    DeletionPolicy: Nope\nOutputs:\n  O: {}\n";
        let e = error(text);
        assert_eq!(
            e.to_string(),
            "t.yaml: the template cannot be read (3 problems):\n  \
             t.yaml:2:3: resource \"A\" has no Type; add its resource type, such as Type: AWS::EC2::VPC\n  \
             t.yaml:6:21: DeletionPolicy \"Nope\" is not a policy CloudFormation knows; use Delete, Retain, RetainExceptOnCreate or Snapshot\n  \
             t.yaml:8:3: output \"O\" has no Value; add the value to output, such as Value: !Ref Vpc"
        );
    }

    #[test]
    fn for_each_entries_are_skipped_and_reported() {
        let text = "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Topics:\n    - T\n    - [a, b]\n    - Topic${T}:\n        Type: AWS::SNS::Topic\n";
        let p = parse(text);
        assert!(p.template.resources.is_empty());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(
            p.problems[0].kind.to_string(),
            "Fn::ForEach::Topics is expanded by the AWS::LanguageExtensions transform, which hagen does not run; the entry is skipped and not checked"
        );
        assert_eq!(p.problems[0].location, Location::new(3, 3));
    }

    #[test]
    fn aliases_are_expanded_but_reported() {
        let text = "Resources:\n  A:\n    Type: T\n    Properties: &p {X: 1}\n  B:\n    Type: T\n    Properties: *p\n";
        let p = parse(text);
        assert_eq!(p.template.resources["B"].properties["X"], Expr::Int(1));
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].kind, ProblemKind::Alias);
        assert_eq!(p.problems[0].path, ["Resources", "B", "Properties"]);
    }

    /// Regression (hostile input, problem paths): every problem copied the
    /// full path above it, so 45,000 plain `yes` under a 500 KB key took
    /// 22 GB. Problems are capped at MAX_PROBLEMS and quote at most
    /// MAX_QUOTED_CHARS of any key.
    #[test]
    fn problems_past_the_limit_are_counted_not_kept() {
        let key = "k".repeat(100_000);
        let mut text = format!("Metadata:\n  ? {key}\n  :\n");
        for _ in 0..3000 {
            text.push_str("    - yes\n");
        }
        text.push_str(MINIMAL);
        let p = parse(&text);
        assert_eq!(p.problems.len(), MAX_PROBLEMS + 1);
        let last = p.problems.last().unwrap();
        assert_eq!(
            last.kind,
            ProblemKind::Omitted {
                count: 2000,
                fatal: false,
                rejected: false
            }
        );
        assert_eq!(
            last.kind.to_string(),
            "2000 more problems were found and not listed (hagen lists at most 1000); fix the ones above and validate again"
        );
        // The first omitted one is where the count starts.
        assert_eq!(last.location, Location::new(1004, 7));
        let first = &p.problems[0];
        assert_eq!(
            first.path[1],
            format!("{}...", "k".repeat(MAX_QUOTED_CHARS))
        );
        for problem in &p.problems {
            let bytes: usize = problem.path.iter().map(String::len).sum();
            assert!(bytes <= 3 * (MAX_QUOTED_CHARS + 3), "{bytes}");
        }
    }

    #[test]
    fn a_fatal_problem_past_the_limit_still_refuses_the_template() {
        let mut text = String::from("Metadata:\n  L:\n");
        for _ in 0..MAX_PROBLEMS {
            text.push_str("    - yes\n");
        }
        text.push_str("Resources:\n  A: {Type: T}\n  A: {Type: T}\n");
        match error(&text) {
            ParseError::Invalid { problems, .. } => {
                assert_eq!(problems.len(), MAX_PROBLEMS + 1);
                let last = problems.last().unwrap();
                assert!(last.kind.is_fatal() && last.kind.rejected_by_cloudformation());
                assert_eq!(
                    last.kind.to_string(),
                    "1 more problem was found and not listed (hagen lists at most 1000); fix the ones above and validate again"
                );
            }
            other => panic!("{other}"),
        }
    }

    /// Regression (hostile input, problem paths in JSON): 60,000 duplicate
    /// keys under a 500 KB key exhausted memory the same way.
    #[test]
    fn json_duplicates_under_a_long_key_stay_small() {
        let key = "k".repeat(50_000);
        let dupes: Vec<&str> = std::iter::repeat_n("\"a\": 1", 5000).collect();
        let text = format!(
            "{{\"Metadata\": {{\"{key}\": {{{}}}}}, \"Resources\": {{\"T\": {{\"Type\": \"X\"}}}}}}",
            dupes.join(",")
        );
        match parse_template(&text, "t.json") {
            Err(ParseError::Invalid { problems, .. }) => {
                assert_eq!(problems.len(), MAX_PROBLEMS + 1);
                let ProblemKind::DuplicateKey { key: k, .. } = &problems[0].kind else {
                    panic!("{:?}", problems[0]);
                };
                assert_eq!(k, "a");
                assert!(problems[0].path[1].len() <= MAX_QUOTED_CHARS + 3);
                assert!(matches!(
                    problems.last().unwrap().kind,
                    ProblemKind::Omitted {
                        count: 3999,
                        fatal: true,
                        ..
                    }
                ));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_names_are_cut_in_messages() {
        let id = "R".repeat(1000);
        let (msg, ..) = invalid(&format!("Resources:\n  {id}:\n    Properties: {{}}\n"));
        assert_eq!(
            msg,
            format!(
                "resource \"{}...\" has no Type; add its resource type, such as Type: AWS::EC2::VPC",
                "R".repeat(MAX_QUOTED_CHARS)
            )
        );
    }

    /// Regression (valid templates refused): a `Hooks` section made the
    /// template unreadable (exit 4). It is read, kept and written back.
    #[test]
    fn a_hooks_section_is_read_kept_and_written_back() {
        let text = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform:
  - AWS::CodeDeployBlueGreen
Hooks:
  CodeDeployBlueGreenHook:
    Type: AWS::CodeDeploy::BlueGreen
    Properties:
      TrafficRoutingConfig:
        Type: TimeBasedCanary
        TimeBasedCanary:
          StepPercentage: 15
          BakeTimeMins: 5
      ServiceRole: CodeDeployServiceRole
      Applications:
        - Target:
            Type: AWS::ECS::Service
            LogicalID: ECSDemoService
          ECSAttributes:
            TaskDefinitions: [BlueTaskDefinition, GreenTaskDefinition]
            TaskSets: [BlueTaskSet, GreenTaskSet]
            TrafficRouting:
              ProdTrafficRoute:
                Type: AWS::ElasticLoadBalancingV2::Listener
                LogicalID: ALBListenerProdTraffic
              TargetGroups: [ALBTargetGroupBlue, ALBTargetGroupGreen]
Resources:
  Topic:
    Type: AWS::SNS::Topic
";
        let p = parse(text);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let hook = &p.template.hooks["CodeDeployBlueGreenHook"];
        let Expr::Map(hook) = hook else {
            panic!("{hook:?}")
        };
        assert_eq!(hook["Type"], Expr::string("AWS::CodeDeploy::BlueGreen"));
        assert_eq!(
            p.locations
                .get(&["Hooks", "CodeDeployBlueGreenHook", "Properties"]),
            Some(Location::new(7, 5))
        );
        // Written back where CloudFormation's examples put it, and read
        // back the same, in YAML and JSON.
        let yaml = p.template.to_yaml();
        let hooks_at = yaml.find("\nHooks:").expect("Hooks written");
        assert!(hooks_at < yaml.find("\nResources:").unwrap(), "{yaml}");
        assert_eq!(parse(&yaml).template, p.template);
        let json = p.template.to_json();
        assert_eq!(parse(&json).template, p.template);
        // The checks take it as it is: a transform, nothing unreadable.
        let report = crate::validate::check_parsed(&p, &crate::validate::Options::default());
        assert!(!report.has_errors(), "{:#?}", report.diagnostics);
    }

    #[test]
    fn hooks_need_a_type() {
        let (msg, at, path) = invalid(&format!("Hooks:\n  H:\n    Properties: {{}}\n{MINIMAL}"));
        assert_eq!(
            msg,
            "hook \"H\" has no Type; add the hook's type, such as Type: AWS::CodeDeploy::BlueGreen"
        );
        assert_eq!(
            (at, path),
            (
                Location::new(2, 3),
                vec!["Hooks".to_string(), "H".to_string()]
            )
        );
        let (msg, ..) = invalid(&format!("Hooks: [a]\n{MINIMAL}"));
        assert_eq!(
            msg,
            "Hooks must be a map of logical IDs to hooks; found a list of 1 item"
        );
        let (msg, ..) = invalid(&format!(
            "Hooks:\n  H: {{Type: T, Propertes: {{}}}}\n{MINIMAL}"
        ));
        assert_eq!(
            msg,
            "hook \"H\" has an unknown key \"Propertes\"; did you mean \"Properties\"?"
        );
    }

    #[test]
    fn scalars_where_strings_are_expected_are_read_as_text() {
        let p = parse("Description: 42\nResources:\n  A:\n    Type: T\n    Condition: yes\n");
        assert_eq!(p.template.description.as_deref(), Some("42"));
        assert_eq!(p.template.resources["A"].condition.as_deref(), Some("true"));
    }
}
