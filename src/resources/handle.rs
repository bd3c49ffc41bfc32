//! [`Handle`]: the typed reference to a resource that `Stack::add` returns,
//! and the trait of the attribute sets it dereferences to.

use std::fmt;
use std::ops::Deref;

use super::CfnResource;
use crate::template::Intrinsic;

/// The attribute set of a resource type: generated per type, with one typed
/// `Fn::GetAtt` accessor per attribute CloudFormation documents.
pub trait ResourceAttributes: Clone + fmt::Debug + PartialEq {
    /// The attributes of the resource with this logical ID.
    fn for_logical_id(logical_id: String) -> Self;
}

/// A typed reference to a resource in a stack.
///
/// Returned when a resource is added; it is how a blueprint refers to that
/// resource. It dereferences to the type's attributes, so
/// `handle.subnet_id()` is a typed `!GetAtt Subnet.SubnetId`, and a
/// `GetAtt` of an attribute the type does not have does not compile:
///
/// ```compile_fail
/// use hagen::resources::sns::Topic;
/// use hagen::resources::Handle;
/// let topic: Handle<Topic> = Handle::new("Alerts");
/// let _ = topic.endpoint_address(); // a topic has no such attribute
/// ```
///
/// Attributes work from any crate, and the stack gives the typed resource
/// back for changes after it was added (`Stack::get_mut`).
pub struct Handle<R: CfnResource> {
    logical_id: String,
    attributes: R::Attributes,
}

impl<R: CfnResource> Handle<R> {
    /// A handle to the resource with this logical ID. Normally obtained from
    /// `Stack::add`; building one by hand is unchecked (nothing says the
    /// stack holds such a resource, or of this type), so blueprints should
    /// keep the handles constructs return instead.
    pub fn new(logical_id: impl Into<String>) -> Self {
        let logical_id = logical_id.into();
        Handle {
            attributes: R::Attributes::for_logical_id(logical_id.clone()),
            logical_id,
        }
    }

    /// The resource's logical ID.
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }

    /// `Ref` to the resource: its primary identifier (an ID, a name or an
    /// ARN, depending on the type; each type's docs say which).
    pub fn reference(&self) -> Intrinsic {
        Intrinsic::Ref(self.logical_id.clone())
    }

    /// `Fn::GetAtt` of an attribute by name, untyped. Prefer the typed
    /// accessors the handle dereferences to; this is for attributes the
    /// vendored schemas do not list yet.
    pub fn get_att(&self, attribute: &str) -> Intrinsic {
        Intrinsic::GetAtt {
            resource: self.logical_id.clone(),
            attribute: attribute.to_owned(),
        }
    }
}

impl<R: CfnResource> Deref for Handle<R> {
    type Target = R::Attributes;

    fn deref(&self) -> &R::Attributes {
        &self.attributes
    }
}

impl<R: CfnResource> Clone for Handle<R> {
    fn clone(&self) -> Self {
        Handle {
            logical_id: self.logical_id.clone(),
            attributes: self.attributes.clone(),
        }
    }
}

impl<R: CfnResource> PartialEq for Handle<R> {
    fn eq(&self, other: &Self) -> bool {
        self.logical_id == other.logical_id
    }
}

impl<R: CfnResource> fmt::Debug for Handle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Handle").field(&self.logical_id).finish()
    }
}
