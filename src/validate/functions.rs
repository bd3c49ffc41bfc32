//! Function names (rules HG217 to HG219): every intrinsic function in the
//! template is one CloudFormation knows, the `AWS::LanguageExtensions`
//! functions come with their transform, and the `Rules` section uses only
//! parameters and the rule functions.
//!
//! Owns the list of CloudFormation's function names and where each may
//! stand. The parser keeps a function the IR does not model as the one-entry
//! map it was written as (`{"Fn::Length": ...}`, and `!Foo x` as
//! `{"Fn::Foo": x}`); this module judges those names. The arguments of
//! modelled functions are `super::intrinsics`'.
//!
//! CloudFormation's own list: `Ref`, `Condition`, `Fn::Base64`,
//! `Fn::Cidr`, `Fn::FindInMap`, `Fn::GetAtt`, `Fn::GetAZs`,
//! `Fn::GetStackOutput`, `Fn::If`, `Fn::ImportValue`, `Fn::Join`,
//! `Fn::Select`, `Fn::Split`, `Fn::Sub`, `Fn::Transform` and the condition
//! functions; the rule functions (`Fn::Contains`, `Fn::EachMemberEquals`,
//! `Fn::EachMemberIn`, `Fn::RefAll`, `Fn::ValueOf`, `Fn::ValueOfAll`, with
//! `Fn::And`, `Fn::Or`, `Fn::Not`, `Fn::Equals`) only in `Rules`, which
//! allows nothing else but `Ref`; the language extensions (`Fn::Length`,
//! `Fn::ToJsonString`, `Fn::ForEach::Name`, `Fn::FindInMap` with a default
//! value) only under `Transform: AWS::LanguageExtensions`.

use indexmap::IndexMap;

use super::diagnostic::Diagnostic;
use super::intrinsics::PSEUDO_PARAMETERS;
use super::rules;
use super::text;
use super::transforms::Transforms;
use crate::template::{Expr, Intrinsic, Template};

/// Functions CloudFormation evaluates in values (resources, outputs,
/// conditions).
const NATIVE: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAtt",
    "Fn::GetAZs",
    "Fn::GetStackOutput",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Not",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::Transform",
];

/// The functions of the `Rules` section (besides `Ref`).
const RULE_FUNCTIONS: &[&str] = &[
    "Fn::And",
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::Equals",
    "Fn::Not",
    "Fn::Or",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// Functions only the `AWS::LanguageExtensions` transform defines.
const LANGUAGE_EXTENSIONS: &[&str] = &["Fn::Length", "Fn::ToJsonString"];

/// The prefix of `Fn::ForEach::Name` keys.
const FOR_EACH: &str = "Fn::ForEach::";

/// Where a value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Resources, outputs and conditions.
    Value,
    /// The `Rules` section.
    Rule,
}

struct Walker<'t> {
    template: &'t Template,
    language_extensions: bool,
    owner: String,
    out: Vec<Diagnostic>,
    /// "Did you mean" look-ups against the parameters, bounded per rule so
    /// that thousands of missing names stay linear.
    suggestions: text::Suggestions,
}

/// Checks every function name of the template.
pub fn check(template: &Template, transforms: &Transforms) -> Vec<Diagnostic> {
    let mut w = Walker {
        template,
        language_extensions: transforms.language_extensions,
        owner: String::new(),
        out: Vec::new(),
        suggestions: text::Suggestions::default(),
    };
    for (name, rule) in &template.rules {
        w.owner = name.clone();
        let mut path = vec!["Rules".to_owned(), name.clone()];
        w.visit(rule, &mut path, Place::Rule);
    }
    for (name, def) in &template.conditions {
        w.owner = name.clone();
        let mut path = vec!["Conditions".to_owned(), name.clone()];
        w.visit(def, &mut path, Place::Value);
    }
    for (id, r) in &template.resources {
        w.owner = id.clone();
        let mut path = vec!["Resources".to_owned(), id.clone()];
        // Visited where they are: wrapping properties and metadata in an
        // `Expr::Map` deep-copied every resource once per check.
        for (section, map) in [("Properties", &r.properties), ("Metadata", &r.metadata)] {
            path.push(section.to_owned());
            w.visit_map(map, &mut path, Place::Value);
            path.pop();
        }
        for (section, value) in [
            ("UpdatePolicy", &r.update_policy),
            ("CreationPolicy", &r.creation_policy),
        ] {
            if let Some(v) = value {
                path.push(section.to_owned());
                w.visit(v, &mut path, Place::Value);
                path.pop();
            }
        }
    }
    for (id, o) in &template.outputs {
        w.owner = id.clone();
        let mut path = vec!["Outputs".to_owned(), id.clone(), "Value".to_owned()];
        w.visit(&o.value, &mut path, Place::Value);
        if let Some(name) = &o.export_name {
            let mut path = vec![
                "Outputs".to_owned(),
                id.clone(),
                "Export".to_owned(),
                "Name".to_owned(),
            ];
            w.visit(name, &mut path, Place::Value);
        }
    }
    w.out
}

