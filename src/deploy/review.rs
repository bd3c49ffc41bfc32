//! The review of a change set: what each change does, which changes put
//! stateful resources at risk, which widen access; and its rendering as a
//! table with the risks spelled out underneath.
//!
//! Owns the judgement (blocked or not) and the presentation. Inputs are the
//! change set's resource changes and the old and new templates as
//! documents; it calls no AWS API.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::document::Document;
use super::replacement::{self, ParameterValue};
use super::security::{AccessChange, Verdict, compare};
use super::stateful;

/// One resource change, as a change set reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Change {
    /// `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    pub action: String,
    /// The resource's logical ID.
    pub logical_id: String,
    /// Its physical ID, for existing resources.
    pub physical_id: Option<String>,
    /// Its type.
    pub resource_type: String,
    /// `True`, `False` or `Conditional`, when reported.
    pub replacement: Option<String>,
    /// What happens to the old resource (`Delete`, `Retain`,
    /// `ReplaceAndSnapshot`, ...), when reported.
    pub policy_action: Option<String>,
    /// The properties or attributes that change, each with whether it
    /// requires recreation, when reported.
    pub details: Vec<ChangeDetail>,
    /// The drift a drift-aware change set (`--revert-drift`) saw on the
    /// resource; `None` for other change sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<super::drift_review::ChangeDrift>,
}

/// One changed property or attribute of a resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangeDetail {
    /// `Properties.BucketName`, `Tags`, `Metadata`, ...
    pub name: String,
    /// `Always`, `Conditionally` or `Never`, when reported.
    pub requires_recreation: Option<String>,
}

/// A stateful resource a change would replace or delete.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatefulRisk {
    /// Its logical ID (what `--allow-replace` names).
    pub logical_id: String,
    /// Its type.
    pub resource_type: String,
    /// `replaced`, `may be replaced` or `deleted`.
    pub what: &'static str,
    /// Why the templates show it is replaced (`create-only: DBName`), when
    /// they do.
    pub cause: Option<String>,
    /// What that costs for this type.
    pub why: &'static str,
    /// What happens to the old one, in words.
    pub policy: String,
    /// Whether it needs `--allow-replace` (no when it is retained).
    pub needs_allow: bool,
    /// Whether `--allow-replace` names it.
    pub allowed: bool,
}

/// One row of the review table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// Action.
    pub action: String,
    /// Logical ID.
    pub logical_id: String,
    /// Type.
    pub resource_type: String,
    /// Replacement (`True`, `False`, `Conditional`, `-` for adds and removes,
    /// `?` when not reported).
    pub replacement: String,
    /// What changed, in words.
    pub changed: String,
    /// Flags in words (`STATEFUL: REPLACED`, `WIDENS ACCESS`).
    pub risk: String,
}

/// A parameter whose value changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParameterChange {
    /// Its name.
    pub name: String,
    /// The deployed value (`None` when new to the stack).
    pub before: Option<String>,
    /// The value the change set uses.
    pub after: String,
}

/// The parameters whose value differs between the deployed stack and the
/// change set, in change-set order.
pub fn parameter_changes(
    deployed: &[(String, String)],
    change_set: &[(String, String)],
) -> Vec<ParameterChange> {
    change_set
        .iter()
        .filter_map(|(name, after)| {
            let before = deployed.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            (before != Some(after)).then(|| ParameterChange {
                name: name.clone(),
                before: before.cloned(),
                after: after.clone(),
            })
        })
        .collect()
}

/// The whole review.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Review {
    /// Parameters whose value changes.
    pub parameters: Vec<ParameterChange>,
    /// One row per resource change, in change-set order.
    pub rows: Vec<Row>,
    /// Stateful resources at risk.
    pub stateful: Vec<StatefulRisk>,
    /// Access widened or narrowed.
    pub security: Vec<AccessChange>,
    /// Every logical ID the change set replaces, may replace or deletes,
    /// with those the templates show are replaced.
    pub replaced: Vec<String>,
    /// `--allow-replace` IDs that name nothing the change set replaces or
    /// deletes.
    pub misdirected: Vec<Misdirected>,
}

