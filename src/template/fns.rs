//! Short constructors for intrinsic functions and pseudo parameters, so that
//! blueprints read like the template they produce: `sub("${AWS::StackName}-web")`,
//! `select(0, get_azs(""))`.
//!
//! Owns nothing but construction; the functions themselves are
//! [`Intrinsic`].

use indexmap::IndexMap;

use super::expr::{Expr, Intrinsic};

/// `AWS::Region`: the region the stack is deployed in.
pub const REGION: &str = "AWS::Region";
/// `AWS::StackName`: the stack's name.
pub const STACK_NAME: &str = "AWS::StackName";
/// `AWS::AccountId`: the account the stack is deployed in.
pub const ACCOUNT_ID: &str = "AWS::AccountId";
/// `AWS::Partition`: `aws`, `aws-cn` or `aws-us-gov`.
pub const PARTITION: &str = "AWS::Partition";
/// `AWS::URLSuffix`: `amazonaws.com` in most partitions.
pub const URL_SUFFIX: &str = "AWS::URLSuffix";
/// `AWS::NoValue`: removes the property it is assigned to.
pub const NO_VALUE: &str = "AWS::NoValue";

/// `Ref` to a parameter, resource or pseudo parameter by name.
pub fn ref_(name: impl Into<String>) -> Intrinsic {
    Intrinsic::Ref(name.into())
}

/// `Fn::Sub` with only the template's own names (`${Param}`, `${Res.Attr}`).
pub fn sub(template: impl Into<String>) -> Intrinsic {
    Intrinsic::Sub {
        template: template.into(),
        variables: IndexMap::new(),
    }
}

/// `Fn::Sub` with extra variables.
pub fn sub_with<K: Into<String>, V: Into<Expr>>(
    template: impl Into<String>,
    variables: impl IntoIterator<Item = (K, V)>,
) -> Intrinsic {
    Intrinsic::Sub {
        template: template.into(),
        variables: variables
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    }
}

/// `text` written so that `Fn::Sub` gives it back unchanged: each `${`
/// becomes `${!`, which `Fn::Sub` writes out as a literal `${` (AWS
/// CloudFormation user guide, `Fn::Sub`: an exclamation point after the
/// open curly brace writes the dollar sign and braces literally). For text
/// pasted into a `Fn::Sub` template, such as a value in a boot script, that
/// must never become a placeholder.
pub fn sub_literal(text: &str) -> String {
    text.replace("${", "${!")
}

/// `Fn::Join`.
pub fn join(delimiter: impl Into<String>, values: impl Into<Expr>) -> Intrinsic {
    Intrinsic::Join {
        delimiter: delimiter.into(),
        values: values.into(),
    }
}

/// `Fn::Select`.
pub fn select(index: impl Into<Expr>, list: impl Into<Expr>) -> Intrinsic {
    Intrinsic::Select {
        index: index.into(),
        list: list.into(),
    }
}

/// `Fn::Split`.
pub fn split(delimiter: impl Into<String>, source: impl Into<Expr>) -> Intrinsic {
    Intrinsic::Split {
        delimiter: delimiter.into(),
        source: source.into(),
    }
}

/// `Fn::GetAZs`; `""` means the stack's own region.
pub fn get_azs(region: impl Into<Expr>) -> Intrinsic {
    Intrinsic::GetAZs(region.into())
}

/// `Fn::Base64`.
pub fn base64(value: impl Into<Expr>) -> Intrinsic {
    Intrinsic::Base64(value.into())
}

/// `Fn::Cidr`.
pub fn cidr(block: impl Into<Expr>, count: impl Into<Expr>, bits: impl Into<Expr>) -> Intrinsic {
    Intrinsic::Cidr {
        block: block.into(),
        count: count.into(),
        bits: bits.into(),
    }
}

/// `Fn::If`.
pub fn if_(
    condition: impl Into<String>,
    then: impl Into<Expr>,
    otherwise: impl Into<Expr>,
) -> Intrinsic {
    Intrinsic::If {
        condition: condition.into(),
        then: then.into(),
        otherwise: otherwise.into(),
    }
}

/// `Fn::Equals`.
pub fn equals(a: impl Into<Expr>, b: impl Into<Expr>) -> Intrinsic {
    Intrinsic::Equals(a.into(), b.into())
}

/// `Fn::And`.
pub fn and(conditions: impl IntoIterator<Item = Intrinsic>) -> Intrinsic {
    Intrinsic::And(conditions.into_iter().map(Expr::from).collect())
}

/// `Fn::Or`.
pub fn or(conditions: impl IntoIterator<Item = Intrinsic>) -> Intrinsic {
    Intrinsic::Or(conditions.into_iter().map(Expr::from).collect())
}

/// `Fn::Not`.
pub fn not(condition: Intrinsic) -> Intrinsic {
    Intrinsic::Not(condition.into())
}

/// `Condition`: a named condition inside `and`/`or`/`not`.
pub fn condition(name: impl Into<String>) -> Intrinsic {
    Intrinsic::Condition(name.into())
}

/// `Fn::FindInMap`.
pub fn find_in_map(
    map: impl Into<Expr>,
    top_key: impl Into<Expr>,
    second_key: impl Into<Expr>,
) -> Intrinsic {
    Intrinsic::FindInMap {
        map: map.into(),
        top_key: top_key.into(),
        second_key: second_key.into(),
    }
}

/// `Fn::ImportValue`.
pub fn import_value(name: impl Into<Expr>) -> Intrinsic {
    Intrinsic::ImportValue(name.into())
}

/// `Ref AWS::NoValue`: leaves a property out (inside `Fn::If`).
pub fn no_value() -> Intrinsic {
    ref_(NO_VALUE)
}

/// The availability zone at `index` in the stack's region, chosen without an
/// account look-up: `!Select [index, !GetAZs '']`.
pub fn az(index: usize) -> Intrinsic {
    select(Expr::Int(index as i64), get_azs(""))
}

impl From<Vec<Expr>> for Expr {
    fn from(items: Vec<Expr>) -> Self {
        Expr::List(items)
    }
}

impl From<i32> for Expr {
    fn from(n: i32) -> Self {
        Expr::Int(i64::from(n))
    }
}

impl From<usize> for Expr {
    fn from(n: usize) -> Self {
        Expr::Int(n as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_literal_escapes_every_placeholder_and_nothing_else() {
        assert_eq!(sub_literal("/health"), "/health");
        assert_eq!(sub_literal("$HOME and $x{"), "$HOME and $x{");
        assert_eq!(
            sub_literal("a${AWS::Region}b${X}"),
            "a${!AWS::Region}b${!X}"
        );
    }

    #[test]
    fn az_selects_from_the_stack_region_without_lookup() {
        assert_eq!(
            az(1),
            Intrinsic::Select {
                index: Expr::Int(1),
                list: Expr::func(Intrinsic::GetAZs(Expr::string("")))
            }
        );
    }
}
