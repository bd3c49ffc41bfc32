//! `hagen diff`'s comparison of the deployed template with the synthesized
//! one: a structured summary (per section, per entry, the paths that
//! change) and a unified text diff of both in one canonical YAML form, so
//! that a JSON deployed template compares cleanly with YAML output.
//!
//! Owns the comparison and its rendering; the read-only change set that
//! adds CloudFormation's own replacement verdicts is driven from the CLI
//! with `super::changeset` and `super::review`.

use serde_json::Value;
use similar::TextDiff;

use super::document::Document;

/// Most changed paths listed per entry before "and N more".
const MAX_PATHS: usize = 12;

/// How one entry (resource, parameter, output, ...) changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryChange {
    /// Only in the new template.
    Added,
    /// Only in the deployed one.
    Removed,
    /// In both, with these paths changed (`Properties.CidrBlock`).
    Modified(Vec<String>),
}

/// One changed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDiff {
    /// Section (`Resources`, `Parameters`, `Outputs`, ...).
    pub section: String,
    /// Its logical ID or name.
    pub name: String,
    /// Its type, for resources.
    pub resource_type: Option<String>,
    /// What changes.
    pub change: EntryChange,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDiff {
    /// Changed entries, section by section.
    pub entries: Vec<EntryDiff>,
    /// Unified diff of the canonical YAML of both templates (empty when
    /// they are equal).
    pub unified: String,
}

impl TemplateDiff {
    /// Compares `deployed` (absent for a stack that does not exist) with
    /// `synthesized`.
    pub fn compute(deployed: Option<&Document>, synthesized: &Document) -> TemplateDiff {
        let empty = Document::default();
        let old = deployed.unwrap_or(&empty);
        let mut entries = Vec::new();
        for section in [
            "Parameters",
            "Mappings",
            "Conditions",
            "Resources",
            "Outputs",
        ] {
            let before = old.section(section).cloned().unwrap_or_default();
            let after = synthesized.section(section).cloned().unwrap_or_default();
            let rtype = |v: &Value| v.get("Type").and_then(Value::as_str).map(str::to_owned);
            for (name, value) in &after {
                let change = match before.get(name) {
                    None => EntryChange::Added,
                    Some(prev) if prev == value => continue,
                    Some(prev) => {
                        let mut paths = Vec::new();
                        changed_paths(prev, value, String::new(), &mut paths);
                        EntryChange::Modified(paths)
                    }
                };
                entries.push(EntryDiff {
                    section: section.to_owned(),
                    name: name.clone(),
                    resource_type: (section == "Resources").then(|| rtype(value)).flatten(),
                    change,
                });
            }
            for (name, value) in &before {
                if !after.contains_key(name) {
                    entries.push(EntryDiff {
                        section: section.to_owned(),
                        name: name.clone(),
                        resource_type: (section == "Resources").then(|| rtype(value)).flatten(),
                        change: EntryChange::Removed,
                    });
                }
            }
        }
        let old_text = deployed.map(canonical_yaml).unwrap_or_default();
        let new_text = canonical_yaml(synthesized);
        let unified = if old_text == new_text {
            String::new()
        } else {
            TextDiff::from_lines(&old_text, &new_text)
                .unified_diff()
                .context_radius(3)
                .header("deployed", "synthesized")
                .to_string()
        };
        TemplateDiff { entries, unified }
    }

    /// Whether the templates are the same (as data).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.unified.is_empty()
    }

    /// The comparison as one JSON object for `hagen diff --format json`:
    /// `changed`, then per section (`resources`, `parameters`, `outputs`,
    /// `mappings`, `conditions`) the `added`, `removed` and `modified`
    /// entries (with their changed `paths`), and the `unified` text diff.
    pub fn to_json(&self) -> Value {
        let mut doc = serde_json::Map::new();
        doc.insert("changed".into(), Value::Bool(!self.is_empty()));
        for section in [
            "Resources",
            "Parameters",
            "Outputs",
            "Mappings",
            "Conditions",
        ] {
            let mut added = Vec::new();
            let mut removed = Vec::new();
            let mut modified = Vec::new();
            for e in self.entries.iter().filter(|e| e.section == section) {
                let mut entry = serde_json::Map::new();
                let key = if section == "Resources" {
                    "logical_id"
                } else {
                    "name"
                };
                entry.insert(key.into(), Value::from(e.name.clone()));
                if let Some(t) = &e.resource_type {
                    entry.insert("type".into(), Value::from(t.clone()));
                }
                match &e.change {
                    EntryChange::Added => added.push(Value::Object(entry)),
                    EntryChange::Removed => removed.push(Value::Object(entry)),
                    EntryChange::Modified(paths) => {
                        entry.insert("paths".into(), Value::from(paths.clone()));
                        modified.push(Value::Object(entry));
                    }
                }
            }
            doc.insert(
                section.to_ascii_lowercase(),
                serde_json::json!({ "added": added, "removed": removed, "modified": modified }),
            );
        }
        doc.insert("unified".into(), Value::from(self.unified.clone()));
        Value::Object(doc)
    }

    /// The summary, then the unified diff; coloured when `color`; fitted to
    /// the terminal (see [`super::width::detect`]).
    pub fn render(&self, color: bool) -> String {
        self.render_at(color, super::width::detect())
    }

    /// [`TemplateDiff::render`] for a terminal `width` columns wide: long
    /// lines wrap, a wrapped diff line keeping its `+`/`-` on every piece.
    pub fn render_at(&self, color: bool, width: usize) -> String {
        use super::width::fit;
        use owo_colors::OwoColorize;
        let mut out = String::new();
        if self.is_empty() {
            out.push_str("No differences between the deployed template and the new one.\n");
            return out;
        }
        let mut section = "";
        for e in &self.entries {
            if e.section != section {
                section = &e.section;
                out.push_str(&format!("{section}\n"));
            }
            let ty = e
                .resource_type
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            let line = match &e.change {
                EntryChange::Added => {
                    let l = format!("  [+] {}{ty}", e.name);
                    if color { l.green().to_string() } else { l }
                }
                EntryChange::Removed => {
                    let l = format!("  [-] {}{ty}", e.name);
                    if color { l.red().to_string() } else { l }
                }
                EntryChange::Modified(paths) => {
                    let mut shown: Vec<String> = paths.iter().take(MAX_PATHS).cloned().collect();
                    if paths.len() > MAX_PATHS {
                        shown.push(format!("and {} more", paths.len() - MAX_PATHS));
                    }
                    let l = format!("  [~] {}{ty}: {}", e.name, shown.join(", "));
                    if color { l.yellow().to_string() } else { l }
                }
            };
            out.push_str(&fit(&line, width, 6));
            out.push('\n');
        }
        if !self.unified.is_empty() {
            out.push('\n');
            for line in self.unified.lines() {
                let marker = line
                    .chars()
                    .next()
                    .filter(|c| matches!(c, '+' | '-'))
                    .unwrap_or(' ');
                for (i, piece) in fit(line, width, 6).lines().enumerate() {
                    let piece = if i == 0 {
                        piece.to_owned()
                    } else {
                        format!("{marker}{}", piece.strip_prefix(' ').unwrap_or(piece))
                    };
                    let painted = match piece.chars().next() {
                        _ if !color => piece,
                        Some('+') => piece.green().to_string(),
                        Some('-') => piece.red().to_string(),
                        Some('@') => piece.cyan().to_string(),
                        _ => piece,
                    };
                    out.push_str(&painted);
                    out.push('\n');
                }
            }
        }
        out
    }
}

