//! Suppressions: findings silenced on purpose, each with a written reason
//! (rules HG001 to HG003).
//!
//! The format, in a resource's `Metadata` (silences that resource's
//! findings) or in the template's top-level `Metadata` (silences findings
//! outside `Resources`: parameters, outputs, quotas):
//!
//! ```yaml
//! Metadata:
//!   hagen:
//!     suppress:
//!       - rule: HG409
//!         reason: Port 80 only redirects to 443; the redirect is the point.
//! ```
//!
//! A suppression without a reason is itself an error (HG001) and silences
//! nothing; one naming an unknown rule is a warning (HG002); one that
//! matched no finding is reported as info (HG003) so stale ones get noticed.
//! Findings of the HG0xx rules cannot be suppressed. This module owns the
//! format and its application; it runs no checks of its own.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::diagnostic::Diagnostic;
use super::rules::{self, Category};
use crate::template::{Expr, Template};

/// The `Metadata` key hagen reads.
pub const METADATA_KEY: &str = "hagen";

/// A finding that a suppression silenced, with the suppression's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    /// The silenced finding.
    pub diagnostic: Diagnostic,
    /// Why it was silenced, as written in the template.
    pub reason: String,
}

#[derive(Debug)]
struct Entry {
    rule: String,
    reason: String,
    /// Where the entry is written, for HG002/HG003.
    path: Vec<String>,
    /// The logical ID whose findings it silences (`None`: template level).
    scope: Option<String>,
    used: bool,
}

