//! Rust names for CloudFormation names: `TargetGroupARNs` becomes the field
//! `target_group_arns`, `VPCGatewayAttachment` the type
//! `VpcGatewayAttachment`, the enum value `ip-name` the variant `IpName`.
//!
//! Owns word splitting (acronyms, plural acronyms, `IPv4`/`IPv6`), Rust
//! keywords and the names generated code must not shadow. Collisions inside
//! one scope are resolved by [`Scope`].

use std::collections::HashSet;

/// Words of a CloudFormation name. Boundaries: a lower-case letter or digit
/// followed by an upper-case letter; the last capital of a run of capitals
/// followed by a lower-case letter (`VPCZone` is `VPC`, `Zone`), except a
/// plural acronym (`ARNs`, `IDs`); and any character that is not a letter or
/// digit. `IPv4` and `IPv6` are one word each.
pub fn words(name: &str) -> Vec<String> {
    // Units and words whose capitals are not word starts.
    let name = name
        .replace("IPv4", "Ipv4")
        .replace("IPv6", "Ipv6")
        .replace("KiB", "Kib")
        .replace("MiB", "Mib")
        .replace("GiB", "Gib")
        .replace("TiB", "Tib")
        .replace("VCpu", "Vcpu")
        .replace("DDoS", "Ddos");
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        if let Some(&prev) = word.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = if c.is_ascii_uppercase() {
                prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase())
                        && !is_plural_s(&chars, i + 1)
                        && !is_version(&chars, i + 1))
            } else {
                false
            };
            if boundary {
                out.push(std::mem::take(&mut word));
            }
        }
        word.push(c);
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether the `s` at `i` pluralises the acronym before it (`ARNs`): a lone
/// `s` at the end of the name or before a capital or digit.
fn is_plural_s(chars: &[char], i: usize) -> bool {
    chars.get(i) == Some(&'s')
        && chars.get(i + 1).is_none_or(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || !c.is_ascii_alphanumeric()
        })
}

/// Whether the lower-case letter at `i` starts a version suffix of the
/// acronym before it (`TLSv1`, `SSLv3`): a lone `v` followed by a digit.
fn is_version(chars: &[char], i: usize) -> bool {
    chars.get(i) == Some(&'v') && chars.get(i + 1).is_some_and(char::is_ascii_digit)
}

/// An enum variant for a value: [`camel`] of each part between
/// punctuation, with an underscore kept between two numbers so that
/// versions stay readable (`TLSv1.2_2021` is `Tlsv1_2_2021`, not
/// `TlSv122021`).
pub fn variant(value: &str) -> String {
    let mut out = String::new();
    for part in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let piece = camel(part);
        let piece = if part.starts_with(|c: char| c.is_ascii_digit()) {
            piece.trim_start_matches('V').to_owned()
        } else {
            piece
        };
        if out.ends_with(|c: char| c.is_ascii_digit())
            && piece.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        out.push_str(&piece);
    }
    if out.is_empty() {
        out.push_str("Value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push_str("Value");
    }
    out
}

/// `snake_case` of a CloudFormation name.
pub fn snake(name: &str) -> String {
    let w: Vec<String> = words(name).iter().map(|w| w.to_ascii_lowercase()).collect();
    let mut s = w.join("_");
    if s.is_empty() {
        s.push_str("value");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "n_");
    }
    s
}

/// `UpperCamelCase` of a CloudFormation name.
pub fn camel(name: &str) -> String {
    let mut s = String::new();
    for w in words(name) {
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            s.push(first.to_ascii_uppercase());
            s.extend(cs.map(|c| c.to_ascii_lowercase()));
        }
    }
    if s.is_empty() {
        s.push_str("Value");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    s
}

/// Rust's keywords, strict and reserved: never an identifier.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Method names every generated struct already has (the constructor and
/// the trait methods that method-call syntax would otherwise shadow).
const RESERVED_METHODS: &[&str] = &[
    "new", "clone", "to_expr", "fmt", "eq", "ne", "default", "into", "from",
];

/// The methods of `CfnResource`, which only a resource struct has.
const RESOURCE_METHODS: &[&str] = &["resource_type", "properties", "apply_tags", "check"];

/// A field or setter name for a property: snake case, with a trailing `_`
/// for keywords and reserved method names (`type_`, `new_`; on a resource
/// struct also `properties_` and the like).
pub fn field(name: &str, on_resource: bool) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str())
        || RESERVED_METHODS.contains(&s.as_str())
        || (on_resource && RESOURCE_METHODS.contains(&s.as_str()))
    {
        format!("{s}_")
    } else {
        s
    }
}

/// Methods of `Handle` an attribute accessor must not shadow.
const HANDLE_METHODS: &[&str] = &[
    "logical_id",
    "reference",
    "get_att",
    "clone",
    "eq",
    "ne",
    "fmt",
    "deref",
];

