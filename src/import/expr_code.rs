//! Rust code that builds an untyped template value ([`Expr`]) or an
//! intrinsic function, through hagen's typed functions (`sub`, `join`,
//! `if_`, ...) and the resources' handles (`h.web_group.reference()`,
//! `h.bucket.arn()`).
//!
//! Owns free-form values (policy documents, metadata, mapping values,
//! outputs) and every intrinsic; typed property values are
//! `super::typed`'s, which calls in here for intrinsics.

use crate::template::{Expr, Intrinsic};

use super::refs::Refs;
use super::rust_text;

/// Above this many entries in one list or map, `json!` stops being
/// readable and strains the macro's recursion: such data is built with
/// `Expr` constructors instead.
const MAX_JSON_ENTRIES: usize = 48;

/// Whether a value holds no intrinsic anywhere (plain data, which reads
/// best as JSON).
pub(crate) fn is_data(e: &Expr) -> bool {
    match e {
        Expr::Fn(_) => false,
        Expr::List(items) => items.len() <= MAX_JSON_ENTRIES && items.iter().all(is_data),
        Expr::Map(m) => m.len() <= MAX_JSON_ENTRIES && m.values().all(is_data),
        _ => true,
    }
}

/// The `json!` body of plain data.
fn json_body(e: &Expr) -> String {
    match e {
        Expr::Null => "null".into(),
        Expr::Bool(b) => b.to_string(),
        Expr::Int(n) => n.to_string(),
        Expr::Float(x) => rust_text::float(*x),
        Expr::String(s) => rust_text::string(s),
        Expr::List(items) => {
            let items: Vec<String> = items.iter().map(json_body).collect();
            format!("[{}]", items.join(", "))
        }
        Expr::Map(m) => {
            let entries: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", rust_text::string(k), json_body(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        // Callers check `is_data` first.
        Expr::Fn(_) => "null".into(),
    }
}

/// Which type a `GetAtt` must have where it is used.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum AttrUse {
    /// Anywhere an `Expr` or `Intrinsic` goes: the typed accessor fits.
    Untyped,
    /// A typed `String` property: the accessor fits when the attribute is
    /// a string.
    StringValue,
    /// Another typed property: only the untyped `get_att` fits.
    OtherValue,
}

