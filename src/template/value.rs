//! Typed values for typed resource fields: a literal of the field's type, or
//! any intrinsic function.
//!
//! This is what lets a numeric or list property hold a `Ref` (the trap that
//! typed IaC libraries such as goformation fell into). It owns conversion to
//! [`Expr`]; it does not know which resource a field belongs to.

use std::marker::PhantomData;

use indexmap::IndexMap;

use super::expr::{Expr, Intrinsic};

/// A typed field value: either a literal `T` or an intrinsic function whose
/// result CloudFormation will substitute at deploy time.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<T> {
    /// A literal known at synth time.
    Lit(T),
    /// A value computed by CloudFormation (`Ref`, `Fn::GetAtt`, `Fn::Sub`, ...).
    Fn(Box<Intrinsic>),
}

/// A list field whose items may each be a literal or an intrinsic.
pub type List<T> = Vec<Value<T>>;

/// A map field (string keys) whose values may each be a literal or an
/// intrinsic: string-to-string tag maps, environment variables.
pub type Map<T> = IndexMap<String, Value<T>>;

/// Conversion of a typed value into the untyped template tree.
///
/// Implemented for every literal type a typed field can hold, for nested
/// property structs, and for [`Value`] itself.
pub trait ToExpr {
    /// The value as it will stand in the template.
    fn to_expr(&self) -> Expr;
}

impl<T: ToExpr> ToExpr for Value<T> {
    fn to_expr(&self) -> Expr {
        match self {
            Value::Lit(v) => v.to_expr(),
            Value::Fn(f) => Expr::Fn(f.clone()),
        }
    }
}

impl<T> Value<T> {
    /// The literal, when this value is known at synth time. Constructs use it
    /// to check props (a port in range, min <= max) before CloudFormation does.
    pub fn literal(&self) -> Option<&T> {
        match self {
            Value::Lit(v) => Some(v),
            Value::Fn(_) => None,
        }
    }
}

impl<T> From<Intrinsic> for Value<T> {
    fn from(f: Intrinsic) -> Self {
        Value::Fn(Box::new(f))
    }
}

impl<T> From<&Intrinsic> for Value<T> {
    fn from(f: &Intrinsic) -> Self {
        Value::Fn(Box::new(f.clone()))
    }
}

impl From<&str> for Value<String> {
    fn from(s: &str) -> Self {
        Value::Lit(s.to_owned())
    }
}

impl From<String> for Value<String> {
    fn from(s: String) -> Self {
        Value::Lit(s)
    }
}

impl From<&String> for Value<String> {
    fn from(s: &String) -> Self {
        Value::Lit(s.clone())
    }
}

impl From<bool> for Value<bool> {
    fn from(b: bool) -> Self {
        Value::Lit(b)
    }
}

impl From<Expr> for Value<Expr> {
    fn from(e: Expr) -> Self {
        Value::Lit(e)
    }
}

macro_rules! int_into_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<i64> {
            fn from(n: $t) -> Self {
                Value::Lit(i64::from(n))
            }
        }
    )*};
}
int_into_value!(i64, i32, u32, u16, u8);

impl From<f64> for Value<f64> {
    fn from(n: f64) -> Self {
        Value::Lit(n)
    }
}

macro_rules! int_into_float_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<f64> {
            fn from(n: $t) -> Self {
                Value::Lit(f64::from(n))
            }
        }
    )*};
}
int_into_float_value!(i32, u32, u16, u8);

impl From<serde_json::Value> for Value<Expr> {
    fn from(json: serde_json::Value) -> Self {
        Value::Lit(Expr::from(json))
    }
}

