//! What a plain (unquoted, untagged) YAML scalar means to CloudFormation.
//!
//! CloudFormation reads YAML 1.1 ("supports the YAML Version 1.1
//! specification with a few exceptions": no timestamps, binary, sets, omaps,
//! pairs, merges or aliases), and so does cfn-lint (PyYAML's resolver).
//! Observed behaviour confirms it: an unquoted `Value: YES` in a tag arrives as
//! `"true"`, which is why the AWS CLI quotes such words when it writes
//! templates (aws-cli pull request 5257).
//! So this module follows PyYAML's YAML 1.1 resolver, which is the one
//! cfn-lint uses:
//!
//! - null: empty, `~`, `null`, `Null`, `NULL`;
//! - booleans: `true/false`, `yes/no`, `on/off` in lower, Capitalised and
//!   UPPER case (not `y`/`n`, which neither PyYAML nor SnakeYAML resolve);
//! - integers: decimal, `0x` hex, `0b` binary, `0`-prefixed octal, base 60
//!   (`1:30`), `_` separators; beyond `i64` they become floats;
//! - floats: a `.` is required (`1.5`, `1.`, `.5`), an exponent needs its
//!   sign (`1.0e+5`), base 60 with a fraction, `.inf`, `.nan`;
//! - everything else is a string, timestamps such as `2010-09-09` included
//!   (CloudFormation has no timestamp type).
//!
//! Where YAML 1.1 reads a scalar differently from YAML 1.2 (what editors and
//! most tools show), the reading comes with a note for the validator.
//! This module owns scalar resolution only; tags and quoting are the YAML
//! reader's business.

use super::node::Kind;

/// A plain scalar's value, and a description of the reading when YAML 1.1
/// differs from YAML 1.2 here (`the boolean true` for `yes`).
pub(super) fn resolve_plain(text: &str) -> (Kind, Option<String>) {
    if let Some(kind) = null(text) {
        return (kind, None);
    }
    if let Some((b, surprising)) = boolean(text) {
        let note = surprising.then(|| format!("the boolean {b}"));
        return (Kind::Bool(b), note);
    }
    if let Some((kind, surprising)) = integer(text) {
        let note = surprising.then(|| format!("the number {}", number_text(&kind)));
        return (kind, note);
    }
    if let Some((x, surprising)) = float(text) {
        let note = surprising.then(|| format!("the number {x}"));
        return (Kind::Float(x), note);
    }
    (Kind::String(text.to_owned()), None)
}

/// Resolves a scalar carrying a core-schema tag (`!!str 12`, `!!int 12`).
/// `None` when the tag is not one CloudFormation supports.
pub(super) fn resolve_core(suffix: &str, text: &str) -> Option<Kind> {
    let string = || Kind::String(text.to_owned());
    Some(match suffix {
        "str" => string(),
        "null" => null(text).unwrap_or_else(string),
        "bool" => boolean(text).map_or_else(string, |(b, _)| Kind::Bool(b)),
        "int" => integer(text).map_or_else(string, |(kind, _)| kind),
        "float" => match integer(text) {
            Some((Kind::Int(n), _)) => Kind::Float(n as f64),
            Some((kind, _)) => kind,
            None => float(text).map_or_else(string, |(x, _)| Kind::Float(x)),
        },
        _ => return None,
    })
}

fn number_text(kind: &Kind) -> String {
    match kind {
        Kind::Int(n) => n.to_string(),
        Kind::Float(x) => x.to_string(),
        _ => String::new(),
    }
}

fn null(text: &str) -> Option<Kind> {
    matches!(text, "" | "~" | "null" | "Null" | "NULL").then_some(Kind::Null)
}

