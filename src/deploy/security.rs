//! Access between the deployed template and the new one, compared: security
//! group rules (inline and separate ingress/egress resources) and IAM
//! statements (identity policies, managed policies, trust policies,
//! resource policies such as key and bucket policies), each change told
//! widening or narrowing and shown old -> new.
//!
//! Owns the comparison; it reads templates as documents, so it works where
//! the change set gives no property details. It reports, it does not block:
//! `--require-approval` decides what a widening needs.

use serde_json::{Map, Value};

use super::document::Document;

/// Whether a change grants more or less than before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Something is allowed that was not (a rule opened, a statement added,
    /// a condition or a Deny removed).
    Widens,
    /// Only less is allowed than before.
    Narrows,
}

/// One change of access, old -> new.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessChange {
    /// The resource that holds the rule or statement.
    pub logical_id: String,
    /// What changes (`SshFromAdmins tcp/22`, `AlertsKey KeyPolicy statement
    /// AccountPublishesThroughSns`).
    pub subject: String,
    /// The access before (`none` when there was none).
    pub before: String,
    /// The access after (`none` when there is none).
    pub after: String,
    /// Widens or narrows.
    pub verdict: Verdict,
    /// A widening to the whole internet, to anyone, or to every action or
    /// resource, with no condition limiting it.
    pub broad: bool,
}

impl AccessChange {
    /// The change on one line: `SshFromAdmins tcp/22: 0.0.0.0/0 ->
    /// 10.20.0.0/16 (narrows)`.
    pub fn line(&self) -> String {
        let verdict = match (self.verdict, self.broad) {
            (Verdict::Widens, true) => "widens, broad",
            (Verdict::Widens, false) => "widens",
            (Verdict::Narrows, _) => "narrows",
        };
        format!(
            "{}: {} -> {} ({verdict})",
            self.subject, self.before, self.after
        )
    }
}

const POLICY_HOLDERS: &[(&str, &str)] = &[
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::RolePolicy", "PolicyDocument"),
    ("AWS::IAM::UserPolicy", "PolicyDocument"),
    ("AWS::IAM::GroupPolicy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
];

/// Every change of access from `old` (absent for a new stack) to `new`, in
/// the new template's resource order, then resources only the old one has.
pub fn compare(old: Option<&Document>, new: &Document) -> Vec<AccessChange> {
    let mut ids: Vec<&String> = new
        .section("Resources")
        .map(|r| r.keys().collect())
        .unwrap_or_default();
    if let Some(resources) = old.and_then(|o| o.section("Resources")) {
        for k in resources.keys() {
            if !ids.contains(&k) {
                ids.push(k);
            }
        }
    }
    let mut found = Vec::new();
    for id in ids {
        let new_type = new.resource_type(id);
        let old_type = old.and_then(|o| o.resource_type(id));
        let side = |doc: Option<&Document>, ty: Option<&str>, wanted: &str| -> Map<String, Value> {
            match (doc, ty) {
                (Some(d), Some(t)) if t == wanted => d.properties(id),
                _ => Map::new(),
            }
        };
        let types: Vec<&str> = new_type.into_iter().chain(old_type).collect();
        for ty in dedup(types) {
            let before = side(old, old_type, ty);
            let after = side(Some(new), new_type, ty);
            compare_resource(id, ty, &before, &after, &mut found);
        }
    }
    found
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    v.dedup();
    v
}

fn compare_resource(
    id: &str,
    ty: &str,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    found: &mut Vec<AccessChange>,
) {
    match ty {
        "AWS::EC2::SecurityGroup" => {
            let rules = |props: &Map<String, Value>| -> Vec<Rule> {
                let mut rules = Vec::new();
                for (key, out) in [
                    ("SecurityGroupIngress", false),
                    ("SecurityGroupEgress", true),
                ] {
                    rules.extend(
                        items(props.get(key))
                            .iter()
                            .map(|r| Rule::read(r, out, None)),
                    );
                }
                rules
            };
            compare_rules(id, true, &rules(before), &rules(after), found);
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let out = ty.ends_with("Egress");
            let rule = |props: &Map<String, Value>| -> Vec<Rule> {
                if props.is_empty() {
                    return Vec::new();
                }
                let group = props
                    .get("GroupId")
                    .or_else(|| props.get("GroupName"))
                    .map(short);
                vec![Rule::read(&Value::Object(props.clone()), out, group)]
            };
            compare_rules(id, false, &rule(before), &rule(after), found);
        }
        _ => {}
    }
    for (holder, key) in POLICY_HOLDERS {
        if *holder == ty {
            compare_policy(
                id,
                &format!("{id} {key}"),
                before.get(*key),
                after.get(*key),
                found,
            );
        }
    }
    if matches!(ty, "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group") {
        let old_inline = inline_policies(before.get("Policies"));
        let new_inline = inline_policies(after.get("Policies"));
        let mut names: Vec<&String> = new_inline.iter().map(|(n, _)| n).collect();
        for (n, _) in &old_inline {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for name in names {
            let get = |list: &[(String, Value)]| {
                list.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone())
            };
            compare_policy(
                id,
                &format!("{id} policy {name}"),
                get(&old_inline).as_ref(),
                get(&new_inline).as_ref(),
                found,
            );
        }
        let old_arns: Vec<String> = items(before.get("ManagedPolicyArns"))
            .iter()
            .map(short)
            .collect();
        let new_arns: Vec<String> = items(after.get("ManagedPolicyArns"))
            .iter()
            .map(short)
            .collect();
        for arn in new_arns.iter().filter(|a| !old_arns.contains(a)) {
            found.push(AccessChange {
                logical_id: id.to_owned(),
                subject: format!("{id} managed policy"),
                before: "none".into(),
                after: arn.clone(),
                verdict: Verdict::Widens,
                broad: arn.ends_with("/AdministratorAccess") || arn.ends_with("/PowerUserAccess"),
            });
        }
        for arn in old_arns.iter().filter(|a| !new_arns.contains(a)) {
            found.push(AccessChange {
                logical_id: id.to_owned(),
                subject: format!("{id} managed policy"),
                before: arn.clone(),
                after: "none".into(),
                verdict: Verdict::Narrows,
                broad: false,
            });
        }
    }
}

fn items(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.clone()],
    }
}

