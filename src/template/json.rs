//! Writes an [`Expr`] tree as JSON, intrinsics in their long form
//! (`{"Fn::GetAtt": ["Db", "Endpoint.Address"]}`).
//!
//! Owns the conversion to `serde_json::Value` and pretty-printing; reading
//! JSON back is `super::parse`'s job.

use serde_json::{Map, Number, Value as Json};

use super::expr::Expr;

/// The value as a JSON tree; key order is kept.
pub fn to_json_value(value: &Expr) -> Json {
    match value {
        Expr::Null => Json::Null,
        Expr::Bool(b) => Json::Bool(*b),
        Expr::Int(n) => Json::Number((*n).into()),
        Expr::Float(x) => Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Expr::String(s) => Json::String(s.clone()),
        Expr::List(items) => Json::Array(items.iter().map(to_json_value).collect()),
        Expr::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), to_json_value(v)))
                .collect::<Map<String, Json>>(),
        ),
        Expr::Fn(f) => {
            let mut m = Map::new();
            m.insert(f.long_name().to_owned(), to_json_value(&f.argument()));
            Json::Object(m)
        }
    }
}

/// Renders a value as pretty-printed JSON (two-space indent) ending in a newline.
pub fn to_json(value: &Expr) -> String {
    let mut text = serde_json::to_string_pretty(&to_json_value(value))
        .unwrap_or_else(|e| unreachable!("a JSON tree always serialises: {e}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Intrinsic;

    #[test]
    fn intrinsics_are_written_in_long_form() {
        let e = Expr::func(Intrinsic::GetAtt {
            resource: "Db".into(),
            attribute: "Endpoint.Address".into(),
        });
        assert_eq!(
            to_json_value(&e),
            serde_json::json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
        );
    }
}