/// `Fn::Length` without `Fn::`, `Ref` as it is.
fn short(name: &str) -> &str {
    name.strip_prefix("Fn::").unwrap_or(name)
}

/// The arguments of a modelled function with the path segments the parser
/// gives them.
fn arguments(f: &Intrinsic) -> Vec<(Vec<String>, &Expr)> {
    let at = |i: usize| vec![i.to_string()];
    match f {
        Intrinsic::Ref(_) | Intrinsic::GetAtt { .. } | Intrinsic::Condition(_) => Vec::new(),
        Intrinsic::Sub { variables, .. } => variables
            .iter()
            .map(|(k, v)| (vec!["1".to_owned(), k.clone()], v))
            .collect(),
        Intrinsic::Join { values, .. } => vec![(at(1), values)],
        Intrinsic::Split { source, .. } => vec![(at(1), source)],
        Intrinsic::Select { index, list } => vec![(at(0), index), (at(1), list)],
        Intrinsic::GetAZs(e) | Intrinsic::Base64(e) | Intrinsic::ImportValue(e) => {
            vec![(Vec::new(), e)]
        }
        Intrinsic::Cidr { block, count, bits } => {
            vec![(at(0), block), (at(1), count), (at(2), bits)]
        }
        Intrinsic::If {
            then, otherwise, ..
        } => vec![(at(1), then), (at(2), otherwise)],
        Intrinsic::Equals(a, b) => vec![(at(0), a), (at(1), b)],
        Intrinsic::And(items) | Intrinsic::Or(items) => {
            items.iter().enumerate().map(|(i, e)| (at(i), e)).collect()
        }
        Intrinsic::Not(e) => vec![(at(0), e)],
        Intrinsic::FindInMap {
            map,
            top_key,
            second_key,
        } => vec![(at(0), map), (at(1), top_key), (at(2), second_key)],
    }
}

/// Whether a value holds a function call anywhere.
fn has_function(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| {
        found |= match x {
            Expr::Fn(_) => true,
            Expr::Map(m) => m.len() == 1 && m.keys().all(|k| k.starts_with("Fn::")),
            _ => false,
        }
    });
    found
}

