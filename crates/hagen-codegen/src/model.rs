//! From JSON schemas to a model of Rust types: one struct per resource type
//! and per object-shaped definition it uses, one enum per string
//! enumeration, one typed accessor per GetAtt attribute, and how stack
//! tags reach the resource.
//!
//! The rules, for every type alike:
//! - `string`, `integer`, `number`, `boolean` are `String`, `i64`, `f64`,
//!   `bool`; a string with an `enum` of strings is a Rust enum;
//! - an object with `properties` is a struct; an object whose values all
//!   share one schema (`patternProperties`, `additionalProperties`) is a
//!   map; any other object, and anything polymorphic (`oneOf`, a type list
//!   with `object`), is free-form JSON (`Expr`);
//! - a type list without `object` takes its first non-string type
//!   (integer, number, boolean), else string;
//! - read-only properties are attributes, not fields; required properties
//!   are arguments of `new`;
//! - a `{Key, Value}` tag definition is hagen's shared `Tag`.
//!
//! Exceptions live in [`crate::overrides`], never here.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value as Json;

use crate::bundle::{Bundle, TypeSchema};
use crate::naming::{self, Scope};
use crate::overrides::{OVERRIDES, Override};

/// A Rust type of a field, attribute or list item.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `String`.
    String,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// Free-form JSON (`Expr`).
    Json,
    /// hagen's shared `Tag`.
    Tag,
    /// A generated enum of this type (index into `ResourceType::enums`).
    Enum(usize),
    /// A generated struct of this type (index into `ResourceType::structs`).
    Struct(usize),
    /// `List<T>`.
    List(Box<Ty>),
    /// `Map<T>` (string keys).
    Map(Box<Ty>),
}

/// A property of a struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// The CloudFormation name.
    pub cfn: String,
    /// The Rust field and setter name.
    pub ident: String,
    /// Its type.
    pub ty: Ty,
    /// Whether `new` takes it.
    pub required: bool,
    /// The schema's description.
    pub doc: String,
    /// Whether changing it replaces the resource (`createOnlyProperties`).
    pub replaces: bool,
    /// Whether CloudFormation never returns it (`writeOnlyProperties`).
    pub write_only: bool,
    /// Whether it is an integer only by an override.
    pub integer_override: bool,
    /// Its place in the schema's `properties` (output order may differ by
    /// an override; `new` takes required properties in schema order, so an
    /// output-order override never changes a constructor).
    pub schema_pos: usize,
}

/// How a tag entry struct is built from a hagen `Tag`.
#[derive(Debug, Clone, PartialEq)]
pub struct TagEntry {
    /// The field that holds the key.
    pub key: String,
    /// The field that holds the value.
    pub value: String,
    /// A boolean field set to `true` (`PropagateAtLaunch`).
    pub propagate: Option<String>,
}

/// A generated struct: the resource itself or a property type.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// The Rust name.
    pub name: String,
    /// The schema's definition name (`""` for the resource, `Parent.Prop`
    /// for an inline object): what the override table calls it.
    pub key: String,
    /// The schema's description.
    pub doc: String,
    /// Its properties, in output order.
    pub fields: Vec<Field>,
    /// Set when hagen tags are turned into this struct.
    pub tag_entry: Option<TagEntry>,
}

/// A generated enum.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// The Rust name.
    pub name: String,
    /// What it is for.
    pub doc: String,
    /// (variant, value) pairs in schema order.
    pub variants: Vec<(String, String)>,
}

/// A GetAtt attribute.
#[derive(Debug, Clone)]
pub struct AttributeDef {
    /// The GetAtt name (`Endpoint.Address`).
    pub name: String,
    /// The accessor name.
    pub ident: String,
    /// What it returns.
    pub ty: Ty,
    /// The schema's description.
    pub doc: String,
}

