//! `docs/validation.md` lists every rule exactly as the catalogue defines it
//! (ID, category, severities, title, rationale), so the docs never drift
//! from `hagen validate --list-rules`.

use hagen::validate::rules::ALL;

#[test]
fn the_rules_table_in_the_docs_matches_the_catalogue() {
    let docs =
        std::fs::read_to_string(crate::tools::repo_root().join("docs/validation.md")).unwrap();
    let table: Vec<&str> = docs.lines().filter(|l| l.starts_with("| HG")).collect();
    let expected: Vec<String> = ALL
        .iter()
        .map(|r| {
            let severity = if r.severity == r.strict {
                r.severity.to_string()
            } else {
                format!("{} (strict: {})", r.severity, r.strict)
            };
            format!(
                "| {} | {} | {} | {} | {} |",
                r.id,
                r.category.as_str(),
                severity,
                r.title,
                r.rationale
            )
        })
        .collect();
    assert_eq!(
        table, expected,
        "update the rules table in docs/validation.md"
    );
}