/// A value in a few characters: strings as they are, `Ref`/`GetAtt` in
/// short form, anything else as compact JSON.
pub fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m
                .iter()
                .next()
                .map(|(k, a)| (k.as_str(), a))
                .unwrap_or(("", v));
            match (k, arg) {
                ("Ref", Value::String(name)) => format!("!Ref {name}"),
                ("Fn::GetAtt", Value::Array(parts)) => format!(
                    "!GetAtt {}",
                    parts.iter().map(short).collect::<Vec<_>>().join(".")
                ),
                ("Fn::Sub", Value::String(text)) => format!("!Sub {text}"),
                _ => v.to_string(),
            }
        }
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------- rules

/// Which ports a rule opens.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ports {
    All,
    Range(i64, i64),
    /// Given through an intrinsic: only equal text covers it.
    Unknown(String),
}

/// Who a rule lets in (or out to).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Peer {
    Net(ipnet::IpNet),
    /// A prefix list, a security group, or an intrinsic: only equal text
    /// covers it.
    Named(String),
}

impl Peer {
    fn covers(&self, other: &Peer) -> bool {
        match (self, other) {
            (Peer::Net(a), Peer::Net(b)) => a.contains(b),
            (a, b) => a == b,
        }
    }

    fn text(&self) -> String {
        match self {
            Peer::Net(n) => n.to_string(),
            Peer::Named(s) => s.clone(),
        }
    }