/// How stack tags reach a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Tagging {
    /// They do not: the type takes no tags (or in a shape hagen cannot merge).
    None,
    /// Merged into a list field of `Tag` or of a tag entry struct.
    List {
        /// The field.
        field: String,
        /// The CloudFormation property.
        property: String,
        /// Whether the field is required (not an `Option`).
        required: bool,
        /// For the catalogue: the key and value property names and the
        /// boolean set to true.
        key: String,
        /// See `key`.
        value: String,
        /// See `key`.
        propagate: Option<String>,
    },
    /// Merged into a string map field.
    Map {
        /// The field.
        field: String,
        /// The CloudFormation property.
        property: String,
    },
    /// Merged into a free-form JSON field when it is a literal map.
    Json {
        /// The field.
        field: String,
        /// The CloudFormation property.
        property: String,
    },
    /// A hand-written function does it.
    Custom {
        /// Its path under `crate::resources::ext`.
        function: String,
    },
}

/// One resource type, ready to be written.
#[derive(Debug, Clone)]
pub struct ResourceType {
    /// `AWS::EC2::Subnet`.
    pub type_name: String,
    /// The module (`subnet`).
    pub module: String,
    /// The resource struct is `structs[0]`; then property types in the
    /// order first met.
    pub structs: Vec<StructDef>,
    /// Enums in the order first met.
    pub enums: Vec<EnumDef>,
    /// GetAtt attributes, sorted by name.
    pub attributes: Vec<AttributeDef>,
    /// The attributes struct's name (`SubnetAttributes`).
    pub attributes_name: String,
    /// How stack tags reach it.
    pub tagging: Tagging,
    /// The `primaryIdentifier`, for the docs of `Ref`.
    pub primary_identifier: Vec<String>,
}

/// One service namespace (`AWS::EC2`).
#[derive(Debug, Clone)]
pub struct Service {
    /// `AWS::EC2`.
    pub namespace: String,
    /// The module and its feature (`ec2`).
    pub module: String,
    /// The cargo feature (`ec2`; `alexa-ask` for `Alexa::ASK`).
    pub feature: String,
    /// Its resource types, sorted by name.
    pub types: Vec<ResourceType>,
    /// Whether `crate::resources::ext::<module>` is re-exported.
    pub extended: bool,
}

/// The whole model.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Services, sorted by module name.
    pub services: Vec<Service>,
}

/// The namespace (`AWS::EC2`) and the type's own name (`Subnet`).
fn split_type(type_name: &str) -> (String, String) {
    match type_name.rsplit_once("::") {
        Some((ns, name)) => (ns.to_owned(), name.to_owned()),
        None => (String::new(), type_name.to_owned()),
    }
}

/// The module and feature of a namespace: `AWS::EC2` is `ec2`, any other
/// vendor's namespace keeps its vendor (`Alexa::ASK` is `alexa_ask`).
fn service_names(namespace: &str) -> (String, String) {
    let module = match namespace.strip_prefix("AWS::") {
        Some(service) => service.to_ascii_lowercase(),
        None => namespace.replace("::", "_").to_ascii_lowercase(),
    };
    let module: String = module
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let feature = module.replace('_', "-");
    (naming::module(&module), feature)
}

/// Builds the model of every type in the bundle.
pub fn build(bundle: &Bundle) -> Catalog {
    let mut services: BTreeMap<String, Service> = BTreeMap::new();
    for ts in &bundle.types {
        let (namespace, _) = split_type(&ts.type_name);
        let (module, feature) = service_names(&namespace);
        let service = services.entry(module.clone()).or_insert_with(|| Service {
            namespace: namespace.clone(),
            extended: OVERRIDES
                .iter()
                .any(|o| matches!(o, Override::Extend { service, .. } if *service == module)),
            module,
            feature,
            types: Vec::new(),
        });
        service.types.push(TypeBuilder::new(ts).build());
    }
    let mut services: Vec<Service> = services.into_values().collect();
    for s in &mut services {
        let mut scope = Scope::with(&["ext"]);
        for t in &mut s.types {
            t.module = scope.claim(&t.module);
        }
    }
    Catalog { services }
}

/// Builds one resource type.
struct TypeBuilder<'a> {
    ts: &'a TypeSchema,
    definitions: &'a serde_json::Map<String, Json>,
    structs: Vec<StructDef>,
    enums: Vec<EnumDef>,
    struct_of_def: HashMap<String, usize>,
    enum_of_def: HashMap<String, usize>,
    types: Scope,
    read_only: HashSet<String>,
    create_only: HashSet<String>,
    write_only: HashSet<String>,
}

