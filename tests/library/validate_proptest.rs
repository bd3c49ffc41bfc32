//! Property tests: the parser and the checks never panic, whatever the
//! input.
//!
//! - Templates are generated from a small vocabulary of real resource
//!   types, property names and logical IDs, so that generated values reach
//!   the schema, reference, network and availability code paths, with every
//!   intrinsic function nested anywhere (including nonsense arguments); they
//!   are checked directly and after a trip through YAML text and the parser.
//! - Corpus templates (`tests/corpus/`) are mutated at random (lines cut,
//!   duplicated, swapped, characters replaced) and fed to parser and checks.
//! - Condition graphs (conditions built on earlier ones, often the same one
//!   twice, resources and `Fn::If`s asking for any of them) reach the
//!   scenario analysis and its budget; their findings stay well-formed.

use hagen::template::parse::parse_template;
use hagen::template::{
    Expr, Intrinsic, Output, Parameter, Resource, RetentionPolicy, Template, fns,
};
use hagen::validate::{Options, check, check_parsed};
use indexmap::IndexMap;
use proptest::prelude::*;

const IDS: &[&str] = &[
    "Vpc", "Subnet1", "Subnet2", "Sg", "Nat", "Asg", "Db", "Lt", "Acl", "Missing",
];
const TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::NatGateway",
    "AWS::EC2::Route",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::RDS::DBInstance",
    "AWS::IAM::Role",
    "Custom::Thing",
    "AWS::Nope::Nope",
];
const KEYS: &[&str] = &[
    "CidrBlock",
    "VpcId",
    "AvailabilityZone",
    "SubnetId",
    "GroupId",
    "IpProtocol",
    "FromPort",
    "ToPort",
    "CidrIp",
    "SourceSecurityGroupId",
    "SecurityGroupIngress",
    "MinSize",
    "VPCZoneIdentifier",
    "LaunchTemplate",
    "LaunchTemplateData",
    "MetadataOptions",
    "HttpTokens",
    "MultiAZ",
    "MasterUserPassword",
    "Protocol",
    "DefaultActions",
    "Subnets",
    "RuleNumber",
    "Egress",
    "RuleAction",
    "PortRange",
    "From",
    "To",
    "Policies",
    "PolicyDocument",
    "Statement",
    "Action",
    "Effect",
    "NatGatewayId",
    "RouteTableId",
    "DestinationCidrBlock",
    "Tags",
    "Key",
    "Value",
];
const STRINGS: &[&str] = &[
    "",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "0.0.0.0/0",
    "::/0",
    "tcp",
    "-1",
    "6",
    "allow",
    "deny",
    "true",
    "required",
    "HTTP",
    "HTTPS",
    "*",
    "s3:*",
    "Allow",
    "us-east-1a",
    "${Vpc}",
    "${Missing.Arn}",
    "${!Literal}",
    "${",
    "AWS::Region",
    "AWS::NoValue",
    "{{resolve:ssm:x}}",
    "Cond",
    "Map",
];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(IDS).prop_map(str::to_owned)
}

fn scalar() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(Expr::Null),
        any::<bool>().prop_map(Expr::Bool),
        (-3i64..70000).prop_map(Expr::Int),
        (-1e6f64..1e6).prop_map(Expr::Float),
        prop::sample::select(STRINGS).prop_map(|s| Expr::String(s.to_owned())),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        let key = prop::sample::select(KEYS).prop_map(str::to_owned);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::List),
            prop::collection::vec((key, inner.clone()), 0..5)
                .prop_map(|kv| Expr::Map(kv.into_iter().collect())),
            name().prop_map(|n| Expr::func(Intrinsic::Ref(n))),
            (
                name(),
                prop::sample::select(&["Arn", "GroupId", "CidrBlock", "Endpoint.Address", "X"][..])
            )
                .prop_map(|(r, a)| Expr::func(Intrinsic::GetAtt {
                    resource: r,
                    attribute: a.to_owned()
                })),
            (
                prop::sample::select(STRINGS),
                prop::collection::vec((name(), inner.clone()), 0..2)
            )
                .prop_map(|(t, vars)| Expr::func(Intrinsic::Sub {
                    template: t.to_owned(),
                    variables: vars.into_iter().collect()
                })),
            (inner.clone(), inner.clone())
                .prop_map(|(i, l)| Expr::func(Intrinsic::Select { index: i, list: l })),
            inner.clone().prop_map(|e| Expr::func(Intrinsic::GetAZs(e))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(b, c, n)| Expr::func(
                Intrinsic::Cidr {
                    block: b,
                    count: c,
                    bits: n
                }
            )),
            (inner.clone(), inner.clone()).prop_map(|(t, o)| Expr::func(Intrinsic::If {
                condition: "Cond".into(),
                then: t,
                otherwise: o
            })),
            inner.clone().prop_map(|e| Expr::func(Intrinsic::Join {
                delimiter: ",".into(),
                values: e
            })),
            inner.clone().prop_map(|e| Expr::func(Intrinsic::Split {
                delimiter: ",".into(),
                source: e
            })),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(m, t, s)| Expr::func(
                Intrinsic::FindInMap {
                    map: m,
                    top_key: t,
                    second_key: s
                }
            )),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::func(Intrinsic::Equals(a, b))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| Expr::func(Intrinsic::And(v))),
            inner.clone().prop_map(|e| Expr::func(Intrinsic::Not(e))),
            name().prop_map(|n| Expr::func(Intrinsic::Condition(n))),
            inner.prop_map(|e| Expr::func(Intrinsic::Base64(e))),
        ]
    })
}

