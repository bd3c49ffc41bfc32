//! The generated blueprint (`src/blueprint.rs` of the imported crate): the
//! template's sections as hagen calls, one function per family of
//! resources, every resource through its typed L1 type where it fits.
//!
//! Owns the layout of the generated file and the fallbacks: a property the
//! typed API cannot hold becomes a property override, a resource it cannot
//! hold at all (a custom resource, a type missing from the vendored
//! schemas, a required property that does not fit) stays raw, each with a
//! comment saying why.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::template::{Expr, IndexMap, Parameter, Resource, Template};

use super::catalog::{TypeIndex, TypeRef};
use super::error::ImportError;
use super::refs::{Refs, ResourceRef};
use super::report::{Fallback, ImportReport};
use super::rust_text;
use hagen_codegen::naming::Scope as Names;

/// What the blueprint is called and deploys as.
pub(crate) struct BlueprintNames<'a> {
    /// The Rust type implementing `Blueprint` (`Imported`).
    pub type_name: &'a str,
    /// The blueprint's name: project name and stack-name prefix.
    pub name: &'a str,
    /// Where the template came from, for the file's first line.
    pub source: &'a str,
    /// An environment deployed as a fixed stack name (`--stack`).
    pub stack: Option<(&'a str, &'a str)>,
    /// The findings hagen's strict checks would refuse (`HG507 x6`), when
    /// there are any: the blueprint then turns strict checks off.
    pub strict_findings: Option<String>,
    /// `--constructs`: call a hagen construct where it reproduces a group
    /// of resources exactly.
    pub constructs: bool,
}

/// The generated file and what it needs.
pub(crate) struct Written {
    /// The Rust source (not yet formatted).
    pub source: String,
    /// The cargo features of hagen the code uses (one per service).
    pub features: BTreeSet<String>,
    /// What was typed and what fell back.
    pub report: ImportReport,
}

/// One function's worth of resources.
struct Group {
    function: String,
    title: String,
    ids: Vec<String>,
}

