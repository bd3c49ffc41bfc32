//! What generated code can refer to: a handle per resource, and the
//! imports the code written so far needs.
//!
//! Owns the mapping from logical IDs to the `Handles` fields the generated
//! blueprint declares, and the record of which names it uses, so that the
//! generated `use` lines are exactly the needed ones.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use super::catalog::TypeRef;

/// A resource the generated code refers to through `h.<ident>`.
pub(crate) struct ResourceRef<'a> {
    /// The field of the generated `Handles` struct.
    pub ident: String,
    /// Its typed L1 type, `None` for a resource kept raw.
    pub ty: Option<TypeRef<'a>>,
}

/// Every resource by logical ID, and the names used so far.
pub(crate) struct Refs<'a> {
    resources: HashMap<String, ResourceRef<'a>>,
    uses: RefCell<BTreeSet<&'static str>>,
    services: RefCell<BTreeSet<String>>,
}

impl<'a> Refs<'a> {
    /// An empty table.
    pub fn new() -> Self {
        Refs {
            resources: HashMap::new(),
            uses: RefCell::new(BTreeSet::new()),
            services: RefCell::new(BTreeSet::new()),
        }
    }

    /// Declares a resource.
    pub fn insert(&mut self, id: &str, resource: ResourceRef<'a>) {
        self.resources.insert(id.to_owned(), resource);
    }

    /// The resource with logical ID `id`.
    pub fn resource(&self, id: &str) -> Option<&ResourceRef<'a>> {
        self.resources.get(id)
    }

    /// Records that the code uses `name` (an item the generated file
    /// imports: `Expr`, `sub`, `json`, ...).
    pub fn use_name(&self, name: &'static str) {
        self.uses.borrow_mut().insert(name);
    }

    /// Records that the code uses a service module (`ec2`).
    pub fn use_service(&self, module: &str) {
        self.services.borrow_mut().insert(module.to_owned());
    }

    /// Whether `name` was used.
    pub fn uses(&self, name: &str) -> bool {
        self.uses.borrow().contains(name)
    }

    /// The service modules used, sorted.
    pub fn services(&self) -> Vec<String> {
        self.services.borrow().iter().cloned().collect()
    }
}
