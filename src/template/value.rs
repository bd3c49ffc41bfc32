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

/// A typed reference to a resource in a stack.
///
/// Returned when a resource is added; it is the only way to `Ref` or
/// `GetAtt` that resource, and each resource type implements attribute
/// methods only for the attributes CloudFormation documents for it, so a
/// `GetAtt` of an attribute the type does not have does not compile:
///
/// ```compile_fail
/// use hagen::resources::sns::Topic;
/// use hagen::template::Handle;
/// let topic: Handle<Topic> = Handle::new("Alerts");
/// let _ = topic.endpoint_address(); // a topic has no such attribute
/// ```
#[derive(Debug)]
pub struct Handle<R> {
    logical_id: String,
    _type: PhantomData<fn() -> R>,
}

impl<R> Clone for Handle<R> {
    fn clone(&self) -> Self {
        Handle {
            logical_id: self.logical_id.clone(),
            _type: PhantomData,
        }
    }
}

impl<R> PartialEq for Handle<R> {
    fn eq(&self, other: &Self) -> bool {
        self.logical_id == other.logical_id
    }
}

impl<R> Handle<R> {
    /// A handle to the resource with this logical ID. Normally obtained from
    /// `Stack::add`; building one by hand is for references into resources
    /// defined elsewhere in the same template.
    pub fn new(logical_id: impl Into<String>) -> Self {
        Handle {
            logical_id: logical_id.into(),
            _type: PhantomData,
        }
    }

    /// The resource's logical ID.
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }

    /// `Ref` to the resource: its primary identifier (an ID, a name or an
    /// ARN, depending on the type).
    pub fn reference(&self) -> Intrinsic {
        Intrinsic::Ref(self.logical_id.clone())
    }

    /// `Fn::GetAtt` of a named attribute. Used by the attribute methods that
    /// each resource type generates; prefer those, which are checked at
    /// compile time.
    pub fn get_att(&self, attribute: &str) -> Intrinsic {
        Intrinsic::GetAtt {
            resource: self.logical_id.clone(),
            attribute: attribute.to_owned(),
        }
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
    fn handles_build_ref_and_getatt() {
        let h: Handle<()> = Handle::new("Db");
        assert_eq!(h.reference(), Intrinsic::Ref("Db".into()));
        assert_eq!(
            h.get_att("Endpoint.Address"),
            Intrinsic::GetAtt {
                resource: "Db".into(),
                attribute: "Endpoint.Address".into()
            }
        );
    }
}
