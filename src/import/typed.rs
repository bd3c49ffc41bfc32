//! Rust code for typed property values: a CloudFormation value read
//! against the generated L1 type of its property (`Vpc::new()
//! .cidr_block("10.0.0.0/16")`, `Status::Enabled`, a nested struct's
//! `new` with its required properties).
//!
//! Owns the decision whether a value fits its typed field; a value that
//! does not (a property the schema does not list, a string where an enum
//! expects another spelling) is reported with the reason, and the caller
//! keeps it untyped.

use hagen_codegen::model::{Field, StructDef, Ty};

use crate::template::Expr;

use super::catalog::TypeRef;
use super::expr_code::{AttrUse, is_data};
use super::refs::Refs;
use super::rust_text;

/// A resource's typed code and the properties that did not fit.
pub(crate) struct TypedResource {
    /// `ec2::Vpc::new().cidr_block(...)...`.
    pub code: String,
    /// Top-level properties left out of `code`, with why: the caller sets
    /// them as property overrides.
    pub untyped: Vec<(String, String)>,
}

impl Refs<'_> {
    /// The resource as typed code, or why it cannot be typed at all (a
    /// required property that does not fit).
    pub fn typed_resource(
        &self,
        t: TypeRef<'_>,
        properties: &crate::template::IndexMap<String, Expr>,
    ) -> Result<TypedResource, String> {
        self.use_service(&t.service.module);
        let root = &t.ty.structs[0];
        let mut untyped = Vec::new();
        let mut fitting = crate::template::IndexMap::new();
        for (name, value) in properties {
            match root.fields.iter().find(|f| f.cfn == *name) {
                None => untyped.push((name.clone(), left_out(&t.ty.type_name, name))),
                Some(field) => match self.value(t, &field.ty, value) {
                    Ok(_) => {
                        fitting.insert(name.clone(), value.clone());
                    }
                    Err(why) if field.required => return Err(why),
                    Err(why) => untyped.push((name.clone(), why)),
                },
            }
        }
        let code = self.struct_code(t, root, &t.resource_path(), &fitting)?;
        Ok(TypedResource { code, untyped })
    }

    /// Code that converts `Into<Value<T>>` for a field of type `ty`.
    pub fn value(&self, t: TypeRef<'_>, ty: &Ty, e: &Expr) -> Result<String, String> {
        if let Expr::Fn(f) = e {
            let used_as = if *ty == Ty::String {
                AttrUse::StringValue
            } else {
                AttrUse::OtherValue
            };
            return Ok(self.intrinsic(f, used_as));
        }
        let mismatch = || {
            Err(format!(
                "{} does not fit the typed field ({})",
                short(e),
                self.rust_type(t, ty)
            ))
        };
        match (ty, e) {
            (Ty::String, Expr::String(s)) => Ok(rust_text::string(s)),
            (Ty::String, Expr::Int(n)) => Ok(rust_text::string(&n.to_string())),
            (Ty::String, Expr::Bool(b)) => Ok(rust_text::string(&b.to_string())),
            (Ty::Integer, Expr::Int(n)) => Ok(rust_text::integer(*n)),
            (Ty::Integer, Expr::String(s)) => match s.trim().parse::<i64>() {
                Ok(n) if n.to_string() == *s => Ok(rust_text::integer(n)),
                _ => mismatch(),
            },
            // `3000.0` where an integer goes: the same number.
            #[allow(clippy::cast_possible_truncation)]
            (Ty::Integer, Expr::Float(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                Ok(rust_text::integer(*x as i64))
            }
            (Ty::Number, Expr::Float(x)) => Ok(rust_text::float(*x)),
            #[allow(clippy::cast_precision_loss)]
            (Ty::Number, Expr::Int(n)) if n.unsigned_abs() < (1 << 52) => {
                Ok(rust_text::float(*n as f64))
            }
            (Ty::Boolean, Expr::Bool(b)) => Ok(b.to_string()),
            // CloudFormation reads "true" and "false" as booleans.
            (Ty::Boolean, Expr::String(s)) if s == "true" || s == "false" => Ok(s.clone()),
            (Ty::Number, Expr::String(s)) => match s.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && s.trim() == s => Ok(rust_text::float(x)),
                _ => mismatch(),
            },
            (Ty::Json, _) if is_data(e) => Ok(self.json(e)),
            (Ty::Json, _) => Ok(self.expr(e)),
            (Ty::Tag, Expr::Map(m)) if m.len() == 2 => {
                let (Some(k), Some(v)) = (m.get("Key"), m.get("Value")) else {
                    return mismatch();
                };
                self.use_name("Tag");
                Ok(format!(
                    "Tag::new({}, {})",
                    self.value(t, &Ty::String, k)?,
                    self.value(t, &Ty::String, v)?
                ))
            }
            (Ty::Enum(i), Expr::String(s)) => {
                let def = &t.ty.enums[*i];
                match def.variants.iter().find(|(_, value)| value == s) {
                    Some((variant, _)) => Ok(format!("{}::{variant}", t.item_path(&def.name))),
                    None => Err(format!(
                        "{s:?} is not one of the values the schema lists for {}",
                        def.name
                    )),
                }
            }
            (Ty::Struct(i), Expr::Map(m)) => {
                let def = &t.ty.structs[*i];
                self.struct_code(t, def, &t.item_path(&def.name), m)
            }
            (Ty::List(inner), Expr::List(items)) => self.list(t, inner, items),
            (Ty::Map(inner), Expr::Map(m)) => self.map(t, inner, m),
            _ => mismatch(),
        }
    }

    /// `Path::new(required...)` then a setter per other property.
    fn struct_code(
        &self,
        t: TypeRef<'_>,
        def: &StructDef,
        path: &str,
        values: &crate::template::IndexMap<String, Expr>,
    ) -> Result<String, String> {
        for key in values.keys() {
            if !def.fields.iter().any(|f| f.cfn == *key) {
                return Err(format!(
                    "`{key}` is not a property of {} in the vendored schema",
                    def.name
                ));
            }
        }
        let mut required: Vec<&Field> = def.fields.iter().filter(|f| f.required).collect();
        required.sort_by_key(|f| f.schema_pos);
        let mut args = Vec::new();
        for f in &required {
            let Some(v) = values.get(&f.cfn) else {
                return Err(format!(
                    "{} requires `{}`, which the template leaves out",
                    def.name, f.cfn
                ));
            };
            args.push(self.value(t, &f.ty, v)?);
        }
        let mut code = format!("{path}::new({})", args.join(", "));
        for (key, v) in values {
            let Some(f) = def.fields.iter().find(|f| f.cfn == *key) else {
                continue;
            };
            if f.required {
                continue;
            }
            code.push_str(&format!(".{}({})", f.ident, self.value(t, &f.ty, v)?));
        }
        Ok(code)
    }

    fn list(&self, t: TypeRef<'_>, inner: &Ty, items: &[Expr]) -> Result<String, String> {
        self.use_name("Value");
        if items.is_empty() {
            return Ok(format!("Vec::<Value<{}>>::new()", self.rust_type(t, inner)));
        }
        let codes = items
            .iter()
            .map(|i| self.value(t, inner, i))
            .collect::<Result<Vec<_>, _>>()?;
        if self.uniform(inner, items) {
            return Ok(format!("vec![{}]", codes.join(", ")));
        }
        let ty = self.rust_type(t, inner);
        let codes: Vec<String> = codes
            .into_iter()
            .map(|c| format!("Value::<{ty}>::from({c})"))
            .collect();
        Ok(format!("vec![{}]", codes.join(", ")))
    }

    fn map(
        &self,
        t: TypeRef<'_>,
        inner: &Ty,
        m: &crate::template::IndexMap<String, Expr>,
    ) -> Result<String, String> {
        if m.is_empty() {
            self.use_name("Map");
            return Ok(format!("Map::<{}>::new()", self.rust_type(t, inner)));
        }
        let items: Vec<Expr> = m.values().cloned().collect();
        let uniform = self.uniform(inner, &items);
        let ty = self.rust_type(t, inner);
        let mut entries = Vec::new();
        for (k, v) in m {
            let code = self.value(t, inner, v)?;
            let code = if uniform {
                code
            } else {
                self.use_name("Value");
                format!("Value::<{ty}>::from({code})")
            };
            entries.push(format!("({}, {code})", rust_text::string(k)));
        }
        Ok(format!("[{}]", entries.join(", ")))
    }

    /// Whether the items' code all has one Rust type, so that a plain
    /// `vec![...]` converts: no intrinsic among literals, no free-form
    /// values, integers all in one literal type.
    fn uniform(&self, inner: &Ty, items: &[Expr]) -> bool {
        let all_fns = items.iter().all(|i| matches!(i, Expr::Fn(_)));
        let any_fn = items.iter().any(|i| matches!(i, Expr::Fn(_)));
        if all_fns {
            // All `Intrinsic`s unless a `GetAtt` became a typed accessor
            // (`Attr<T>`, another type).
            return !items.iter().any(
                |i| matches!(i, Expr::Fn(f) if matches!(**f, crate::template::Intrinsic::GetAtt { .. })),
            );
        }
        if any_fn {
            return false;
        }
        match inner {
            Ty::Json | Ty::List(_) | Ty::Map(_) => false,
            Ty::Integer => {
                let small = |i: &Expr| match i {
                    Expr::Int(n) => i32::try_from(*n).is_ok(),
                    Expr::String(s) => s.parse::<i32>().is_ok(),
                    _ => true,
                };
                items.iter().all(small) || !items.iter().any(small)
            }
            _ => true,
        }
    }

    /// The Rust type of a field, as generated code names it.
    pub fn rust_type(&self, t: TypeRef<'_>, ty: &Ty) -> String {
        match ty {
            Ty::String => "String".into(),
            Ty::Integer => "i64".into(),
            Ty::Number => "f64".into(),
            Ty::Boolean => "bool".into(),
            Ty::Json => {
                self.use_name("Expr");
                "Expr".into()
            }
            Ty::Tag => {
                self.use_name("Tag");
                "Tag".into()
            }
            Ty::Enum(i) => t.item_path(&t.ty.enums[*i].name),
            Ty::Struct(i) => t.item_path(&t.ty.structs[*i].name),
            Ty::List(inner) => {
                self.use_name("List");
                format!("List<{}>", self.rust_type(t, inner))
            }
            Ty::Map(inner) => {
                self.use_name("Map");
                format!("Map<{}>", self.rust_type(t, inner))
            }
        }
    }
}

/// Why a top-level property is not on the typed resource: a deliberate
/// omission of hagen's L1 (with its reason), or a property the vendored
/// schema does not list.
fn left_out(type_name: &str, property: &str) -> String {
    let omitted = hagen_codegen::overrides::OVERRIDES
        .iter()
        .find_map(|o| match o {
            hagen_codegen::overrides::Override::Omit {
                type_name: t,
                property: p,
                reason,
            } if *t == type_name && *p == property => Some(*reason),
            _ => None,
        });
    match omitted {
        Some(reason) => {
            format!("hagen's typed {type_name} leaves `{property}` out on purpose: {reason}")
        }
        None => format!("`{property}` is not a property of {type_name} in the vendored schema"),
    }
}

/// A value shortened for a message.
fn short(e: &Expr) -> String {
    let text = crate::template::json::to_json_value(e).to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}