static EMPTY: std::sync::OnceLock<serde_json::Map<String, Json>> = std::sync::OnceLock::new();

impl<'a> TypeBuilder<'a> {
    fn new(ts: &'a TypeSchema) -> Self {
        let pointers = |key: &str| -> HashSet<String> {
            ts.schema
                .get(key)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        TypeBuilder {
            ts,
            definitions: ts
                .schema
                .get("definitions")
                .and_then(Json::as_object)
                .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new)),
            structs: Vec::new(),
            enums: Vec::new(),
            struct_of_def: HashMap::new(),
            enum_of_def: HashMap::new(),
            types: Scope::default(),
            read_only: pointers("readOnlyProperties"),
            create_only: pointers("createOnlyProperties"),
            write_only: pointers("writeOnlyProperties"),
        }
    }

    fn build(mut self) -> ResourceType {
        let (_, own) = split_type(&self.ts.type_name);
        let root_name = self.types.claim(&naming::type_name(&own));
        let attributes_name = self.types.claim(&format!("{root_name}Attributes"));
        let root = self.ts.schema.clone();
        let root_index =
            self.new_struct(root_name, String::new(), self.ts.docs.description.clone());
        self.fill_struct(root_index, &root, "", "/properties");
        self.normalise_tags();
        let tagging = self.tagging();
        let attributes = self.attributes();
        let primary_identifier = self
            .ts
            .schema
            .get("primaryIdentifier")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(|p| p.trim_start_matches("/properties/").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        ResourceType {
            type_name: self.ts.type_name.clone(),
            module: naming::module(&own),
            structs: self.structs,
            enums: self.enums,
            attributes,
            attributes_name,
            tagging,
            primary_identifier,
        }
    }

    fn new_struct(&mut self, name: String, key: String, doc: String) -> usize {
        self.structs.push(StructDef {
            name,
            key,
            doc,
            fields: Vec::new(),
            tag_entry: None,
        });
        self.structs.len() - 1
    }

    /// The description of the node at `pointer`, or of the definition it
    /// refers to.
    fn doc(&self, pointer: &str, node: &Json) -> String {
        if let Some(d) = self.ts.docs.docs.get(pointer) {
            return d.clone();
        }
        if let Some(def) = node.get("$ref").and_then(Json::as_str).and_then(def_name)
            && let Some(d) = self.ts.docs.docs.get(&format!("/definitions/{def}"))
        {
            return d.clone();
        }
        String::new()
    }

    /// Fills struct `index` from an object schema at `pointer`. `path` is
    /// the property path (`/properties/A/B`) for read-only and create-only
    /// lookups.
    fn fill_struct(&mut self, index: usize, node: &Json, pointer: &str, path: &str) {
        let props = node.get("properties").and_then(Json::as_object);
        let required: HashSet<&str> = node
            .get("required")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let key = self.structs[index].key.clone();
        let is_root = pointer.is_empty();
        let mut fields = Vec::new();
        let mut idents = Scope::default();
        let Some(props) = props else {
            return;
        };
        let schema_order: Vec<&str> = props.keys().map(String::as_str).collect();
        let order = ordered_names(&self.ts.type_name, &key, props.keys().map(String::as_str));
        for name in order {
            let Some(prop) = props.get(name) else {
                continue;
            };
            let prop_path = format!("{path}/{name}");
            if self.read_only.contains(&prop_path) {
                continue;
            }
            if is_root && omitted(&self.ts.type_name, name) {
                continue;
            }
            let prop_pointer = format!("{pointer}/properties/{}", escape(name));
            let parent_name = self.structs[index].name.clone();
            let integer_override = is_root && integer_override(&self.ts.type_name, name);
            let ty = if integer_override {
                Ty::Integer
            } else {
                let child_key = if key.is_empty() {
                    name.to_owned()
                } else {
                    format!("{key}.{name}")
                };
                self.ty(
                    prop,
                    &prop_pointer,
                    &prop_path,
                    name,
                    &parent_name,
                    &child_key,
                )
            };
            fields.push(Field {
                cfn: name.to_owned(),
                ident: idents.claim(&naming::field(name, is_root)),
                ty,
                required: required.contains(name),
                doc: self.doc(&prop_pointer, prop),
                replaces: self.create_only.contains(&prop_path),
                write_only: self.write_only.contains(&prop_path),
                integer_override,
                schema_pos: schema_order.iter().position(|n| *n == name).unwrap_or(0),
            });
        }
        self.structs[index].fields = fields;
    }

    /// The Rust type of a schema node.
    fn ty(
        &mut self,
        node: &Json,
        pointer: &str,
        path: &str,
        hint: &str,
        parent: &str,
        key: &str,
    ) -> Ty {
        let Some(obj) = node.as_object() else {
            return Ty::Json;
        };
        if let Some(def) = obj.get("$ref").and_then(Json::as_str).and_then(def_name) {
            return self.definition(def, path);
        }
        if let Some(all) = obj.get("allOf").and_then(Json::as_array)
            && all.len() == 1
            && !obj.contains_key("properties")
            && !obj.contains_key("type")
        {
            return self.ty(
                &all[0],
                &format!("{pointer}/allOf/0"),
                path,
                hint,
                parent,
                key,
            );
        }
        let types = type_list(node);
        if obj.contains_key("properties")
            && (types.is_empty() || types == ["object"])
            && !has_any_of(obj)
        {
            let name = self.inline_name(hint, parent);
            let index = self.new_struct(name, key.to_owned(), String::new());
            self.fill_struct(index, node, pointer, path);
            return Ty::Struct(index);
        }
        if types.iter().any(|t| t == "object") || (types.is_empty() && has_any_of(obj)) {
            if types.len() == 1
                && !obj.contains_key("properties")
                && let Some(value) = map_value_schema(obj)
            {
                let value_pointer = format!("{pointer}/additionalProperties");
                let inner = self.ty(value, &value_pointer, path, hint, parent, key);
                return Ty::Map(Box::new(inner));
            }
            return Ty::Json;
        }
        let chosen = ["integer", "number", "boolean", "string", "array"]
            .into_iter()
            .find(|t| types.iter().any(|x| x == t));
        match chosen {
            Some("integer") => Ty::Integer,
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("string") => match string_enum(obj) {
                Some(values) => {
                    let name = self.inline_name(hint, parent);
                    Ty::Enum(self.new_enum(name, hint, values))
                }
                None => Ty::String,
            },
            Some("array") => match obj.get("items") {
                Some(items) if items.is_object() => {
                    let inner =
                        self.ty(items, &format!("{pointer}/items"), path, hint, parent, key);
                    Ty::List(Box::new(inner))
                }
                _ => Ty::List(Box::new(Ty::Json)),
            },
            _ => {
                // No type: an enum of strings, or free-form.
                match string_enum(obj) {
                    Some(values) => {
                        let name = self.inline_name(hint, parent);
                        Ty::Enum(self.new_enum(name, hint, values))
                    }
                    None => Ty::Json,
                }
            }
        }
    }

    /// The type of `#/definitions/<def>`.
    fn definition(&mut self, def: &str, path: &str) -> Ty {
        if let Some(&i) = self.struct_of_def.get(def) {
            return Ty::Struct(i);
        }
        if let Some(&i) = self.enum_of_def.get(def) {
            return Ty::Enum(i);
        }
        let Some(node) = self.definitions.get(def).cloned() else {
            return Ty::Json;
        };
        let pointer = format!("/definitions/{}", escape(def));
        let obj = node.as_object();
        let types = type_list(&node);
        let is_struct = obj.is_some_and(|o| o.contains_key("properties") && !has_any_of(o))
            && (types.is_empty() || types == ["object"]);
        if is_struct {
            let name = self.types.claim(&naming::type_name(def));
            let doc = self.ts.docs.docs.get(&pointer).cloned().unwrap_or_default();
            let index = self.new_struct(name, def.to_owned(), doc);
            self.struct_of_def.insert(def.to_owned(), index);
            self.fill_struct(index, &node, &pointer, path);
            return Ty::Struct(index);
        }
        let string_values = obj.and_then(string_enum);
        if let (Some(values), true) = (string_values, types.is_empty() || types == ["string"]) {
            let name = self.types.claim(&naming::type_name(def));
            let index = self.new_enum(name, def, values);
            self.enum_of_def.insert(def.to_owned(), index);
            return Ty::Enum(index);
        }

        self.ty(&node, &pointer, path, def, def, def)
    }

    /// A name for an inline struct or enum: the property's own name, or
    /// prefixed with its parent's when that is taken.
    fn inline_name(&mut self, hint: &str, parent: &str) -> String {
        let own = naming::type_name(hint);
        // A list's items named after the list container say nothing alone.
        if matches!(hint, "Items" | "Values" | "Value" | "Item") {
            return self.types.claim(&format!("{parent}{own}"));
        }
        if !self.types.contains(&own) {
            return self.types.claim(&own);
        }
        let prefixed = format!("{parent}{own}");
        self.types.claim(&prefixed)
    }

    fn new_enum(&mut self, name: String, hint: &str, values: Vec<String>) -> usize {
        let mut scope = Scope::default();
        let variants = values
            .into_iter()
            .map(|v| (scope.claim(&naming::variant(&v)), v))
            .collect();
        self.enums.push(EnumDef {
            name,
            doc: format!("The values `{hint}` accepts."),
            variants,
        });
        self.enums.len() - 1
    }

    /// Replaces every `{Key, Value}` tag struct (a definition whose name
    /// says tag, with exactly two string fields `Key` and `Value`) by
    /// hagen's shared `Tag`.
    fn normalise_tags(&mut self) {
        let standard: HashSet<usize> = self
            .structs
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                *i != 0
                    && s.key.to_ascii_lowercase().contains("tag")
                    && s.fields.len() == 2
                    && s.fields
                        .iter()
                        .any(|f| f.cfn == "Key" && f.ty == Ty::String)
                    && s.fields
                        .iter()
                        .any(|f| f.cfn == "Value" && f.ty == Ty::String)
            })
            .map(|(i, _)| i)
            .collect();
        if standard.is_empty() {
            return;
        }
        fn replace(ty: &mut Ty, standard: &HashSet<usize>) {
            match ty {
                Ty::Struct(i) if standard.contains(i) => *ty = Ty::Tag,
                Ty::List(inner) | Ty::Map(inner) => replace(inner, standard),
                _ => {}
            }
        }
        for s in &mut self.structs {
            for f in &mut s.fields {
                replace(&mut f.ty, &standard);
            }
        }
        // Drop the replaced structs and renumber the others.
        let mut new_index = Vec::with_capacity(self.structs.len());
        let mut kept = Vec::new();
        for (i, s) in std::mem::take(&mut self.structs).into_iter().enumerate() {
            if standard.contains(&i) {
                new_index.push(usize::MAX);
            } else {
                new_index.push(kept.len());
                kept.push(s);
            }
        }
        fn renumber(ty: &mut Ty, map: &[usize]) {
            match ty {
                Ty::Struct(i) => *i = map[*i],
                Ty::List(inner) | Ty::Map(inner) => renumber(inner, map),
                _ => {}
            }
        }
        for s in &mut kept {
            for f in &mut s.fields {
                renumber(&mut f.ty, &new_index);
            }
        }
        self.structs = kept;
    }

    /// How stack tags reach the resource, from the schema's `tagging`
    /// block (or, when it has none, a `Tags` property).
    fn tagging(&mut self) -> Tagging {
        if let Some(function) = OVERRIDES.iter().find_map(|o| match o {
            Override::Tags {
                type_name,
                function,
                ..
            } if *type_name == self.ts.type_name => Some(*function),
            _ => None,
        }) {
            return Tagging::Custom {
                function: function.to_owned(),
            };
        }
        let tagging = self.ts.docs.tagging.as_ref();
        let taggable = tagging
            .and_then(|t| t.get("taggable"))
            .and_then(Json::as_bool);
        let property = tagging
            .and_then(|t| t.get("tagProperty"))
            .and_then(Json::as_str)
            .map(str::to_owned);
        let property = match (taggable, property) {
            (Some(false), _) => return Tagging::None,
            (_, Some(p)) => match p.strip_prefix("/properties/") {
                Some(name) if !name.contains('/') => name.to_owned(),
                _ => return Tagging::None,
            },
            (Some(true), None) => "Tags".to_owned(),
            (None, None) => "Tags".to_owned(),
        };
        let Some(field) = self.structs[0]
            .fields
            .iter()
            .find(|f| f.cfn == property)
            .cloned()
        else {
            return Tagging::None;
        };
        match &field.ty {
            Ty::List(inner) => match inner.as_ref() {
                Ty::Tag => Tagging::List {
                    field: field.ident.clone(),
                    property,
                    required: field.required,
                    key: "Key".into(),
                    value: "Value".into(),
                    propagate: None,
                },
                Ty::Struct(i) => {
                    let i = *i;
                    let Some(entry) = tag_entry(&self.structs[i]) else {
                        return Tagging::None;
                    };
                    let cfn_of = |ident: &str| {
                        self.structs[i]
                            .fields
                            .iter()
                            .find(|f| f.ident == ident)
                            .map(|f| f.cfn.clone())
                            .unwrap_or_default()
                    };
                    let key = cfn_of(&entry.key);
                    let value = cfn_of(&entry.value);
                    let propagate = entry.propagate.as_deref().map(cfn_of);
                    self.structs[i].tag_entry = Some(entry);
                    Tagging::List {
                        field: field.ident.clone(),
                        property,
                        required: field.required,
                        key,
                        value,
                        propagate,
                    }
                }
                _ => Tagging::None,
            },
            Ty::Map(inner) if **inner == Ty::String && !field.required => Tagging::Map {
                field: field.ident.clone(),
                property,
            },
            Ty::Json if !field.required => Tagging::Json {
                field: field.ident.clone(),
                property,
            },
            _ => Tagging::None,
        }
    }

    /// Typed accessors for the GetAtt attributes cfn-lint knows.
    fn attributes(&self) -> Vec<AttributeDef> {
        let mut scope = Scope::default();
        let mut out = Vec::new();
        for (name, json_type) in &self.ts.attributes {
            let ty = match json_type.as_str() {
                "integer" => Ty::Integer,
                "number" => Ty::Number,
                "boolean" => Ty::Boolean,
                "object" => Ty::Json,
                "array" => Ty::List(Box::new(self.attribute_item(name))),
                _ => Ty::String,
            };
            let pointer = format!(
                "/properties/{}",
                name.split('.')
                    .map(escape)
                    .collect::<Vec<_>>()
                    .join("/properties/")
            );
            out.push(AttributeDef {
                name: name.clone(),
                ident: scope.claim(&naming::attribute(name)),
                ty,
                doc: self.ts.docs.docs.get(&pointer).cloned().unwrap_or_default(),
            });
        }
        out
    }

    /// The item type of a list attribute that is a top-level property.
    fn attribute_item(&self, name: &str) -> Ty {
        let items = self
            .ts
            .schema
            .get("properties")
            .and_then(|p| p.get(name))
            .and_then(|p| self.resolve(p).get("items").cloned());
        match items.map(|i| type_list(self.resolve(&i))) {
            Some(t) if t == ["integer"] => Ty::Integer,
            Some(t) if t == ["number"] => Ty::Number,
            Some(t) if t == ["boolean"] => Ty::Boolean,
            _ => Ty::String,
        }
    }

    fn resolve<'n>(&'n self, node: &'n Json) -> &'n Json {
        let mut node = node;
        for _ in 0..8 {
            match node.get("$ref").and_then(Json::as_str).and_then(def_name) {
                Some(def) => match self.definitions.get(def) {
                    Some(n) => node = n,
                    None => break,
                },
                None => break,
            }
        }
        node
    }
}

