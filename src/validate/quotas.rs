//! CloudFormation's template quotas (rules HG301 to HG308), with a warning
//! from 80% of each quota.
//!
//! Figures from the AWS CloudFormation user guide, "Understand CloudFormation
//! quotas": 500 resources, 200 parameters, 200 outputs, 200 mappings of 200
//! attributes, names of 1 to 255 letters and digits, a 1,024-byte
//! description, a template body of 51,200 bytes inline or 1,000,000 bytes
//! through S3. The body is measured on the bytes that would be sent, which
//! the caller passes in (`Options::body_size`); this module owns only the
//! arithmetic.

use super::diagnostic::{Diagnostic, Severity};
use super::rules::{self, Rule};
use crate::template::Template;

/// Most resources in one template.
pub const MAX_RESOURCES: usize = 500;
/// Most parameters in one template.
pub const MAX_PARAMETERS: usize = 200;
/// Most outputs in one template.
pub const MAX_OUTPUTS: usize = 200;
/// Most mappings in one template, and most attributes in one mapping.
pub const MAX_MAPPINGS: usize = 200;
/// Longest logical ID or other name.
pub const MAX_NAME: usize = 255;
/// Largest template description, in bytes.
pub const MAX_DESCRIPTION: usize = 1024;
/// Largest template body sent inline (`TemplateBody`), in bytes.
pub const MAX_BODY_INLINE: usize = 51_200;
/// Largest template body uploaded to S3 (`TemplateURL`), in bytes.
pub const MAX_BODY_S3: usize = 1_000_000;

/// The share of a quota from which hagen warns.
const APPROACHING: f64 = 0.8;

fn approaching(limit: usize) -> usize {
    (limit as f64 * APPROACHING).ceil() as usize
}

