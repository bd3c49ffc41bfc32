//! Condition scenarios: the consistent ways a template's conditions can come
//! out, so that checks see each branch of every `Fn::If` and never a
//! combination CloudFormation could not produce.
//!
//! Owns condition evaluation. Conditions are built from `Fn::Equals` atoms;
//! an atom comparing a parameter (or pseudo parameter) with a literal is
//! decided by giving the parameter each value it is compared with, each of
//! its `AllowedValues`, or "something else"; any other atom is an
//! independent true/false. The scenarios are the cartesian product of those
//! choices, up to [`MAX_SCENARIOS`]; beyond that only the first ones are
//! seen (rare: it takes more than six independent atoms in one resource).
//! This module does not look at resources or properties.
//!
//! # Cost
//!
//! The work is linear in the template, whatever its conditions look like:
//!
//! - each condition is compiled once per check ([`Conditions`]), its atoms
//!   interned, so evaluating it is a walk over a small tree with no text;
//! - a scenario evaluates every condition a resource needs once, in
//!   dependency order, each `Condition` reference a lookup: a chain of
//!   conditions that each use the previous one twice costs one step per
//!   reference, not two to the power of the chain's length;
//! - resources asking for the same conditions share one answer;
//! - all of it counts steps against [`MAX_CONDITION_STEPS`] per check.
//!   Past the budget (only a template built to exhaust it gets there), the
//!   remaining resources are checked under one scenario in which every
//!   condition holds, and the check says so ([`Conditions::exhausted`]).
//!
//! Nothing here recurses through condition names (a chain of 30,000
//! conditions is an iteration), only through one condition's own
//! expression, whose depth the parser bounds.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use crate::template::{Expr, Intrinsic, Template};

/// Most scenarios examined for one resource.
pub const MAX_SCENARIOS: usize = 64;

/// Most steps of condition analysis in one check: compiling a condition
/// node, walking one to find what a resource needs, or evaluating one in
/// one scenario each count one step. Real templates use a few thousand
/// (SwiftCode: none); at about 10 ns a step the budget is a few tenths
/// of a second.
pub const MAX_CONDITION_STEPS: usize = 5_000_000;

/// One consistent assignment of truth values to conditions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scenario {
    truth: BTreeMap<String, bool>,
}

impl Scenario {
    /// Whether the named condition holds in this scenario (`true` for a
    /// condition the template does not define: the reference check reports
    /// those, and assuming true keeps the `Fn::If`'s first branch checked).
    pub fn holds(&self, name: &str) -> bool {
        self.truth.get(name).copied().unwrap_or(true)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Atom {
    /// `!Equals [!Ref Param, literal]`.
    ParamEquals(String, String),
    /// Anything else, by its text.
    Opaque(String),
}

/// A condition compiled for evaluation: atoms by number, references to
/// other conditions by number.
#[derive(Debug, Clone)]
enum Node {
    Const(bool),
    Atom(usize),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// Another condition; `None` for one the template does not define
    /// (it holds, as [`Scenario::holds`] says).
    Condition(Option<usize>),
}

/// The value a parameter takes in a scenario: one of the compared literals,
/// or something else.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ParamValue {
    Is(String),
    Other,
}

/// Condition analysis for one template, shared by the checks of all its
/// resources: compiled conditions, answers already given, and the step
/// budget.
pub struct Conditions<'t> {
    template: &'t Template,
    /// Compiled bodies by condition index (the template's order).
    compiled: RefCell<Vec<Option<Rc<Node>>>>,
    /// Interned atoms.
    atoms: RefCell<Vec<Atom>>,
    atom_ids: RefCell<HashMap<Atom, usize>>,
    /// Answers by (needed conditions, required condition).
    answers: RefCell<HashMap<AnswerKey, Rc<Vec<Scenario>>>>,
    steps: Cell<usize>,
    limit: usize,
    exhausted: Cell<bool>,
}

/// What a resource asks for: the conditions its `Fn::If`s use, and its
/// own `Condition`.
type AnswerKey = (BTreeSet<String>, Option<String>);

/// The budget ran out.
struct OutOfSteps;

impl<'t> Conditions<'t> {
    /// Analysis of `template` within [`MAX_CONDITION_STEPS`].
    pub fn new(template: &'t Template) -> Self {
        Self::with_limit(template, MAX_CONDITION_STEPS)
    }

