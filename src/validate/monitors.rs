//! The deploy monitors a template marks in `Metadata.hagen.DeployMonitors`
//! (rule HG220): each must be an alarm of the template, at most five, with
//! a monitoring time CloudFormation accepts. Caught here, a mistake stops
//! `hagen synth`, `validate` and `deploy` before any change set is made.
//!
//! Owns only the translation of [`crate::deploy_monitors`]' problems into
//! findings.

use super::diagnostic::Diagnostic;
use super::rules;
use crate::deploy_monitors::{DeployMonitors, METADATA_KEY, MONITORS_KEY};
use crate::template::Template;

/// Findings on the template's deploy monitors.
pub fn check(template: &Template) -> Vec<Diagnostic> {
    let at = ["Metadata", METADATA_KEY, MONITORS_KEY];
    let problems = match DeployMonitors::read(template) {
        Ok(None) => return Vec::new(),
        Ok(Some(m)) => m.problems(template),
        Err(e) => vec![e],
    };
    problems
        .into_iter()
        .map(|p| {
            let d = rules::DEPLOY_MONITORS
                .diag(p.to_string())
                .at(at)
                .hint(p.hint());
            match p.logical_id() {
                Some(id) => d.on(id),
                None => d,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    #[test]
    fn a_monitor_that_is_a_topic_is_an_error_naming_it() {
        let t = parse_template(
            "Metadata:\n  hagen:\n    DeployMonitors:\n      Alarms: [Topic]\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
            "t.yaml",
        )
        .expect("parses")
        .template;
        let ds = check(&t);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].rule, "HG220");
        assert_eq!(ds[0].resource.as_deref(), Some("Topic"));
        assert!(
            ds[0].message.contains("not a CloudWatch alarm"),
            "{}",
            ds[0].message
        );
    }
}