    fn internet(&self) -> bool {
        matches!(self, Peer::Net(n) if n.prefix_len() == 0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    out: bool,
    /// For separate ingress/egress resources: the group it belongs to.
    group: Option<String>,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or what was written.
    protocol: String,
    ports: Ports,
    peer: Peer,
}

impl Rule {
    fn read(rule: &Value, out: bool, group: Option<String>) -> Rule {
        let get = |k: &str| rule.get(k);
        let protocol = match get("IpProtocol").map(short).as_deref() {
            Some("6") => "tcp".to_owned(),
            Some("17") => "udp".to_owned(),
            Some("1") => "icmp".to_owned(),
            Some("58") => "icmpv6".to_owned(),
            Some("-1" | "all") => "-1".to_owned(),
            Some(p) => p.to_ascii_lowercase(),
            None => "?".to_owned(),
        };
        let port = |k: &str| -> Option<Result<i64, String>> {
            get(k).map(|v| match v {
                Value::Number(n) => n.as_i64().ok_or_else(|| n.to_string()),
                Value::String(s) => s.parse().map_err(|_| s.clone()),
                other => Err(short(other)),
            })
        };
        let ports = if protocol == "-1" {
            Ports::All
        } else {
            match (port("FromPort"), port("ToPort")) {
                (None, None) => Ports::All,
                (Some(Ok(-1)), _) | (_, Some(Ok(-1))) => Ports::All,
                (Some(Ok(a)), Some(Ok(b))) => Ports::Range(a, b),
                (Some(Ok(a)), None) | (None, Some(Ok(a))) => Ports::Range(a, a),
                (a, b) => Ports::Unknown(format!("{a:?}-{b:?}")),
            }
        };
        let text = |k: &str| get(k).map(short);
        let peer = match text("CidrIp").or_else(|| text("CidrIpv6")) {
            Some(c) => c
                .parse::<ipnet::IpNet>()
                .map(|n| Peer::Net(n.trunc()))
                .unwrap_or(Peer::Named(c)),
            None => Peer::Named(
                [
                    "SourceSecurityGroupId",
                    "SourceSecurityGroupName",
                    "DestinationSecurityGroupId",
                    "SourcePrefixListId",
                    "DestinationPrefixListId",
                ]
                .iter()
                .find_map(|k| text(k))
                .unwrap_or_else(|| "?".to_owned()),
            ),
        };
        Rule {
            out,
            group,
            protocol,
            ports,
            peer,
        }
    }

    /// Whether this rule allows at least everything `other` allows.
    fn covers(&self, other: &Rule) -> bool {
        let protocol = self.protocol == "-1" || self.protocol == other.protocol;
        let ports = match (&self.ports, &other.ports) {
            (Ports::All, _) => true,
            (Ports::Range(a, b), Ports::Range(c, d)) => a <= c && d <= b,
            (a, b) => a == b,
        };
        self.out == other.out
            && self.group == other.group
            && protocol
            && ports
            && self.peer.covers(&other.peer)
    }

    /// `tcp/22`, `tcp/1024-65535`, `all traffic`.
    fn label(&self) -> String {
        match (&self.ports, self.protocol.as_str()) {
            (_, "-1") => "all traffic".to_owned(),
            (Ports::All, p) => format!("{p}/all ports"),
            (Ports::Range(a, b), p) if a == b => format!("{p}/{a}"),
            (Ports::Range(a, b), p) => format!("{p}/{a}-{b}"),
            (Ports::Unknown(t), p) => format!("{p}/{t}"),
        }
    }
}

/// Compares the rules of one resource, grouped by direction, protocol and
/// ports. `inline` names the direction in the subject (a group holds both).
fn compare_rules(
    id: &str,
    inline: bool,
    before: &[Rule],
    after: &[Rule],
    found: &mut Vec<AccessChange>,
) {
    let mut keys: Vec<(bool, String)> = Vec::new();
    for r in after.iter().chain(before) {
        let key = (r.out, r.label());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    for (out, label) in keys {
        let of = |rules: &[Rule]| -> Vec<Rule> {
            rules
                .iter()
                .filter(|r| r.out == out && r.label() == label)
                .cloned()
                .collect()
        };
        let (olds, news) = (of(before), of(after));
        let opened: Vec<&Rule> = news
            .iter()
            .filter(|n| !before.iter().any(|o| o.covers(n)))
            .collect();
        let closed = olds.iter().any(|o| !after.iter().any(|n| n.covers(o)));
        if opened.is_empty() && !closed {
            continue;
        }
        let peers = |rules: &[Rule]| -> String {
            if rules.is_empty() {
                "none".to_owned()
            } else {
                rules
                    .iter()
                    .map(|r| r.peer.text())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let direction = match (inline, out) {
            (true, false) => " inbound",
            (_, true) => " outbound",
            (false, false) => "",
        };
        found.push(AccessChange {
            logical_id: id.to_owned(),
            subject: format!("{id}{direction} {label}"),
            before: peers(&olds),
            after: peers(&news),
            verdict: if opened.is_empty() {
                Verdict::Narrows
            } else {
                Verdict::Widens
            },
            broad: opened.iter().any(|r| !r.out && r.peer.internet()),
        });
    }
}

// ----------------------------------------------------------- statements

/// One IAM statement, normalised for comparison.
#[derive(Debug, Clone)]
struct Statement {
    raw: Value,
    sid: Option<String>,
    allow: bool,
    /// Lower-cased actions (or not-actions when `negated`), for comparison.
    actions: Vec<String>,
    /// The actions as written, for the review.
    actions_shown: Vec<String>,
    resources: Vec<String>,
    principals: Vec<String>,
    /// Uses `NotAction`, `NotResource` or `NotPrincipal`: only an equal
    /// statement covers it.
    negated: bool,
    /// `(operator, lower-cased key)` -> value.
    conditions: Vec<((String, String), Value)>,
    /// `operator key` as written, for the review.
    conditions_shown: Vec<String>,
}

impl Statement {
    fn read(raw: &Value) -> Statement {
        let list = |k: &str| items(raw.get(k)).iter().map(short).collect::<Vec<_>>();
        let mut principals = Vec::new();
        for key in ["Principal", "NotPrincipal"] {
            match raw.get(key) {
                Some(Value::String(s)) => principals.push(s.clone()),
                Some(Value::Object(m)) => {
                    for (kind, who) in m {
                        for w in items(Some(who)) {
                            let w = short(&w);
                            principals.push(if w == "*" { w } else { format!("{kind}:{w}") });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut conditions = Vec::new();
        let mut conditions_shown = Vec::new();
        if let Some(Value::Object(ops)) = raw.get("Condition") {
            for (op, keys) in ops {
                if let Value::Object(keys) = keys {
                    for (k, v) in keys {
                        conditions.push(((op.clone(), k.to_ascii_lowercase()), v.clone()));
                        conditions_shown.push(format!("{op} {k}"));
                    }
                }
            }
        }
        let negated = ["NotAction", "NotResource", "NotPrincipal"]
            .iter()
            .any(|k| raw.get(k).is_some());
        let mut actions = list("Action");
        actions.extend(list("NotAction"));
        let mut resources = list("Resource");
        resources.extend(list("NotResource"));
        Statement {
            raw: raw.clone(),
            sid: raw.get("Sid").map(short),
            allow: raw.get("Effect").and_then(Value::as_str) != Some("Deny"),
            actions: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
            actions_shown: actions,
            resources,
            principals,
            negated,
            conditions,
            conditions_shown,
        }
    }

    /// The statement without its `Sid`, for equality.
    fn body(&self) -> Value {
        let mut v = self.raw.clone();
        if let Value::Object(m) = &mut v {
            m.remove("Sid");
        }
        v
    }

    /// Whether this statement applies at least wherever `other` does: its
    /// actions, resources and principals cover the other's, and its
    /// conditions are among the other's (a condition only narrows).
    fn covers(&self, other: &Statement) -> bool {
        if self.allow != other.allow {
            return false;
        }
        if self.negated || other.negated {
            return self.body() == other.body();
        }
        let all = |mine: &[String], theirs: &[String]| {
            theirs.iter().all(|t| mine.iter().any(|m| glob(m, t)))
        };
        let principals = if self.principals.is_empty() || other.principals.is_empty() {
            self.principals.is_empty() && other.principals.is_empty()
        } else {
            other
                .principals
                .iter()
                .all(|t| self.principals.iter().any(|m| m == "*" || m == t))
        };
        all(&self.actions, &other.actions)
            && all(&self.resources, &other.resources)
            && principals
            && self.conditions.iter().all(|c| other.conditions.contains(c))
    }

    fn broad(&self) -> bool {
        if !self.conditions.is_empty() {
            return false;
        }
        if !self.principals.is_empty() {
            return self.principals.iter().any(|p| p == "*");
        }
        self.negated
            || self.actions.iter().any(|a| a == "*" || a.ends_with(":*"))
            || self.resources.iter().any(|r| r == "*")
    }

    /// `Allow kms:Decrypt on * to AWS:* if StringEquals kms:CallerAccount`.
    fn describe(&self) -> String {
        let mut s = format!(
            "{} {}",
            if self.allow { "Allow" } else { "Deny" },
            self.actions_shown.join(", ")
        );
        if self.negated {
            s.push_str(" (with Not*)");
        }
        if !self.resources.is_empty() {
            s.push_str(&format!(" on {}", self.resources.join(", ")));
        }
        if !self.principals.is_empty() {
            s.push_str(&format!(" to {}", self.principals.join(", ")));
        }
        if !self.conditions_shown.is_empty() {
            s.push_str(&format!(" if {}", self.conditions_shown.join(", ")));
        }
        s
    }
}

/// IAM wildcard matching (`*` any run, `?` one character); actions are
/// compared lower-cased by the caller.
fn glob(pattern: &str, text: &str) -> bool {
    if pattern == text || pattern == "*" {
        return true;
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn inline_policies(v: Option<&Value>) -> Vec<(String, Value)> {
    items(v)
        .iter()
        .map(|p| {
            (
                p.get("PolicyName").map(short).unwrap_or_default(),
                p.get("PolicyDocument").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

fn statements(doc: Option<&Value>) -> Vec<Statement> {
    doc.map(|d| items(d.get("Statement")))
        .unwrap_or_default()
        .iter()
        .map(Statement::read)
        .collect()
}

/// Compares two versions of one policy document, statement by statement.
/// Statements pair by `Sid`, else by effect and actions; a statement with
/// no counterpart stands against `none`.
fn compare_policy(
    id: &str,
    what: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    found: &mut Vec<AccessChange>,
) {
    let before = statements(old);
    let after = statements(new);
    let same = |a: &Statement, list: &[Statement]| list.iter().any(|b| a.body() == b.body());
    let covered = |s: &Statement, list: &[Statement]| list.iter().any(|o| o.covers(s));
    let mut paired_old = vec![false; before.len()];
    let mut push = |old: Option<&Statement>, new: Option<&Statement>, verdict, broad| {
        let sid = new.or(old).and_then(|s| s.sid.clone());
        found.push(AccessChange {
            logical_id: id.to_owned(),
            subject: match sid {
                Some(sid) => format!("{what} statement {sid}"),
                None => format!("{what} statement"),
            },
            before: old.map_or_else(|| "none".to_owned(), Statement::describe),
            after: new.map_or_else(|| "none".to_owned(), Statement::describe),
            verdict,
            broad,
        });
    };
    for n in after.iter().filter(|n| !same(n, &before)) {
        let pair = before.iter().enumerate().position(|(i, o)| {
            !paired_old[i]
                && !same(o, &after)
                && o.allow == n.allow
                && match (&o.sid, &n.sid) {
                    (Some(a), Some(b)) => a == b,
                    _ => o.actions == n.actions,
                }
        });
        if let Some(i) = pair {
            paired_old[i] = true;
        }
        let o = pair.map(|i| &before[i]);
        // An Allow widens what it newly grants; a Deny widens what it no
        // longer denies.
        let (widens, narrows) = if n.allow {
            (!covered(n, &before), o.is_some_and(|o| !covered(o, &after)))
        } else {
            (o.is_some_and(|o| !covered(o, &after)), !covered(n, &before))
        };
        if widens {
            push(o, Some(n), Verdict::Widens, n.allow && n.broad());
        } else if narrows {
            push(o, Some(n), Verdict::Narrows, false);
        }
    }
    for (i, o) in before.iter().enumerate() {
        if paired_old[i] || same(o, &after) || covered(o, &after) {
            continue;
        }
        let verdict = if o.allow {
            Verdict::Narrows
        } else {
            Verdict::Widens
        };
        push(Some(o), None, verdict, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Document {
        Document::parse(yaml).unwrap()
    }

    fn lines(old: Option<&str>, new: &str) -> Vec<String> {
        let old = old.map(doc);
        compare(old.as_ref(), &doc(new))
            .iter()
            .map(AccessChange::line)
            .collect()
    }

    const SG_OLD: &str = "Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n";

    fn ssh(cidr: &str) -> String {
        format!(
            "Resources:\n  SshFromAdmins:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !Ref Sg\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: {cidr}\n"
        )
    }

    #[test]
    fn an_unchanged_rule_is_not_reported_again() {
        assert!(lines(Some(SG_OLD), SG_OLD).is_empty());
    }

    #[test]
    fn regression_narrowing_ssh_from_the_internet_is_not_reported_as_widening() {
        let found = lines(Some(&ssh("0.0.0.0/0")), &ssh("10.20.0.0/16"));
        assert_eq!(
            found,
            ["SshFromAdmins tcp/22: 0.0.0.0/0 -> 10.20.0.0/16 (narrows)"]
        );
        let back = lines(Some(&ssh("10.20.0.0/16")), &ssh("0.0.0.0/0"));
        assert_eq!(
            back,
            ["SshFromAdmins tcp/22: 10.20.0.0/16 -> 0.0.0.0/0 (widens, broad)"]
        );
    }

    #[test]
    fn a_new_ssh_rule_open_to_the_internet_is_broad() {
        let new = format!(
            "{SG_OLD}        - {{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}}\n"
        );
        assert_eq!(
            lines(Some(SG_OLD), &new),
            ["Web inbound tcp/22: none -> 0.0.0.0/0 (widens, broad)"]
        );
    }

    #[test]
    fn ipv6_ranges_ports_and_removed_rules_are_compared() {
        let old = "Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 8000, ToPort: 8100, CidrIpv6: '2001:db8::/32'}\n        - {IpProtocol: udp, FromPort: 53, ToPort: 53, SourcePrefixListId: pl-1}\n";
        let wider_ports = "Resources:\n  Web:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 8000, ToPort: 9000, CidrIpv6: '2001:db8:1::/48'}\n";
        assert_eq!(
            lines(Some(old), wider_ports),
            [
                "Web inbound tcp/8000-9000: none -> 2001:db8:1::/48 (widens)",
                "Web inbound tcp/8000-8100: 2001:db8::/32 -> none (narrows)",
                "Web inbound udp/53: pl-1 -> none (narrows)",
            ]
        );
    }

    #[test]
    fn a_separate_ingress_resource_from_another_group_is_not_broad() {
        let new = "Resources:\n  DbIn:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !Ref DbSg\n      IpProtocol: tcp\n      FromPort: 5432\n      ToPort: 5432\n      SourceSecurityGroupId: !Ref AppSg\n";
        let found = compare(None, &doc(new));
        assert_eq!(
            found[0].line(),
            "DbIn tcp/5432: none -> !Ref AppSg (widens)"
        );
        assert!(!found[0].broad);
    }

    const ROLE: &str = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Statement:\n              - {Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}\n";

    #[test]
    fn added_iam_statements_and_managed_policies_widen() {
        let new = format!(
            "{ROLE}              - {{Effect: Allow, Action: 's3:*', Resource: '*'}}\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n"
        );
        assert_eq!(
            lines(Some(ROLE), &new),
            [
                "Role policy read statement: none -> Allow s3:* on * (widens, broad)",
                "Role managed policy: none -> arn:aws:iam::aws:policy/AdministratorAccess (widens, broad)"
            ]
        );
    }

    #[test]
    fn a_statement_limited_to_fewer_resources_narrows() {
        let new = ROLE.replace("arn:aws:s3:::b/*", "arn:aws:s3:::b/public/*");
        assert_eq!(
            lines(Some(ROLE), &new),
            [
                "Role policy read statement: Allow s3:GetObject on arn:aws:s3:::b/* -> Allow s3:GetObject on arn:aws:s3:::b/public/* (narrows)"
            ]
        );
        assert_eq!(
            lines(Some(&new), ROLE),
            [
                "Role policy read statement: Allow s3:GetObject on arn:aws:s3:::b/public/* -> Allow s3:GetObject on arn:aws:s3:::b/* (widens)"
            ]
        );
    }

    const KEY: &str = "Resources:\n  AlertsKey:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Statement:\n          - Sid: AccountAdministersKey\n            Effect: Allow\n            Principal:\n              AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'\n            Action: kms:*\n            Resource: '*'\n          - Sid: AccountPublishesThroughSns\n            Effect: Allow\n            Principal:\n              AWS: '*'\n            Action: [kms:Decrypt, kms:GenerateDataKey*]\n            Resource: '*'\n";
    const CONDITION: &str = "            Condition:\n              StringEquals:\n                kms:CallerAccount: !Ref 'AWS::AccountId'\n                kms:ViaService: !Sub 'sns.${AWS::Region}.amazonaws.com'\n";

    #[test]
    fn regression_conditions_in_a_key_policy_are_not_called_broad() {
        // SwiftCode's alerts key: anyone, but only through SNS in this account.
        let with_conditions = format!("{KEY}{CONDITION}");
        let found = compare(None, &doc(&with_conditions));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|a| !a.broad), "{found:?}");
        assert!(
            found[1]
                .after
                .ends_with("if StringEquals kms:CallerAccount, StringEquals kms:ViaService")
        );
        // Without the conditions the same statement is open to anyone.
        let open = compare(None, &doc(KEY));
        assert!(open[1].broad, "{open:?}");
    }

    #[test]
    fn adding_conditions_narrows_and_removing_them_widens() {
        let with_conditions = format!("{KEY}{CONDITION}");
        let added = lines(Some(KEY), &with_conditions);
        assert_eq!(added.len(), 1, "{added:?}");
        assert!(added[0].ends_with("(narrows)"), "{added:?}");
        let removed = lines(Some(&with_conditions), KEY);
        assert_eq!(removed.len(), 1, "{removed:?}");
        assert!(removed[0].ends_with("(widens, broad)"), "{removed:?}");
    }

    #[test]
    fn a_removed_deny_widens_and_an_added_deny_narrows() {
        let deny = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - {Effect: Deny, Action: 'iam:*', Resource: '*'}\n";
        let none = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement: []\n";
        assert_eq!(
            lines(Some(deny), none),
            ["P PolicyDocument statement: Deny iam:* on * -> none (widens)"]
        );
        assert_eq!(
            lines(Some(none), deny),
            ["P PolicyDocument statement: none -> Deny iam:* on * (narrows)"]
        );
    }

    #[test]
    fn a_trust_policy_and_a_bucket_policy_are_compared() {
        let trust = |who: &str| {
            format!(
                "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - {{Effect: Allow, Action: sts:AssumeRole, Principal: {{Service: {who}}}}}\n"
            )
        };
        assert_eq!(
            lines(
                Some(&trust("ec2.amazonaws.com")),
                &trust("[ec2.amazonaws.com, lambda.amazonaws.com]")
            ),
            [
                "R AssumeRolePolicyDocument statement: Allow sts:AssumeRole to Service:ec2.amazonaws.com -> Allow sts:AssumeRole to Service:ec2.amazonaws.com, Service:lambda.amazonaws.com (widens)"
            ]
        );
        let bucket = |principal: &str| {
            format!(
                "Resources:\n  BP:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - {{Sid: Read, Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*, Principal: {principal}}}\n"
            )
        };
        let public = lines(Some(&bucket("{AWS: arn:aws:iam::1:root}")), &bucket("'*'"));
        assert_eq!(public.len(), 1);
        assert!(public[0].ends_with("(widens, broad)"), "{public:?}");
    }

    #[test]
    fn globs_match_like_iam() {
        assert!(glob(
            "kms:generatedatakey*",
            "kms:generatedatakeywithoutplaintext"
        ));
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/public/*"));
        assert!(!glob("arn:aws:s3:::b/public/*", "arn:aws:s3:::b/*"));
        assert!(glob("s3:get?bject", "s3:getobject"));
    }
}