    /// Analysis of `template` within `limit` steps.
    pub fn with_limit(template: &'t Template, limit: usize) -> Self {
        Conditions {
            template,
            compiled: RefCell::new(vec![None; template.conditions.len()]),
            atoms: RefCell::default(),
            atom_ids: RefCell::default(),
            answers: RefCell::default(),
            steps: Cell::new(0),
            limit,
            exhausted: Cell::new(false),
        }
    }

    /// Steps spent so far.
    #[cfg(test)]
    pub fn steps(&self) -> usize {
        self.steps.get()
    }

    /// Whether the budget ran out: some resources were checked under the
    /// single scenario in which every condition holds.
    pub fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    fn spend(&self, n: usize) -> Result<(), OutOfSteps> {
        let spent = self.steps.get().saturating_add(n);
        self.steps.set(spent);
        if spent > self.limit {
            self.exhausted.set(true);
            return Err(OutOfSteps);
        }
        Ok(())
    }

    /// The scenarios in which `needed` conditions may be evaluated, keeping
    /// only those where `require` (a resource's own `Condition`) holds.
    pub fn scenarios(&self, needed: &BTreeSet<String>, require: Option<&str>) -> Rc<Vec<Scenario>> {
        let key = (needed.clone(), require.map(str::to_owned));
        if let Some(answer) = self.answers.borrow().get(&key) {
            return Rc::clone(answer);
        }
        let answer = if self.exhausted() {
            Rc::new(vec![Scenario::default()])
        } else {
            match self.compute(needed, require) {
                Ok(out) => Rc::new(out),
                Err(OutOfSteps) => Rc::new(vec![Scenario::default()]),
            }
        };
        self.answers.borrow_mut().insert(key, Rc::clone(&answer));
        answer
    }