/// The boolean, and whether YAML 1.2 would read a string instead.
fn boolean(text: &str) -> Option<(bool, bool)> {
    Some(match text {
        "true" | "True" | "TRUE" => (true, false),
        "false" | "False" | "FALSE" => (false, false),
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" => (true, true),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" => (false, true),
        _ => return None,
    })
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn all(s: &str, ok: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(ok)
}

/// A YAML 1.1 integer, and whether YAML 1.2 would read it differently
/// (octal, binary, base 60, `_` separators).
fn integer(text: &str) -> Option<(Kind, bool)> {
    let (negative, body) = split_sign(text);
    let (digits, radix, surprising) = if let Some(bin) = body.strip_prefix("0b") {
        if bin.is_empty() || !all(bin, |b| b == b'0' || b == b'1' || b == b'_') {
            return None;
        }
        (bin, 2, true)
    } else if let Some(hex) = body.strip_prefix("0x") {
        if hex.is_empty() || !all(hex, |b| b.is_ascii_hexdigit() || b == b'_') {
            return None;
        }
        (hex, 16, hex.contains('_'))
    } else if body.len() > 1 && body.starts_with('0') {
        if !all(body, |b| (b'0'..=b'7').contains(&b) || b == b'_') {
            return None;
        }
        (body, 8, true)
    } else if body == "0" {
        (body, 10, false)
    } else if body.starts_with(|c: char| ('1'..='9').contains(&c)) {
        if all(body, |b| b.is_ascii_digit() || b == b'_') {
            (body, 10, body.contains('_'))
        } else {
            let value = sexagesimal(body, false)?;
            return Some((whole(Kind::Float(value * sign(negative))), true));
        }
    } else {
        return None;
    };
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        // `0b_` and `0x_` match PyYAML's pattern but have no digits (PyYAML
        // fails on them); read them as the strings they look like.
        return None;
    }
    let value = i128::from_str_radix(&clean, radix).ok();
    let kind = match value {
        Some(v) => {
            let v = if negative { -v } else { v };
            i64::try_from(v).map_or(Kind::Float(v as f64), Kind::Int)
        }
        // Too large even for i128: only decimal has a float reading.
        None if radix == 10 => Kind::Float(clean.parse::<f64>().ok()? * sign(negative)),
        None => return None,
    };
    Some((kind, surprising))
}

/// A base-60 value made only of whole parts is an integer.
fn whole(kind: Kind) -> Kind {
    match kind {
        Kind::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Kind::Int(x as i64),
        other => other,
    }
}