/// Writes the blueprint for `template`.
pub(crate) fn write(
    template: &Template,
    names: &BlueprintNames<'_>,
) -> Result<Written, ImportError> {
    let index = TypeIndex::get()?;
    for (id, resource) in &template.resources {
        if let Some(c) = &resource.condition
            && !template.conditions.contains_key(c)
        {
            return Err(ImportError::Template(format!(
                "resource {id} names condition {c}, which the template does not declare"
            )));
        }
    }
    // First pass: which resources fit their typed L1 type. A resource that
    // does not is raw everywhere, its handle included.
    let mut probe = Refs::new();
    let mut fields = Names::with(&["h", "c", "stack"]);
    let mut idents = Vec::new();
    for (id, resource) in &template.resources {
        let ty = index.find(&resource.resource_type);
        let ident = fields.claim(&rust_text::snake(without_hash(id)));
        idents.push(ident.clone());
        probe.insert(id, ResourceRef { ident, ty });
    }
    let mut untypable = std::collections::HashMap::new();
    for (id, resource) in &template.resources {
        if let Some(t) = probe.resource(id).and_then(|r| r.ty)
            && let Err(why) = probe.typed_resource(t, &resource.properties)
        {
            untypable.insert(id.clone(), why);
        }
    }
    let mut refs = Refs::new();
    let mut handles = Vec::new();
    for ((id, resource), ident) in template.resources.iter().zip(idents) {
        let ty = index
            .find(&resource.resource_type)
            .filter(|_| !untypable.contains_key(id));
        handles.push((ident.clone(), id.clone(), ty));
        refs.insert(id, ResourceRef { ident, ty });
    }
    let conditions = condition_names(template);
    let mut report = ImportReport::new(template);
    let mut out = String::new();
    let recognised = if names.constructs {
        super::constructs::recognise(template)
    } else {
        Vec::new()
    };
    let by_construct: std::collections::HashSet<&String> =
        recognised.iter().flat_map(|r| r.ids.iter()).collect();
    let groups = groups(template, index, &by_construct);

    // Sections first: they only refer to each other by name.
    let mut build = String::new();
    let description = match &template.description {
        Some(d) => rust_text::string(d),
        None => "\"\"".into(),
    };
    let _ = writeln!(build, "let mut stack = Stack::new({description});");
    if template.description.is_none() {
        build.push_str("stack.set_description(None);\n");
    }
    match template.format_version.as_deref() {
        Some(crate::template::FORMAT_VERSION) => {}
        Some(other) => {
            let _ = writeln!(
                build,
                "stack.set_format_version(Some({}.to_owned()));",
                rust_text::string(other)
            );
        }
        None => build.push_str("stack.set_format_version(None);\n"),
    }
    if let Some(t) = &template.transform {
        build.push_str(
            "// CloudFormation expands the transform before anything else; the resource\n// types it defines are not in the schemas, so they stay raw below.\n",
        );
        let _ = writeln!(build, "stack.set_transform({});", refs.arg_expr(t));
    }
    for (k, v) in &template.metadata {
        let _ = writeln!(
            build,
            "stack.set_metadata({}, {});",
            rust_text::string(k),
            refs.arg_expr(v)
        );
    }
    let mut functions = String::new();
    if !template.parameters.is_empty() {
        build.push_str("parameters(&mut stack)?;\n");
        functions.push_str(&parameters(&refs, &template.parameters));
    }
    if !template.mappings.is_empty() {
        build.push_str("mappings(&mut stack)?;\n");
        functions.push_str(&mappings(&refs, template));
    }
    for (name, rule) in &template.rules {
        let _ = writeln!(
            build,
            "stack.rule({}, {})?;",
            rust_text::string(name),
            refs.expr(rule)
        );
    }
    if !conditions.is_empty() {
        // `let c = ` once a group turns out to use the conditions.
        build.push_str("@CONDITIONS@conditions(&mut stack)?;\n");
        functions.push_str(&conditions_fn(&refs, template, &conditions));
    }
    build.push_str("let h = Handles::new();\n");
    for group in &groups {
        let (code, uses_c) = group_fn(&refs, template, group, &conditions, &untypable, &mut report);
        functions.push_str(&code);
        let c = if uses_c { ", &c" } else { "" };
        let _ = writeln!(build, "{}(&mut stack, &h{c})?;", group.function);
    }
    if !recognised.is_empty() {
        build.push_str("add_constructs(&mut stack)?;\n");
        functions.push_str(&constructs_fn(&recognised));
        for r in &recognised {
            report
                .constructs
                .push(format!("{} ({} resources)", r.construct, r.ids.len()));
            for id in &r.ids {
                if let Some(resource) = template.resources.get(id) {
                    report.typed(&resource.resource_type);
                }
            }
        }
    }
    for (name, hook) in &template.hooks {
        let _ = writeln!(
            build,
            "stack.hook({}, {})?;",
            rust_text::string(name),
            refs.expr(hook)
        );
    }
    if !template.outputs.is_empty() {
        let code = outputs(&refs, template);
        let uses_h = mentions(&code, "h");
        functions.push_str(&code);
        let h = if uses_h { ", &h" } else { "" };
        let _ = writeln!(build, "outputs(&mut stack{h})?;");
    }
    build.push_str("Ok(stack)\n");
    let binding = if build.contains(", &c)") {
        "let c = "
    } else {
        ""
    };
    let build = build.replace("@CONDITIONS@", binding);

    let mut handles_code = handles_struct(&refs, &handles);
    if !recognised.is_empty() {
        handles_code = handles_code.replacen(
            "struct Handles {",
            "// Some handles only name what a construct creates.\n#[allow(dead_code)]\nstruct Handles {",
            1,
        );
    }
    // The trait's optional methods this blueprint overrides.
    let mut methods = String::new();
    if let Some((env, stack)) = names.stack {
        refs.use_name("default_stack_name");
        let _ = write!(
            methods,
            "\n/// `{stack}` in `{env}` (the stack it was imported from); `<project>-<environment>` elsewhere.\nfn stack_name(&self, env: &Environment) -> String {{\nif env.name == {} {{\n{}.to_owned()\n}} else {{\ndefault_stack_name(&env.project, &env.name)\n}}\n}}\n",
            rust_text::string(env),
            rust_text::string(stack)
        );
    }
    if let Some(found) = &names.strict_findings {
        let _ = write!(
            methods,
            "\n/// Off: the template as it runs today has findings that hagen's strict\n/// checks refuse ({found}); `synth` prints them as warnings. Fix them, then\n/// delete this method to hold the blueprint to hagen's guarantees.\nfn strict_checks(&self) -> bool {{\nfalse\n}}\n"
        );
    }
    let body = format!(
        "/// The architecture imported from `{source}`.\npub struct {ty};\n\nimpl Blueprint for {ty} {{\n/// No keys of its own in `hagen.toml`.\ntype Config = ();\n\nfn name(&self) -> &str {{\n{name}\n}}\n\nfn description(&self) -> &str {{\n{about}\n}}\n\nfn build(&self, _env: &Environment, _config: &()) -> Result<Stack, SynthError> {{\n{build}}}\n{methods}}}\n\n{handles_code}{functions}",
        source = names.source.replace('`', "'"),
        ty = names.type_name,
        name = rust_text::string(names.name),
        about = rust_text::string(&format!("Imported from {}", names.source)),
    );
    let _ = writeln!(
        out,
        "//! The blueprint `hagen import` wrote from `{}`: {} resources, {} of them\n//! typed. It is yours now: rename, regroup and document as you like; keep the\n//! logical IDs (the strings in `Handles::new`), or CloudFormation replaces\n//! the resources they name.\n",
        names.source.replace('`', "'"),
        report.resources,
        report.resources - report.raw.len()
    );
    out.push_str(&imports(&refs, &body, !recognised.is_empty()));
    out.push('\n');
    out.push_str(&body);
    let features = groups
        .iter()
        .flat_map(|g| g.ids.iter())
        .filter_map(|id| refs.resource(id).and_then(|r| r.ty))
        .filter(|t| report.is_typed(&t.ty.type_name))
        .map(|t| t.service.feature.clone())
        .collect();
    Ok(Written {
        source: out,
        features,
        report,
    })
}

