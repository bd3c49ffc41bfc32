//! Rust source text for literal values and names: string literals that
//! stay readable (multi-line user data as a raw string), numbers with the
//! right suffix, and identifiers made from logical IDs.
//!
//! Owns spelling only; which value goes where is `super::typed` and
//! `super::expr_code`.

/// Rust's reserved words, which an identifier made from a logical ID must
/// not be.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A string literal: a raw string when the text has quotes, backslashes or
/// line breaks (user data, policies), so that it reads as it will deploy.
pub(crate) fn string(text: &str) -> String {
    let wants_raw = text.contains('\n') || text.contains('"') || text.contains('\\');
    let has_odd = text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t');
    if !wants_raw || has_odd {
        return format!("{text:?}");
    }
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// An integer literal that converts into `Value<i64>` or `Expr`: plain
/// when it fits an `i32` (what an unsuffixed literal defaults to).
pub(crate) fn integer(n: i64) -> String {
    if i32::try_from(n).is_ok() {
        n.to_string()
    } else {
        format!("{n}_i64")
    }
}

/// A float literal (`1.0`, `0.5`, `1e300`) whose value is exactly `x`.
pub(crate) fn float(x: f64) -> String {
    let text = format!("{x:?}");
    if text.contains('.') || text.contains('e') || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        format!("{text}.0")
    }
}

/// Lower snake case of a logical ID or other name (`WebServerGroup` ->
/// `web_server_group`, `VPC` -> `vpc`), never a keyword and never starting
/// with a digit.
pub(crate) fn snake(name: &str) -> String {
    let mut out = hagen_codegen::naming::snake(name);
    out.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "r_");
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_with_quotes_or_lines_become_raw_strings_that_hold_them() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("a \"b\""), "r#\"a \"b\"\"#");
        assert_eq!(string("x\"#y"), "r##\"x\"#y\"##");
        assert_eq!(
            string("#!/bin/bash\necho hi\n"),
            "r#\"#!/bin/bash\necho hi\n\"#"
        );
        assert_eq!(string("bell\u{7}"), "\"bell\\u{7}\"");
    }

    #[test]
    fn numbers_keep_their_value_and_type() {
        assert_eq!(integer(5), "5");
        assert_eq!(integer(5_000_000_000), "5000000000_i64");
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(0.25), "0.25");
    }

    #[test]
    fn logical_ids_become_identifiers() {
        assert_eq!(snake("WebServerGroup"), "web_server_group");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("1stBucket"), "n_1st_bucket");
    }
}