fn resource() -> impl Strategy<Value = Resource> {
    (
        prop::sample::select(TYPES),
        prop::collection::vec((prop::sample::select(KEYS), expr()), 0..6),
        prop::collection::vec(name(), 0..3),
        prop::option::of(expr()),
        any::<bool>(),
    )
        .prop_map(|(t, props, deps, update, retain)| Resource {
            resource_type: t.to_owned(),
            condition: retain.then(|| "Cond".to_owned()),
            depends_on: deps,
            deletion_policy: retain.then_some(RetentionPolicy::Snapshot),
            update_replace_policy: None,
            creation_policy: None,
            update_policy: update,
            metadata: IndexMap::new(),
            properties: props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        })
}

fn template() -> impl Strategy<Value = Template> {
    (
        prop::collection::vec((name(), resource()), 0..9),
        prop::option::of(expr()),
        prop::option::of(expr()),
        prop::option::of(expr()),
    )
        .prop_map(|(resources, cond, default, output)| {
            let mut t = Template {
                resources: resources.into_iter().collect(),
                ..Template::default()
            };
            if let Some(c) = cond {
                t.conditions.insert("Cond".into(), c);
            }
            t.parameters.insert(
                "Param".into(),
                Parameter {
                    param_type: "String".into(),
                    default,
                    allowed_pattern: Some("[a-z(".into()),
                    allowed_values: vec![Expr::string("a")],
                    ..Parameter::default()
                },
            );
            let mut second = IndexMap::new();
            second.insert("Key".to_string(), Expr::string("v"));
            let mut top = IndexMap::new();
            top.insert("Top".to_string(), second);
            t.mappings.insert("Map".into(), top);
            if let Some(o) = output {
                t.outputs.insert(
                    "Out".into(),
                    Output {
                        description: None,
                        value: o,
                        export_name: None,
                        condition: Some("Cond".into()),
                    },
                );
            }
            t
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn checks_never_panic(t in template(), strict in any::<bool>(), size in prop::option::of(0usize..2_000_000)) {
        let report = check(&t, &Options { strict, body_size: size, through_s3: false });
        // Every finding names a known rule and a path inside the template.
        for d in &report.diagnostics {
            prop_assert!(hagen::validate::rules::find(&d.rule).is_some(), "unknown rule {}", d.rule);
        }
    }

    #[test]
    fn condition_graphs_are_checked_with_located_findings(t in condition_graph()) {
        let report = check(&t, &Options { strict: true, body_size: None, through_s3: false });
        for d in &report.diagnostics {
            prop_assert!(hagen::validate::rules::find(&d.rule).is_some(), "unknown rule {}", d.rule);
            prop_assert!(!d.path.is_empty(), "{d:?} has no location");
        }
        // The analysis is cut short at most once, and said so at Conditions.
        let cut: Vec<_> = report.diagnostics.iter().filter(|d| d.rule == "HG006").collect();
        prop_assert!(cut.len() <= 1, "{cut:?}");
        prop_assert!(cut.iter().all(|d| d.path == ["Conditions"]), "{cut:?}");
    }
}

/// One condition over `P`, `Q` and up to three of the conditions before it
/// (`0..index`), the same one possibly twice.
fn condition(index: usize) -> impl Strategy<Value = Expr> {
    let leaf = (
        prop::sample::select(&["P", "Q"][..]),
        prop::sample::select(&["a", "b", "c"][..]),
    )
        .prop_map(|(p, v)| Expr::func(Intrinsic::Equals(fns::ref_(p).into(), Expr::string(v))));
    let earlier = move |i: prop::sample::Index| {
        Expr::func(Intrinsic::Condition(format!("C{}", i.index(index.max(1)))))
    };
    let reference = any::<prop::sample::Index>().prop_map(earlier);
    let operand = if index == 0 {
        leaf.clone().boxed()
    } else {
        prop_oneof![leaf.clone(), reference.clone(), reference].boxed()
    };
    prop_oneof![
        leaf,
        prop::collection::vec(operand.clone(), 1..4).prop_map(|v| Expr::func(Intrinsic::And(v))),
        prop::collection::vec(operand.clone(), 1..4).prop_map(|v| Expr::func(Intrinsic::Or(v))),
        operand.prop_map(|e| Expr::func(Intrinsic::Not(e))),
    ]
}

/// Up to 60 conditions, each on earlier ones, and up to 12 topics, each
/// under a condition and with an `Fn::If` on another.
fn condition_graph() -> impl Strategy<Value = Template> {
    (1usize..60, 0usize..12)
        .prop_flat_map(|(n, r)| {
            let conditions: Vec<_> = (0..n).map(condition).collect();
            let pick =
                || any::<prop::sample::Index>().prop_map(move |i| format!("C{}", i.index(n)));
            (
                conditions,
                prop::collection::vec((pick(), pick()), r),
                any::<bool>(),
            )
        })
        .prop_map(|(conditions, resources, allowed)| {
            let mut t = Template::default();
            for name in ["P", "Q"] {
                t.parameters.insert(
                    name.into(),
                    Parameter {
                        param_type: "String".into(),
                        allowed_values: if allowed {
                            vec![Expr::string("a"), Expr::string("b")]
                        } else {
                            Vec::new()
                        },
                        ..Parameter::default()
                    },
                );
            }
            for (i, c) in conditions.into_iter().enumerate() {
                t.conditions.insert(format!("C{i}"), c);
            }
            for (i, (condition, branch)) in resources.into_iter().enumerate() {
                let mut r = Resource::new("AWS::SNS::Topic");
                r.condition = Some(condition);
                r.properties.insert(
                    "TopicName".into(),
                    Expr::func(Intrinsic::If {
                        condition: branch,
                        then: Expr::string("a"),
                        otherwise: Expr::func(Intrinsic::Ref("AWS::NoValue".into())),
                    }),
                );
                t.resources.insert(format!("T{i}"), r);
            }
            t
        })
}

/// The corpus texts, read once.
fn corpus() -> &'static [String] {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        let root = crate::tools::repo_root().join("tests/corpus");
        let mut out = Vec::new();
        for kind in ["valid", "broken"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(kind))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for f in files {
                out.push(std::fs::read_to_string(f).unwrap());
            }
        }
        out
    })
}