/// A logical ID without the 8-digit hexadecimal hash CDK appends
/// (`DatabaseB269D8BB` -> `Database`), for a readable handle name; the
/// logical ID itself is kept.
fn without_hash(id: &str) -> &str {
    let cut = id.len().saturating_sub(8);
    match (id.get(..cut), id.get(cut..)) {
        (Some(head), Some(tail))
            if tail.len() == 8
                && tail
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
                && tail.bytes().any(|b| b.is_ascii_digit())
                && head.bytes().any(|b| b.is_ascii_lowercase()) =>
        {
            head
        }
        _ => id,
    }
}

/// The `use` lines: exactly the names the body uses.
fn imports(refs: &Refs<'_>, body: &str, uses_vpc: bool) -> String {
    let code = without_literals(body);
    let body = code.as_str();
    let used = |name: &str| refs.uses(name) && mentions(body, name);
    let mut out = String::new();
    out.push_str("use hagen::blueprint::Blueprint;\n");
    if used("default_stack_name") {
        out.push_str("use hagen::blueprint::default_stack_name;\n");
    }
    out.push_str("use hagen::config::Environment;\nuse hagen::error::SynthError;\n");
    if used("json") {
        out.push_str("use hagen::json;\n");
    }
    let mut resources: Vec<String> = vec!["Handle".into()];
    if mentions(body, "RawResource") {
        resources.push("RawResource".into());
    }
    if used("Tag") {
        resources.push("Tag".into());
    }
    resources.extend(refs.services().into_iter().filter(|s| mentions(body, s)));
    let _ = writeln!(out, "use hagen::resources::{{{}}};", resources.join(", "));
    if uses_vpc {
        out.push_str("use hagen::constructs::vpc::{NatGateways, SubnetGroup, Vpc, VpcProps};\n");
        out.push_str("use hagen::constructs::{Ipv4Net, SubnetKind};\nuse std::net::Ipv4Addr;\n");
    }
    let mut stack = Vec::new();
    if mentions(body, "Attributes") {
        stack.push("Attributes");
    }
    if mentions(body, "ConditionName") {
        stack.push("ConditionName");
    }
    stack.push("Stack");
    let _ = writeln!(out, "use hagen::stack::{{{}}};", stack.join(", "));
    let fns: Vec<&str> = [
        "base64",
        "cidr",
        "condition",
        "equals",
        "find_in_map",
        "get_azs",
        "if_",
        "import_value",
        "join",
        "no_value",
        "not",
        "and",
        "or",
        "ref_",
        "select",
        "split",
        "sub",
        "sub_with",
    ]
    .into_iter()
    .filter(|f| refs.uses(f) && mentions(body, &format!("{f}(")))
    .collect();
    if !fns.is_empty() {
        let mut fns = fns;
        fns.sort_unstable();
        let _ = writeln!(out, "use hagen::template::fns::{{{}}};", fns.join(", "));
    }
    let template: Vec<&str> = [
        "Expr",
        "IndexMap",
        "Intrinsic",
        "List",
        "Map",
        "Output",
        "Parameter",
        "RetentionPolicy",
        "Value",
    ]
    .into_iter()
    .filter(|n| mentions(body, n))
    .collect();
    if !template.is_empty() {
        let _ = writeln!(out, "use hagen::template::{{{}}};", template.join(", "));
    }
    out
}