/// An `--allow-replace` ID the change set neither replaces nor deletes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Misdirected {
    /// The ID as given.
    pub logical_id: String,
    /// Whether either template has a resource of that ID.
    pub exists: bool,
    /// The closest ID that is replaced or exists, when one is close.
    pub suggestion: Option<String>,
}

impl Review {
    /// Builds the review without parameter changes (see [`Review::assess`]).
    pub fn build(
        changes: &[Change],
        old: Option<&Document>,
        new: &Document,
        allow_replace: &[String],
    ) -> Review {
        Review::assess(changes, old, new, allow_replace, Vec::new())
    }

    /// Builds the review. `old` is the deployed template (absent for a new
    /// stack); `allow_replace` lists the logical IDs the user allowed to be
    /// replaced or deleted; `parameters` are the parameters whose value
    /// changes (a create-only property that refers to one changes with it).
    pub fn assess(
        changes: &[Change],
        old: Option<&Document>,
        new: &Document,
        allow_replace: &[String],
        parameters: Vec<ParameterChange>,
    ) -> Review {
        let security = compare(old, new);
        let values: Vec<ParameterValue<'_>> = parameters
            .iter()
            .map(|p| ParameterValue {
                name: &p.name,
                before: p.before.as_deref(),
                after: &p.after,
            })
            .collect();
        let mut stateful = Vec::new();
        let mut rows = Vec::new();
        let mut replaced = Vec::new();
        let unlisted = unlisted_replacements(changes, old, new, &values);
        for c in changes.iter().chain(&unlisted) {
            let causes = match (c.action.as_str(), old) {
                ("Modify", Some(old)) => replacement::causes(old, new, &c.logical_id, &values),
                _ => Vec::new(),
            };
            let cause = (!causes.is_empty()).then(|| {
                causes
                    .iter()
                    .map(replacement::Cause::short)
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let replaces = c.action == "Remove"
                || cause.is_some()
                || matches!(c.replacement.as_deref(), Some("True" | "Conditional"));
            if replaces && !replaced.contains(&c.logical_id) {
                replaced.push(c.logical_id.clone());
            }
            let risk = stateful_risk(c, old, allow_replace, cause.clone());
            let access: Vec<&AccessChange> = security
                .iter()
                .filter(|a| a.logical_id == c.logical_id)
                .collect();
            let mut flags = Vec::new();
            if let Some(r) = &risk {
                flags.push(if r.needs_allow {
                    format!("STATEFUL: {}", r.what.to_uppercase())
                } else {
                    format!("stateful, {} (retained)", r.what)
                });
            }
            if access.iter().any(|a| a.verdict == Verdict::Widens) {
                flags.push("WIDENS ACCESS".to_owned());
            } else if access.iter().any(|a| a.verdict == Verdict::Narrows) {
                flags.push("narrows access".to_owned());
            }
            rows.push(Row {
                action: c.action.clone(),
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                replacement: match (c.action.as_str(), &cause) {
                    // The change set's own word when it agrees, else "replace".
                    ("Modify", Some(cause)) => match c.replacement.as_deref() {
                        Some("True") => format!("True ({cause})"),
                        _ => format!("replace ({cause})"),
                    },
                    ("Modify", None) => c.replacement.clone().unwrap_or_else(|| "?".into()),
                    _ => "-".into(),
                },
                changed: if unlisted.contains(c) {
                    format!(
                        "{} (not listed by the change set; found by comparing the templates)",
                        what_changed(c, old, new)
                    )
                } else {
                    what_changed(c, old, new)
                },
                risk: flags.join(", "),
            });
            stateful.extend(risk);
        }
        let misdirected = misdirected(allow_replace, &replaced, old, new);
        Review {
            parameters,
            rows,
            stateful,
            security,
            replaced,
            misdirected,
        }
    }

    /// Whether the change widens access anywhere (what
    /// `--require-approval broadening` asks a person about).
    pub fn widens(&self) -> bool {
        self.security.iter().any(|a| a.verdict == Verdict::Widens)
    }

    /// The error for `--allow-replace` IDs that name nothing this change
    /// set replaces or deletes, when there are any: a typo there would
    /// otherwise pass unnoticed until the day it matters.
    pub fn allowance_error(&self) -> Option<String> {
        if self.misdirected.is_empty() {
            return None;
        }
        let mut lines = Vec::new();
        for m in &self.misdirected {
            let mut line = if m.exists {
                format!(
                    "--allow-replace {}: this change set does not replace or delete {}",
                    m.logical_id, m.logical_id
                )
            } else {
                format!(
                    "--allow-replace {}: no resource has that logical ID in the deployed or the new template",
                    m.logical_id
                )
            };
            if let Some(s) = &m.suggestion {
                line.push_str(&format!(" (did you mean {s}?)"));
            }
            lines.push(line);
        }
        lines.push(if self.replaced.is_empty() {
            "This change set replaces or deletes nothing; drop --allow-replace.".to_owned()
        } else {
            format!(
                "This change set replaces or deletes: {}. Name only those.",
                self.replaced.join(", ")
            )
        });
        Some(lines.join("\n"))
    }

    /// Adds the parameter changes to show above the table.
    pub fn with_parameters(mut self, parameters: Vec<ParameterChange>) -> Review {
        self.parameters = parameters;
        self
    }

    /// The stateful risks that stop the deploy: not retained and not
    /// allowed with `--allow-replace`.
    pub fn blocking(&self) -> Vec<&StatefulRisk> {
        self.stateful
            .iter()
            .filter(|r| r.needs_allow && !r.allowed)
            .collect()
    }

    /// The table and the risk notes, as text (with colour when `color`),
    /// fitted to the terminal (see [`super::width::detect`]).
    pub fn render(&self, color: bool) -> String {
        self.render_at(color, super::width::detect())
    }

    /// [`Review::render`] for a terminal `width` columns wide: the table
    /// wraps its cells and the notes wrap their lines to fit.
    pub fn render_at(&self, color: bool, width: usize) -> String {
        let mut out = String::new();
        if !self.parameters.is_empty() {
            out.push_str("Parameters:\n");
            for p in &self.parameters {
                match &p.before {
                    Some(b) => out.push_str(&format!("  {}: {b} -> {}\n", p.name, p.after)),
                    None => out.push_str(&format!("  {}: {} (new)\n", p.name, p.after)),
                }
            }
        }
        if self.rows.is_empty() {
            out.push_str(
                "The change set changes no resources (outputs, parameters or tags only).\n",
            );
        } else {
            let mut table = Table::new();
            table
                .load_style(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(super::width::table_width(width))
                .set_header(vec![
                    "Action",
                    "Logical ID",
                    "Type",
                    "Replacement",
                    "What changes",
                    "Risk",
                ]);
            if color {
                table.enforce_styling();
            } else {
                table.force_no_tty();
            }
            for row in &self.rows {
                let action_color = match row.action.as_str() {
                    "Add" => Color::Green,
                    "Remove" => Color::Red,
                    _ => Color::Yellow,
                };
                let repl = Cell::new(&row.replacement);
                let repl = match row.replacement.as_str() {
                    r if r == "True" || r.starts_with("replace") => repl.fg(Color::Red),
                    "Conditional" => repl.fg(Color::Yellow),
                    _ => repl,
                };
                let risk = Cell::new(&row.risk);
                let risk = if row.risk.contains("STATEFUL:") {
                    risk.fg(Color::Red)
                } else {
                    risk.fg(Color::Yellow)
                };
                table.add_row(vec![
                    Cell::new(&row.action).fg(action_color),
                    Cell::new(&row.logical_id),
                    Cell::new(&row.resource_type),
                    repl,
                    Cell::new(&row.changed),
                    risk,
                ]);
            }
            out.push_str(&table.to_string());
            out.push('\n');
        }
        let paint = |text: String, danger: bool| -> String {
            use owo_colors::OwoColorize;
            match (color, danger) {
                (false, _) => text,
                (true, true) => text.red().bold().to_string(),
                (true, false) => text.yellow().bold().to_string(),
            }
        };
        if !self.stateful.is_empty() {
            out.push_str(&paint("Stateful resources at risk:".into(), true));
            out.push('\n');
            for r in &self.stateful {
                let tail = if !r.needs_allow {
                    String::new()
                } else if r.allowed {
                    " [allowed by --allow-replace]".to_owned()
                } else {
                    format!(" [needs --allow-replace {}]", r.logical_id)
                };
                let cause = r
                    .cause
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  - {} ({}) {}{cause}: {}; {}.{tail}\n",
                    r.logical_id, r.resource_type, r.what, r.why, r.policy
                ));
            }
        }
        let widening: Vec<&AccessChange> = self
            .security
            .iter()
            .filter(|a| a.verdict == Verdict::Widens)
            .collect();
        if !widening.is_empty() {
            out.push_str(&paint("Access widened by this change:".into(), true));
            out.push('\n');
            for a in widening {
                out.push_str(&format!("  - {}\n", a.line()));
            }
        }
        let narrowing: Vec<&AccessChange> = self
            .security
            .iter()
            .filter(|a| a.verdict == Verdict::Narrows)
            .collect();
        if !narrowing.is_empty() {
            out.push_str("Access narrowed by this change:\n");
            for a in narrowing {
                out.push_str(&format!("  - {}\n", a.line()));
            }
        }
        super::width::fit_all(&out, width, 4)
    }
}

/// The policy attribute value (`DeletionPolicy` or `UpdateReplacePolicy`)
/// of a resource in a template.
fn policy_of(doc: Option<&Document>, id: &str, attribute: &str) -> Option<String> {
    doc?.resource(id)?
        .get(attribute)?
        .as_str()
        .map(str::to_owned)
}

fn stateful_risk(
    c: &Change,
    old: Option<&Document>,
    allow: &[String],
    cause: Option<String>,
) -> Option<StatefulRisk> {
    let old_type = old.and_then(|o| o.resource_type(&c.logical_id));
    let why = stateful::risk(&c.resource_type).or_else(|| old_type.and_then(stateful::risk))?;
    let (what, attribute) = match (c.action.as_str(), c.replacement.as_deref()) {
        ("Remove", _) => ("deleted", "DeletionPolicy"),
        ("Modify", _) if cause.is_some() => ("replaced", "UpdateReplacePolicy"),
        ("Modify", Some("True")) => ("replaced", "UpdateReplacePolicy"),
        ("Modify", Some("Conditional")) => ("may be replaced", "UpdateReplacePolicy"),
        _ => return None,
    };
    let policy = c
        .policy_action
        .clone()
        .or_else(|| policy_of(old, &c.logical_id, attribute))
        .unwrap_or_else(|| "Delete".into());
    let retained = matches!(
        policy.as_str(),
        "Retain" | "RetainExceptOnCreate" | "ReplaceAndRetain"
    ) && what == "deleted";
    let policy_words = match policy.as_str() {
        "Retain" | "RetainExceptOnCreate" | "ReplaceAndRetain" => {
            "the old one is kept outside the stack".to_owned()
        }
        "Snapshot" | "ReplaceAndSnapshot" => {
            "a final snapshot is taken, then the old one is deleted".to_owned()
        }
        _ => "the old one is deleted".to_owned(),
    };
    Some(StatefulRisk {
        logical_id: c.logical_id.clone(),
        resource_type: c.resource_type.clone(),
        what,
        cause: cause.filter(|_| what != "deleted"),
        why,
        policy: policy_words,
        needs_allow: !retained,
        allowed: allow.iter().any(|a| a == &c.logical_id),
    })
}

/// Resources in both templates that the change set does not list although
/// the templates show they are replaced (a create-only property changed
/// through a parameter, for one), as `Modify` changes: the guard holds
/// whatever the change set lists.
fn unlisted_replacements(
    changes: &[Change],
    old: Option<&Document>,
    new: &Document,
    parameters: &[ParameterValue<'_>],
) -> Vec<Change> {
    let (Some(old), Some(resources)) = (old, new.section("Resources")) else {
        return Vec::new();
    };
    resources
        .keys()
        .filter(|id| !changes.iter().any(|c| &c.logical_id == *id))
        .filter(|id| !replacement::causes(old, new, id, parameters).is_empty())
        .map(|id| Change {
            action: "Modify".into(),
            logical_id: id.clone(),
            resource_type: new.resource_type(id).unwrap_or_default().to_owned(),
            ..Change::default()
        })
        .collect()
}

/// The `--allow-replace` IDs outside `replaced`, each with whether it
/// exists and the closest ID to suggest.
fn misdirected(
    allow: &[String],
    replaced: &[String],
    old: Option<&Document>,
    new: &Document,
) -> Vec<Misdirected> {
    let mut known: Vec<&str> = replaced.iter().map(String::as_str).collect();
    for doc in old.into_iter().chain(Some(new)) {
        if let Some(resources) = doc.section("Resources") {
            known.extend(resources.keys().map(String::as_str));
        }
    }
    allow
        .iter()
        .filter(|id| !replaced.contains(id))
        .map(|id| Misdirected {
            logical_id: id.clone(),
            exists: known.contains(&id.as_str()),
            suggestion: closest(id, replaced.iter().map(String::as_str))
                .or_else(|| closest(id, known.iter().copied()).filter(|k| *k != id))
                .map(str::to_owned),
        })
        .collect()
}

/// The candidate most like `given`, when it is like enough to be what the
/// user meant: the same words in another case, a Jaro-Winkler similarity of
/// 0.8 or more, or the same last word of a CamelCase ID with the same first
/// letter (`DatabaseInstance` for `DbInstance`).
fn closest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = given.to_ascii_lowercase();
    let last_word = |s: &str| -> String {
        let start = s.rfind(|c: char| c.is_ascii_uppercase()).unwrap_or(0);
        s[start..].to_ascii_lowercase()
    };
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let c_lower = c.to_ascii_lowercase();
        let mut score = strsim::jaro_winkler(&lower, &c_lower);
        if c_lower == lower {
            score = 2.0;
        } else if last_word(c) == last_word(given) && c_lower.chars().next() == lower.chars().next()
        {
            score = score.max(0.8);
        }
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// What changes in one resource, in words: from the change set's details
/// when it gives them, from comparing the two templates otherwise.
fn what_changed(c: &Change, old: Option<&Document>, new: &Document) -> String {
    match c.action.as_str() {
        "Add" => return "new resource".into(),
        "Remove" => return "removed from the template".into(),
        "Import" => return "imported into the stack".into(),
        _ => {}
    }
    if !c.details.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for d in &c.details {
            let mut name = d.name.clone();
            match d.requires_recreation.as_deref() {
                Some("Always") => name.push_str(" (replaces)"),
                Some("Conditionally") => name.push_str(" (may replace)"),
                _ => {}
            }
            if !names.contains(&name) {
                names.push(name);
            }
        }
        return names.join(", ");
    }
    let (Some(before), Some(after)) = (
        old.and_then(|o| o.resource(&c.logical_id)),
        new.resource(&c.logical_id),
    ) else {
        return "?".into();
    };
    let mut changed = Vec::new();
    let empty = serde_json::Map::new();
    let props = |v: &serde_json::Value| {
        v.get("Properties")
            .and_then(|p| p.as_object())
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (bp, ap) = (props(before), props(after));
    for key in ap.keys().chain(bp.keys().filter(|k| !ap.contains_key(*k))) {
        if bp.get(key) != ap.get(key) {
            changed.push(key.clone());
        }
    }
    for attr in [
        "DeletionPolicy",
        "UpdateReplacePolicy",
        "UpdatePolicy",
        "CreationPolicy",
        "DependsOn",
        "Metadata",
        "Condition",
    ] {
        if before.get(attr) != after.get(attr) {
            changed.push(attr.to_owned());
        }
    }
    if changed.is_empty() {
        "a value it references changed (parameter or other resource)".into()
    } else {
        changed.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: one\n  Logs:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n  Topic:\n    Type: AWS::SNS::Topic\n";
    const NEW: &str = "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: two\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: alerts\n";

    fn changes() -> Vec<Change> {
        vec![
            Change {
                action: "Modify".into(),
                logical_id: "Data".into(),
                resource_type: "AWS::S3::Bucket".into(),
                replacement: Some("True".into()),
                ..Change::default()
            },
            Change {
                action: "Remove".into(),
                logical_id: "Logs".into(),
                resource_type: "AWS::S3::Bucket".into(),
                ..Change::default()
            },
            Change {
                action: "Modify".into(),
                logical_id: "Topic".into(),
                resource_type: "AWS::SNS::Topic".into(),
                replacement: Some("False".into()),
                ..Change::default()
            },
        ]
    }

    fn docs() -> (Document, Document) {
        (Document::parse(OLD).unwrap(), Document::parse(NEW).unwrap())
    }

    #[test]
    fn replacing_a_bucket_blocks_until_allowed() {
        let (old, new) = docs();
        let review = Review::build(&changes(), Some(&old), &new, &[]);
        let blocking: Vec<_> = review
            .blocking()
            .iter()
            .map(|r| r.logical_id.clone())
            .collect();
        assert_eq!(blocking, ["Data"], "a retained removal does not block");
        let allowed = Review::build(&changes(), Some(&old), &new, &["Data".into()]);
        assert!(allowed.blocking().is_empty());
    }

    #[test]
    fn what_changed_comes_from_the_templates_when_details_are_missing() {
        let (old, new) = docs();
        let review = Review::build(&changes(), Some(&old), &new, &[]);
        assert_eq!(review.rows[0].changed, "BucketName");
        assert_eq!(review.rows[2].changed, "DisplayName");
        assert_eq!(review.rows[0].risk, "STATEFUL: REPLACED");
        assert_eq!(review.rows[1].risk, "stateful, deleted (retained)");
    }

    #[test]
    fn details_win_and_say_which_property_replaces() {
        let (old, new) = docs();
        let mut c = changes();
        c[0].details = vec![ChangeDetail {
            name: "Properties.BucketName".into(),
            requires_recreation: Some("Always".into()),
        }];
        let review = Review::build(&c, Some(&old), &new, &[]);
        assert_eq!(review.rows[0].changed, "Properties.BucketName (replaces)");
    }

    #[test]
    fn only_changed_parameters_are_listed() {
        let deployed = vec![("A".to_string(), "1".to_string()), ("B".into(), "2".into())];
        let next = vec![
            ("A".to_string(), "1".to_string()),
            ("B".into(), "3".into()),
            ("C".into(), "x".into()),
        ];
        let changes = parameter_changes(&deployed, &next);
        assert_eq!(changes.len(), 2);
        let text = Review::default().with_parameters(changes).render(false);
        assert!(text.contains("  B: 2 -> 3\n"), "{text}");
        assert!(text.contains("  C: x (new)\n"), "{text}");
    }

    #[test]
    fn the_rendering_names_the_flag_to_pass() {
        let (old, new) = docs();
        let text = Review::build(&changes(), Some(&old), &new, &[]).render(false);
        assert!(text.contains("needs --allow-replace Data"), "{text}");
        assert!(text.contains("Data (AWS::S3::Bucket) replaced"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "no colour codes when colour is off"
        );
    }

    const DB_OLD: &str = "Resources:\n  DbInstance:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBName: app\n      Engine: postgres\n  Topic:\n    Type: AWS::SNS::Topic\n";

    fn db_change(replacement: Option<&str>) -> Vec<Change> {
        vec![Change {
            action: "Modify".into(),
            logical_id: "DbInstance".into(),
            resource_type: "AWS::RDS::DBInstance".into(),
            replacement: replacement.map(str::to_owned),
            ..Change::default()
        }]
    }

    #[test]
    fn a_create_only_change_blocks_although_the_change_set_says_no_replacement() {
        let old = Document::parse(DB_OLD).unwrap();
        let new = Document::parse(&DB_OLD.replace("DBName: app", "DBName: shop")).unwrap();
        for said in [None, Some("False")] {
            let review = Review::build(&db_change(said), Some(&old), &new, &[]);
            assert_eq!(review.blocking().len(), 1, "{said:?}");
            assert_eq!(review.rows[0].replacement, "replace (create-only: DBName)");
            let text = review.render(false);
            assert!(
                text.contains("DbInstance (AWS::RDS::DBInstance) replaced (create-only: DBName)"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_conditional_replacement_of_a_database_blocks() {
        let old = Document::parse(DB_OLD).unwrap();
        let review = Review::build(&db_change(Some("Conditional")), Some(&old), &old, &[]);
        assert_eq!(review.blocking()[0].what, "may be replaced");
        assert_eq!(review.replaced, ["DbInstance"]);
    }

    #[test]
    fn an_engine_change_of_a_database_blocks() {
        let old = Document::parse(DB_OLD).unwrap();
        let new = Document::parse(&DB_OLD.replace("postgres", "mysql")).unwrap();
        let review = Review::build(&db_change(None), Some(&old), &new, &[]);
        assert_eq!(review.blocking().len(), 1);
        assert_eq!(review.rows[0].replacement, "replace (Engine change)");
    }

    #[test]
    fn regression_allow_replace_of_an_id_that_is_not_replaced_is_an_error() {
        let old = Document::parse(DB_OLD).unwrap();
        let new = Document::parse(&DB_OLD.replace("DBName: app", "DBName: shop")).unwrap();
        let allow = ["DatabaseInstance".to_owned(), "Topic".to_owned()];
        let review = Review::build(&db_change(None), Some(&old), &new, &allow);
        let message = review
            .allowance_error()
            .expect("misdirected IDs are an error");
        assert!(
            message.contains("--allow-replace DatabaseInstance: no resource has that logical ID"),
            "{message}"
        );
        assert!(message.contains("(did you mean DbInstance?)"), "{message}");
        assert!(
            message.contains(
                "--allow-replace Topic: this change set does not replace or delete Topic"
            ),
            "{message}"
        );
        assert!(
            message.contains("This change set replaces or deletes: DbInstance."),
            "{message}"
        );
        let right = Review::build(&db_change(None), Some(&old), &new, &["DbInstance".into()]);
        assert!(right.allowance_error().is_none());
        assert!(right.blocking().is_empty());
    }

    #[test]
    fn a_replacement_the_change_set_does_not_list_is_added_and_blocks() {
        let text = "Parameters:\n  DbName:\n    Type: String\nResources:\n  DbInstance:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBName: !Ref DbName\n";
        let doc = Document::parse(text).unwrap();
        let parameters = vec![ParameterChange {
            name: "DbName".into(),
            before: Some("app".into()),
            after: "shop".into(),
        }];
        let review = Review::assess(&[], Some(&doc), &doc, &[], parameters);
        assert_eq!(review.rows.len(), 1);
        assert_eq!(
            review.rows[0].replacement,
            "replace (create-only: DBName via parameter DbName)"
        );
        assert!(
            review.rows[0]
                .changed
                .contains("not listed by the change set")
        );
        assert_eq!(review.blocking().len(), 1);
    }
}
