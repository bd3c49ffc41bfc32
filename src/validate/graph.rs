//! The resource dependency graph: `DependsOn` and `Condition` attributes name
//! things that exist, and no resources depend on each other in a circle
//! (rules HG205, HG206, HG211).
//!
//! Owns the graph (petgraph) built from `DependsOn` and from every
//! `Ref`/`Fn::GetAtt`/`Fn::Sub` inside a resource; the references themselves
//! are checked by `super::intrinsics`.

use std::collections::HashSet;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::diagnostic::Diagnostic;
use super::intrinsics::{referenced_names, resource_references};
use super::rules;
use super::text;
use crate::template::{Resource, Template};

/// Checks DependsOn and Condition targets and finds dependency cycles.
pub fn check(template: &Template) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // A "did you mean" for every missing target measured it against every
    // resource: quadratic when thousands are missing (5,000: 12 s). Only
    // the first misses of each rule are measured now (see
    // `text::MAX_SUGGESTIONS`), so the whole check is linear.
    let mut suggestions = text::Suggestions::default();
    for (id, r) in &template.resources {
        for (i, dep) in r.depends_on.iter().enumerate() {
            if dep == id {
                out.push(
                    rules::DEPENDENCY_CYCLE
                        .diag(format!("{id} depends on itself"))
                        .on(id)
                        .at(depends_on_path(id, r, i))
                        .hint("remove it from its own DependsOn"),
                );
            } else if !template.resources.contains_key(dep) {
                let hint = match suggestions.closest(
                    rules::DEPENDS_ON_TARGET.id,
                    dep,
                    template.resources.keys().map(String::as_str),
                ) {
                    Some(s) => format!("did you mean {s}?"),
                    None => "DependsOn lists logical IDs of resources in this template".into(),
                };
                out.push(
                    rules::DEPENDS_ON_TARGET
                        .diag(format!(
                            "DependsOn names {dep:?}, which is not a resource of this template"
                        ))
                        .on(id)
                        .at(depends_on_path(id, r, i))
                        .hint(hint),
                );
            }
        }
        if let Some(c) = &r.condition {
            out.extend(condition_exists(
                template,
                &mut suggestions,
                c,
                id,
                &["Resources", id, "Condition"],
            ));
        }
    }
    for (id, o) in &template.outputs {
        if let Some(c) = &o.condition {
            out.extend(condition_exists(
                template,
                &mut suggestions,
                c,
                id,
                &["Outputs", id, "Condition"],
            ));
        }
    }
    out.extend(cycles(template));
    out
}

fn depends_on_path(id: &str, r: &Resource, i: usize) -> Vec<String> {
    let mut p = vec![
        "Resources".to_owned(),
        id.to_owned(),
        "DependsOn".to_owned(),
    ];
    if r.depends_on.len() > 1 {
        p.push(i.to_string());
    }
    p
}

fn condition_exists(
    template: &Template,
    suggestions: &mut text::Suggestions,
    name: &str,
    owner: &str,
    path: &[&str],
) -> Option<Diagnostic> {
    if template.conditions.contains_key(name) {
        return None;
    }
    let hint = match suggestions.closest(
        rules::CONDITION_TARGET.id,
        name,
        template.conditions.keys().map(String::as_str),
    ) {
        Some(s) => format!("did you mean {s}?"),
        None => "declare it under Conditions".into(),
    };
    Some(
        rules::CONDITION_TARGET
            .diag(format!("condition {name:?} is not defined"))
            .on(owner)
            .at(path.iter().copied())
            .hint(hint),
    )
}

/// The resources a resource depends on: DependsOn plus every resource it
/// references, in template order, without itself. `names` are the names its
/// properties and metadata refer to ([`resource_references`]), read once by
/// the caller, who needs them for self-references too.
fn dependencies<'t>(
    template: &'t Template,
    id: &str,
    r: &Resource,
    mut names: HashSet<String>,
) -> Vec<&'t str> {
    for e in [&r.update_policy, &r.creation_policy].into_iter().flatten() {
        names.extend(referenced_names(e));
    }
    names.extend(r.depends_on.iter().cloned());
    // Each name looked up, then put in template order: scanning every
    // resource for every resource was quadratic (15,000 topics: 13 s).
    let mut found: Vec<usize> = names
        .iter()
        .filter_map(|n| template.resources.get_index_of(n.as_str()))
        .collect();
    found.sort_unstable();
    found
        .into_iter()
        .filter_map(|i| template.resources.get_index(i))
        .map(|(k, _)| k.as_str())
        .filter(|k| *k != id)
        .collect()
}

