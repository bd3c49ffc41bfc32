//! The availability, network and reachability models over a whole app:
//! what each stack alone cannot see because the values it uses come from
//! another stack through `Fn::ImportValue`.
//!
//! Owns merging the app's templates into one view: every resource,
//! parameter, condition and mapping of every stack, with each
//! `Fn::ImportValue` of an export of the app replaced by the value the
//! producing stack exports (a `!Ref Subnet` in the network stack, say).
//! The model checks (`super::super::{availability, network, reach}`) then
//! run on that view, and a finding is kept only if the stack that holds
//! its resource does not already report it alone: a web stack's Auto
//! Scaling group in subnets of one AZ, a listener port a network stack's
//! NACL closes.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::Member;
use crate::template::{Expr, Intrinsic, Template};
use crate::validate::diagnostic::Diagnostic;
use crate::validate::{availability, model, network, reach, rules, suppress};

/// The model findings over the whole app that no stack reports alone,
/// each with the ID of the stack holding its resource; and, when two
/// stacks give one logical ID different definitions (the merged view
/// would be wrong), one informational finding saying the checks were not
/// run.
pub fn check(members: &[Member<'_>]) -> Vec<(String, Diagnostic)> {
    let exported = exports(members);
    let crosses = members.iter().any(|m| {
        m.imports.iter().any(|name| {
            exported
                .get(name.as_str())
                .is_some_and(|(from, _)| *from != m.id)
        })
    });
    if !crosses {
        return Vec::new();
    }
    let merged = match merge(members, &exported) {
        Ok(t) => t,
        Err(clash) => return vec![*clash],
    };
    let holder: HashMap<&str, &Member<'_>> = members
        .iter()
        .flat_map(|m| m.template.resources.keys().map(move |id| (id.as_str(), m)))
        .collect();
    let alone: HashMap<&str, HashSet<(String, String, String)>> = members
        .iter()
        .map(|m| (m.id, m.own.iter().map(key).collect()))
        .collect();
    let mut out = Vec::new();
    for d in models(&merged) {
        let Some(m) = d.resource.as_deref().and_then(|id| holder.get(id)) else {
            continue;
        };
        if alone.get(m.id).is_some_and(|seen| seen.contains(&key(&d))) {
            continue;
        }
        // The resource's own suppressions apply, as they would alone.
        let (kept, _) = suppress::apply(m.template, vec![d]);
        out.extend(kept.into_iter().map(|d| (m.id.to_owned(), d)));
    }
    out
}

/// What tells two findings apart: rule, resource and message.
fn key(d: &Diagnostic) -> (String, String, String) {
    (
        d.rule.clone(),
        d.resource.clone().unwrap_or_default(),
        d.message.clone(),
    )
}

/// The model checks of one template (as `crate::validate::check` runs
/// them).
fn models(t: &Template) -> Vec<Diagnostic> {
    let topology = model::Model::of(t);
    let mut found = availability::check(t, &topology);
    found.extend(network::check(&topology));
    found.extend(reach::analyse(t, &topology).findings);
    found
}

/// Each literal export name of the app: the stack exporting it and the
/// value it exports.
fn exports<'a>(members: &'a [Member<'a>]) -> HashMap<&'a str, (&'a str, &'a Expr)> {
    let mut out = HashMap::new();
    for m in members {
        for o in m.template.outputs.values() {
            if let Some(name) = o.export_name.as_ref().and_then(Expr::as_str) {
                out.entry(name).or_insert((m.id, &o.value));
            }
        }
    }
    out
}

/// One template of every stack's resources, parameters, conditions and
/// mappings, each import of the app's exports replaced by the exported
/// value. A logical ID two stacks define differently is refused.
fn merge(
    members: &[Member<'_>],
    exported: &HashMap<&str, (&str, &Expr)>,
) -> Result<Template, Box<(String, Diagnostic)>> {
    let mut merged = Template::default();
    let mut owner: HashMap<(&'static str, String), String> = HashMap::new();
    for m in members {
        let t = m.template;
        let mut o = Owners {
            owner: &mut owner,
            member: m.id,
        };
        o.section("Resources", &mut merged.resources, &t.resources)?;
        o.section("Parameters", &mut merged.parameters, &t.parameters)?;
        o.section("Conditions", &mut merged.conditions, &t.conditions)?;
        o.section("Mappings", &mut merged.mappings, &t.mappings)?;
    }
    for r in merged.resources.values_mut() {
        for v in r.properties.values_mut() {
            v.walk_mut(&mut |e: &mut Expr| {
                let name = match e {
                    Expr::Fn(f) => match f.as_ref() {
                        Intrinsic::ImportValue(Expr::String(name)) => name.clone(),
                        _ => return,
                    },
                    _ => return,
                };
                if let Some((_, value)) = exported.get(name.as_str()) {
                    *e = (*value).clone();
                }
            });
            v.walk_mut(&mut unsplit);
        }
    }
    Ok(merged)
}

/// Which stack first defined each logical ID of each section, while one
/// member's sections are merged.
struct Owners<'o> {
    owner: &'o mut HashMap<(&'static str, String), String>,
    member: &'o str,
}

impl Owners<'_> {
    /// Adds one section of the member's template to the merged one; an ID
    /// another stack already defined differently stops the merge (HG224).
    fn section<V: Clone + PartialEq>(
        &mut self,
        section: &'static str,
        merged: &mut IndexMap<String, V>,
        from: &IndexMap<String, V>,
    ) -> Result<(), Box<(String, Diagnostic)>> {
        for (id, v) in from {
            match merged.get(id) {
                Some(existing) if existing != v => {
                    let first = self
                        .owner
                        .get(&(section, id.clone()))
                        .map_or("?", String::as_str);
                    return Err(Box::new((
                        self.member.to_owned(),
                        rules::APP_MODEL_SKIPPED
                            .diag(format!(
                                "the availability and network checks across stacks were not run: {section} `{id}` is defined in stack `{first}` and differently in stack `{}`",
                                self.member
                            ))
                            .at([section, id.as_str()])
                            .hint("give one of them another logical ID; each stack is still checked alone"),
                    )));
                }
                Some(_) => {}
                None => {
                    self.owner
                        .insert((section, id.clone()), self.member.to_owned());
                    merged.insert(id.clone(), v.clone());
                }
            }
        }
        Ok(())
    }
}

/// `Fn::Split` of an `Fn::Join` of a literal list on the same delimiter
/// is the list: how a list crosses stacks (an export holds one string), so
/// the merged view sees the subnets an imported list names.
fn unsplit(e: &mut Expr) {
    let list = match e {
        Expr::Fn(f) => match f.as_ref() {
            Intrinsic::Split {
                delimiter,
                source: Expr::Fn(inner),
            } => match inner.as_ref() {
                Intrinsic::Join {
                    delimiter: joined,
                    values: Expr::List(items),
                } if joined == delimiter => items.clone(),
                _ => return,
            },
            _ => return,
        },
        _ => return,
    };
    *e = Expr::List(list);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    /// The corpus's one-AZ Auto Scaling group, split into a network stack
    /// that exports its VPC and subnets and a web stack that imports them.
    const ONE_AZ: &str = include_str!("../../../tests/corpus/broken/hg501-asg-single-az.yaml");

    /// With `same_az`, the network's second private subnet is moved into
    /// the first one's AZ.
    fn split(same_az: bool) -> (Template, Template) {
        let at = ONE_AZ.find("  AppGroup:").expect("the web part");
        let mut network = ONE_AZ[..at].to_owned();
        if same_az {
            network = network.replace(
                "CidrBlock: 10.0.11.0/24\n      AvailabilityZone: !Select [1, !GetAZs '']",
                "CidrBlock: 10.0.11.0/24\n      AvailabilityZone: !Select [0, !GetAZs '']",
            );
        }
        let net = format!(
            "{}Outputs:\n  Vpc:\n    Value: !Ref Vpc\n    Export:\n      Name: net:Vpc\n  Subnet1:\n    Value: !Ref PrivateSubnet1\n    Export:\n      Name: net:Subnet1\n  Subnet2:\n    Value: !Ref PrivateSubnet2\n    Export:\n      Name: net:Subnet2\n",
            network
        );
        let web = format!(
            "Parameters:\n  ImageId:\n    Type: AWS::EC2::Image::Id\nResources:\n{}",
            ONE_AZ[at..]
                .replace("VpcId: !Ref Vpc", "VpcId: !ImportValue net:Vpc")
                .replace(
                    "[!Ref PrivateSubnet1]",
                    "[!ImportValue net:Subnet1, !ImportValue net:Subnet2]",
                )
        );
        let parse = |text: &str| parse_template(text, "t.yaml").expect("parses").template;
        (parse(&net), parse(&web))
    }

    /// The whole-app findings of a network and a web stack, each with the
    /// findings its own check reports; none of those comes back.
    fn whole(net: &Template, web: &Template, imports: &[String]) -> Vec<(String, Diagnostic)> {
        let own = |t: &Template| crate::validate::check(t, &Default::default()).diagnostics;
        let (net_own, web_own) = (own(net), own(web));
        let found = check(&[
            Member {
                id: "network",
                template: net,
                imports: &[],
                nested_resources: 0,
                own: &net_own,
            },
            Member {
                id: "web",
                template: web,
                imports,
                nested_resources: 0,
                own: &web_own,
            },
        ]);
        for (stack, d) in &found {
            let own = if stack == "web" { &web_own } else { &net_own };
            assert!(!own.iter().any(|o| key(o) == key(d)), "repeated: {d:?}");
        }
        found
    }

    /// What the web stack of [`split`] imports.
    fn imports() -> Vec<String> {
        ["net:Vpc", "net:Subnet1", "net:Subnet2"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_group_in_one_az_of_another_stack_is_found_in_the_stack_that_holds_it() {
        let (net, web) = split(true);
        // Alone, the web stack cannot tell where its two subnets are.
        assert!(
            !models(&web).iter().any(|d| d.rule == "HG501"),
            "{:?}",
            models(&web)
        );
        let found = whole(&net, &web, &imports());
        let one_az: Vec<&(String, Diagnostic)> =
            found.iter().filter(|(_, d)| d.rule == "HG501").collect();
        assert_eq!(one_az.len(), 1, "{found:?}");
        assert_eq!(one_az[0].0, "web");
        assert_eq!(one_az[0].1.resource.as_deref(), Some("AppGroupInstances"));
    }

    #[test]
    fn a_group_across_two_azs_of_another_stack_is_not() {
        let (net, web) = split(false);
        let found = whole(&net, &web, &imports());
        assert!(!found.iter().any(|(_, d)| d.rule == "HG501"), "{found:?}");
    }

    #[test]
    fn a_joined_list_of_subnets_is_read_through_its_split() {
        let (mut net, mut web) = split(true);
        let joined = parse_template(
            "Resources:\n  X:\n    Type: AWS::SNS::Topic\nOutputs:\n  Subnets:\n    Value: !Join [',', [!Ref PrivateSubnet1, !Ref PrivateSubnet2]]\n    Export:\n      Name: net:Subnets\n",
            "o.yaml",
        )
        .expect("parses")
        .template;
        net.outputs.extend(joined.outputs);
        let split_list = parse_template(
            "Resources:\n  X:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Split [',', !ImportValue net:Subnets]\n",
            "s.yaml",
        )
        .expect("parses")
        .template
        .resources["X"]
        .properties["TopicName"]
        .clone();
        web.resources["AppGroupInstances"]
            .properties
            .insert("VPCZoneIdentifier".into(), split_list);
        let imports = ["net:Vpc".to_owned(), "net:Subnets".to_owned()];
        let found = whole(&net, &web, &imports);
        assert!(
            found
                .iter()
                .any(|(stack, d)| stack == "web" && d.rule == "HG501"),
            "{found:?}"
        );
    }

    #[test]
    fn a_logical_id_two_stacks_define_differently_stops_the_merge_and_says_so() {
        let (net, mut web) = split(false);
        let mut other = web.resources["AppGroup"].clone();
        other.resource_type = "AWS::SNS::Topic".into();
        other.properties.clear();
        web.resources.insert("Igw".into(), other);
        let found = whole(&net, &web, &imports());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1.rule, "HG224");
        assert!(found[0].1.message.contains("`Igw`"), "{found:?}");
    }
}
