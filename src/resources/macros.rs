//! `cfn_struct!`: declares the few hand-written value shapes that are not in
//! any resource schema (an Auto Scaling group's `UpdatePolicy` and
//! `CreationPolicy` resource attributes). Each field is `Option<Value<T>>`
//! with a builder setter; fields serialise in declaration order. Resource
//! property types are generated, never declared with this.

macro_rules! cfn_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $cfn:literal => $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: Option<$crate::template::Value<$ty>>,
            )*
        }

        impl $name {
            /// An empty value; set fields with the builder methods.
            pub fn new() -> Self {
                Self::default()
            }

            $(
                $(#[$fmeta])*
                #[must_use]
                pub fn $field(mut self, value: impl Into<$crate::template::Value<$ty>>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }

        impl From<$name> for $crate::template::Value<$name> {
            fn from(value: $name) -> Self {
                $crate::template::Value::Lit(value)
            }
        }

        impl $crate::template::ToExpr for $name {
            fn to_expr(&self) -> $crate::template::Expr {
                let mut map = $crate::template::IndexMap::new();
                $(
                    if let Some(v) = &self.$field {
                        map.insert($cfn.to_owned(), $crate::template::ToExpr::to_expr(v));
                    }
                )*
                $crate::template::Expr::Map(map)
            }
        }
    };
}
