//! The review of a change set: what each change does, which changes put
//! stateful resources at risk, which widen access; and its rendering as a
//! table with the risks spelled out underneath.
//!
//! Owns the judgement (blocked or not) and the presentation. Inputs are the
//! change set's resource changes and the old and new templates as
//! documents; it calls no AWS API.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::document::Document;
use super::security::{Widening, widenings};
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
    /// Access widened.
    pub security: Vec<Widening>,
}

impl Review {
    /// Builds the review. `old` is the deployed template (absent for a new
    /// stack); `allow_replace` lists the logical IDs the user allowed to be
    /// replaced or deleted.
    pub fn build(
        changes: &[Change],
        old: Option<&Document>,
        new: &Document,
        allow_replace: &[String],
    ) -> Review {
        let security = widenings(old, new);
        let mut stateful = Vec::new();
        let mut rows = Vec::new();
        for c in changes {
            let risk = stateful_risk(c, old, allow_replace);
            let widened = security.iter().any(|w| w.logical_id == c.logical_id);
            let mut flags = Vec::new();
            if let Some(r) = &risk {
                flags.push(if r.needs_allow {
                    format!("STATEFUL: {}", r.what.to_uppercase())
                } else {
                    format!("stateful, {} (retained)", r.what)
                });
            }
            if widened {
                flags.push("WIDENS ACCESS".to_owned());
            }
            rows.push(Row {
                action: c.action.clone(),
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                replacement: match c.action.as_str() {
                    "Modify" => c.replacement.clone().unwrap_or_else(|| "?".into()),
                    _ => "-".into(),
                },
                changed: what_changed(c, old, new),
                risk: flags.join(", "),
            });
            stateful.extend(risk);
        }
        Review {
            parameters: Vec::new(),
            rows,
            stateful,
            security,
        }
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
                    "True" => repl.fg(Color::Red),
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
                out.push_str(&format!(
                    "  - {} ({}) {}: {}; {}.{tail}\n",
                    r.logical_id, r.resource_type, r.what, r.why, r.policy
                ));
            }
        }
        if !self.security.is_empty() {
            out.push_str(&paint("Access widened by this change:".into(), false));
            out.push('\n');
            for w in &self.security {
                let broad = if w.broad { " (broad)" } else { "" };
                out.push_str(&format!("  - {}: {}{broad}\n", w.logical_id, w.message));
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

fn stateful_risk(c: &Change, old: Option<&Document>, allow: &[String]) -> Option<StatefulRisk> {
    let why = stateful::risk(&c.resource_type)?;
    let (what, attribute) = match (c.action.as_str(), c.replacement.as_deref()) {
        ("Remove", _) => ("deleted", "DeletionPolicy"),
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
        why,
        policy: policy_words,
        needs_allow: !retained,
        allowed: allow.iter().any(|a| a == &c.logical_id),
    })
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
}
