//! Every intrinsic function in the template: what it names exists, its
//! arguments have the right shape, and it stands where CloudFormation allows
//! it (rules HG201 to HG210).
//!
//! Owns the walk over all template values and the `Fn::Sub` placeholder
//! syntax. It does not build the dependency graph (`super::graph`) nor judge
//! property values against schemas (`super::schema`).

use std::collections::HashSet;

use indexmap::IndexMap;
use ipnet::IpNet;

use super::diagnostic::Diagnostic;
use super::rules;
use super::schema;
use super::text;
use crate::template::{Expr, Intrinsic, Resource, Template};

/// CloudFormation's pseudo parameters.
pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// One `${...}` placeholder of a `Fn::Sub` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// `${Name}`: a variable, parameter, resource or pseudo parameter.
    Name(String),
    /// `${Resource.Attribute}`: shorthand for `Fn::GetAtt`.
    Attribute(String, String),
}

/// The placeholders of a `Fn::Sub` string, in order; `${!Literal}` is an
/// escape and yields nothing. An unclosed `${` is text.
pub fn placeholders(template: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = after[..end].trim();
        if !inner.starts_with('!') && !inner.is_empty() {
            match inner.split_once('.') {
                Some((r, a)) if !inner.starts_with("AWS::") => {
                    out.push(Placeholder::Attribute(r.to_owned(), a.to_owned()))
                }
                _ => out.push(Placeholder::Name(inner.to_owned())),
            }
        }
        rest = &after[end + 1..];
    }
    out
}

/// Where in the template a value stands; decides which functions are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A resource property, attribute or metadata, or an output.
    Value,
    /// The `Conditions` section.
    Condition,
}

struct Walker<'t> {
    template: &'t Template,
    out: Vec<Diagnostic>,
    /// The logical ID findings are attached to.
    owner: Option<String>,
    /// "Did you mean" look-ups against the template's names, bounded per
    /// rule so that thousands of missing names stay linear.
    suggestions: text::Suggestions,
}