/// An attribute accessor name for a GetAtt name (`Endpoint.Address` is
/// `endpoint_address`).
pub fn attribute(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) || HANDLE_METHODS.contains(&s.as_str()) {
        format!("{s}_attribute")
    } else {
        s
    }
}

/// Type names generated code uses from elsewhere (the standard prelude and
/// hagen's support types): a generated type with one of these names gets
/// the suffix `Property`.
const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Option",
    "Some",
    "None",
    "String",
    "Vec",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Into",
    "From",
    "Value",
    "List",
    "Map",
    "Expr",
    "Tag",
    "Attr",
    "Handle",
    "ToExpr",
    "CfnResource",
    "Props",
    "IndexMap",
    "TagEntry",
    "Json",
    "ResourceAttributes",
    "Intrinsic",
];

/// A type name for a CloudFormation name, avoiding the names generated
/// code imports or the prelude has (those get the suffix `Property`).
pub fn type_name(name: &str) -> String {
    let s = camel(name);
    if RESERVED_TYPES.contains(&s.as_str()) {
        format!("{s}Property")
    } else {
        s
    }
}

/// A module name for a resource type or service (`vpc_gateway_attachment`).
pub fn module(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) || s == "tests" {
        format!("{s}_")
    } else {
        s
    }
}

/// Names already taken in one scope; [`Scope::claim`] appends `2`, `3`, ...
/// to a name until it is free.
#[derive(Debug, Default)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// A scope with these names already taken.
    pub fn with(taken: &[&str]) -> Self {
        Scope {
            taken: taken.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `name`, or the first of `name2`, `name3`, ... that is free; taken
    /// from then on.
    pub fn claim(&mut self, name: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_acronyms_and_plural_acronyms_whole() {
        for (cfn, rust) in [
            ("TargetGroupARNs", "target_group_arns"),
            ("VPCZoneIdentifier", "vpc_zone_identifier"),
            ("PrivateIPv4Address", "private_ipv4_address"),
            ("IPv6Address", "ipv6_address"),
            (
                "EnableResourceNameDnsAAAARecord",
                "enable_resource_name_dns_aaaa_record",
            ),
            ("EnableDns64", "enable_dns64"),
            ("Ipv6CidrBlock", "ipv6_cidr_block"),
            ("OKActions", "ok_actions"),
            ("DBInstanceClass", "db_instance_class"),
            ("MultiAZ", "multi_az"),
            ("TopicARN", "topic_arn"),
            ("S3Bucket", "s3_bucket"),
            ("SecurityGroupIds", "security_group_ids"),
            ("TTL", "ttl"),
            ("MemoryMiB", "memory_mib"),
            ("VCpuCount", "vcpu_count"),
            ("Type", "type_"),
            ("New", "new_"),
        ] {
            assert_eq!(field(cfn, false), rust, "{cfn}");
        }
    }

    #[test]
    fn resource_methods_are_reserved_on_resources_only() {
        assert_eq!(field("ResourceType", true), "resource_type_");
        assert_eq!(field("ResourceType", false), "resource_type");
    }

    #[test]
    fn types_are_upper_camel_case() {
        for (cfn, rust) in [
            ("VPCGatewayAttachment", "VpcGatewayAttachment"),
            ("EIP", "Eip"),
            ("DBInstance", "DbInstance"),
            ("SecurityGroupIngress", "SecurityGroupIngress"),
            ("ip-name", "IpName"),
            ("HTTPS", "Https"),
            ("1Minute", "V1Minute"),
            ("Tag", "TagProperty"),
        ] {
            assert_eq!(type_name(cfn), rust, "{cfn}");
        }
    }

    #[test]
    fn variants_keep_versions_and_acronyms_readable() {
        for (value, rust) in [
            ("TLSv1.2_2021", "Tlsv1_2_2021"),
            ("TLSv1_2016", "Tlsv1_2016"),
            ("TLSv1.1_2016", "Tlsv1_1_2016"),
            ("SSLv3", "Sslv3"),
            ("ip-name", "IpName"),
            ("HTTP_301", "Http301"),
            ("1Minute", "V1Minute"),
            ("10.0", "V10_0"),
            ("*", "Value"),
            ("SELF", "SelfValue"),
        ] {
            assert_eq!(variant(value), rust, "{value}");
        }
        assert_eq!(
            field("OnSourceDDoSProtectionConfig", false),
            "on_source_ddos_protection_config"
        );
    }

    #[test]
    fn a_scope_numbers_repeated_names() {
        let mut s = Scope::with(&["arn"]);
        assert_eq!(s.claim("arn"), "arn2");
        assert_eq!(s.claim("arn"), "arn3");
        assert_eq!(s.claim("id"), "id");
    }
}
