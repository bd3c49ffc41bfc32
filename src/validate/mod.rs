//! Checks over a [`Template`]: AWS resource
//! schemas, references, quotas, network consistency, and named security and
//! availability rules with suppressions that carry a reason.
//!
//! [`check`] is the one entry point: `hagen validate` calls it on templates
//! written by anyone, `hagen synth` on its own output (with
//! [`Options::strict`], so that security and availability findings are
//! errors and stop it). Each check lives in its own module and returns
//! [`Diagnostic`]s naming a rule of [`rules`]; this module runs them, applies
//! strictness and suppressions, and sorts the result. It prints nothing.

pub mod app;
pub(crate) mod availability;
pub mod az_report;
mod diagnostic;
pub(crate) mod functions;
pub(crate) mod graph;
pub(crate) mod intrinsics;
pub(crate) mod model;
pub(crate) mod monitors;
pub(crate) mod network;
pub(crate) mod parameters;
pub(crate) mod quotas;
pub(crate) mod reach;
pub mod render;
pub mod rules;
pub(crate) mod scenario;
pub mod schema;
pub(crate) mod security;
pub(crate) mod suppress;
#[cfg(test)]
pub(crate) mod testing;
mod text;
pub(crate) mod transforms;
pub(crate) mod unused;

pub use az_report::AvailabilityReport;
pub use diagnostic::{Diagnostic, Severity};
pub use suppress::Suppressed;

use crate::template::Template;
use crate::template::parse::{Parsed, Problem, ProblemKind};

/// How to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Hold the template to hagen's own guarantees: security and
    /// availability findings become errors (see [`rules::Rule::strict`]).
    /// `hagen synth` sets it; `hagen validate --strict` too.
    pub strict: bool,
    /// The size in bytes of the template body that would be sent to
    /// CloudFormation (the file as read, or the text synth prints), for the
    /// template size quotas. `None` skips them.
    pub body_size: Option<usize>,
    /// The body always goes to CloudFormation through S3 (a nested stack's
    /// child, which the deploy uploads): the 51,200-byte inline limit
    /// (HG308) is not its concern, the 1 MB one is.
    pub through_s3: bool,
}

/// Everything the checks found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Findings, sorted by their place in the template.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by a suppression with a reason.
    pub suppressed: Vec<Suppressed>,
    /// What losing each AZ does, and the single points of failure.
    pub availability: AvailabilityReport,
}

impl Report {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether any finding is an error: synth must not print, deploy must not start.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// The worst severity found, if anything was found.
    pub fn worst(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }
}

/// Runs every check over a template.
pub fn check(template: &Template, options: &Options) -> Report {
    run(template, options, Vec::new(), &[])
}