/// The tag entry shape of a struct: a string key and value (`Key`/`Value`
/// in any case) and at most a required boolean to set true
/// (`PropagateAtLaunch`); every other field optional.
fn tag_entry(s: &StructDef) -> Option<TagEntry> {
    let find = |name: &str| {
        s.fields
            .iter()
            .find(|f| f.cfn.eq_ignore_ascii_case(name) && f.ty == Ty::String)
            .map(|f| f.ident.clone())
    };
    let key = find("Key")?;
    let value = find("Value")?;
    let mut propagate = None;
    for f in &s.fields {
        if f.ident == key || f.ident == value {
            continue;
        }
        if f.cfn == "PropagateAtLaunch" && f.ty == Ty::Boolean {
            propagate = Some(f.ident.clone());
        } else if f.required {
            return None;
        }
    }
    Some(TagEntry {
        key,
        value,
        propagate,
    })
}

/// The properties of a struct in output order: those an `Order` override
/// lists first, then the rest in schema order.
fn ordered_names<'n>(
    type_name: &str,
    key: &str,
    names: impl Iterator<Item = &'n str>,
) -> Vec<&'n str> {
    let names: Vec<&str> = names.collect();
    let first: &[&str] = OVERRIDES
        .iter()
        .find_map(|o| match o {
            Override::Order {
                type_name: t,
                within,
                first,
                ..
            } if *t == type_name && *within == key => Some(*first),
            _ => None,
        })
        .unwrap_or(&[]);
    let mut out: Vec<&str> = first
        .iter()
        .filter_map(|f| names.iter().find(|n| *n == f).copied())
        .collect();
    out.extend(names.iter().filter(|n| !first.contains(n)).copied());
    out
}