impl Walker<'_> {
    fn emit(&mut self, d: Diagnostic, path: &[String]) {
        self.out
            .push(d.on(self.owner.clone()).at(path.iter().cloned()));
    }

    fn visit(&mut self, e: &Expr, path: &mut Vec<String>, place: Place) {
        match e {
            Expr::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    self.visit(item, path, place);
                    path.pop();
                }
            }
            Expr::Map(m) => self.visit_map(m, path, place),
            Expr::Fn(f) => {
                path.push(f.long_name().to_owned());
                let descend = place != Place::Rule || self.in_rule(f, path);
                if descend {
                    for (segments, arg) in arguments(f) {
                        let depth = path.len();
                        path.extend(segments);
                        self.visit(arg, path, place);
                        path.truncate(depth);
                    }
                }
                path.pop();
            }
            _ => {}
        }
    }

    /// Visits a map: a one-key `Fn::` map is a function hagen does not
    /// model, any other map its entries, keys on the path.
    fn visit_map(&mut self, m: &IndexMap<String, Expr>, path: &mut Vec<String>, place: Place) {
        if m.len() == 1
            && let Some((name, arg)) = m.first()
            && name.starts_with("Fn::")
        {
            path.push(name.clone());
            self.unmodelled(name, arg, path, place);
            path.pop();
            return;
        }
        for (k, v) in m {
            path.push(k.clone());
            if k.starts_with(FOR_EACH) {
                self.language_extension(k, path);
            }
            self.visit(v, path, place);
            path.pop();
        }
    }

    /// A modelled function inside `Rules`: whether it is allowed there (and
    /// its arguments worth visiting).
    fn in_rule(&mut self, f: &Intrinsic, path: &[String]) -> bool {
        match f {
            Intrinsic::Ref(name) => {
                let t = self.template;
                if t.parameters.contains_key(name) || PSEUDO_PARAMETERS.contains(&name.as_str()) {
                } else if t.resources.contains_key(name) {
                    let d = rules::RULES_OUTSIDE_PARAMETERS
                        .diag(format!(
                            "rule {}: !Ref {name} names a resource; rules are evaluated before any resource exists and may only Ref parameters",
                            self.owner
                        ))
                        .hint("compare a parameter's value instead");
                    self.emit(d, path);
                } else {
                    let hint = match self.suggestions.closest(
                        rules::REF_TARGET.id,
                        name,
                        t.parameters
                            .keys()
                            .map(String::as_str)
                            .chain(PSEUDO_PARAMETERS.iter().copied()),
                    ) {
                        Some(s) => format!("did you mean {s}?"),
                        None => "declare it under Parameters".to_owned(),
                    };
                    let d = rules::REF_TARGET
                        .diag(format!(
                            "!Ref {name} names no parameter or pseudo parameter"
                        ))
                        .hint(hint);
                    self.emit(d, path);
                }
                false
            }
            Intrinsic::Equals(..) | Intrinsic::And(_) | Intrinsic::Or(_) | Intrinsic::Not(_) => {
                true
            }
            Intrinsic::GetAtt {
                resource,
                attribute,
            } => {
                let d = rules::RULES_OUTSIDE_PARAMETERS
                    .diag(format!(
                        "rule {}: !GetAtt {resource}.{attribute} reads a resource attribute; rules are evaluated before any resource exists",
                        self.owner
                    ))
                    .hint("compare a parameter's value instead");
                self.emit(d, path);
                false
            }
            other => {
                self.not_in_rules(other.long_name(), path);
                false
            }
        }
    }

    fn not_in_rules(&mut self, name: &str, path: &[String]) {
        let d = rules::RULES_OUTSIDE_PARAMETERS
            .diag(format!(
                "rule {}: {name} is not allowed in Rules, which may only use Ref to parameters and the rule functions",
                self.owner
            ))
            .hint(format!(
                "use Ref and {}",
                RULE_FUNCTIONS.join(", ")
            ));
        self.emit(d, path);
    }

    fn language_extension(&mut self, name: &str, path: &[String]) {
        if self.language_extensions {
            return;
        }
        let shown = if name.starts_with(FOR_EACH) {
            "Fn::ForEach"
        } else {
            name
        };
        let d = rules::NEEDS_LANGUAGE_EXTENSIONS
            .diag(format!(
                "{shown} exists only with the AWS::LanguageExtensions transform, which the template does not declare"
            ))
            .hint("add Transform: AWS::LanguageExtensions at the top level of the template");
        self.emit(d, path);
    }

    /// A `Fn::` function the IR does not model, kept as a one-entry map.
    fn unmodelled(&mut self, name: &str, arg: &Expr, path: &mut Vec<String>, place: Place) {
        let is_rule_fn = RULE_FUNCTIONS.contains(&name);
        let language = LANGUAGE_EXTENSIONS.contains(&name) || name.starts_with(FOR_EACH);
        if place == Place::Rule {
            if !is_rule_fn {
                if NATIVE.contains(&name) || language {
                    self.not_in_rules(name, path);
                } else {
                    self.unknown(name, path);
                }
                return;
            }
            if matches!(name, "Fn::ValueOf" | "Fn::ValueOfAll") {
                self.value_of(name, arg, path);
                return;
            }
            self.visit(arg, path, place);
            return;
        }
        if name == "Fn::Transform" {
            // A macro's input: anything goes inside.
            return;
        }
        if language {
            self.language_extension(name, path);
        } else if name == "Fn::FindInMap" {
            // The parser keeps the four-argument form (a default value).
            if matches!(arg, Expr::List(items) if items.len() == 4) {
                self.language_extension(name, path);
            }
        } else if is_rule_fn && !NATIVE.contains(&name) {
            let d = rules::UNKNOWN_FUNCTION
                .diag(format!(
                    "{name} is a rule function; CloudFormation accepts it only in the Rules section"
                ))
                .hint("in Conditions, combine Fn::Equals with Fn::Or and Fn::Not");
            self.emit(d, path);
        } else if !NATIVE.contains(&name) {
            self.unknown(name, path);
        }
        self.visit(arg, path, place);
    }

    fn unknown(&mut self, name: &str, path: &[String]) {
        let written = short(name);
        let all = NATIVE
            .iter()
            .chain(RULE_FUNCTIONS)
            .chain(LANGUAGE_EXTENSIONS)
            .copied();
        let near = text::closest(written, all.clone().map(short))
            .filter(|s| {
                s.chars().next().map(|c| c.to_ascii_lowercase())
                    == written.chars().next().map(|c| c.to_ascii_lowercase())
            })
            .and_then(|s| all.clone().find(|n| short(n) == s));
        let hint = match near {
            Some(n) => format!("did you mean {n} (!{})?", short(n)),
            None => "see the intrinsic function reference for the functions CloudFormation has"
                .to_owned(),
        };
        let d = rules::UNKNOWN_FUNCTION
            .diag(format!(
                "{name} (!{written} in short form) is not a function CloudFormation knows"
            ))
            .hint(hint);
        self.emit(d, path);
    }

    /// `Fn::ValueOf` and `Fn::ValueOfAll` take literal arguments only;
    /// `Fn::ValueOf` names a parameter.
    fn value_of(&mut self, name: &str, arg: &Expr, path: &[String]) {
        if has_function(arg) {
            let d = rules::RULES_OUTSIDE_PARAMETERS
                .diag(format!(
                    "rule {}: {name} takes literal arguments; no function may stand inside it",
                    self.owner
                ))
                .hint("write the parameter name and attribute as strings");
            self.emit(d, path);
            return;
        }
        if name == "Fn::ValueOf"
            && let Expr::List(items) = arg
            && let Some(Expr::String(param)) = items.first()
            && !self.template.parameters.contains_key(param)
        {
            let d = rules::RULES_OUTSIDE_PARAMETERS
                .diag(format!(
                    "rule {}: Fn::ValueOf names {param:?}, which is not a parameter",
                    self.owner
                ))
                .hint("name a parameter declared under Parameters");
            self.emit(d, path);
        }
    }
}

#[cfg(test)]
mod tests;
