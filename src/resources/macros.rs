//! The two macros that declare typed L1 types: `cfn_resource!` for resource
//! types and `cfn_struct!` for their nested property types.
//!
//! Each field is `Option<Value<T>>`, so it holds a literal or any intrinsic;
//! each gets a builder setter; properties serialise in declaration order.
//! Resource attributes become methods on `Handle<Type>`, which is what makes
//! a `GetAtt` of a missing attribute a compile error.

/// Declares a nested property type (a map inside a resource's properties).
#[macro_export]
#[doc(hidden)]
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
                let mut map = ::indexmap::IndexMap::new();
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

/// Declares a resource type: its properties, its `GetAtt` attributes and how
/// stack-wide tags reach it (`standard` for a `Tags` list of Key/Value,
/// `none` for types without tags, `custom` for types that implement
/// `apply_custom_tags` themselves).
#[macro_export]
#[doc(hidden)]
macro_rules! cfn_resource {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $cfn_type:literal, tags: $tags:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $cfn:literal => $ty:ty
            ),* $(,)?
        }
        attributes {
            $(
                $(#[$ameta:meta])*
                $attr:ident : $attr_cfn:literal
            ),* $(,)?
        }
    ) => {
        $crate::cfn_struct! {
            $(#[$meta])*
            pub struct $name {
                $(
                    $(#[$fmeta])*
                    $field : $cfn => $ty
                ),*
            }
        }

        impl $crate::resources::CfnResource for $name {
            const TYPE: &'static str = $cfn_type;

            fn properties(&self) -> ::indexmap::IndexMap<String, $crate::template::Expr> {
                match $crate::template::ToExpr::to_expr(self) {
                    $crate::template::Expr::Map(map) => map,
                    _ => ::indexmap::IndexMap::new(),
                }
            }

            $crate::cfn_resource!(@tags $tags);
        }

        impl $crate::template::Handle<$name> {
            $(
                $(#[$ameta])*
                pub fn $attr(&self) -> $crate::template::Intrinsic {
                    self.get_att($attr_cfn)
                }
            )*
        }
    };
    (@tags none) => {};
    (@tags standard) => {
        fn apply_tags(&mut self, tags: &[$crate::resources::Tag]) {
            $crate::resources::merge_standard_tags(&mut self.tags, tags);
        }
    };
    (@tags custom) => {
        fn apply_tags(&mut self, tags: &[$crate::resources::Tag]) {
            self.apply_custom_tags(tags);
        }
    };
}