impl<T, X: Into<Value<T>>> From<Vec<X>> for Value<List<T>> {
    fn from(items: Vec<X>) -> Self {
        Value::Lit(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Clone, X: Into<Value<T>> + Clone, const N: usize> From<[X; N]> for Value<List<T>> {
    fn from(items: [X; N]) -> Self {
        Value::Lit(items.into_iter().map(Into::into).collect())
    }
}

impl<T> From<Map<T>> for Value<Map<T>> {
    fn from(map: Map<T>) -> Self {
        Value::Lit(map)
    }
}

/// A map field from `[("key", value), ...]`, each value a literal or an
/// intrinsic of the field's item type.
impl<T, X: Into<Value<T>>, const N: usize> From<[(&str, X); N]> for Value<Map<T>> {
    fn from(entries: [(&str, X); N]) -> Self {
        Value::Lit(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.into()))
                .collect(),
        )
    }
}

impl ToExpr for String {
    fn to_expr(&self) -> Expr {
        Expr::String(self.clone())
    }
}

impl ToExpr for bool {
    fn to_expr(&self) -> Expr {
        Expr::Bool(*self)
    }
}

impl ToExpr for i64 {
    fn to_expr(&self) -> Expr {
        Expr::Int(*self)
    }
}

impl ToExpr for f64 {
    fn to_expr(&self) -> Expr {
        Expr::Float(*self)
    }
}

impl ToExpr for Expr {
    fn to_expr(&self) -> Expr {
        self.clone()
    }
}

impl<T: ToExpr> ToExpr for Box<T> {
    fn to_expr(&self) -> Expr {
        (**self).to_expr()
    }
}

impl ToExpr for Intrinsic {
    fn to_expr(&self) -> Expr {
        Expr::func(self.clone())
    }
}

impl<T: ToExpr> ToExpr for Vec<T> {
    fn to_expr(&self) -> Expr {
        Expr::List(self.iter().map(ToExpr::to_expr).collect())
    }
}

impl<T: ToExpr> ToExpr for IndexMap<String, T> {
    fn to_expr(&self) -> Expr {
        Expr::Map(self.iter().map(|(k, v)| (k.clone(), v.to_expr())).collect())
    }
}

/// A typed `Fn::GetAtt`: the attribute of a resource, with the type
/// CloudFormation returns for it.
///
/// Obtained from a resource's handle (`handle.subnet_id()`), never built
/// from strings. It converts into a `Value<T>` of its own type only, so an
/// integer attribute cannot silently become a string property; where
/// CloudFormation's conversion is wanted, say so with [`Attr::as_string`].
pub struct Attr<T> {
    intrinsic: Intrinsic,
    _type: PhantomData<fn() -> T>,
}

impl<T> Attr<T> {
    /// `Fn::GetAtt [logical_id, attribute]`, typed. Generated attribute
    /// accessors call this; blueprints use the accessors.
    pub fn get_att(logical_id: &str, attribute: &str) -> Self {
        Attr {
            intrinsic: Intrinsic::GetAtt {
                resource: logical_id.to_owned(),
                attribute: attribute.to_owned(),
            },
            _type: PhantomData,
        }
    }

    /// The untyped intrinsic, for places that take any value (`Fn::Sub`
    /// variables, outputs).
    pub fn intrinsic(&self) -> Intrinsic {
        self.intrinsic.clone()
    }

    /// The same attribute where a string is expected: CloudFormation writes
    /// numbers and booleans as their text. The explicit call is the point:
    /// a number reaches a string property only when someone says so.
    pub fn as_string(self) -> Attr<String> {
        Attr {
            intrinsic: self.intrinsic,
            _type: PhantomData,
        }
    }
}

impl<T> Clone for Attr<T> {
    fn clone(&self) -> Self {
        Attr {
            intrinsic: self.intrinsic.clone(),
            _type: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Attr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Attr").field(&self.intrinsic).finish()
    }
}

impl<T> PartialEq for Attr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.intrinsic == other.intrinsic
    }
}

impl<T> From<Attr<T>> for Value<T> {
    fn from(a: Attr<T>) -> Self {
        Value::Fn(Box::new(a.intrinsic))
    }
}

impl<T> From<&Attr<T>> for Value<T> {
    fn from(a: &Attr<T>) -> Self {
        Value::Fn(Box::new(a.intrinsic.clone()))
    }
}

impl<T> From<Attr<T>> for Intrinsic {
    fn from(a: Attr<T>) -> Self {
        a.intrinsic
    }
}

impl<T> From<&Attr<T>> for Intrinsic {
    fn from(a: &Attr<T>) -> Self {
        a.intrinsic.clone()
    }
}

impl<T> From<Attr<T>> for Expr {
    fn from(a: Attr<T>) -> Self {
        Expr::func(a.intrinsic)
    }
}

impl<T> From<&Attr<T>> for Expr {
    fn from(a: &Attr<T>) -> Self {
        Expr::func(a.intrinsic.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integer_field_can_hold_a_ref() {
        let v: Value<i64> = Intrinsic::Ref("MinSize".into()).into();
        assert_eq!(v.to_expr(), Expr::func(Intrinsic::Ref("MinSize".into())));
        assert_eq!(v.literal(), None);
    }

    #[test]
    fn a_list_field_holds_literals_and_intrinsics_side_by_side() {
        let v: Value<List<String>> =
            vec![Value::from("a"), Intrinsic::Ref("B".into()).into()].into();
        assert_eq!(
            v.to_expr(),
            Expr::List(vec![
                Expr::string("a"),
                Expr::func(Intrinsic::Ref("B".into()))
            ])
        );
    }

    #[test]
    fn a_list_field_can_be_a_single_intrinsic() {
        let v: Value<List<String>> = Intrinsic::Ref("Subnets".into()).into();
        assert!(matches!(v, Value::Fn(_)));
    }

    #[test]
    fn a_typed_attribute_is_a_get_att_that_converts_only_to_its_own_type() {
        let port: Attr<i64> = Attr::get_att("Db", "Endpoint.Port");
        let as_number: Value<i64> = port.clone().into();
        assert_eq!(
            as_number.to_expr(),
            Expr::func(Intrinsic::GetAtt {
                resource: "Db".into(),
                attribute: "Endpoint.Port".into()
            })
        );
        let as_text: Value<String> = port.as_string().into();
        assert_eq!(as_text.to_expr(), as_number.to_expr());
    }
}