fn run(
    template: &Template,
    options: &Options,
    extra: Vec<Diagnostic>,
    shapes: &[&[String]],
) -> Report {
    let mut found = extra;
    let transformed = template.transform.is_some();
    let transforms = transforms::Transforms::of(template);
    let shared = schema::Shared::new(template);
    schema::warm(&shared);
    for (id, r) in &template.resources {
        let mut ds = schema::check_resource_in(&shared, id, r);
        if !transforms.predictable() {
            // A macro may expand types only it knows.
            ds.retain(|d| d.rule != rules::UNKNOWN_TYPE.id);
        }
        found.extend(ds);
    }
    if transforms.predictable() {
        found.extend(functions::check(template, &transforms));
    }
    if shared.conditions.exhausted() {
        found.push(
            rules::CHECK_CUT_SHORT
                .diag(format!(
                    "the conditions are too intricate to explore: after {} steps, the remaining resources were checked in one scenario, with every condition true",
                    scenario::MAX_CONDITION_STEPS
                ))
                .at(["Conditions"])
                .hint("simplify the conditions (fewer conditions built on conditions); findings inside Fn::If branches may be missing"),
        );
    }
    if transformed {
        found.push(
            rules::TRANSFORM_SKIPPED
                .diag("the template uses a transform; reference, dependency and usage checks need the expanded template and were skipped")
                .at(["Transform"])
                .hint("validate the processed template (aws cloudformation get-template --template-stage Processed) for full checks"),
        );
    } else {
        found.extend(intrinsics::check(template));
        found.extend(graph::check(template));
        found.extend(unused::check(template));
    }
    found.extend(parameters::check(template));
    found.extend(monitors::check(template));
    found.extend(quotas::check(
        template,
        options.body_size,
        options.through_s3,
    ));
    let topology = model::Model::of(template);
    found.extend(security::check(template, &topology));
    found.extend(availability::check(template, &topology));
    found.extend(network::check(&topology));
    let reach = reach::analyse(template, &topology);
    found.extend(reach.findings);
    found.retain(|d| {
        let schema_rule =
            rules::find(&d.rule).is_some_and(|r| r.category == rules::Category::Schema);
        !(schema_rule && shapes.iter().any(|s| d.path.starts_with(s)))
    });

    if options.strict {
        for d in &mut found {
            if let Some(rule) = rules::find(&d.rule)
                && d.severity == rule.severity
            {
                d.severity = rule.strict;
            }
        }
    }
    let (mut diagnostics, mut suppressed) = suppress::apply(template, found);
    sort(template, &mut diagnostics);
    suppressed.sort_by_cached_key(|s| order_key(template, &s.diagnostic));
    let mut availability = az_report::build(&topology);
    availability.paths = reach.paths;
    Report {
        diagnostics,
        suppressed,
        availability,
    }
}

/// The parser's problems as findings: HG010 (an error) for what
/// CloudFormation rejects, HG011 (a warning) for values it reads
/// differently than they look.
pub fn problem_diagnostics(problems: &[Problem]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| {
            let rule = if p.kind.rejected_by_cloudformation() {
                &rules::TEMPLATE_SHAPE
            } else {
                &rules::TEMPLATE_READING
            };
            let d = rule.diag(p.kind.to_string()).at(p.path.iter().cloned());
            match p.logical_id() {
                Some(id) => d.on(id),
                None => d,
            }
        })
        .collect()
}

/// Runs every check over a parsed template and adds the parser's own
/// problems. Schema findings under a wrongly shaped intrinsic are dropped:
/// the shape problem already says what is wrong there.
pub fn check_parsed(parsed: &Parsed, options: &Options) -> Report {
    let shapes: Vec<&[String]> = parsed
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::IntrinsicShape { .. }))
        .map(|p| p.path.as_slice())
        .collect();
    let mut problems = problem_diagnostics(&parsed.problems);
    if !transforms::Transforms::of(&parsed.template).language_extensions {
        // Without the transform, CloudFormation rejects what only it expands.
        for (d, p) in problems.iter_mut().zip(&parsed.problems) {
            if let ProblemKind::NeedsTransform { key } = &p.kind {
                let mut hg218 = rules::NEEDS_LANGUAGE_EXTENSIONS
                    .diag(format!(
                        "{key} exists only with the AWS::LanguageExtensions transform, which the template does not declare"
                    ))
                    .at(p.path.iter().cloned())
                    .hint("add Transform: AWS::LanguageExtensions at the top level of the template");
                if let Some(id) = p.logical_id() {
                    hg218 = hg218.on(id);
                }
                *d = hg218;
            }
        }
    }
    run(&parsed.template, options, problems, &shapes)
}

type OrderKey = (usize, usize, Vec<String>, String);