fn cycles(template: &Template) -> Vec<Diagnostic> {
    let mut graph: DiGraph<&str, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = template
        .resources
        .keys()
        .map(|k| graph.add_node(k.as_str()))
        .collect();
    let index = |name: &str| template.resources.get_index_of(name).map(|i| nodes[i]);
    // Each resource's references are read once, for its edges and for a
    // reference to itself: they were read twice, from deep copies of its
    // properties and metadata (`Expr::Map(r.properties.clone())`).
    let mut itself = Vec::with_capacity(template.resources.len());
    for (i, (id, r)) in template.resources.iter().enumerate() {
        let names = resource_references(r);
        itself.push(names.contains(id.as_str()));
        for dep in dependencies(template, id, r, names) {
            if let Some(to) = index(dep) {
                graph.add_edge(nodes[i], to, ());
            }
        }
    }
    let mut out = Vec::new();
    for (id, refers_to_itself) in template.resources.keys().zip(itself) {
        if refers_to_itself {
            out.push(
                rules::DEPENDENCY_CYCLE
                    .diag(format!("{id} refers to itself"))
                    .on(id)
                    .at(["Resources", id])
                    .hint("a resource cannot Ref or GetAtt itself; use a pseudo parameter or another resource"),
            );
        }
    }
    let mut sccs: Vec<Vec<NodeIndex>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect();
    for scc in &mut sccs {
        scc.sort();
    }
    sccs.sort();
    for scc in sccs {
        let cycle = find_cycle(&graph, &scc);
        let names: Vec<&str> = cycle.iter().map(|n| graph[*n]).collect();
        let first = names[0];
        let mut shown = names.join(" -> ");
        shown.push_str(" -> ");
        shown.push_str(first);
        out.push(
            rules::DEPENDENCY_CYCLE
                .diag(format!("dependency cycle: {shown}"))
                .on(first)
                .at(["Resources", first])
                .hint("break the circle: drop a DependsOn, or move the rule or reference that closes it into a separate resource (for security groups, an AWS::EC2::SecurityGroupIngress)"),
        );
    }
    out
}

/// One simple cycle inside a strongly connected component, starting at its
/// first node: a depth-first search back to the start.
///
/// Membership and visits are marks indexed by node: searching the
/// component's and the visited nodes' lists at every step was quadratic in
/// the component (a ring of 10,000 resources: 10^8 comparisons).
fn find_cycle(graph: &DiGraph<&str, ()>, scc: &[NodeIndex]) -> Vec<NodeIndex> {
    let start = scc[0];
    let mut in_scc = vec![false; graph.node_count()];
    for n in scc {
        in_scc[n.index()] = true;
    }
    let mut visited = vec![false; graph.node_count()];
    visited[start.index()] = true;
    let mut path = vec![start];
    let mut search = Search {
        graph,
        in_scc: &in_scc,
        start,
        path: &mut path,
        visited: &mut visited,
    };
    if search.dfs(start) {
        path
    } else {
        scc.to_vec()
    }
}

/// The state of [`find_cycle`]'s search.
struct Search<'a> {
    graph: &'a DiGraph<&'a str, ()>,
    in_scc: &'a [bool],
    start: NodeIndex,
    path: &'a mut Vec<NodeIndex>,
    visited: &'a mut [bool],
}