fn parse_entries(
    metadata: &IndexMap<String, Expr>,
    base: &[&str],
    scope: Option<&str>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    let Some(hagen) = metadata.get(METADATA_KEY) else {
        return Vec::new();
    };
    let mut path: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    path.push(METADATA_KEY.into());
    let owner = scope.map(str::to_owned);
    let bad = |path: &[String], message: String| {
        let d = rules::SUPPRESSION_WITHOUT_REASON
            .diag(message)
            .at(path.iter().cloned())
            .hint("write: hagen: {suppress: [{rule: HG123, reason: \"why this is intended\"}]}");
        match &owner {
            Some(o) => d.on(o.clone()),
            None => d,
        }
    };
    let Expr::Map(m) = hagen else {
        problems.push(bad(
            &path,
            "hagen metadata must be a map with a suppress list".into(),
        ));
        return Vec::new();
    };
    let Some(list) = m.get("suppress") else {
        return Vec::new();
    };
    path.push("suppress".into());
    let Expr::List(items) = list else {
        problems.push(bad(
            &path,
            "hagen.suppress must be a list of {rule, reason} entries".into(),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut p = path.clone();
        p.push(i.to_string());
        let Expr::Map(entry) = item else {
            problems.push(bad(
                &p,
                "a suppression must be a map with rule and reason".into(),
            ));
            continue;
        };
        let rule = entry.get("rule").and_then(Expr::as_str).map(str::trim);
        let reason = entry.get("reason").and_then(Expr::as_str).map(str::trim);
        match (rule, reason) {
            (Some(rule), Some(reason)) if !rule.is_empty() && !reason.is_empty() => {
                out.push(Entry {
                    rule: rule.to_owned(),
                    reason: reason.to_owned(),
                    path: p,
                    scope: owner.clone(),
                    used: false,
                });
            }
            (Some(rule), _) if !rule.is_empty() => problems.push(bad(
                &p,
                format!("the suppression of {rule} has no reason; a silenced finding must say why"),
            )),
            _ => problems.push(bad(
                &p,
                "a suppression must name a rule (rule: HG123)".into(),
            )),
        }
    }
    out
}

/// Applies the template's suppressions: returns the findings left, the
/// ones silenced, and appends findings about the suppressions themselves.
pub fn apply(
    template: &Template,
    diagnostics: Vec<Diagnostic>,
) -> (Vec<Diagnostic>, Vec<Suppressed>) {
    let mut problems = Vec::new();
    let mut entries = parse_entries(&template.metadata, &["Metadata"], None, &mut problems);
    for (id, r) in &template.resources {
        entries.extend(parse_entries(
            &r.metadata,
            &["Resources", id, "Metadata"],
            Some(id),
            &mut problems,
        ));
    }
    // The first entry for each (rule, resource), looked up per finding:
    // scanning every entry for every finding was quadratic when every
    // resource carries a suppression (10,000 resources, 10,000 findings:
    // 10^8 comparisons). `or_insert` keeps the first, as the scan found.
    let mut first: HashMap<(String, Option<String>), usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        first.entry((e.rule.clone(), e.scope.clone())).or_insert(i);
    }
    let mut kept = Vec::new();
    let mut silenced = Vec::new();
    for d in diagnostics {
        let suppressible = rules::find(&d.rule).is_some_and(|r| r.category != Category::Meta);
        let in_resource = match d.path.as_slice() {
            [section, id, ..] if section == "Resources" => Some(id.clone()),
            _ => None,
        };
        let hit = if suppressible {
            first
                .get(&(d.rule.clone(), in_resource))
                .and_then(|&i| entries.get_mut(i))
        } else {
            None
        };
        match hit {
            Some(e) => {
                e.used = true;
                silenced.push(Suppressed {
                    diagnostic: d,
                    reason: e.reason.clone(),
                });
            }
            None => kept.push(d),
        }
    }
    for e in &entries {
        let base = |r: &'static rules::Rule, msg: String| {
            let d = r.diag(msg).at(e.path.iter().cloned());
            match &e.scope {
                Some(s) => d.on(s.clone()),
                None => d,
            }
        };
        match rules::find(&e.rule) {
            None => {
                let hint = match super::text::closest(&e.rule, rules::ALL.iter().map(|r| r.id)) {
                    Some(s) => {
                        format!("did you mean {s}? (hagen validate --list-rules lists them)")
                    }
                    None => "hagen validate --list-rules lists the rules".into(),
                };
                problems.push(
                    base(
                        &rules::SUPPRESSION_UNKNOWN_RULE,
                        format!("suppression names {:?}, which is not a hagen rule", e.rule),
                    )
                    .hint(hint),
                );
            }
            Some(_) if !e.used => problems.push(
                base(
                    &rules::SUPPRESSION_UNUSED,
                    format!("the suppression of {} matched no finding", e.rule),
                )
                .hint("remove it if the finding was fixed"),
            ),
            Some(_) => {}
        }
    }
    kept.extend(problems);
    (kept, silenced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing;
    use serde_json::json;

    fn finding(rule: &'static rules::Rule, id: &str) -> Diagnostic {
        rule.diag("x").on(id).at(["Resources", id, "Properties"])
    }

    #[test]
    fn a_suppression_with_a_reason_silences_its_rule_on_its_resource_only() {
        let t = testing::template(json!({"Resources": {
            "A": {"Type": "AWS::SNS::Topic", "Metadata": {"hagen": {"suppress": [
                {"rule": "HG409", "reason": "redirect listener"}]}}},
            "B": {"Type": "AWS::SNS::Topic"}
        }}));
        let (kept, silenced) = apply(
            &t,
            vec![
                finding(&rules::HTTP_NOT_REDIRECTED, "A"),
                finding(&rules::HTTP_NOT_REDIRECTED, "B"),
            ],
        );
        assert_eq!(silenced.len(), 1);
        assert_eq!(silenced[0].reason, "redirect listener");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].resource.as_deref(), Some("B"));
    }

    #[test]
    fn a_suppression_without_a_reason_is_an_error_and_silences_nothing() {
        let t = testing::template(json!({"Resources": {
            "A": {"Type": "AWS::SNS::Topic", "Metadata": {"hagen": {"suppress": [
                {"rule": "HG409"}, {"rule": "HG409", "reason": "  "}]}}}
        }}));
        let (kept, silenced) = apply(&t, vec![finding(&rules::HTTP_NOT_REDIRECTED, "A")]);
        assert!(silenced.is_empty());
        let rules: Vec<&str> = kept.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, vec!["HG409", "HG001", "HG001"]);
        assert_eq!(
            kept[1].path.join("/"),
            "Resources/A/Metadata/hagen/suppress/0"
        );
    }

    #[test]
    fn unknown_and_unused_suppressions_are_reported() {
        let t = testing::template(json!({"Metadata": {"hagen": {"suppress": [
                {"rule": "HG4O1", "reason": "typo"}, {"rule": "HG212", "reason": "kept for later"}]}},
            "Resources": {}}));
        let (kept, _) = apply(&t, Vec::new());
        let rules: Vec<&str> = kept.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, vec!["HG002", "HG003"]);
        assert_eq!(
            kept[0].hint.as_deref(),
            Some("did you mean HG401? (hagen validate --list-rules lists them)")
        );
    }

    #[test]
    fn template_level_suppressions_cover_findings_outside_resources() {
        let t = testing::template(json!({"Metadata": {"hagen": {"suppress": [
                {"rule": "HG212", "reason": "kept for the next release"}]}},
            "Parameters": {"P": {"Type": "String"}}, "Resources": {}}));
        let d = rules::UNUSED_PARAMETER
            .diag("x")
            .on("P")
            .at(["Parameters", "P"]);
        let (kept, silenced) = apply(&t, vec![d]);
        assert!(kept.is_empty());
        assert_eq!(silenced.len(), 1);
    }

    /// Suppressions are looked up by rule and resource, not scanned per
    /// finding; of two entries for the same rule and resource the first
    /// silences, as before, and the second is reported unused.
    #[test]
    fn the_first_of_two_identical_suppressions_is_the_one_used() {
        let t = testing::template(json!({"Resources": {
            "A": {"Type": "AWS::SNS::Topic", "Metadata": {"hagen": {"suppress": [
                {"rule": "HG409", "reason": "first"}, {"rule": "HG409", "reason": "second"}]}}},
            "B": {"Type": "AWS::SNS::Topic", "Metadata": {"hagen": {"suppress": [
                {"rule": "HG409", "reason": "on B"}]}}}
        }}));
        let (kept, silenced) = apply(
            &t,
            vec![
                finding(&rules::HTTP_NOT_REDIRECTED, "B"),
                finding(&rules::HTTP_NOT_REDIRECTED, "A"),
                finding(&rules::HTTP_NOT_REDIRECTED, "A"),
            ],
        );
        let reasons: Vec<&str> = silenced.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons, vec!["on B", "first", "first"]);
        let unused: Vec<String> = kept.iter().map(|d| d.path.join("/")).collect();
        assert_eq!(unused.len(), 1, "{kept:#?}");
        assert_eq!(kept[0].rule, "HG003");
        assert!(unused[0].starts_with("Resources/A/Metadata"), "{unused:?}");
    }

    #[test]
    fn meta_findings_cannot_be_suppressed() {
        let t = testing::template(json!({"Resources": {"A": {"Type": "AWS::SNS::Topic",
            "Metadata": {"hagen": {"suppress": [{"rule": "HG005", "reason": "no"}]}}}}}));
        let (kept, _) = apply(&t, vec![finding(&rules::SCHEMA_DATA, "A")]);
        assert_eq!(kept[0].rule, "HG005");
    }
}