/// Checks every intrinsic function of the template.
pub fn check(template: &Template) -> Vec<Diagnostic> {
    let mut w = Walker {
        template,
        out: Vec::new(),
        owner: None,
        suggestions: text::Suggestions::default(),
    };
    for (name, def) in &template.conditions {
        w.owner = Some(name.clone());
        let mut path = vec!["Conditions".to_owned(), name.clone()];
        w.visit(def, &mut path, Place::Condition);
    }
    for (id, r) in &template.resources {
        w.owner = Some(id.clone());
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
        w.owner = Some(id.clone());
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

fn region_like(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

impl Walker<'_> {
    fn emit(&mut self, d: Diagnostic, path: &[String]) {
        let d = d.at(path.iter().cloned());
        let d = match &self.owner {
            Some(o) => d.on(o.clone()),
            None => d,
        };
        self.out.push(d);
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
                self.function(f, path, place);
                path.pop();
            }
            _ => {}
        }
    }

    /// Visits each entry of a map, its key on the path.
    fn visit_map(&mut self, m: &IndexMap<String, Expr>, path: &mut Vec<String>, place: Place) {
        for (k, v) in m {
            path.push(k.clone());
            self.visit(v, path, place);
            path.pop();
        }
    }

    /// Visits argument `i` of a function whose argument is a list.
    fn arg(&mut self, e: &Expr, i: usize, path: &mut Vec<String>, place: Place) {
        path.push(i.to_string());
        self.visit(e, path, place);
        path.pop();
    }

    fn function(&mut self, f: &Intrinsic, path: &mut Vec<String>, place: Place) {
        let is_condition_fn = matches!(
            f,
            Intrinsic::Equals(..)
                | Intrinsic::And(_)
                | Intrinsic::Or(_)
                | Intrinsic::Not(_)
                | Intrinsic::Condition(_)
        );
        if place == Place::Value && is_condition_fn {
            let d = rules::INTRINSIC_SHAPE
                .diag(format!(
                    "{} is a condition function; it is only allowed in the Conditions section",
                    f.long_name()
                ))
                .hint("define a condition under Conditions and use it with Fn::If");
            self.emit(d, path);
        }
        if place == Place::Condition && matches!(f, Intrinsic::GetAtt { .. }) {
            let d = rules::INTRINSIC_SHAPE
                .diag("conditions cannot read resource attributes; they are decided before any resource exists")
                .hint("compare a parameter instead");
            self.emit(d, path);
        }
        match f {
            Intrinsic::Ref(name) => self.reference(name, path, place),
            Intrinsic::GetAtt {
                resource,
                attribute,
            } => self.get_att(resource, attribute, path),
            Intrinsic::Sub {
                template,
                variables,
            } => {
                for p in placeholders(template) {
                    match p {
                        Placeholder::Name(n) if variables.contains_key(&n) => {}
                        Placeholder::Name(n) => self.sub_name(&n, path),
                        Placeholder::Attribute(r, a) => {
                            if variables.contains_key(&format!("{r}.{a}")) {
                                continue;
                            }
                            self.get_att(&r, &a, path)
                        }
                    }
                }
                for (k, v) in variables {
                    path.push("1".into());
                    path.push(k.clone());
                    self.visit(v, path, place);
                    path.pop();
                    path.pop();
                }
            }
            Intrinsic::Join { values, .. } => {
                if !self.may_be_list(values) {
                    let d = rules::INTRINSIC_SHAPE
                        .diag(format!(
                            "Fn::Join needs a list to join, not {}",
                            text::show(values)
                        ))
                        .hint("write the items as a list: !Join ['', [a, b]]");
                    path.push("1".into());
                    self.emit(d, path);
                    path.pop();
                }
                self.arg(values, 1, path, place);
            }
            Intrinsic::Select { index, list } => {
                self.select(index, list, path);
                self.arg(index, 0, path, place);
                self.arg(list, 1, path, place);
            }
            Intrinsic::Split { source, .. } => {
                if matches!(source, Expr::List(_) | Expr::Map(_)) {
                    let d =
                        rules::INTRINSIC_SHAPE.diag("Fn::Split splits a string, not a list or map");
                    path.push("1".into());
                    self.emit(d, path);
                    path.pop();
                }
                self.arg(source, 1, path, place);
            }
            Intrinsic::GetAZs(arg) => {
                let ok = match arg {
                    Expr::String(s) => s.is_empty() || region_like(s),
                    Expr::Fn(inner) => {
                        matches!(inner.as_ref(), Intrinsic::Ref(r) if r == "AWS::Region")
                    }
                    _ => false,
                };
                if !ok {
                    let d = rules::GETAZS_ARGUMENT
                        .diag(format!(
                            "Fn::GetAZs takes '' (the stack's region), a region name or !Ref AWS::Region, not {}",
                            text::show(arg)
                        ))
                        .hint("write !GetAZs ''");
                    self.emit(d, path);
                }
                self.visit(arg, path, place);
            }
            Intrinsic::Base64(arg) | Intrinsic::ImportValue(arg) => {
                if matches!(arg, Expr::List(_) | Expr::Map(_)) {
                    let d = rules::INTRINSIC_SHAPE
                        .diag(format!("{} takes a single string", f.long_name()));
                    self.emit(d, path);
                }
                self.visit(arg, path, place);
            }
            Intrinsic::Cidr { block, count, bits } => {
                self.cidr(block, count, bits, path);
                self.arg(block, 0, path, place);
                self.arg(count, 1, path, place);
                self.arg(bits, 2, path, place);
            }
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => {
                if place == Place::Condition {
                    let d = rules::INTRINSIC_SHAPE.diag(
                        "Fn::If is not allowed inside a condition; combine conditions with Fn::And, Fn::Or and Fn::Not",
                    );
                    self.emit(d, path);
                }
                self.condition_name(condition, path, "0");
                self.arg(then, 1, path, place);
                self.arg(otherwise, 2, path, place);
            }
            Intrinsic::Equals(a, b) => {
                self.arg(a, 0, path, place);
                self.arg(b, 1, path, place);
            }
            Intrinsic::And(items) | Intrinsic::Or(items) => {
                if !(2..=10).contains(&items.len()) {
                    let d = rules::INTRINSIC_SHAPE.diag(format!(
                        "{} takes 2 to 10 conditions, not {}",
                        f.long_name(),
                        items.len()
                    ));
                    self.emit(d, path);
                }
                for (i, item) in items.iter().enumerate() {
                    self.arg(item, i, path, place);
                }
            }
            Intrinsic::Not(inner) => self.arg(inner, 0, path, place),
            Intrinsic::Condition(name) => self.condition_name(name, path, ""),
            Intrinsic::FindInMap {
                map,
                top_key,
                second_key,
            } => {
                self.find_in_map(map, top_key, second_key, path);
                self.arg(map, 0, path, place);
                self.arg(top_key, 1, path, place);
                self.arg(second_key, 2, path, place);
            }
        }
    }

    fn reference(&mut self, name: &str, path: &[String], place: Place) {
        let t = self.template;
        if t.parameters.contains_key(name) || PSEUDO_PARAMETERS.contains(&name) {
            return;
        }
        if t.resources.contains_key(name) {
            if place == Place::Condition {
                let d = rules::INTRINSIC_SHAPE
                    .diag(format!(
                        "conditions may only Ref parameters, and {name:?} is a resource"
                    ))
                    .hint("compare a parameter instead");
                self.emit(d, path);
            }
            return;
        }
        let d = rules::REF_TARGET
            .diag(format!(
                "!Ref {name} names no parameter, resource or pseudo parameter"
            ))
            .hint(self.suggest_ref(name));
        self.emit(d, path);
    }

    fn suggest_ref(&mut self, name: &str) -> String {
        let t = self.template;
        let candidates = t
            .parameters
            .keys()
            .chain(t.resources.keys())
            .map(String::as_str)
            .chain(PSEUDO_PARAMETERS.iter().copied());
        match self
            .suggestions
            .closest(rules::REF_TARGET.id, name, candidates)
        {
            Some(s) => format!("did you mean {s}?"),
            None => "declare it under Parameters or Resources".into(),
        }
    }

    fn sub_name(&mut self, name: &str, path: &[String]) {
        let t = self.template;
        if t.parameters.contains_key(name)
            || t.resources.contains_key(name)
            || PSEUDO_PARAMETERS.contains(&name)
        {
            return;
        }
        let d = rules::SUB_VARIABLE
            .diag(format!(
                "${{{name}}} in Fn::Sub names no variable, parameter, resource or pseudo parameter"
            ))
            .hint(match self.suggestions.closest(rules::SUB_VARIABLE.id, name, t.parameters.keys().chain(t.resources.keys()).map(String::as_str)) {
                Some(s) => format!("did you mean ${{{s}}}? (write ${{!{name}}} for a literal ${{{name}}})"),
                None => format!("declare it, pass it as a Fn::Sub variable, or write ${{!{name}}} for a literal"),
            });
        self.emit(d, path);
    }

    fn get_att(&mut self, resource: &str, attribute: &str, path: &[String]) {
        let t = self.template;
        let Some(r) = t.resources.get(resource) else {
            let hint = if t.parameters.contains_key(resource) {
                format!("{resource} is a parameter; use !Ref {resource}")
            } else {
                match self.suggestions.closest(
                    rules::GETATT_TARGET.id,
                    resource,
                    t.resources.keys().map(String::as_str),
                ) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "GetAtt needs a resource of this template".into(),
                }
            };
            let d = rules::GETATT_TARGET
                .diag(format!(
                    "!GetAtt {resource}.{attribute}: there is no resource {resource:?}"
                ))
                .hint(hint);
            self.emit(d, path);
            return;
        };
        let type_name = r.resource_type.as_str();
        if schema::is_open_type(type_name) || schema::is_foreign_type(type_name) {
            return;
        }
        let Ok(Some(data)) = schema::type_data(type_name) else {
            return; // an unknown type is reported by the schema check
        };
        if data.attribute_type(attribute).is_some() {
            return;
        }
        let names: Vec<&str> = data.attributes.keys().map(String::as_str).collect();
        let hint = match text::closest(attribute, names.iter().copied()) {
            Some(s) => format!("did you mean {resource}.{s}?"),
            None if names.is_empty() => {
                format!("{type_name} has no attributes; use !Ref {resource}")
            }
            None => format!("{type_name} has {}", names.join(", ")),
        };
        let d = rules::GETATT_ATTRIBUTE
            .diag(format!(
                "!GetAtt {resource}.{attribute}: {type_name} has no attribute {attribute:?}"
            ))
            .hint(hint);
        self.emit(d, path);
    }

    fn condition_name(&mut self, name: &str, path: &mut Vec<String>, arg: &str) {
        if self.template.conditions.contains_key(name) {
            return;
        }
        let hint = match self.suggestions.closest(
            rules::CONDITION_TARGET.id,
            name,
            self.template.conditions.keys().map(String::as_str),
        ) {
            Some(s) => format!("did you mean {s}?"),
            None => "declare it under Conditions".into(),
        };
        let d = rules::CONDITION_TARGET
            .diag(format!("condition {name:?} is not defined"))
            .hint(hint);
        if !arg.is_empty() {
            path.push(arg.into());
        }
        self.emit(d, path);
        if !arg.is_empty() {
            path.pop();
        }
    }

    /// Whether a value is (or may evaluate to) a list.
    fn may_be_list(&self, e: &Expr) -> bool {
        match e {
            Expr::List(_) => true,
            Expr::Fn(f) => match f.as_ref() {
                Intrinsic::Ref(name) => match self.template.parameters.get(name) {
                    Some(p) => schema::is_list_parameter_type(&p.param_type),
                    None => {
                        name == "AWS::NotificationARNs"
                            || !self.template.resources.contains_key(name)
                    }
                },
                Intrinsic::Sub { .. } | Intrinsic::Join { .. } | Intrinsic::Base64(_) => false,
                _ => true,
            },
            _ => false,
        }
    }

    /// The length of a list when it is known before deployment.
    fn known_len(&self, e: &Expr) -> Option<usize> {
        match e {
            Expr::List(items) => Some(items.len()),
            Expr::Fn(f) => match f.as_ref() {
                Intrinsic::Cidr { count, .. } => {
                    literal_int(count).and_then(|n| usize::try_from(n).ok())
                }
                Intrinsic::Split { delimiter, source } => match source {
                    Expr::String(s) if !delimiter.is_empty() => {
                        Some(s.split(delimiter.as_str()).count())
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    fn select(&mut self, index: &Expr, list: &Expr, path: &mut Vec<String>) {
        let i = match index {
            Expr::Fn(_) => return,
            other => literal_int(other),
        };
        let Some(i) = i else {
            let d = rules::INTRINSIC_SHAPE.diag(format!(
                "Fn::Select needs a whole-number index, not {}",
                text::show(index)
            ));
            path.push("0".into());
            self.emit(d, path);
            path.pop();
            return;
        };
        if i < 0 {
            let d = rules::SELECT_INDEX.diag(format!("Fn::Select index {i} is negative"));
            path.push("0".into());
            self.emit(d, path);
            path.pop();
            return;
        }
        if let Some(len) = self.known_len(list)
            && i as usize >= len
        {
            let d = rules::SELECT_INDEX
                .diag(format!(
                    "Fn::Select index {i} is past the end of a list of {len}"
                ))
                .hint(format!("use an index from 0 to {}", len.saturating_sub(1)));
            path.push("0".into());
            self.emit(d, path);
            path.pop();
        }
    }

    fn cidr(&mut self, block: &Expr, count: &Expr, bits: &Expr, path: &[String]) {
        let mut problems = Vec::new();
        let count_n = literal_int(count);
        let bits_n = literal_int(bits);
        if let Some(c) = count_n
            && !(1..=256).contains(&c)
        {
            problems.push(format!("the count must be 1 to 256, not {c}"));
        }
        if let Expr::String(b) = block {
            match b.parse::<IpNet>() {
                Err(_) => problems.push(format!("{b:?} is not a CIDR block")),
                Ok(net) => {
                    let max_bits = i64::from(net.max_prefix_len()) - i64::from(net.prefix_len());
                    if let Some(bn) = bits_n {
                        if !(1..=max_bits).contains(&bn) {
                            problems.push(format!(
                                "{bn} host bits do not fit in {b} (at most {max_bits})"
                            ));
                        } else if let Some(c) = count_n
                            && c > 0
                            && u32::try_from(max_bits - bn)
                                .is_ok_and(|free| free < 63 && (c as u64) > (1u64 << free))
                        {
                            problems.push(format!(
                                "{b} holds only {} blocks of {bn} host bits, not {c}",
                                1u64 << (max_bits - bn)
                            ));
                        }
                    }
                }
            }
        } else if let Some(bn) = bits_n
            && !(1..=128).contains(&bn)
        {
            problems.push(format!("the host bits must be 1 to 128, not {bn}"));
        }
        for p in problems {
            let d = rules::INTRINSIC_SHAPE.diag(format!("Fn::Cidr: {p}"));
            self.emit(d, path);
        }
    }

    fn find_in_map(&mut self, map: &Expr, top: &Expr, second: &Expr, path: &[String]) {
        let Some(map_name) = map.as_str() else { return };
        let Some(m) = self.template.mappings.get(map_name) else {
            let hint = match self.suggestions.closest(
                rules::FIND_IN_MAP.id,
                map_name,
                self.template.mappings.keys().map(String::as_str),
            ) {
                Some(s) => format!("did you mean {s}?"),
                None => "declare it under Mappings".into(),
            };
            let d = rules::FIND_IN_MAP
                .diag(format!("mapping {map_name:?} is not defined"))
                .hint(hint);
            self.emit(d, path);
            return;
        };
        let Some(top_key) = top.as_str() else { return };
        let Some(entry) = m.get(top_key) else {
            let keys: Vec<&str> = m.keys().map(String::as_str).collect();
            let d = rules::FIND_IN_MAP
                .diag(format!("mapping {map_name:?} has no key {top_key:?}"))
                .hint(format!("its keys are {}", keys.join(", ")));
            self.emit(d, path);
            return;
        };
        let Some(second_key) = second.as_str() else {
            return;
        };
        if !entry.contains_key(second_key) {
            let keys: Vec<&str> = entry.keys().map(String::as_str).collect();
            let d = rules::FIND_IN_MAP
                .diag(format!(
                    "mapping {map_name:?} key {top_key:?} has no {second_key:?}"
                ))
                .hint(format!("its keys are {}", keys.join(", ")));
            self.emit(d, path);
        }
    }
}

fn literal_int(e: &Expr) -> Option<i64> {
    match e {
        Expr::Int(n) => Some(*n),
        Expr::String(s) => s.trim().parse().ok(),
        Expr::Float(x) if x.fract() == 0.0 => Some(*x as i64),
        _ => None,
    }
}

/// Every name a value references through `Ref`, `Fn::GetAtt` and `Fn::Sub`
/// (resources, parameters and pseudo parameters alike), excluding names
/// bound by a `Fn::Sub`'s own variables.
pub fn referenced_names(e: &Expr) -> HashSet<String> {
    let mut out = HashSet::new();
    collect_names(e, &mut out);
    out
}

/// The names a resource's properties and metadata refer to, read where
/// they are: wrapping them in an `Expr::Map` first deep-copied every
/// property of every resource once per caller and check.
pub fn resource_references(r: &Resource) -> HashSet<String> {
    let mut out = HashSet::new();
    for v in r.properties.values().chain(r.metadata.values()) {
        collect_names(v, &mut out);
    }
    out
}

fn collect_names(e: &Expr, out: &mut HashSet<String>) {
    e.walk(&mut |x| match x.as_fn() {
        Some(Intrinsic::Ref(n)) => {
            out.insert(n.clone());
        }
        Some(Intrinsic::GetAtt { resource, .. }) => {
            out.insert(resource.clone());
        }
        Some(Intrinsic::Sub {
            template,
            variables,
        }) => {
            for p in placeholders(template) {
                match p {
                    Placeholder::Name(n) if !variables.contains_key(&n) => {
                        out.insert(n);
                    }
                    Placeholder::Attribute(r, a)
                        if !variables.contains_key(&format!("{r}.{a}")) =>
                    {
                        out.insert(r);
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests;