    fn compute(
        &self,
        needed: &BTreeSet<String>,
        require: Option<&str>,
    ) -> Result<Vec<Scenario>, OutOfSteps> {
        let mut all_needed: BTreeSet<String> = needed.clone();
        if let Some(r) = require {
            all_needed.insert(r.to_owned());
        }
        if all_needed.is_empty() {
            return Ok(vec![Scenario::default()]);
        }
        let roots: Vec<Option<usize>> = all_needed
            .iter()
            .map(|n| self.template.conditions.get_index_of(n.as_str()))
            .collect();
        let order = self.closure(&roots)?;

        // The atoms those conditions use, and their domains: per parameter
        // the literals it is compared with (or its AllowedValues), plus
        // "something else"; per opaque atom true/false.
        let mut used = BTreeSet::new();
        let bodies: Vec<(usize, Rc<Node>)> = order
            .iter()
            .map(|&i| Ok((i, self.body(i)?)))
            .collect::<Result<_, OutOfSteps>>()?;
        for (_, body) in &bodies {
            self.spend(atoms_of(body, &mut used))?;
        }
        let atoms = self.atoms.borrow();
        let mut param_literals: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut opaque: Vec<usize> = Vec::new();
        for &id in &used {
            match &atoms[id] {
                Atom::ParamEquals(p, lit) => {
                    param_literals.entry(p).or_default().insert(lit);
                }
                Atom::Opaque(_) => opaque.push(id),
            }
        }
        // In the atoms' own order, as they were when they were text: the
        // first MAX_SCENARIOS combinations are always the same ones.
        opaque.sort_by(|a, b| atoms[*a].cmp(&atoms[*b]));
        let mut domains: Vec<(&str, Vec<ParamValue>)> = Vec::new();
        for (param, literals) in &param_literals {
            let allowed: Vec<String> = self
                .template
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
        let mut atom_truth: HashMap<usize, bool> = HashMap::new();
        let mut values: HashMap<usize, bool> = HashMap::new();
        for _ in 0..MAX_SCENARIOS {
            // The truth of every atom under this assignment.
            atom_truth.clear();
            let params: HashMap<&str, &ParamValue> = domains
                .iter()
                .zip(&counter)
                .map(|((p, d), &i)| (*p, &d[i]))
                .collect();
            for &id in &used {
                let truth = match &atoms[id] {
                    Atom::ParamEquals(p, lit) => {
                        matches!(params.get(p.as_str()), Some(ParamValue::Is(v)) if v == lit)
                    }
                    Atom::Opaque(_) => true,
                };
                atom_truth.insert(id, truth);
            }
            for (&id, &i) in opaque.iter().zip(&counter[domains.len()..]) {
                atom_truth.insert(id, i == 0);
            }
            // Every condition once, dependencies first.
            values.clear();
            for (i, body) in &bodies {
                let mut steps = 0;
                let v = eval(body, &atom_truth, &values, &mut steps);
                self.spend(steps)?;
                values.insert(*i, v);
            }
            let truth: BTreeMap<String, bool> = all_needed
                .iter()
                .zip(&roots)
                .map(|(name, index)| {
                    let v = match index {
                        Some(i) => values.get(i).copied().unwrap_or(false),
                        None => true,
                    };
                    (name.clone(), v)
                })
                .collect();
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
        Ok(out)
    }

    /// The conditions `roots` reach (themselves included), each after the
    /// ones it refers to. Iterative: a chain of any length is a loop. A
    /// condition inside a cycle comes before the one that closes it, which
    /// then reads as false (the reference checks report the cycle).
    fn closure(&self, roots: &[Option<usize>]) -> Result<Vec<usize>, OutOfSteps> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut mark = vec![Mark::New; self.template.conditions.len()];
        let mut order = Vec::new();
        for &root in roots.iter().flatten() {
            if mark[root] != Mark::New {
                continue;
            }
            // (condition, its references, how many were visited)
            let mut stack: Vec<(usize, Vec<usize>, usize)> = Vec::new();
            mark[root] = Mark::Open;
            let refs = self.references(root)?;
            stack.push((root, refs, 0));
            while let Some((node, refs, next)) = stack.last_mut() {
                if let Some(&child) = refs.get(*next) {
                    *next += 1;
                    if mark[child] == Mark::New {
                        mark[child] = Mark::Open;
                        let child_refs = self.references(child)?;
                        stack.push((child, child_refs, 0));
                    }
                } else {
                    let node = *node;
                    mark[node] = Mark::Done;
                    order.push(node);
                    stack.pop();
                }
            }
        }
        Ok(order)
    }

    /// The conditions condition `i` refers to, in order.
    fn references(&self, i: usize) -> Result<Vec<usize>, OutOfSteps> {
        let body = self.body(i)?;
        let mut out = Vec::new();
        let mut steps = 0;
        references_of(&body, &mut out, &mut steps);
        self.spend(steps)?;
        Ok(out)
    }

    /// Condition `i`, compiled on first use.
    fn body(&self, i: usize) -> Result<Rc<Node>, OutOfSteps> {
        if let Some(Some(node)) = self.compiled.borrow().get(i) {
            return Ok(Rc::clone(node));
        }
        let Some((_, def)) = self.template.conditions.get_index(i) else {
            return Ok(Rc::new(Node::Const(true)));
        };
        let mut steps = 0;
        let node = Rc::new(self.compile(def, &mut steps));
        self.spend(steps)?;
        if let Some(slot) = self.compiled.borrow_mut().get_mut(i) {
            *slot = Some(Rc::clone(&node));
        }
        Ok(node)
    }

    fn intern(&self, atom: Atom, steps: &mut usize) -> Node {
        // Interning hashes the atom's text: it counts as that many steps
        // per 64 bytes, so huge opaque atoms cannot hide work.
        *steps += 1 + match &atom {
            Atom::ParamEquals(p, l) => (p.len() + l.len()) / 64,
            Atom::Opaque(t) => t.len() / 64,
        };
        let mut ids = self.atom_ids.borrow_mut();
        if let Some(&id) = ids.get(&atom) {
            return Node::Atom(id);
        }
        let mut atoms = self.atoms.borrow_mut();
        let id = atoms.len();
        atoms.push(atom.clone());
        ids.insert(atom, id);
        Node::Atom(id)
    }

    fn compile(&self, e: &Expr, steps: &mut usize) -> Node {
        *steps += 1;
        let Some(f) = e.as_fn() else {
            return match literal_text(e) {
                Some(t) => self.intern(Atom::Opaque(t), steps),
                None => Node::Const(false),
            };
        };
        match f {
            Intrinsic::Equals(x, y) => match equals_atom(x, y) {
                None => Node::Const(match (literal_text(x), literal_text(y)) {
                    (Some(p), Some(q)) => p == q,
                    _ => true, // the same Ref on both sides
                }),
                Some(atom) => self.intern(atom, steps),
            },
            Intrinsic::And(items) => {
                Node::And(items.iter().map(|i| self.compile(i, steps)).collect())
            }
            Intrinsic::Or(items) => {
                Node::Or(items.iter().map(|i| self.compile(i, steps)).collect())
            }
            Intrinsic::Not(inner) => Node::Not(Box::new(self.compile(inner, steps))),
            Intrinsic::Condition(name) => {
                Node::Condition(self.template.conditions.get_index_of(name.as_str()))
            }
            _ => self.intern(Atom::Opaque(format!("{e:?}")), steps),
        }
    }
}

/// The atoms a compiled condition uses; returns the steps spent.
fn atoms_of(node: &Node, out: &mut BTreeSet<usize>) -> usize {
    match node {
        Node::Atom(id) => {
            out.insert(*id);
            1
        }
        Node::And(items) | Node::Or(items) => {
            1 + items.iter().map(|i| atoms_of(i, out)).sum::<usize>()
        }
        Node::Not(inner) => 1 + atoms_of(inner, out),
        Node::Const(_) | Node::Condition(_) => 1,
    }
}

fn references_of(node: &Node, out: &mut Vec<usize>, steps: &mut usize) {
    *steps += 1;
    match node {
        Node::Condition(Some(i)) => out.push(*i),
        Node::And(items) | Node::Or(items) => {
            for i in items {
                references_of(i, out, steps);
            }
        }
        Node::Not(inner) => references_of(inner, out, steps),
        Node::Const(_) | Node::Atom(_) | Node::Condition(None) => {}
    }
}

/// A compiled condition's value, its references read from `values`
/// (conditions evaluated before it; one missing is in a cycle: false).
fn eval(
    node: &Node,
    atoms: &HashMap<usize, bool>,
    values: &HashMap<usize, bool>,
    steps: &mut usize,
) -> bool {
    *steps += 1;
    match node {
        Node::Const(b) => *b,
        Node::Atom(id) => atoms.get(id).copied().unwrap_or(true),
        Node::And(items) => items.iter().all(|i| eval(i, atoms, values, steps)),
        Node::Or(items) => items.iter().any(|i| eval(i, atoms, values, steps)),
        Node::Not(inner) => !eval(inner, atoms, values, steps),
        Node::Condition(None) => true,
        Node::Condition(Some(i)) => values.get(i).copied().unwrap_or(false),
    }
}

/// The scenarios in which `needed` conditions may be evaluated, keeping only
/// those where `require` (a resource's own `Condition`) holds. A one-off
/// analysis; checks of a whole template share a [`Conditions`].
#[cfg(test)]
pub fn scenarios(
    template: &Template,
    needed: &BTreeSet<String>,
    require: Option<&str>,
) -> Vec<Scenario> {
    Conditions::new(template)
        .scenarios(needed, require)
        .as_ref()
        .clone()
}

/// Mixed-radix increment; false once every combination was produced.
fn advance(counter: &mut [usize], radices: &[usize]) -> bool {
    for (digit, &radix) in counter.iter_mut().zip(radices) {
        *digit += 1;
        if *digit < radix {
            return true;
        }
        *digit = 0;
    }
    false
}

/// The text of a literal scalar as CloudFormation compares it.
pub fn literal_text(e: &Expr) -> Option<String> {
    match e {
        Expr::String(s) => Some(s.clone()),
        Expr::Int(n) => Some(n.to_string()),
        Expr::Float(x) => Some(x.to_string()),
        Expr::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

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

/// Every condition name an expression's `Fn::If`s use.
pub fn if_conditions(e: &Expr, out: &mut BTreeSet<String>) {
    e.walk(&mut |x| {
        if let Some(Intrinsic::If { condition, .. }) = x.as_fn() {
            out.insert(condition.clone());
        }
    });
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Parameter, fns};
    use proptest::prelude::*;

    fn template() -> Template {
        let mut t = Template::default();
        t.parameters.insert(
            "Env".into(),
            Parameter {
                param_type: "String".into(),
                allowed_values: vec!["stage".into(), "prod".into()],
                ..Parameter::default()
            },
        );
        t.conditions.insert(
            "IsProd".into(),
            fns::equals(fns::ref_("Env"), "prod").into(),
        );
        t.conditions.insert(
            "IsStage".into(),
            fns::equals(fns::ref_("Env"), "stage").into(),
        );
        t.conditions
            .insert("NotProd".into(), fns::not(fns::condition("IsProd")).into());
        t
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn conditions_on_one_parameter_are_never_both_true() {
        let t = template();
        let s = scenarios(&t, &set(&["IsProd", "IsStage"]), None);
        assert_eq!(s.len(), 2);
        for sc in &s {
            assert_ne!(sc.holds("IsProd"), sc.holds("IsStage"));
        }
    }

    #[test]
    fn a_negated_condition_follows_its_base() {
        let t = template();
        for sc in scenarios(&t, &set(&["IsProd", "NotProd"]), None) {
            assert_ne!(sc.holds("IsProd"), sc.holds("NotProd"));
        }
    }

    #[test]
    fn the_resource_condition_filters_scenarios() {
        let t = template();
        let s = scenarios(&t, &set(&["IsStage"]), Some("IsProd"));
        assert_eq!(s.len(), 1);
        assert!(!s[0].holds("IsStage"));
    }

    #[test]
    fn no_conditions_means_one_scenario() {
        let t = template();
        assert_eq!(scenarios(&t, &BTreeSet::new(), None).len(), 1);
    }

    /// C0 compares a parameter; every C<i> is `op [!Condition C<i-1>,
    /// !Condition C<i-1>]`.
    fn doubling_chain(n: usize, op: fn(Vec<Expr>) -> Intrinsic) -> Template {
        let mut t = Template::default();
        t.parameters.insert(
            "P".into(),
            Parameter {
                param_type: "String".into(),
                ..Parameter::default()
            },
        );
        t.conditions
            .insert("C0".into(), fns::equals(fns::ref_("P"), "a").into());
        for i in 1..=n {
            let prev = || Expr::func(fns::condition(format!("C{}", i - 1)));
            t.conditions
                .insert(format!("C{i}"), Expr::func(op(vec![prev(), prev()])));
        }
        t
    }

    /// Regression (hostile input, condition chains): a 2 KB template whose
    /// conditions each use the previous one twice doubled the evaluation
    /// per level (40 levels: 2^40 walks, `hagen validate` never finished).
    /// Each condition is now evaluated once per scenario.
    #[test]
    fn conditions_that_use_the_previous_one_twice_are_evaluated_once_each() {
        for op in [Intrinsic::And, Intrinsic::Or] {
            let t = doubling_chain(40, op);
            let c = Conditions::new(&t);
            let s = c.scenarios(&set(&["C40"]), Some("C40"));
            assert_eq!(s.len(), 1);
            assert!(s[0].holds("C40"));
            // Compiling, walking and two scenarios of 41 conditions of
            // three nodes each: a few hundred steps, not 2^40.
            assert!(c.steps() < 41 * 3 * 8, "{} steps", c.steps());
            assert!(!c.exhausted());
            // Asking again (another resource, same conditions) costs nothing.
            let before = c.steps();
            let again = c.scenarios(&set(&["C40"]), Some("C40"));
            assert_eq!(again, s);
            assert_eq!(c.steps(), before);
        }
    }

    /// Regression (hostile input, condition chains): conditions nested by
    /// name are walked with a loop, not recursion, so a chain of 30,000
    /// (about 1 MB of YAML) does not overflow a small stack.
    #[test]
    fn a_chain_of_thirty_thousand_conditions_does_not_recurse() {
        let run = || {
            let n = 30_000;
            let mut t = doubling_chain(0, Intrinsic::And);
            for i in 1..n {
                let prev = Expr::func(fns::condition(format!("C{}", i - 1)));
                t.conditions
                    .insert(format!("C{i}"), Expr::func(Intrinsic::Not(prev)));
            }
            let c = Conditions::new(&t);
            let last = format!("C{}", n - 1);
            let s = c.scenarios(&set(&[&last]), None);
            // C0 true or false; an even number of negations later, C29999 is
            // its opposite: both outcomes appear.
            assert_eq!(s.len(), 2);
            assert!(c.steps() < n * 12, "{} steps", c.steps());
        };
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn the_budget_stops_the_analysis_and_says_so() {
        let t = doubling_chain(40, Intrinsic::And);
        let c = Conditions::with_limit(&t, 50);
        let s = c.scenarios(&set(&["C40"]), None);
        assert!(c.exhausted());
        // One scenario, every condition true.
        assert_eq!(s.as_ref(), &vec![Scenario::default()]);
        assert!(s[0].holds("C40") && s[0].holds("C0"));
        // Later questions are answered the same way, for free.
        let spent = c.steps();
        assert!(spent <= 50 + 41 * 3, "{spent}");
        let other = c.scenarios(&set(&["C3"]), Some("C2"));
        assert_eq!(other.as_ref(), &vec![Scenario::default()]);
        assert_eq!(c.steps(), spent);
    }

    #[test]
    fn a_cycle_reads_as_false_and_ends() {
        let mut t = template();
        t.conditions
            .insert("A".into(), fns::not(fns::condition("B")).into());
        t.conditions
            .insert("B".into(), fns::not(fns::condition("A")).into());
        // The condition that closes the cycle (A, reached from B) reads as
        // false, B as its negation, A as B's: one consistent answer. (The
        // old walk read A as false from A and B as false from B.)
        let s = scenarios(&t, &set(&["A", "B"]), None);
        assert_eq!(s.len(), 1);
        assert!(!s[0].holds("A") && s[0].holds("B"));
    }

    /// A condition over parameters P and Q, literals, opaque values and
    /// the conditions before it (`names`).
    fn condition(names: Vec<String>) -> impl Strategy<Value = Expr> {
        let mut refs = names;
        refs.push("Undefined".into());
        let leaf = prop_oneof![
            (
                prop::sample::select(vec!["P", "Q", "AWS::Region"]),
                prop::sample::select(vec!["a", "b", "c"])
            )
                .prop_map(|(p, l)| Expr::from(fns::equals(fns::ref_(p), l))),
            (
                prop::sample::select(vec!["a", "b"]),
                prop::sample::select(vec!["a", "b"])
            )
                .prop_map(|(x, y)| Expr::from(fns::equals(Expr::string(x), y))),
            Just(Expr::from(fns::equals(fns::ref_("P"), fns::ref_("P")))),
            prop::sample::select(vec!["x", "y"]).prop_map(|v| Expr::from(fns::equals(
                Expr::func(Intrinsic::Sub {
                    template: format!("${{P}}{v}"),
                    variables: Default::default()
                }),
                "z"
            ))),
            prop::sample::select(refs).prop_map(|n| Expr::func(fns::condition(&n))),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..3)
                    .prop_map(|v| Expr::func(Intrinsic::And(v))),
                prop::collection::vec(inner.clone(), 1..3)
                    .prop_map(|v| Expr::func(Intrinsic::Or(v))),
                inner.prop_map(|e| Expr::func(Intrinsic::Not(e))),
            ]
        })
    }

    /// Up to five conditions, each using only those before it (the old
    /// walk's cycles are covered by `a_cycle_reads_as_false_and_ends`),
    /// P sometimes with AllowedValues, and what a resource asks for.
    fn case() -> impl Strategy<Value = (Template, BTreeSet<String>, Option<String>)> {
        (1usize..6, any::<bool>())
            .prop_flat_map(|(n, allowed)| {
                let conds: Vec<_> = (0..n)
                    .map(|i| condition((0..i).map(|j| format!("C{j}")).collect()))
                    .collect();
                let names: Vec<String> = (0..n).map(|i| format!("C{i}")).collect();
                (
                    conds,
                    Just(allowed),
                    prop::sample::subsequence(names.clone(), 0..=n),
                    prop::option::of(prop::sample::select(names)),
                )
            })
            .prop_map(|(conds, allowed, needed, require)| {
                let mut t = Template::default();
                t.parameters.insert(
                    "P".into(),
                    Parameter {
                        param_type: "String".into(),
                        allowed_values: if allowed {
                            vec!["a".into(), "b".into()]
                        } else {
                            Vec::new()
                        },
                        ..Parameter::default()
                    },
                );
                for (i, c) in conds.into_iter().enumerate() {
                    t.conditions.insert(format!("C{i}"), c);
                }
                (t, needed.into_iter().collect(), require)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: proptest::test_runner::RngSeed::Fixed(6),
            ..ProptestConfig::default()
        })]

        /// The linear evaluation gives exactly the scenarios, in the same
        /// order, as the old exponential one did.
        #[test]
        fn the_linear_evaluation_agrees_with_the_old_one((t, needed, require) in case()) {
            let new = scenarios(&t, &needed, require.as_deref());
            let old = reference::scenarios(&t, &needed, require.as_deref());
            prop_assert_eq!(new, old);
        }
    }
}