/// Checks the template's counts and names, and the body size if known.
pub fn check(template: &Template, body_size: Option<usize>, through_s3: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    count(
        &mut out,
        &rules::QUOTA_RESOURCES,
        "resources",
        template.resources.len(),
        MAX_RESOURCES,
        "Resources",
        "split the stack into nested stacks",
    );
    count(
        &mut out,
        &rules::QUOTA_PARAMETERS,
        "parameters",
        template.parameters.len(),
        MAX_PARAMETERS,
        "Parameters",
        "move settings into mappings or SSM parameters",
    );
    count(
        &mut out,
        &rules::QUOTA_OUTPUTS,
        "outputs",
        template.outputs.len(),
        MAX_OUTPUTS,
        "Outputs",
        "drop outputs nothing reads, or split the stack",
    );
    count(
        &mut out,
        &rules::QUOTA_MAPPINGS,
        "mappings",
        template.mappings.len(),
        MAX_MAPPINGS,
        "Mappings",
        "merge mappings or move the data to SSM parameters",
    );
    for (name, m) in &template.mappings {
        let path = ["Mappings", name.as_str()];
        if let Some(d) = limit(
            &rules::QUOTA_MAPPINGS,
            &format!("keys in mapping {name:?}"),
            m.len(),
            MAX_MAPPINGS,
            "split the mapping",
        ) {
            out.push(d.on(name).at(path));
        }
        for (key, attributes) in m {
            if let Some(d) = limit(
                &rules::QUOTA_MAPPINGS,
                &format!("attributes under {name}.{key}"),
                attributes.len(),
                MAX_MAPPINGS,
                "split the mapping",
            ) {
                out.push(d.on(name).at(["Mappings", name.as_str(), key.as_str()]));
            }
        }
    }

    let sections: [(&str, &str, Vec<&String>); 5] = [
        (
            "Parameters",
            "parameter name",
            template.parameters.keys().collect(),
        ),
        (
            "Mappings",
            "mapping name",
            template.mappings.keys().collect(),
        ),
        (
            "Conditions",
            "condition name",
            template.conditions.keys().collect(),
        ),
        (
            "Resources",
            "logical ID",
            template.resources.keys().collect(),
        ),
        ("Outputs", "output name", template.outputs.keys().collect()),
    ];
    for (section, noun, names) in sections {
        for name in names {
            if let Some(problem) = name_problem(name) {
                out.push(
                    rules::QUOTA_NAME
                        .diag(format!("{noun} {name:?} {problem}"))
                        .on(name.as_str())
                        .at([section, name.as_str()])
                        .hint("names are 1 to 255 letters and digits ([A-Za-z0-9])"),
                );
            }
        }
    }

    if let Some(desc) = &template.description
        && let Some(d) = limit(
            &rules::QUOTA_DESCRIPTION,
            "bytes of description",
            desc.len(),
            MAX_DESCRIPTION,
            "shorten the description",
        )
    {
        out.push(d.at(["Description"]));
    }

    if let Some(size) = body_size {
        if let Some(d) = limit(
            &rules::QUOTA_BODY_S3,
            "bytes of template body",
            size,
            MAX_BODY_S3,
            "split the stack into nested stacks",
        ) {
            out.push(d);
        }
        if through_s3 {
            // Never sent inline: the 51,200 bytes do not apply.
        } else if size > MAX_BODY_INLINE {
            out.push(
                rules::QUOTA_BODY_INLINE
                    .diag(format!(
                        "the template is {size} bytes, over the {MAX_BODY_INLINE} bytes CloudFormation accepts inline"
                    ))
                    .hint("deploy it through S3: run `hagen bootstrap` once per account and region (hagen deploy then finds its bucket), or hagen deploy --bucket NAME (or aws cloudformation deploy --s3-bucket NAME)"),
            );
        } else if size >= approaching(MAX_BODY_INLINE) {
            out.push(
                rules::QUOTA_BODY_INLINE
                    .diag(format!(
                        "the template is {size} bytes, {}% of the {MAX_BODY_INLINE} bytes CloudFormation accepts inline",
                        size * 100 / MAX_BODY_INLINE
                    ))
                    .severity(Severity::Info)
                    .hint("past the limit it must be deployed through S3 (hagen deploy --bucket NAME)"),
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn count(
    out: &mut Vec<Diagnostic>,
    rule: &'static Rule,
    what: &str,
    n: usize,
    max: usize,
    section: &str,
    fix: &str,
) {
    if let Some(d) = limit(rule, what, n, max, fix) {
        out.push(d.at([section]));
    }
}

/// A finding when `n` exceeds `max` (the rule's severity) or reaches 80% of
/// it (a warning).
fn limit(rule: &'static Rule, what: &str, n: usize, max: usize, fix: &str) -> Option<Diagnostic> {
    if n > max {
        Some(
            rule.diag(format!("{n} {what}, over the quota of {max}"))
                .hint(fix.to_owned()),
        )
    } else if n >= approaching(max) {
        Some(
            rule.diag(format!(
                "{n} {what}, {}% of the quota of {max}",
                n * 100 / max
            ))
            .severity(Severity::Warning)
            .hint(format!("approaching the quota; {fix}")),
        )
    } else {
        None
    }
}

fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("is empty".into())
    } else if name.len() > MAX_NAME {
        Some(format!("is {} characters long", name.len()))
    } else {
        name.chars()
            .find(|c| !c.is_ascii_alphanumeric())
            .map(|c| format!("contains {c:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Resource;

    fn topics(n: usize) -> Template {
        let mut t = Template::default();
        for i in 0..n {
            t.resources
                .insert(format!("T{i}"), Resource::new("AWS::SNS::Topic"));
        }
        t
    }

    #[test]
    fn resource_count_warns_from_80_percent_and_errors_past_500() {
        assert!(check(&topics(399), None, false).is_empty());
        let d = check(&topics(400), None, false);
        assert_eq!(
            (d[0].rule.as_str(), d[0].severity),
            ("HG301", Severity::Warning)
        );
        let d = check(&topics(501), None, false);
        assert_eq!(
            (d[0].rule.as_str(), d[0].severity),
            ("HG301", Severity::Error)
        );
    }

    #[test]
    fn body_size_is_checked_against_both_limits() {
        let t = Template::default();
        assert!(check(&t, Some(40_000), false).is_empty());
        let d = check(&t, Some(45_000), false);
        assert_eq!(
            (d[0].rule.as_str(), d[0].severity),
            ("HG308", Severity::Info)
        );
        let d = check(&t, Some(60_000), false);
        assert_eq!(
            (d[0].rule.as_str(), d[0].severity),
            ("HG308", Severity::Warning)
        );
        let d = check(&t, Some(1_000_001), false);
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].rule.as_str(), d[0].severity),
            ("HG307", Severity::Error)
        );
        // Sent through S3 (a nested child): only the 1 MB limit applies.
        assert!(check(&t, Some(60_000), true).is_empty());
        let d = check(&t, Some(1_000_001), true);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "HG307");
    }

    #[test]
    fn descriptions_are_measured_in_bytes() {
        let t = Template {
            description: Some("é".repeat(513)), // 1,026 bytes, 513 characters
            ..Template::default()
        };
        let d = check(&t, None, false);
        assert_eq!(
            (d[0].rule.as_str(), d[0].severity),
            ("HG306", Severity::Error)
        );
    }

    #[test]
    fn names_are_letters_and_digits_up_to_255() {
        let mut t = Template::default();
        t.resources
            .insert("my-topic".into(), Resource::new("AWS::SNS::Topic"));
        t.resources
            .insert("A".repeat(256), Resource::new("AWS::SNS::Topic"));
        let d = check(&t, None, false);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.rule == "HG305"));
    }
}