/// `code` with the text of string literals and comments blanked out, so
/// that a word in a description is not taken for a use.
fn without_literals(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            'r' if matches!(chars.peek(), Some('#' | '"'))
                && !out.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_') =>
            {
                let mut hashes = 0;
                while chars.peek() == Some(&'#') {
                    chars.next();
                    hashes += 1;
                }
                if chars.peek() != Some(&'"') {
                    out.push('r');
                    out.push_str(&"#".repeat(hashes));
                    continue;
                }
                chars.next();
                let close: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let mut text = String::new();
                for d in chars.by_ref() {
                    text.push(d);
                    if text.ends_with(&close) {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            '"' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            '/' if chars.peek() == Some(&'/') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether `name` occurs in `body` as a whole identifier (outside string
/// literals is not checked: an extra import is harmless, a missing one is
/// not).
fn mentions(body: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    body.match_indices(name).any(|(at, _)| {
        let before = body[..at].chars().next_back();
        let after = body[at + name.len()..].chars().next();
        before.is_none_or(|c| !is_ident(c) && c != ':')
            && after.is_none_or(|c| !is_ident(c) || name.ends_with('('))
    })
}

/// Conditions used by resources, in the template's order, with the
/// field names of the generated `Conditions` struct.
fn condition_names(template: &Template) -> Vec<(String, String)> {
    let mut names = Names::with(&[]);
    template
        .conditions
        .keys()
        .map(|k| (k.clone(), names.claim(&rust_text::snake(k))))
        .collect()
}

/// `fn add_constructs`: the construct calls, after every other resource
/// (the stack tags they need then reach only what they create).
fn constructs_fn(recognised: &[super::constructs::Recognised]) -> String {
    let mut body = String::new();
    if let Some(first) = recognised.first() {
        if !first.tags.is_empty() {
            body.push_str(
                "// The tags the constructs put on what they create, as in the template.\n",
            );
        }
        for (k, v) in &first.tags {
            let _ = writeln!(
                body,
                "stack.tag({}, {});",
                rust_text::string(k),
                rust_text::string(v)
            );
        }
    }
    for r in recognised {
        let first: Vec<&str> = r.ids.iter().take(3).map(String::as_str).collect();
        let _ = writeln!(
            body,
            "// {}: {} resources exactly as the template has them ({}, ...).",
            r.construct,
            r.ids.len(),
            first.join(", ")
        );
        body.push_str(&r.code);
    }
    format!(
        "/// What hagen's constructs reproduce exactly (`hagen import --constructs`).\nfn add_constructs(stack: &mut Stack) -> Result<(), SynthError> {{\n{body}Ok(())\n}}\n\n"
    )
}

/// Resources grouped by service, in the order each service first appears;
/// those a construct creates are left out.
fn groups(
    template: &Template,
    index: &TypeIndex,
    by_construct: &std::collections::HashSet<&String>,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut names = Names::with(&[
        "build",
        "parameters",
        "mappings",
        "conditions",
        "outputs",
        "main",
    ]);
    for (id, resource) in &template.resources {
        if by_construct.contains(id) {
            continue;
        }
        let (key, title) = match index.find(&resource.resource_type) {
            Some(t) => (t.service.module.clone(), t.service.namespace.clone()),
            None => {
                let family = resource
                    .resource_type
                    .split("::")
                    .nth(if resource.resource_type.starts_with("Custom::") {
                        0
                    } else {
                        1
                    })
                    .unwrap_or("other");
                (rust_text::snake(family), family.to_owned())
            }
        };
        let function = format!("add_{key}");
        match groups.iter_mut().find(|g| g.title == title) {
            Some(g) => g.ids.push(id.clone()),
            None => groups.push(Group {
                function: names.claim(&function),
                title,
                ids: vec![id.clone()],
            }),
        }
    }
    groups
}

/// The `Handles` struct: a typed handle per resource, by logical ID.
fn handles_struct(refs: &Refs<'_>, handles: &[(String, String, Option<TypeRef<'_>>)]) -> String {
    let mut fields = String::new();
    let mut inits = String::new();
    for (ident, id, ty) in handles {
        let ty = match ty {
            Some(t) if refs.resource(id).is_some() => t.resource_path(),
            _ => "RawResource".into(),
        };
        let _ = writeln!(fields, "{ident}: Handle<{ty}>,");
        let _ = writeln!(inits, "{ident}: Handle::new({}),", rust_text::string(id));
    }
    format!(
        "/// A handle to every resource, by logical ID: what the functions below\n/// refer to each other's resources through (`h.vpc.reference()`).\nstruct Handles {{\n{fields}}}\n\nimpl Handles {{\nfn new() -> Self {{\nHandles {{\n{inits}}}\n}}\n}}\n\n"
    )
}

/// `fn parameters`.
fn parameters(refs: &Refs<'_>, params: &IndexMap<String, Parameter>) -> String {
    let mut body = String::new();
    for (name, p) in params {
        let mut fields = format!("param_type: {}.into(),\n", rust_text::string(&p.param_type));
        let opt_str = |label: &str, v: &Option<String>, fields: &mut String| {
            if let Some(v) = v {
                let _ = writeln!(fields, "{label}: Some({}.into()),", rust_text::string(v));
            }
        };
        opt_str("description", &p.description, &mut fields);
        if let Some(d) = &p.default {
            let _ = writeln!(fields, "default: Some({}),", refs.expr(d));
        }
        if !p.allowed_values.is_empty() {
            let items: Vec<String> = p.allowed_values.iter().map(|v| refs.expr(v)).collect();
            let _ = writeln!(fields, "allowed_values: vec![{}],", items.join(", "));
        }
        opt_str("allowed_pattern", &p.allowed_pattern, &mut fields);
        if let Some(n) = p.min_length {
            let _ = writeln!(fields, "min_length: Some({n}),");
        }
        if let Some(n) = p.max_length {
            let _ = writeln!(fields, "max_length: Some({n}),");
        }
        if let Some(x) = p.min_value {
            let _ = writeln!(fields, "min_value: Some({}),", rust_text::float(x));
        }
        if let Some(x) = p.max_value {
            let _ = writeln!(fields, "max_value: Some({}),", rust_text::float(x));
        }
        if p.no_echo {
            fields.push_str("no_echo: true,\n");
        }
        opt_str(
            "constraint_description",
            &p.constraint_description,
            &mut fields,
        );
        let _ = writeln!(
            body,
            "stack.parameter({}, Parameter {{\n{fields}..Parameter::default()\n}})?;",
            rust_text::string(name)
        );
    }
    format!(
        "/// The template's parameters: values given at deploy time.\nfn parameters(stack: &mut Stack) -> Result<(), SynthError> {{\n{body}Ok(())\n}}\n\n"
    )
}

/// `fn mappings`.
fn mappings(refs: &Refs<'_>, template: &Template) -> String {
    let mut body = String::new();
    for (name, top) in &template.mappings {
        let mut entries = Vec::new();
        for (k1, second) in top {
            let inner: Vec<String> = second
                .iter()
                .map(|(k2, v)| format!("({}.to_owned(), {})", rust_text::string(k2), refs.expr(v)))
                .collect();
            entries.push(format!(
                "({}.to_owned(), IndexMap::from([{}]))",
                rust_text::string(k1),
                inner.join(", ")
            ));
        }
        let _ = writeln!(
            body,
            "stack.mapping({}, IndexMap::from([{}]))?;",
            rust_text::string(name),
            entries.join(", ")
        );
    }
    format!(
        "/// The template's mappings: lookup tables for `find_in_map`.\nfn mappings(stack: &mut Stack) -> Result<(), SynthError> {{\n{body}Ok(())\n}}\n\n"
    )
}

/// `struct Conditions` and `fn conditions`.
fn conditions_fn(refs: &Refs<'_>, template: &Template, names: &[(String, String)]) -> String {
    let mut fields = String::new();
    let mut body = String::new();
    let mut init = String::new();
    for (name, ident) in names {
        let Some(expr) = template.conditions.get(name) else {
            continue;
        };
        let _ = writeln!(fields, "{ident}: ConditionName,");
        let value = match expr {
            Expr::Fn(f) => refs.intrinsic(f, super::expr_code::AttrUse::Untyped),
            other => {
                refs.use_name("Intrinsic");
                format!("Intrinsic::Equals({}, Expr::Bool(true))", refs.expr(other))
            }
        };
        let _ = writeln!(
            body,
            "let {ident} = stack.condition({}, {value})?;",
            rust_text::string(name)
        );
        let _ = writeln!(init, "{ident},");
    }
    format!(
        "/// The template's conditions, for the resources they switch on and off.\n#[allow(dead_code)]\nstruct Conditions {{\n{fields}}}\n\n/// Declares the conditions.\nfn conditions(stack: &mut Stack) -> Result<Conditions, SynthError> {{\n{body}Ok(Conditions {{\n{init}}})\n}}\n\n"
    )
}

/// One group's function; whether it uses the conditions.
fn group_fn(
    refs: &Refs<'_>,
    template: &Template,
    group: &Group,
    conditions: &[(String, String)],
    untypable: &std::collections::HashMap<String, String>,
    report: &mut ImportReport,
) -> (String, bool) {
    let mut body = String::new();
    let mut uses_c = false;
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for id in &group.ids {
        let Some(resource) = template.resources.get(id) else {
            continue;
        };
        let short = resource
            .resource_type
            .rsplit("::")
            .next()
            .unwrap_or(&resource.resource_type)
            .to_owned();
        match kinds.iter_mut().find(|(k, _)| *k == short) {
            Some((_, n)) => *n += 1,
            None => kinds.push((short, 1)),
        }
        let (code, c) = resource_code(refs, id, resource, conditions, untypable.get(id), report);
        uses_c |= c;
        body.push_str(&code);
    }
    let listed: Vec<String> = kinds
        .iter()
        .map(|(k, n)| {
            if *n > 1 {
                format!("{k} x{n}")
            } else {
                k.clone()
            }
        })
        .collect();
    let c = if uses_c { ", c: &Conditions" } else { "" };
    (
        format!(
            "/// `{}`: {}.\nfn {}(stack: &mut Stack, h: &Handles{c}) -> Result<(), SynthError> {{\n{body}Ok(())\n}}\n\n",
            group.title,
            listed.join(", "),
            group.function
        ),
        uses_c,
    )
}

/// One resource's statements; whether they use the conditions.
fn resource_code(
    refs: &Refs<'_>,
    id: &str,
    resource: &Resource,
    conditions: &[(String, String)],
    untypable: Option<&String>,
    report: &mut ImportReport,
) -> (String, bool) {
    let Some(r) = refs.resource(id) else {
        return (String::new(), false);
    };
    let handle = format!("h.{}", r.ident);
    let mut out = String::new();
    let mut overrides = Vec::new();
    let typed = r.ty.map(|t| refs.typed_resource(t, &resource.properties));
    let value = match (typed, untypable.cloned()) {
        (Some(Ok(typed)), _) => {
            report.typed(&resource.resource_type);
            for (name, why) in typed.untyped {
                report.overrides.push(Fallback {
                    id: id.to_owned(),
                    what: name.clone(),
                    why: why.clone(),
                });
                overrides.push((name, why));
            }
            typed.code
        }
        (Some(Err(why)), _) | (None, Some(why)) => {
            let why = why.clone();
            report.raw.push(Fallback {
                id: id.to_owned(),
                what: resource.resource_type.clone(),
                why: why.clone(),
            });
            let _ = writeln!(out, "// Raw: {}.", why.replace('\n', " "));
            raw(refs, resource, "new")
        }
        (None, None) => {
            let custom = resource.resource_type.starts_with("Custom::")
                || resource.resource_type == "AWS::CloudFormation::CustomResource";
            let why = if custom {
                "a custom resource: its properties are whatever its provider reads".to_owned()
            } else {
                format!(
                    "{} is not in the vendored schemas (cfn-lint {}), so hagen has no typed L1 for it",
                    resource.resource_type,
                    hagen_codegen::bundle::PINNED_CFN_LINT
                )
            };
            report.raw.push(Fallback {
                id: id.to_owned(),
                what: resource.resource_type.clone(),
                why: why.clone(),
            });
            let _ = writeln!(out, "// Raw: {why}.");
            raw(refs, resource, if custom { "new" } else { "unlisted" })
        }
    };
    let (attributes, uses_c) = attributes(refs, resource, conditions);
    match attributes {
        Some(a) => {
            let _ = writeln!(out, "stack.add_with({handle}.logical_id(), {value}, {a})?;");
        }
        None => {
            let _ = writeln!(out, "stack.add({handle}.logical_id(), {value})?;");
        }
    }
    for (name, why) in overrides {
        let _ = writeln!(out, "// Untyped: {}.", why.replace('\n', " "));
        if let Some(v) = resource.properties.get(&name) {
            let _ = writeln!(
                out,
                "stack.add_property_override(&{handle}, {}, {})?;",
                rust_text::string(&name),
                refs.arg_expr(v)
            );
        }
    }
    (out, uses_c)
}

/// `RawResource::new("Type").property(...)...`.
fn raw(refs: &Refs<'_>, resource: &Resource, constructor: &str) -> String {
    let mut code = format!(
        "RawResource::{constructor}({})",
        rust_text::string(&resource.resource_type)
    );
    for (k, v) in &resource.properties {
        let _ = write!(
            code,
            ".property({}, {})",
            rust_text::string(k),
            refs.arg_expr(v)
        );
    }
    code
}

/// `Attributes::new()...` when the resource has any.
fn attributes(
    refs: &Refs<'_>,
    resource: &Resource,
    conditions: &[(String, String)],
) -> (Option<String>, bool) {
    let mut code = String::from("Attributes::new()");
    let mut any = false;
    let mut uses_c = false;
    if let Some(c) = &resource.condition {
        any = true;
        // `write` refuses a template with an undeclared condition.
        if let Some((_, ident)) = conditions.iter().find(|(name, _)| name == c) {
            uses_c = true;
            let _ = write!(code, ".condition(&c.{ident})");
        }
    }
    for d in &resource.depends_on {
        any = true;
        match refs.resource(d) {
            Some(r) => {
                let _ = write!(code, ".depends_on(&h.{})", r.ident);
            }
            None => {
                let _ = write!(code, ".depends_on_logical_id({})", rust_text::string(d));
            }
        }
    }
    for (label, policy) in [
        ("deletion_policy", resource.deletion_policy),
        ("update_replace_policy", resource.update_replace_policy),
    ] {
        if let Some(p) = policy {
            any = true;
            let _ = write!(code, ".{label}(RetentionPolicy::{})", p.as_str());
        }
    }
    if let Some(p) = &resource.creation_policy {
        any = true;
        let _ = write!(code, ".creation_policy({})", refs.expr(p));
    }
    if let Some(p) = &resource.update_policy {
        any = true;
        let _ = write!(code, ".update_policy({})", refs.expr(p));
    }
    for (k, v) in &resource.metadata {
        any = true;
        let _ = write!(
            code,
            ".metadata({}, {})",
            rust_text::string(k),
            refs.expr(v)
        );
    }
    (any.then_some(code), uses_c)
}

/// `fn outputs`.
fn outputs(refs: &Refs<'_>, template: &Template) -> String {
    let mut body = String::new();
    for (id, o) in &template.outputs {
        let description = match &o.description {
            Some(d) => format!("Some({}.into())", rust_text::string(d)),
            None => "None".into(),
        };
        let export = match &o.export_name {
            Some(e) => format!("Some({})", refs.expr(e)),
            None => "None".into(),
        };
        let condition = match &o.condition {
            Some(c) => format!("Some({}.into())", rust_text::string(c)),
            None => "None".into(),
        };
        let _ = writeln!(
            body,
            "stack.output({}, Output {{\ndescription: {description},\nvalue: {},\nexport_name: {export},\ncondition: {condition},\n}})?;",
            rust_text::string(id),
            refs.expr(&o.value)
        );
    }
    let h = if mentions(&body, "h") {
        ", h: &Handles"
    } else {
        ""
    };
    format!(
        "/// The template's outputs.\nfn outputs(stack: &mut Stack{h}) -> Result<(), SynthError> {{\n{body}Ok(())\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn literals_and_comments_are_not_uses() {
        let code = super::without_literals(
            "let a = \"List of Value\"; // Expr here\nlet b = r#\"Map \"x\"\"#; Tag::new(\"k\", \"v\")",
        );
        assert!(!mentions(&code, "List") && !mentions(&code, "Expr") && !mentions(&code, "Map"));
        assert!(mentions(&code, "Tag"), "{code}");
    }

    #[test]
    fn cdk_hashes_are_left_out_of_handle_names_only() {
        assert_eq!(super::without_hash("DatabaseB269D8BB"), "Database");
        assert_eq!(
            super::without_hash("DatabaseSubnetGroup7D60F180"),
            "DatabaseSubnetGroup"
        );
        assert_eq!(super::without_hash("PublicSubnet1"), "PublicSubnet1");
        assert_eq!(super::without_hash("ABCDEF12"), "ABCDEF12");
        assert_eq!(super::without_hash("WebDEADBEEF"), "WebDEADBEEF");
    }

    #[test]
    fn mentions_finds_whole_identifiers_only() {
        assert!(mentions("let x = Expr::Null;", "Expr"));
        assert!(!mentions("let x = MyExpr::Null;", "Expr"));
        assert!(!mentions("ec2::bucket::Value", "Value"));
        assert!(mentions("sub(\"x\")", "sub("));
        assert!(!mentions("sub_with(\"x\")", "sub("));
    }
}