impl Search<'_> {
    fn dfs(&mut self, at: NodeIndex) -> bool {
        let mut next: Vec<NodeIndex> = self
            .graph
            .neighbors(at)
            .filter(|n| self.in_scc[n.index()])
            .collect();
        next.sort();
        for n in next {
            if n == self.start {
                return true;
            }
            if self.visited[n.index()] {
                continue;
            }
            self.visited[n.index()] = true;
            self.path.push(n);
            if self.dfs(n) {
                return true;
            }
            self.path.pop();
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing;
    use serde_json::json;

    fn run(v: serde_json::Value) -> Vec<(String, String, String)> {
        check(&testing::template(v))
            .into_iter()
            .map(|d| (d.rule, d.path.join("/"), d.message))
            .collect()
    }

    fn sg(refs: serde_json::Value) -> serde_json::Value {
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "SecurityGroupIngress": refs}})
    }

    #[test]
    fn cycles_are_printed_in_order() {
        let found = run(json!({"Resources": {
            "A": sg(json!([{"SourceSecurityGroupId": {"Ref": "B"}}])),
            "B": sg(json!([{"SourceSecurityGroupId": {"Fn::GetAtt": ["C", "GroupId"]}}])),
            "C": {"Type": "AWS::EC2::SecurityGroup", "DependsOn": "A", "Properties": {"GroupDescription": "x"}},
            "D": sg(json!([]))
        }}));
        assert_eq!(
            found,
            vec![(
                "HG211".into(),
                "Resources/A".into(),
                "dependency cycle: A -> B -> C -> A".into()
            )]
        );
    }

    /// Regression (hostile input, quadratic dependencies): each resource's
    /// dependencies were found by scanning every resource, so 15,000 topics
    /// took 13 s. They are looked up by name now, and still come in
    /// template order, each once, without the resource itself.
    #[test]
    fn dependencies_are_looked_up_by_name_in_template_order() {
        let t = testing::template(json!({"Resources": {
            "A": {"Type": "AWS::SNS::Topic"},
            "B": {"Type": "AWS::SNS::Topic"},
            "C": {"Type": "AWS::SNS::Topic", "DependsOn": ["D", "A", "C", "Missing", "A"],
                  "Properties": {"TopicName": {"Fn::Sub": "${B}-${D.TopicName}-${C}"}}},
            "D": {"Type": "AWS::SNS::Topic"}
        }}));
        let deps = |id: &str| {
            let r = &t.resources[id];
            dependencies(&t, id, r, resource_references(r))
        };
        assert_eq!(deps("C"), ["A", "B", "D"]);
        assert!(deps("A").is_empty());
    }

    #[test]
    fn sub_references_count_as_dependencies() {
        let found = run(json!({"Resources": {
            "A": sg(json!([{"Description": {"Fn::Sub": "${B}"}}])),
            "B": sg(json!([{"Description": {"Fn::Sub": "${A.GroupId}"}}]))
        }}));
        assert_eq!(found.len(), 1);
        assert!(found[0].2.contains("A -> B -> A"));
    }

    #[test]
    fn depends_on_targets_must_exist() {
        let found = run(json!({"Resources": {
            "A": {"Type": "AWS::SNS::Topic", "DependsOn": ["B", "Bb", "A"]},
            "B": {"Type": "AWS::SNS::Topic"}
        }}));
        assert_eq!(
            found
                .iter()
                .map(|f| (f.0.as_str(), f.1.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("HG205", "Resources/A/DependsOn/1"),
                ("HG211", "Resources/A/DependsOn/2"),
            ]
        );
    }

    /// Regression (hostile input, quadratic hints): every missing DependsOn
    /// target was measured against every resource for its "did you mean"
    /// (5,000 misses: 12 s). The first misses keep their suggestion, word
    /// for word; the rest get the general hint.
    #[test]
    fn only_the_first_missing_targets_get_a_suggestion() {
        let n = text::MAX_SUGGESTIONS + 3;
        let mut t = Template::default();
        for i in 0..n {
            let mut r = Resource::new("AWS::SNS::Topic");
            r.depends_on.push(format!("Topik{i}"));
            t.resources.insert(format!("Topic{i}"), r);
        }
        let found = check(&t);
        assert_eq!(found.len(), n);
        assert!(found.iter().all(|d| d.rule == "HG205"));
        assert_eq!(found[0].hint.as_deref(), Some("did you mean Topic0?"));
        let last_suggested = &found[text::MAX_SUGGESTIONS - 1];
        assert_eq!(
            last_suggested.message,
            format!(
                "DependsOn names \"Topik{}\", which is not a resource of this template",
                text::MAX_SUGGESTIONS - 1
            )
        );
        assert_eq!(
            last_suggested.hint,
            Some(format!("did you mean Topic{}?", text::MAX_SUGGESTIONS - 1))
        );
        assert_eq!(
            found[n - 1].hint.as_deref(),
            Some("DependsOn lists logical IDs of resources in this template")
        );
    }

    /// Regression (hostile input, quadratic cycle search): the search for
    /// one cycle of a component looked nodes up in lists of the component
    /// and of the nodes visited. A ring of 2,000 resources is one cycle,
    /// printed whole from its first resource.
    #[test]
    fn a_ring_of_two_thousand_resources_is_one_cycle() {
        let n = 2_000;
        let mut t = Template::default();
        for i in 0..n {
            let mut r = Resource::new("AWS::SNS::Topic");
            r.depends_on.push(format!("R{}", (i + 1) % n));
            t.resources.insert(format!("R{i}"), r);
        }
        let found = check(&t);
        assert_eq!(found.len(), 1);
        let names: Vec<String> = (0..n).map(|i| format!("R{i}")).collect();
        assert_eq!(
            found[0].message,
            format!("dependency cycle: {} -> R0", names.join(" -> "))
        );
    }

    #[test]
    fn condition_attributes_must_name_conditions() {
        let found = run(json!({"Conditions": {"Prod": {"Fn::Equals": ["a", "b"]}},
            "Resources": {"A": {"Type": "AWS::SNS::Topic", "Condition": "Prd"}},
            "Outputs": {"O": {"Value": "x", "Condition": "Prod"}}}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "Resources/A/Condition");
    }
}