fn omitted(type_name: &str, property: &str) -> bool {
    OVERRIDES.iter().any(|o| {
        matches!(o, Override::Omit { type_name: t, property: p, .. } if *t == type_name && *p == property)
    })
}

fn integer_override(type_name: &str, property: &str) -> bool {
    OVERRIDES.iter().any(|o| {
        matches!(o, Override::Integer { type_name: t, property: p, .. } if *t == type_name && *p == property)
    })
}

fn def_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/definitions/")
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn type_list(node: &Json) -> Vec<String> {
    match node.get("type") {
        Some(Json::String(t)) => vec![t.clone()],
        Some(Json::Array(a)) => a
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn has_any_of(obj: &serde_json::Map<String, Json>) -> bool {
    obj.contains_key("oneOf") || obj.contains_key("anyOf")
}

/// The values of a string enumeration: an `enum` of strings, or a
/// `pattern` that only lists literal alternatives (`^(DENY|SAMEORIGIN)$`).
fn string_enum(obj: &serde_json::Map<String, Json>) -> Option<Vec<String>> {
    let Some(values) = obj.get("enum").and_then(Json::as_array) else {
        return obj
            .get("pattern")
            .and_then(Json::as_str)
            .and_then(pattern_alternatives);
    };
    if values.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for v in values {
        let s = v.as_str()?;
        if !out.iter().any(|o: &String| o == s) {
            out.push(s.to_owned());
        }
    }
    Some(out)
}

/// The literal alternatives of a pattern `^(a|b|c)$`, when that is all it
/// says (letters, digits and `. _ : / -` only, dots and dashes possibly
/// escaped).
fn pattern_alternatives(pattern: &str) -> Option<Vec<String>> {
    let inner = pattern.strip_prefix("^(")?.strip_suffix(")$")?;
    let mut out = Vec::new();
    for alt in inner.split('|') {
        let literal = alt.replace("\\.", ".").replace("\\-", "-");
        if literal.is_empty()
            || !literal
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._:/-".contains(c))
        {
            return None;
        }
        if !out.contains(&literal) {
            out.push(literal);
        }
    }
    Some(out)
}

/// The schema every value of a map shares: `additionalProperties`, or the
/// one `patternProperties` entry.
fn map_value_schema(obj: &serde_json::Map<String, Json>) -> Option<&Json> {
    if let Some(Json::Object(pp)) = obj.get("patternProperties") {
        if pp.len() == 1 {
            return pp.values().next().filter(|v| v.is_object());
        }
        return None;
    }
    match obj.get("additionalProperties") {
        Some(v @ Json::Object(_)) => Some(v),
        _ => None,
    }
}
