//! Short, one-line renderings of template values for messages:
//! `!Select [0, !GetAZs '']`, `{Key: Name, Value: web}`.
//!
//! Owns message text only; the template writers in `crate::template` own the
//! real YAML and JSON output.

use crate::template::{Expr, Intrinsic};

/// Longest rendering before it is cut with `...`.
const MAX: usize = 100;

/// A value in compact YAML flow style, intrinsics in short form.
pub fn show(e: &Expr) -> String {
    let mut out = String::new();
    write(e, &mut out);
    cut(out)
}

/// An intrinsic function in short form (`!Ref Vpc`, `!GetAtt Db.Endpoint.Address`).
pub fn show_fn(f: &Intrinsic) -> String {
    let mut out = String::new();
    write_fn(f, &mut out);
    cut(out)
}

fn cut(s: String) -> String {
    if s.chars().count() <= MAX {
        return s;
    }
    let mut c: String = s.chars().take(MAX - 3).collect();
    c.push_str("...");
    c
}

fn scalar(s: &str, out: &mut String) {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@*".contains(c))
        && !s.starts_with(['-', '*', '@', ':'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        && s.parse::<f64>().is_err();
    if plain {
        out.push_str(s);
    } else {
        out.push('\'');
        out.push_str(&s.replace('\'', "''").replace('\n', "\\n"));
        out.push('\'');
    }
}

fn write(e: &Expr, out: &mut String) {
    match e {
        Expr::Null => out.push_str("null"),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Int(n) => out.push_str(&n.to_string()),
        Expr::Float(x) => out.push_str(&x.to_string()),
        Expr::String(s) => scalar(s, out),
        Expr::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(item, out);
                if out.len() > MAX * 2 {
                    break;
                }
            }
            out.push(']');
        }
        Expr::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                scalar(k, out);
                out.push_str(": ");
                write(v, out);
                if out.len() > MAX * 2 {
                    break;
                }
            }
            out.push('}');
        }
        Expr::Fn(f) => write_fn(f, out),
    }
}

fn write_fn(f: &Intrinsic, out: &mut String) {
    out.push('!');
    out.push_str(f.short_name());
    out.push(' ');
    match f {
        Intrinsic::Ref(name) | Intrinsic::Condition(name) => scalar(name, out),
        Intrinsic::GetAtt {
            resource,
            attribute,
        } => {
            out.push_str(resource);
            out.push('.');
            out.push_str(attribute);
        }
        Intrinsic::Sub {
            template,
            variables,
        } if variables.is_empty() => scalar(template, out),
        other => write(&other.argument(), out),
    }
}

/// The candidate closest to `word` by edit distance (case-insensitive), if
/// it is close enough to be what the user meant: "did you mean ...?".
///
/// The distance is never below the difference in length, so candidates
/// that differ by more than the limit are skipped unmeasured: a 300 KB
/// resource type is not compared letter by letter with 1,854 type names.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    let length = word.chars().count();
    let limit = (length / 3).max(2);
    candidates
        .into_iter()
        .filter(|c| length.abs_diff(c.chars().count()) <= limit)
        .map(|c| (distance(&w, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Most misses of one rule, per check, that get a "did you mean" hint
/// measured against names of the template (resources, parameters,
/// conditions, mappings).
///
/// Each suggestion compares the missing name with every candidate, so a
/// suggestion for every miss was quadratic when thousands are missing
/// (5,000 missing `DependsOn` targets: 12 s; 10,000: up to a minute). With
/// the first misses alone suggested, the work is at most this many passes
/// over the names: linear. Past that many misses of one rule the template
/// is generated or broken wholesale, and the rule's general hint serves.
pub const MAX_SUGGESTIONS: usize = 50;

/// A budget of [`MAX_SUGGESTIONS`] "did you mean" look-ups per rule, for a
/// check that may report any number of missing names: keeps the hints of
/// the first misses exactly as [`closest`] gives them, and the check linear.
#[derive(Debug, Default)]
pub struct Suggestions {
    /// Look-ups made so far, by rule ID.
    made: std::collections::HashMap<&'static str, usize>,
}

impl Suggestions {
    /// [`closest`] for one more miss of `rule`, or `None` once the rule has
    /// had its [`MAX_SUGGESTIONS`] look-ups (the caller then gives the
    /// hint it gives when nothing is close).
    pub fn closest<'a>(
        &mut self,
        rule: &'static str,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let made = self.made.entry(rule).or_default();
        if *made >= MAX_SUGGESTIONS {
            return None;
        }
        *made += 1;
        closest(word, candidates)
    }
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    // Two rows, swapped: a new row per letter was an allocation per letter
    // of every candidate measured.
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::fns;

    #[test]
    fn intrinsics_render_in_short_form() {
        assert_eq!(show_fn(&fns::az(1)), "!Select [1, !GetAZs '']");
        assert_eq!(show_fn(&fns::ref_("Vpc")), "!Ref Vpc");
        assert_eq!(
            show_fn(&fns::sub("${AWS::StackName}-web")),
            "!Sub '${AWS::StackName}-web'"
        );
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        let names = ["VpcId", "CidrBlock", "AvailabilityZone"];
        assert_eq!(closest("CidrBlok", names), Some("CidrBlock"));
        assert_eq!(closest("vpcid", names), Some("VpcId"));
        assert_eq!(closest("Completely", names), None);
    }

    #[test]
    fn suggestions_stop_after_the_budget_per_rule() {
        let names = ["VpcId", "CidrBlock"];
        let mut s = Suggestions::default();
        for _ in 0..MAX_SUGGESTIONS {
            assert_eq!(s.closest("HG205", "CidrBlok", names), Some("CidrBlock"));
        }
        assert_eq!(s.closest("HG205", "CidrBlok", names), None);
        // Another rule has its own budget.
        assert_eq!(s.closest("HG206", "vpcid", names), Some("VpcId"));
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("topik12", "topic12"), 1);
    }

    #[test]
    fn long_values_are_cut() {
        let long = Expr::string("x".repeat(500));
        assert!(show(&long).ends_with("..."));
        assert!(show(&long).chars().count() <= MAX);
    }
}