impl Refs<'_> {
    /// `json!(...)` of plain data (a `serde_json::Value`).
    pub fn json(&self, e: &Expr) -> String {
        self.use_name("json");
        format!("json!({})", json_body(e))
    }

    /// Code whose type is exactly `Expr`.
    pub fn expr(&self, e: &Expr) -> String {
        self.use_name("Expr");
        match e {
            Expr::Null => "Expr::Null".into(),
            Expr::Bool(b) => format!("Expr::Bool({b})"),
            Expr::Int(n) => format!("Expr::Int({n})"),
            Expr::Float(x) => format!("Expr::Float({})", rust_text::float(*x)),
            Expr::String(s) => format!("Expr::from({})", rust_text::string(s)),
            Expr::List(_) | Expr::Map(_) if is_data(e) => format!("Expr::from({})", self.json(e)),
            Expr::List(items) => {
                let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
                format!("Expr::List(vec![{}])", items.join(", "))
            }
            Expr::Map(m) => {
                let entries: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("({}, {})", rust_text::string(k), self.expr(v)))
                    .collect();
                format!("Expr::map_of([{}])", entries.join(", "))
            }
            Expr::Fn(f) => format!("Expr::from({})", self.intrinsic(f, AttrUse::Untyped)),
        }
    }

    /// Code of some type that converts `Into<Expr>`: the shortest
    /// spelling (`"text"`, `5`, `sub(...)`) where a function takes one.
    pub fn arg_expr(&self, e: &Expr) -> String {
        match e {
            Expr::String(s) => rust_text::string(s),
            Expr::Int(n) => rust_text::integer(*n),
            Expr::Bool(b) => b.to_string(),
            Expr::List(_) | Expr::Map(_) if is_data(e) => self.json(e),
            Expr::Fn(f) => self.intrinsic(f, AttrUse::Untyped),
            _ => self.expr(e),
        }
    }

    /// Code of an intrinsic function. Its type is `Intrinsic`, except a
    /// `GetAtt` that `used_as` lets be a typed accessor (`Attr<T>`, which
    /// converts into `Expr`, `Intrinsic` and `Value<T>`).
    pub fn intrinsic(&self, f: &Intrinsic, used_as: AttrUse) -> String {
        match f {
            Intrinsic::Ref(name) => match self.resource(name) {
                Some(r) => format!("h.{}.reference()", r.ident),
                None if name == "AWS::NoValue" => self.func("no_value", "no_value()".into()),
                None => self.func("ref_", format!("ref_({})", rust_text::string(name))),
            },
            Intrinsic::GetAtt {
                resource,
                attribute,
            } => self.get_att(resource, attribute, used_as),
            Intrinsic::Sub {
                template,
                variables,
            } if variables.is_empty() => {
                self.func("sub", format!("sub({})", rust_text::string(template)))
            }
            Intrinsic::Sub {
                template,
                variables,
            } => {
                let vars: Vec<String> = variables
                    .iter()
                    .map(|(k, v)| format!("({}, {})", rust_text::string(k), self.expr(v)))
                    .collect();
                self.func(
                    "sub_with",
                    format!(
                        "sub_with({}, [{}])",
                        rust_text::string(template),
                        vars.join(", ")
                    ),
                )
            }
            Intrinsic::Join { delimiter, values } => {
                let values = match values {
                    Expr::List(items) if !is_data(values) => {
                        let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
                        format!("vec![{}]", items.join(", "))
                    }
                    other => self.arg_expr(other),
                };
                self.func(
                    "join",
                    format!("join({}, {values})", rust_text::string(delimiter)),
                )
            }
            Intrinsic::Select { index, list } => self.func(
                "select",
                format!("select({}, {})", self.arg_expr(index), self.arg_expr(list)),
            ),
            Intrinsic::Split { delimiter, source } => self.func(
                "split",
                format!(
                    "split({}, {})",
                    rust_text::string(delimiter),
                    self.arg_expr(source)
                ),
            ),
            Intrinsic::GetAZs(region) => {
                self.func("get_azs", format!("get_azs({})", self.arg_expr(region)))
            }
            Intrinsic::Base64(value) => {
                self.func("base64", format!("base64({})", self.arg_expr(value)))
            }
            Intrinsic::Cidr { block, count, bits } => self.func(
                "cidr",
                format!(
                    "cidr({}, {}, {})",
                    self.arg_expr(block),
                    self.arg_expr(count),
                    self.arg_expr(bits)
                ),
            ),
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => self.func(
                "if_",
                format!(
                    "if_({}, {}, {})",
                    rust_text::string(condition),
                    self.arg_expr(then),
                    self.arg_expr(otherwise)
                ),
            ),
            Intrinsic::Equals(a, b) => self.func(
                "equals",
                format!("equals({}, {})", self.arg_expr(a), self.arg_expr(b)),
            ),
            Intrinsic::And(items) => self.condition_list("and", "And", items),
            Intrinsic::Or(items) => self.condition_list("or", "Or", items),
            Intrinsic::Not(inner) => match inner {
                Expr::Fn(g) if !matches!(**g, Intrinsic::GetAtt { .. }) => self.func(
                    "not",
                    format!("not({})", self.intrinsic(g, AttrUse::Untyped)),
                ),
                other => {
                    self.use_name("Intrinsic");
                    format!("Intrinsic::Not({})", self.expr(other))
                }
            },
            Intrinsic::Condition(name) => self.func(
                "condition",
                format!("condition({})", rust_text::string(name)),
            ),
            Intrinsic::FindInMap {
                map,
                top_key,
                second_key,
            } => self.func(
                "find_in_map",
                format!(
                    "find_in_map({}, {}, {})",
                    self.arg_expr(map),
                    self.arg_expr(top_key),
                    self.arg_expr(second_key)
                ),
            ),
            Intrinsic::ImportValue(name) => self.func(
                "import_value",
                format!("import_value({})", self.arg_expr(name)),
            ),
        }
    }

    fn func(&self, name: &'static str, code: String) -> String {
        self.use_name(name);
        code
    }

    /// `and([..])`/`or([..])` when every item is a condition function;
    /// the enum itself otherwise.
    fn condition_list(&self, func: &'static str, variant: &str, items: &[Expr]) -> String {
        let all_fns = items
            .iter()
            .all(|i| matches!(i, Expr::Fn(g) if !matches!(**g, Intrinsic::GetAtt { .. })));
        if all_fns {
            let items: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Expr::Fn(g) => Some(self.intrinsic(g, AttrUse::Untyped)),
                    _ => None,
                })
                .collect();
            return self.func(func, format!("{func}([{}])", items.join(", ")));
        }
        self.use_name("Intrinsic");
        let items: Vec<String> = items.iter().map(|i| self.expr(i)).collect();
        format!("Intrinsic::{variant}(vec![{}])", items.join(", "))
    }

    /// A `GetAtt`: the handle's typed accessor where its type fits, the
    /// handle's `get_att` otherwise.
    fn get_att(&self, resource: &str, attribute: &str, used_as: AttrUse) -> String {
        let Some(r) = self.resource(resource) else {
            self.use_name("Intrinsic");
            return format!(
                "Intrinsic::GetAtt {{ resource: {}.into(), attribute: {}.into() }}",
                rust_text::string(resource),
                rust_text::string(attribute)
            );
        };
        let typed = r.ty.and_then(|t| {
            t.ty.attributes
                .iter()
                .find(|a| a.name == attribute)
                .filter(|a| match used_as {
                    AttrUse::Untyped => true,
                    AttrUse::StringValue => a.ty == hagen_codegen::model::Ty::String,
                    AttrUse::OtherValue => false,
                })
                .map(|a| a.ident.clone())
        });
        match typed {
            Some(ident) => format!("h.{}.{ident}()", r.ident),
            None => format!("h.{}.get_att({})", r.ident, rust_text::string(attribute)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::fns::{if_, no_value, ref_, sub};

    #[test]
    fn plain_data_reads_as_json_and_functions_as_hagen_functions() {
        let refs = Refs::new();
        let doc = Expr::from(serde_json::json!({"Version": "2012-10-17", "Statement": []}));
        assert_eq!(
            refs.arg_expr(&doc),
            "json!({\"Version\": \"2012-10-17\", \"Statement\": []})"
        );
        let f = if_("IsProd", sub("${AWS::StackName}-x"), no_value());
        assert_eq!(
            refs.intrinsic(&f, AttrUse::Untyped),
            "if_(\"IsProd\", sub(\"${AWS::StackName}-x\"), no_value())"
        );
        assert_eq!(
            refs.expr(&Expr::map_of([("A", Expr::func(ref_("P")))])),
            "Expr::map_of([(\"A\", Expr::from(ref_(\"P\")))])"
        );
        assert!(refs.uses("json") && refs.uses("if_") && refs.uses("ref_"));
    }
}
