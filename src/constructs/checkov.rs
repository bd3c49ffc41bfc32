//! Checkov suppressions written into a resource's `Metadata`, each with the
//! reason the architecture needs the flagged setting.
//!
//! Owns the metadata shape checkov reads (`checkov: {skip: [{id, comment}]}`).
//! It does not decide what to suppress: the construct that makes the choice
//! does, next to the choice.

use indexmap::IndexMap;

use crate::template::Expr;

/// The `Metadata` key checkov reads suppressions from.
pub const METADATA_KEY: &str = "checkov";

/// One suppressed checkov check and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip<'a> {
    /// The check ID, such as `CKV_AWS_91`.
    pub id: &'a str,
    /// Why the resource is right as it is.
    pub comment: &'a str,
}

/// The value to store under [`METADATA_KEY`] for these suppressions.
pub fn skips(items: &[Skip<'_>]) -> Expr {
    let list = items
        .iter()
        .map(|s| {
            let mut m = IndexMap::new();
            m.insert("id".to_owned(), Expr::string(s.id));
            m.insert("comment".to_owned(), Expr::string(s.comment));
            Expr::Map(m)
        })
        .collect();
    let mut root = IndexMap::new();
    root.insert("skip".to_owned(), Expr::List(list));
    Expr::Map(root)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::template::json::to_json_value;

    #[test]
    fn skips_have_checkovs_shape() {
        let e = skips(&[Skip {
            id: "CKV_AWS_88",
            comment: "bastion needs a public address",
        }]);
        assert_eq!(
            to_json_value(&e),
            json!({"skip": [{"id": "CKV_AWS_88", "comment": "bastion needs a public address"}]})
        );
    }
}
