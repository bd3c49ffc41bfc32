//! Semantic comparison of two templates: the round-trip proof of `hagen
//! import` (the imported crate's synthesized template against the input).
//!
//! Both sides are read into the IR first, so short and long forms of
//! intrinsics, JSON and YAML, and key order never count. On top of that a
//! number and the string that spells it (`5` and `"5"`, `true` and
//! `"true"`) are the same value, as CloudFormation reads them. Owns the
//! normalisation and the list of differences, by document path.

use serde_json::Value as Json;

use crate::template::Template;
use crate::template::json::to_json_value;

/// One place where the two templates differ.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Difference {
    /// Where: `Resources.Vpc.Properties.CidrBlock`.
    pub path: String,
    /// The input's value there (JSON), `None` when the input has nothing.
    pub expected: Option<String>,
    /// The reproduced value there, `None` when it has nothing.
    pub actual: Option<String>,
}

/// Every difference between `expected` and `actual`, in document order.
pub fn differences(expected: &Template, actual: &Template) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(
        &to_json_value(&expected.to_expr()),
        &to_json_value(&actual.to_expr()),
        &mut String::new(),
        &mut out,
    );
    out
}

fn walk(a: &Json, b: &Json, path: &mut String, out: &mut Vec<Difference>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for (k, v) in x {
                let len = path.len();
                push(path, k);
                match y.get(k) {
                    Some(w) => walk(v, w, path, out),
                    None => out.push(diff(path, Some(v), None)),
                }
                path.truncate(len);
            }
            for (k, w) in y {
                if !x.contains_key(k) {
                    let len = path.len();
                    push(path, k);
                    out.push(diff(path, None, Some(w)));
                    path.truncate(len);
                }
            }
        }
        (Json::Array(x), Json::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let len = path.len();
                push(path, &i.to_string());
                match (x.get(i), y.get(i)) {
                    (Some(v), Some(w)) => walk(v, w, path, out),
                    (v, w) => out.push(diff(path, v, w)),
                }
                path.truncate(len);
            }
        }
        _ => {
            if scalar(a) != scalar(b) {
                out.push(diff(path, Some(a), Some(b)));
            }
        }
    }
}

fn push(path: &mut String, step: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(step);
}

fn diff(path: &str, a: Option<&Json>, b: Option<&Json>) -> Difference {
    Difference {
        path: path.to_owned(),
        expected: a.map(Json::to_string),
        actual: b.map(Json::to_string),
    }
}

/// A scalar as CloudFormation reads it; containers keep their JSON.
fn scalar(v: &Json) -> String {
    match v {
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Json::String(s) => numeric_string(s).unwrap_or_else(|| s.clone()),
        Json::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A string that spells a decimal number, in the number's own spelling
/// (`"5.0"` -> `5`); `None` for anything else, leading zeros included
/// (`"012345678901"` is an account ID, not a number).
fn numeric_string(s: &str) -> Option<String> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && (frac.is_empty() || !digits.ends_with('.'))
        && int.len() + frac.len() <= 15;
    if !plain {
        return None;
    }
    s.parse::<f64>().ok().map(|f| f.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    fn t(text: &str) -> Template {
        parse_template(text, "t.yaml").expect("parses").template
    }

    #[test]
    fn short_forms_key_order_and_number_spelling_do_not_count() {
        let a = t(
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n      QueueName: !Sub '${AWS::StackName}-q'\n      FifoQueue: true\n",
        );
        let b = t(
            "{\"Resources\": {\"Q\": {\"Properties\": {\"FifoQueue\": \"true\", \"QueueName\": {\"Fn::Sub\": \"${AWS::StackName}-q\"}, \"DelaySeconds\": \"5.0\"}, \"Type\": \"AWS::SQS::Queue\"}}}",
        );
        assert_eq!(differences(&a, &b), []);
    }

    #[test]
    fn a_changed_missing_or_extra_value_is_listed_by_path() {
        let a = t(
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n      QueueName: a\n",
        );
        let b = t(
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 6\n      FifoQueue: true\n",
        );
        let d = differences(&a, &b);
        let paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "Resources.Q.Properties.DelaySeconds",
                "Resources.Q.Properties.QueueName",
                "Resources.Q.Properties.FifoQueue"
            ]
        );
        assert_eq!(d[1].actual, None);
        assert_eq!(d[2].expected, None);
    }

    #[test]
    fn an_account_id_with_a_leading_zero_is_not_a_number() {
        assert_eq!(numeric_string("012345678901"), None);
        assert_eq!(numeric_string("5.0").as_deref(), Some("5"));
        assert_eq!(numeric_string("1.50").as_deref(), Some("1.5"));
        assert_eq!(numeric_string("1e5"), None);
    }
}