fn sign(negative: bool) -> f64 {
    if negative { -1.0 } else { 1.0 }
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+`, with a `.fraction` on the last part when
/// `fraction` is allowed (then the first part may start with 0).
fn sexagesimal(body: &str, fraction: bool) -> Option<f64> {
    let (whole_part, frac) = match body.split_once('.') {
        Some((w, f)) if fraction => (w, Some(f)),
        Some(_) => return None,
        None if fraction => return None,
        None => (body, None),
    };
    let mut parts = whole_part.split(':');
    let first = parts.next()?;
    let first_ok = !first.is_empty()
        && first.as_bytes()[0].is_ascii_digit()
        && (fraction || first.as_bytes()[0] != b'0')
        && all(first, |b| b.is_ascii_digit() || b == b'_');
    if !first_ok {
        return None;
    }
    let mut value: f64 = first.replace('_', "").parse().ok()?;
    let mut any = false;
    for part in parts {
        let ok = (1..=2).contains(&part.len())
            && all(part, |b| b.is_ascii_digit())
            && (part.len() == 1 || part.as_bytes()[0] <= b'5');
        if !ok {
            return None;
        }
        value = value * 60.0 + part.parse::<f64>().ok()?;
        any = true;
    }
    if !any {
        return None;
    }
    if let Some(f) = frac {
        if !all(f, |b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        let f: String = f.chars().filter(|&c| c != '_').collect();
        if !f.is_empty() {
            value += format!("0.{f}").parse::<f64>().ok()?;
        }
    }
    Some(value)
}

/// A YAML 1.1 float, and whether YAML 1.2 would read it differently
/// (`_` separators, base 60).
fn float(text: &str) -> Option<(f64, bool)> {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some((f64::NAN, false));
    }
    let (negative, body) = split_sign(text);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return Some((f64::INFINITY * sign(negative), false));
    }
    let signed = body.len() != text.len();
    // `.5`, `.5e+3`: PyYAML allows no sign on this form.
    if let Some(rest) = body.strip_prefix('.') {
        if signed {
            return None;
        }
        let (mantissa, exponent) = split_exponent(rest)?;
        if !mantissa.bytes().any(|b| b.is_ascii_digit())
            || !all(mantissa, |b| b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        let value = number(&format!("0.{mantissa}{exponent}"))?;
        return Some((value, mantissa.contains('_')));
    }
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (whole_part, rest) = body.split_once('.')?;
    if whole_part.contains(':') {
        let value = sexagesimal(body, true)?;
        return Some((value * sign(negative), true));
    }
    if !all(whole_part, |b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let (fraction, exponent) = split_exponent(rest)?;
    if !all(fraction, |b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let value = number(&format!("{whole_part}.{fraction}0{exponent}"))?;
    Some((value * sign(negative), body.contains('_')))
}

/// Splits `123e+4` into `123` and `e+4`; the exponent's sign is required.
fn split_exponent(s: &str) -> Option<(&str, &str)> {
    match s.find(['e', 'E']) {
        None => Some((s, "")),
        Some(i) => {
            let exp = &s[i + 1..];
            let ok = exp.len() > 1
                && (exp.starts_with('+') || exp.starts_with('-'))
                && all(&exp[1..], |b| b.is_ascii_digit());
            ok.then(|| (&s[..i], &s[i..]))
        }
    }
}

fn number(s: &str) -> Option<f64> {
    s.replace('_', "").parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Kind {
        resolve_plain(text).0
    }

    fn noted(text: &str) -> bool {
        resolve_plain(text).1.is_some()
    }

    #[test]
    fn yaml_1_1_booleans_are_booleans_and_the_surprising_ones_are_noted() {
        for t in [
            "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON",
        ] {
            assert_eq!(kind(t), Kind::Bool(true), "{t}");
        }
        for t in [
            "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF",
        ] {
            assert_eq!(kind(t), Kind::Bool(false), "{t}");
        }
        assert!(!noted("true") && !noted("False"));
        assert!(noted("yes") && noted("OFF"));
        assert_eq!(resolve_plain("YES").1.as_deref(), Some("the boolean true"));
        for t in ["y", "n", "Y", "yEs", "tRUE"] {
            assert_eq!(kind(t), Kind::String(t.into()), "{t}");
        }
    }

    #[test]
    fn nulls() {
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(kind(t), Kind::Null, "{t}");
        }
        assert_eq!(kind("nULL"), Kind::String("nULL".into()));
    }

    #[test]
    fn integers_in_every_yaml_1_1_notation() {
        assert_eq!(kind("0"), Kind::Int(0));
        assert_eq!(kind("-17"), Kind::Int(-17));
        assert_eq!(kind("+17"), Kind::Int(17));
        assert_eq!(kind("0x1F"), Kind::Int(31));
        assert_eq!(kind("0b101"), Kind::Int(5));
        assert_eq!(kind("0755"), Kind::Int(493));
        assert_eq!(kind("1_000"), Kind::Int(1000));
        assert_eq!(kind("1:30"), Kind::Int(90));
        assert_eq!(kind("-1:00:00"), Kind::Int(-3600));
        assert_eq!(kind("9223372036854775807"), Kind::Int(i64::MAX));
        assert_eq!(kind("-9223372036854775808"), Kind::Int(i64::MIN));
        assert_eq!(
            kind("9223372036854775808"),
            Kind::Float(9_223_372_036_854_775_808_f64)
        );
        assert!(noted("0755") && noted("1:30") && noted("0b1") && noted("1_0"));
        assert!(!noted("80") && !noted("0x1F"));
        assert_eq!(resolve_plain("000755").1.as_deref(), Some("the number 493"));
    }

    #[test]
    fn digit_strings_that_are_not_yaml_1_1_integers_stay_strings() {
        for t in [
            "08",
            "012345678901",
            "0x",
            "0xG",
            "1:60",
            "1:",
            "2010-09-09",
            "1e3",
            "1.0e5",
            "-.5",
            "10.0.0.0/16",
            "12:30:",
            "0b",
            "0b2",
            "0b_",
            "0x_",
            "._",
        ] {
            assert_eq!(kind(t), Kind::String(t.into()), "{t}");
        }
    }

    #[test]
    fn floats_need_a_point_and_a_signed_exponent() {
        assert_eq!(kind("1.5"), Kind::Float(1.5));
        assert_eq!(kind("1."), Kind::Float(1.0));
        assert_eq!(kind(".5"), Kind::Float(0.5));
        assert_eq!(kind("-0.25"), Kind::Float(-0.25));
        assert_eq!(kind("1.0e+5"), Kind::Float(1.0e5));
        assert_eq!(kind("1.5E-3"), Kind::Float(1.5e-3));
        assert_eq!(kind("1_0.5"), Kind::Float(10.5));
        assert_eq!(kind("1:30.5"), Kind::Float(90.5));
        assert_eq!(kind(".inf"), Kind::Float(f64::INFINITY));
        assert_eq!(kind("-.INF"), Kind::Float(f64::NEG_INFINITY));
        assert!(matches!(kind(".NaN"), Kind::Float(x) if x.is_nan()));
        assert!(noted("1:30.5") && !noted("1.5"));
    }

    #[test]
    fn every_float_the_writer_prints_reads_back_exactly() {
        for x in [
            0.1,
            -0.0,
            1.0e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            123.456,
        ] {
            let mut text = x.to_string();
            if !text.contains('.') {
                text.push_str(".0");
            }
            assert_eq!(kind(&text), Kind::Float(x), "{text}");
        }
    }

    #[test]
    fn core_tags_force_a_type() {
        assert_eq!(resolve_core("str", "12"), Some(Kind::String("12".into())));
        assert_eq!(resolve_core("int", "12"), Some(Kind::Int(12)));
        assert_eq!(resolve_core("float", "12"), Some(Kind::Float(12.0)));
        assert_eq!(resolve_core("bool", "yes"), Some(Kind::Bool(true)));
        assert_eq!(resolve_core("null", "~"), Some(Kind::Null));
        assert_eq!(resolve_core("int", "x"), Some(Kind::String("x".into())));
        assert_eq!(resolve_core("binary", "aGk="), None);
    }
}