/// One random edit of a text, positions given as fractions of its length.
#[derive(Debug, Clone)]
enum Edit {
    CutLines(f64, usize),
    DuplicateLine(f64),
    SwapLines(f64, f64),
    Replace(f64, char),
    Insert(f64, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let frac = 0.0f64..1.0;
    prop_oneof![
        (frac.clone(), 1usize..4).prop_map(|(f, n)| Edit::CutLines(f, n)),
        frac.clone().prop_map(Edit::DuplicateLine),
        (frac.clone(), frac.clone()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (
            frac.clone(),
            prop::sample::select(vec![
                ' ', ':', '-', '[', ']', '{', '}', '!', '"', '\'', '&', '*', '#', '|', '\t', '0'
            ])
        )
            .prop_map(|(f, c)| Edit::Replace(f, c)),
        (
            frac,
            prop::sample::select(vec![
                "!Ref ",
                "!GetAtt ",
                "!Sub ",
                "!If [",
                "!Select [9, ",
                " &a ",
                " *a",
                "<<: ",
                "\n  - ",
                "Fn::Join: ",
                "${",
                "\u{feff}"
            ])
        )
            .prop_map(|(f, s)| Edit::Insert(f, s)),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len.saturating_sub(1));
    match e {
        Edit::CutLines(f, n) if !lines.is_empty() => {
            let i = at(*f, lines.len());
            let end = (i + n).min(lines.len());
            lines.drain(i..end);
        }
        Edit::DuplicateLine(f) if !lines.is_empty() => {
            let i = at(*f, lines.len());
            lines.insert(i, lines[i].clone());
        }
        Edit::SwapLines(a, b) if !lines.is_empty() => {
            let (i, j) = (at(*a, lines.len()), at(*b, lines.len()));
            lines.swap(i, j);
        }
        Edit::Replace(f, c) => {
            let mut chars: Vec<char> = text.chars().collect();
            if !chars.is_empty() {
                let i = at(*f, chars.len());
                chars[i] = *c;
            }
            return chars.into_iter().collect();
        }
        Edit::Insert(f, s) => {
            let chars: Vec<char> = text.chars().collect();
            let i = at(*f, chars.len() + 1);
            let mut out: String = chars[..i].iter().collect();
            out.push_str(s);
            out.extend(&chars[i..]);
            return out;
        }
        _ => {}
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parser_and_checks_never_panic_on_mutated_templates(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let texts = corpus();
        let mut text = texts[which.index(texts.len())].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        if let Ok(parsed) = parse_template(&text, "mutated.yaml") {
            let _ = check_parsed(&parsed, &Options { strict: false, body_size: Some(text.len()), through_s3: false });
        }
    }

    #[test]
    fn generated_templates_survive_yaml_and_the_parser(t in template()) {
        let text = t.to_yaml();
        let parsed = parse_template(&text, "generated.yaml");
        prop_assert!(parsed.is_ok(), "hagen's own YAML does not parse: {:?}\n{text}", parsed.err());
        if let Ok(parsed) = parsed {
            let _ = check_parsed(&parsed, &Options { strict: true, body_size: Some(text.len()), through_s3: false });
        }
    }
}