/// Template order: sections as CloudFormation lists them, entries as written.
fn order_key(template: &Template, d: &Diagnostic) -> OrderKey {
    let section = d.path.first().map(String::as_str).unwrap_or("");
    let name = d.path.get(1).map(String::as_str).unwrap_or("");
    let (rank, index) = match section {
        "AWSTemplateFormatVersion" => (0, 0),
        "Description" => (1, 0),
        "Metadata" => (2, 0),
        "Transform" => (3, 0),
        "Parameters" => (4, template.parameters.get_index_of(name).unwrap_or(0)),
        "Rules" => (5, template.rules.get_index_of(name).unwrap_or(0)),
        "Mappings" => (6, template.mappings.get_index_of(name).unwrap_or(0)),
        "Conditions" => (7, template.conditions.get_index_of(name).unwrap_or(0)),
        "Resources" => (8, template.resources.get_index_of(name).unwrap_or(0)),
        "Outputs" => (9, template.outputs.get_index_of(name).unwrap_or(0)),
        "" => (10, 0),
        _ => (11, 0),
    };
    (rank, index, d.path.clone(), d.rule.clone())
}

fn sort(template: &Template, diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_cached_key(|d| order_key(template, d));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_mode_raises_policy_findings_to_errors() {
        let t = testing::template(json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic",
            "Metadata": {"hagen": {"suppress": [{"rule": "HG212", "reason": "x"}]}}}}}));
        // Only an info finding (unused suppression): strict mode keeps it info.
        let r = check(
            &t,
            &Options {
                strict: true,
                body_size: None,
                through_s3: false,
            },
        );
        assert_eq!(r.worst(), Some(Severity::Info));
        assert!(!r.has_errors());
    }

    #[test]
    fn findings_come_in_template_order() {
        let t = testing::template(json!({
            "Parameters": {"Unused": {"Type": "String"}},
            "Resources": {
                "B": {"Type": "AWS::SNS::Topic", "Properties": {"Nope": 1}},
                "A": {"Type": "AWS::SNS::Topic", "Properties": {"Nope": 1}}
            }
        }));
        let r = check(&t, &Options::default());
        let places: Vec<String> = r
            .diagnostics
            .iter()
            .map(|d| d.path[..2].join("/"))
            .collect();
        assert_eq!(
            places,
            vec!["Parameters/Unused", "Resources/B", "Resources/A"]
        );
    }

    #[test]
    fn the_ha_fixture_is_clean_even_when_strict() {
        let t = testing::template(testing::ha_stack());
        let r = check(
            &t,
            &Options {
                strict: true,
                body_size: None,
                through_s3: false,
            },
        );
        assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    }

    /// Regression (hostile input, condition chains across resources):
    /// each resource needing a different condition of a long chain cost
    /// the whole chain per resource, quadratic in the template. The
    /// analysis stops at its budget, the rest is checked in one scenario,
    /// and the report says so.
    #[test]
    fn a_template_built_to_exhaust_condition_analysis_is_checked_and_says_so() {
        use crate::template::{Parameter, Resource, fns};
        let n = 2000;
        let mut t = Template::default();
        t.parameters.insert(
            "P".into(),
            Parameter {
                param_type: "String".into(),
                ..Parameter::default()
            },
        );
        t.conditions
            .insert("C0".into(), fns::equals(fns::ref_("P"), "v0").into());
        for i in 1..n {
            let c = fns::and([
                fns::condition(format!("C{}", i - 1)),
                fns::equals(fns::ref_("P"), format!("v{i}")),
            ]);
            t.conditions.insert(format!("C{i}"), c.into());
        }
        for k in 0..300 {
            let mut r = Resource::new("AWS::SNS::Topic");
            r.condition = Some(format!("C{}", n - 1 - k));
            t.resources.insert(format!("T{k}"), r);
        }
        let report = check(&t, &Options::default());
        let cut: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == rules::CHECK_CUT_SHORT.id)
            .collect();
        assert_eq!(cut.len(), 1, "{:#?}", report.diagnostics);
        assert_eq!(cut[0].severity, Severity::Warning);
        assert_eq!(cut[0].path, ["Conditions"]);
    }

    /// Conditions are evaluated once per name and scenario (memoised in
    /// `scenario::Conditions`), so a chain of 40 conditions that each use
    /// the previous one twice is 40 steps through every check, not 2^40.
    /// C39 holds exactly when C0 does, so only the `then` branch of the
    /// topic's `Fn::If` can be deployed and only it is reported.
    #[test]
    fn a_forty_level_condition_chain_is_checked_through_every_check() {
        use crate::template::{Expr, Intrinsic, Parameter, Resource, fns};
        let mut t = Template::default();
        t.parameters.insert(
            "Env".into(),
            Parameter {
                param_type: "String".into(),
                ..Parameter::default()
            },
        );
        t.conditions
            .insert("C0".into(), fns::equals(fns::ref_("Env"), "prod").into());
        for i in 1..40 {
            let previous = || fns::condition(format!("C{}", i - 1));
            let c = fns::and([
                previous(),
                fns::or([previous(), fns::equals(fns::ref_("Env"), format!("v{i}"))]),
            ]);
            t.conditions.insert(format!("C{i}"), c.into());
        }
        let mut topic = Resource::new("AWS::SNS::Topic");
        topic.condition = Some("C39".into());
        topic.properties.insert(
            "FifoTopic".into(),
            Expr::func(Intrinsic::If {
                condition: "C39".into(),
                then: "then-not-a-boolean".into(),
                otherwise: "otherwise-not-a-boolean".into(),
            }),
        );
        t.resources.insert("Alerts".into(), topic);
        let report = check(&t, &Options::default());
        let on_fifo: Vec<(&str, String)> = report
            .diagnostics
            .iter()
            .filter(|d| d.path.iter().any(|p| p == "FifoTopic"))
            .map(|d| (d.rule.as_str(), d.message.clone()))
            .collect();
        assert_eq!(on_fifo.len(), 1, "{:#?}", report.diagnostics);
        assert_eq!(on_fifo[0].0, rules::WRONG_TYPE.id);
        assert!(on_fifo[0].1.contains("then-not-a-boolean"), "{on_fifo:?}");
        assert!(
            report
                .diagnostics
                .iter()
                .all(|d| d.rule != rules::CHECK_CUT_SHORT.id)
        );
    }

    #[test]
    fn sam_types_pass_under_their_transform_and_type_typos_still_fail() {
        let t = testing::template(json!({
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "F": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12"}},
                "G": {"Type": "AWS::Serverless::Functon"},
                "T": {"Type": "aws::sns::topic"}
            }
        }));
        let r = check(&t, &Options::default());
        let found: Vec<(&str, &str, Option<&str>)> = r
            .diagnostics
            .iter()
            .map(|d| {
                let place = d.path.get(1).map_or("", String::as_str);
                (d.rule.as_str(), place, d.hint.as_deref())
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "HG004",
                    "",
                    Some(
                        "validate the processed template (aws cloudformation get-template --template-stage Processed) for full checks"
                    )
                ),
                (
                    "HG101",
                    "G",
                    Some("did you mean AWS::Serverless::Function?")
                ),
                ("HG101", "T", Some("did you mean AWS::SNS::Topic?")),
            ]
        );
    }

    #[test]
    fn a_macro_may_define_any_type() {
        let t = testing::template(json!({
            "Transform": "MyMacro",
            "Resources": {"T": {"Type": "Acme::Widget"}}
        }));
        let r = check(&t, &Options::default());
        let rules: Vec<&str> = r.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, vec!["HG004"]);
    }

    #[test]
    fn transforms_skip_checks_that_need_the_expanded_template() {
        let t = testing::template(json!({
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {"F": {"Type": "AWS::Serverless::Function", "Properties": {"Role": {"Fn::GetAtt": ["FRole", "Arn"]}}}}
        }));
        let r = check(&t, &Options::default());
        let rules: Vec<&str> = r.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, vec!["HG004"]);
    }
}
