//! Checks across the stacks of an app (rules HG221 to HG224, HG309): what
//! no single template can see. An export name two stacks declare, an
//! import no stack of the app exports, a reference to a resource that lives
//! in another stack, a stack whose nested stacks take one operation over
//! CloudFormation's 2,500 resources, and the availability and network
//! models over the whole app (`whole`).
//!
//! Owns only the checks between templates; each template's own checks
//! (quotas with their 80% warnings included) run on it alone. The deploy
//! order and circles of imports are `crate::app`'s.

use std::collections::HashMap;

mod whole;

use super::diagnostic::Diagnostic;
use super::intrinsics::referenced_names;
use super::rules;
use crate::template::{Expr, Template};

/// One template of an app, by its stack's ID.
pub struct Member<'a> {
    /// The stack's ID in the app (`network`).
    pub id: &'a str,
    /// Its template.
    pub template: &'a Template,
    /// The literal `Fn::ImportValue` names it uses.
    pub imports: &'a [String],
    /// Resources of its nested stacks, which one operation on it creates
    /// or updates with its own.
    pub nested_resources: usize,
    /// The findings its own check ([`crate::validate::check`]) reported:
    /// the whole-app models (`whole`) repeat none of them.
    pub own: &'a [Diagnostic],
}

/// Most resources one stack operation may create or update across a
/// stack and its nested stacks (AWS CloudFormation quotas).
pub const MAX_TREE_RESOURCES: usize = 2_500;

/// Findings across the templates of an app, each with the ID of the stack
/// it is placed in. Linear in the number of outputs and imports.
pub fn check(members: &[Member<'_>]) -> Vec<(String, Diagnostic)> {
    let mut out = Vec::new();
    let mut exported: HashMap<&str, &str> = HashMap::new();
    for m in members {
        for (output_id, o) in &m.template.outputs {
            let Some(name) = o.export_name.as_ref().and_then(Expr::as_str) else {
                continue;
            };
            match exported.get(name) {
                Some(first) if *first != m.id => out.push((
                    m.id.to_owned(),
                    rules::APP_EXPORT_COLLISION
                        .diag(format!(
                            "export {name:?} is also exported by stack `{first}`"
                        ))
                        .on(output_id)
                        .at(["Outputs", output_id.as_str(), "Export", "Name"])
                        .hint("give one of the outputs another export name"),
                )),
                _ => {
                    exported.insert(name, m.id);
                }
            }
        }
    }
    // Which stack holds each logical ID, for references that reach across.
    let mut holder: HashMap<&str, &str> = HashMap::new();
    for m in members {
        for id in m.template.resources.keys() {
            holder.entry(id.as_str()).or_insert(m.id);
        }
    }
    for m in members {
        let t = m.template;
        for (id, r) in &t.resources {
            let mut names: Vec<String> = r
                .properties
                .values()
                .chain(r.metadata.values())
                .flat_map(referenced_names)
                .collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                let own = t.resources.contains_key(&name)
                    || t.parameters.contains_key(&name)
                    || name.starts_with("AWS::");
                if let (false, Some(other)) = (own, holder.get(name.as_str())) {
                    out.push((
                        m.id.to_owned(),
                        rules::APP_CROSS_STACK_REF
                            .diag(format!(
                                "{id} references {name}, a resource of stack `{other}`, not of this stack"
                            ))
                            .on(id)
                            .at(["Resources", id.as_str(), "Properties"])
                            .hint(format!(
                                "share it: app.share(&{other}, handle.reference()) (or the attribute) gives an Fn::ImportValue to use here"
                            )),
                    ));
                }
            }
        }
    }
    for m in members {
        let total = m.template.resources.len() + m.nested_resources;
        if m.nested_resources > 0 && total * 5 >= MAX_TREE_RESOURCES * 4 {
            let over = total > MAX_TREE_RESOURCES;
            let mut d = rules::QUOTA_NESTED_TREE
                .diag(format!(
                    "stack `{}` and its nested stacks hold {total} resources; one operation may create or update at most {MAX_TREE_RESOURCES}",
                    m.id
                ))
                .hint("move nested stacks into a stack of their own (App::add) and share values with App::share");
            if !over {
                d.severity = super::Severity::Warning;
            }
            out.push((m.id.to_owned(), d));
        }
        for name in m.imports {
            if !exported.contains_key(name.as_str()) {
                out.push((
                    m.id.to_owned(),
                    rules::APP_IMPORT_UNKNOWN
                        .diag(format!(
                            "Fn::ImportValue {name:?} is exported by no stack of this app"
                        ))
                        .hint("it must already be exported in the account and region; share values between the app's stacks with App::share"),
                ));
            }
        }
    }
    out.extend(whole::check(members));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    fn template(text: &str) -> Template {
        parse_template(text, "t.yaml").expect("parses").template
    }

    #[test]
    fn collisions_and_unknown_imports_are_found_and_shared_names_are_not() {
        let a = template(
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\nOutputs:\n  O:\n    Value: !Ref T\n    Export:\n      Name: app-a:T\n",
        );
        let b = template(
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\nOutputs:\n  P:\n    Value: !Ref T\n    Export:\n      Name: app-a:T\n",
        );
        let imports = vec!["app-a:T".to_owned(), "elsewhere:X".to_owned()];
        let found = check(&[
            Member {
                id: "a",
                template: &a,
                imports: &[],
                nested_resources: 0,
                own: &[],
            },
            Member {
                id: "b",
                template: &b,
                imports: &imports,
                nested_resources: 0,
                own: &[],
            },
        ]);
        let rules: Vec<(&str, &str)> = found
            .iter()
            .map(|(s, d)| (s.as_str(), d.rule.as_str()))
            .collect();
        assert_eq!(rules, [("b", "HG221"), ("b", "HG222")]);
        assert!(found[0].1.message.contains("stack `a`"), "{:?}", found[0]);
        assert!(found[1].1.message.contains("elsewhere:X"), "{:?}", found[1]);
    }

    #[test]
    fn a_reference_to_another_stacks_resource_is_named_with_its_stack() {
        let net = template(
            "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n",
        );
        let web = template(
            "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Sub '${AWS::Region}'\n      VpcId: !Ref Vpc\n",
        );
        let found = check(&[
            Member {
                id: "network",
                template: &net,
                imports: &[],
                nested_resources: 0,
                own: &[],
            },
            Member {
                id: "web",
                template: &web,
                imports: &[],
                nested_resources: 0,
                own: &[],
            },
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "web");
        assert_eq!(found[0].1.rule, "HG223");
        assert!(
            found[0]
                .1
                .message
                .contains("Vpc, a resource of stack `network`"),
            "{:?}",
            found[0]
        );
    }

    #[test]
    fn a_nested_tree_warns_from_80_percent_and_errs_over_2500() {
        let t = template("Resources:\n  T:\n    Type: AWS::SNS::Topic\n");
        let at = |nested_resources| {
            check(&[Member {
                id: "p",
                template: &t,
                imports: &[],
                nested_resources,
                own: &[],
            }])
        };
        assert!(at(1_998).is_empty());
        let warned = at(1_999);
        assert_eq!(warned[0].1.rule, "HG309");
        assert_eq!(warned[0].1.severity, crate::validate::Severity::Warning);
        let over = at(2_500);
        assert_eq!(over[0].1.severity, crate::validate::Severity::Error);
        assert!(
            over[0].1.message.contains("2501 resources"),
            "{}",
            over[0].1.message
        );
    }
}
