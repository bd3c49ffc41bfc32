//! The condition evaluation hagen had before it was made linear, kept as
//! the reference its replacement is compared with (property test in
//! `super::tests`): same scenarios for every template small enough for the
//! old exponential walk. Test-only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{MAX_SCENARIOS, Scenario, advance, literal_text};
use crate::template::{Expr, Intrinsic, Template};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Atom {
    /// `!Equals [!Ref Param, literal]`.
    ParamEquals(String, String),
    /// Anything else, by its text.
    Opaque(String),
}

/// The value a parameter takes in a scenario: one of the compared literals,
/// or something else.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ParamValue {
    Is(String),
    Other,
}

struct Assignment<'a> {
    params: HashMap<&'a str, &'a ParamValue>,
    opaque: HashMap<&'a str, bool>,
}

/// The scenarios in which `needed` conditions may be evaluated, keeping only
/// those where `require` (a resource's own `Condition`) holds.
pub fn scenarios(
    template: &Template,
    needed: &BTreeSet<String>,
    require: Option<&str>,
) -> Vec<Scenario> {
    let mut all_needed: BTreeSet<String> = needed.clone();
    if let Some(r) = require {
        all_needed.insert(r.to_owned());
    }
    if all_needed.is_empty() {
        return vec![Scenario::default()];
    }
    let mut atoms = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for name in &all_needed {
        collect_atoms(template, name, &mut atoms, &mut seen);
    }

    // Domains: per parameter the literals it is compared with (or its
    // AllowedValues), plus "something else"; per opaque atom true/false.
    let mut param_literals: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut opaque: Vec<&str> = Vec::new();
    for atom in &atoms {
        match atom {
            Atom::ParamEquals(p, lit) => {
                param_literals.entry(p).or_default().insert(lit);
            }
            Atom::Opaque(text) => opaque.push(text),
        }
    }
    let mut domains: Vec<(&str, Vec<ParamValue>)> = Vec::new();
    for (param, literals) in &param_literals {
        let allowed: Vec<String> = template
            .parameters
            .get(*param)
            .map(|p| p.allowed_values.iter().filter_map(literal_text).collect())
            .unwrap_or_default();
        let values = if allowed.is_empty() {
            let mut v: Vec<ParamValue> = literals
                .iter()
                .map(|l| ParamValue::Is((*l).to_owned()))
                .collect();
            v.push(ParamValue::Other);
            v
        } else {
            allowed.into_iter().map(ParamValue::Is).collect()
        };
        domains.push((param, values));
    }

    let mut radices: Vec<usize> = domains.iter().map(|(_, d)| d.len()).collect();
    radices.extend(std::iter::repeat_n(2, opaque.len()));
    let mut out: Vec<Scenario> = Vec::new();
    let mut counter = vec![0usize; radices.len()];
    for _ in 0..MAX_SCENARIOS {
        let assignment = Assignment {
            params: domains
                .iter()
                .zip(&counter)
                .map(|((p, d), &i)| (*p, &d[i]))
                .collect(),
            opaque: opaque
                .iter()
                .zip(&counter[domains.len()..])
                .map(|(t, &i)| (*t, i == 0))
                .collect(),
        };
        let mut truth = BTreeMap::new();
        for name in &all_needed {
            let mut stack = Vec::new();
            let v = eval_named(template, name, &assignment, &mut stack);
            truth.insert(name.clone(), v);
        }
        let scenario = Scenario { truth };
        if require.is_none_or(|r| scenario.holds(r)) && !out.contains(&scenario) {
            out.push(scenario);
        }
        if !advance(&mut counter, &radices) {
            break;
        }
    }
    if out.is_empty() {
        // The resource's condition can never hold: check it as if it did.
        out.push(Scenario {
            truth: all_needed.iter().map(|n| (n.clone(), true)).collect(),
        });
    }
    out
}

/// Mixed-radix increment; false once every combination was produced.
fn ref_name(e: &Expr) -> Option<&str> {
    match e.as_fn() {
        Some(Intrinsic::Ref(name)) => Some(name),
        _ => None,
    }
}

fn equals_atom(a: &Expr, b: &Expr) -> Option<Atom> {
    match (ref_name(a), ref_name(b), literal_text(a), literal_text(b)) {
        (_, _, Some(_), Some(_)) => None,
        (Some(p), _, _, Some(lit)) | (_, Some(p), Some(lit), _) => {
            Some(Atom::ParamEquals(p.to_owned(), lit))
        }
        (Some(p), Some(q), _, _) if p == q => None,
        _ => Some(Atom::Opaque(opaque_key(a, b))),
    }
}

fn opaque_key(a: &Expr, b: &Expr) -> String {
    format!("{a:?}={b:?}")
}

fn collect_atoms(
    template: &Template,
    name: &str,
    atoms: &mut BTreeSet<Atom>,
    seen: &mut BTreeSet<String>,
) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    if let Some(def) = template.conditions.get(name) {
        collect_expr_atoms(template, def, atoms, seen);
    }
}

fn collect_expr_atoms(
    template: &Template,
    e: &Expr,
    atoms: &mut BTreeSet<Atom>,
    seen: &mut BTreeSet<String>,
) {
    let Some(f) = e.as_fn() else {
        if let Some(t) = literal_text(e) {
            atoms.insert(Atom::Opaque(t));
        }
        return;
    };
    match f {
        Intrinsic::Equals(a, b) => {
            if let Some(atom) = equals_atom(a, b) {
                atoms.insert(atom);
            }
        }
        Intrinsic::And(items) | Intrinsic::Or(items) => {
            for i in items {
                collect_expr_atoms(template, i, atoms, seen);
            }
        }
        Intrinsic::Not(inner) => collect_expr_atoms(template, inner, atoms, seen),
        Intrinsic::Condition(name) => collect_atoms(template, name, atoms, seen),
        _ => {
            atoms.insert(Atom::Opaque(format!("{e:?}")));
        }
    }
}

fn eval_named(template: &Template, name: &str, a: &Assignment, stack: &mut Vec<String>) -> bool {
    if stack.iter().any(|s| s == name) {
        return false; // a cycle; the reference checks report it
    }
    let Some(def) = template.conditions.get(name) else {
        return true;
    };
    stack.push(name.to_owned());
    let v = eval(template, def, a, stack);
    stack.pop();
    v
}

fn eval(template: &Template, e: &Expr, a: &Assignment, stack: &mut Vec<String>) -> bool {
    let Some(f) = e.as_fn() else {
        return match literal_text(e) {
            Some(t) => a.opaque.get(t.as_str()).copied().unwrap_or(t == "true"),
            None => false,
        };
    };
    match f {
        Intrinsic::Equals(x, y) => match equals_atom(x, y) {
            None => match (literal_text(x), literal_text(y)) {
                (Some(p), Some(q)) => p == q,
                _ => true, // the same Ref on both sides
            },
            Some(Atom::ParamEquals(p, lit)) => {
                matches!(a.params.get(p.as_str()), Some(ParamValue::Is(v)) if *v == lit)
            }
            Some(Atom::Opaque(key)) => a.opaque.get(key.as_str()).copied().unwrap_or(true),
        },
        Intrinsic::And(items) => items.iter().all(|i| eval(template, i, a, stack)),
        Intrinsic::Or(items) => items.iter().any(|i| eval(template, i, a, stack)),
        Intrinsic::Not(inner) => !eval(template, inner, a, stack),
        Intrinsic::Condition(name) => eval_named(template, name, a, stack),
        _ => a
            .opaque
            .get(format!("{e:?}").as_str())
            .copied()
            .unwrap_or(true),
    }
}