fn changed_paths(a: &Value, b: &Value, prefix: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in y {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match x.get(k) {
                    Some(old) if old == v => {}
                    Some(old) => changed_paths(old, v, path, out),
                    None => out.push(path),
                }
            }
            for k in x.keys().filter(|k| !y.contains_key(*k)) {
                out.push(if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                });
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (old, new)) in x.iter().zip(y).enumerate() {
                if old != new {
                    changed_paths(old, new, format!("{prefix}[{i}]"), out);
                }
            }
        }
        _ => out.push(if prefix.is_empty() {
            "(value)".into()
        } else {
            prefix
        }),
    }
}

/// A document as YAML in one canonical form (hagen's writer, short-form
/// tags), for text diffs.
pub fn canonical_yaml(doc: &Document) -> String {
    doc.yaml.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_templates_in_different_formats_have_no_diff() {
        let a = Document::parse("Resources:\n  T:\n    Type: AWS::SNS::Topic\n").unwrap();
        let b = Document::parse(r#"{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}"#).unwrap();
        assert!(TemplateDiff::compute(Some(&a), &b).is_empty());
    }

    #[test]
    fn changed_paths_point_into_lists() {
        let a = Document::parse(
            "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      Rules: [{Port: 80}, {Port: 443}]\n",
        )
        .unwrap();
        let b = Document::parse(
            "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      Rules: [{Port: 80}, {Port: 8443}]\n  New:\n    Type: AWS::SNS::Topic\n",
        )
        .unwrap();
        let d = TemplateDiff::compute(Some(&a), &b);
        assert_eq!(
            d.entries[0].change,
            EntryChange::Modified(vec!["Properties.Rules[1].Port".into()])
        );
        assert_eq!(d.entries[1].change, EntryChange::Added);
        let text = d.render(false);
        assert!(
            text.contains("[~] Sg (AWS::EC2::SecurityGroup): Properties.Rules[1].Port"),
            "{text}"
        );
        assert!(
            text.contains("-        Port: 443") || text.contains("- Port: 443"),
            "{text}"
        );
        assert!(text.contains("+++ synthesized"), "{text}");
    }

    #[test]
    fn the_diff_fits_60_and_120_columns_and_wrapped_lines_keep_their_marker() {
        let long = "x".repeat(30);
        let a = Document::parse(&format!(
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: first {long} words of a long display name\n"
        ))
        .unwrap();
        let b = Document::parse(&format!(
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: second {long} words of a long display name\n      TopicName: {long}{long}\n"
        ))
        .unwrap();
        let d = TemplateDiff::compute(Some(&a), &b);
        for width in [60, 120] {
            let text = d.render_at(false, width);
            for l in text.lines() {
                assert!(
                    super::super::width::visible_width(l) <= width,
                    "{width}: {l:?}"
                );
            }
            assert!(text.contains("Properties.DisplayName"), "{text}");
        }
        let narrow = d.render_at(false, 60);
        let plus: Vec<&str> = narrow.lines().filter(|l| l.starts_with('+')).collect();
        assert!(plus.iter().any(|l| l.contains("display name")), "{narrow}");
        let json = d.to_json();
        assert_eq!(json["changed"], true);
        assert_eq!(json["resources"]["modified"][0]["logical_id"], "Topic");
        assert_eq!(
            json["resources"]["modified"][0]["paths"],
            serde_json::json!(["Properties.DisplayName", "Properties.TopicName"])
        );
    }

    #[test]
    fn a_stack_that_does_not_exist_shows_everything_added() {
        let b = Document::parse("Resources:\n  T:\n    Type: AWS::SNS::Topic\n").unwrap();
        let d = TemplateDiff::compute(None, &b);
        assert_eq!(d.entries.len(), 1);
        assert_eq!(d.entries[0].change, EntryChange::Added);
    }
}
