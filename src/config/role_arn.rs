//! The shape of an IAM role ARN, checked locally: a typo in `--role-arn`
//! or `role_arn` in `hagen.toml` is caught before any AWS call, with the
//! part that is wrong named.
//!
//! Owns only the syntax (`arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`);
//! whether the role exists and CloudFormation may assume it is for AWS to
//! say.

/// Longest role ARN CloudFormation accepts (`RoleARN`).
pub const MAX_ROLE_ARN: usize = 2_048;

/// Longest IAM role name.
const MAX_ROLE_NAME: usize = 64;

/// Checks that `arn` is an IAM role ARN; the error says which part is
/// wrong (without the ARN itself, which the caller quotes).
pub fn check(arn: &str) -> Result<(), String> {
    if arn.len() > MAX_ROLE_ARN {
        return Err(format!("longer than {MAX_ROLE_ARN} characters"));
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return Err("an ARN has six parts separated by ':'".into());
    };
    if *prefix != "arn" {
        return Err("it does not start with \"arn:\"".into());
    }
    let partition_ok = *partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        });
    if !partition_ok {
        return Err(format!(
            "partition {partition:?} is not an AWS partition (aws, aws-cn, aws-us-gov, ...)"
        ));
    }
    if *service != "iam" {
        return Err(format!("service {service:?} is not iam"));
    }
    if !region.is_empty() {
        return Err("IAM ARNs have no region (arn:aws:iam::ACCOUNT:role/NAME)".into());
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("account {account:?} is not 12 digits"));
    }
    let Some(path_and_name) = resource.strip_prefix("role/") else {
        return Err(format!(
            "resource {resource:?} is not a role (role/NAME or role/PATH/NAME)"
        ));
    };
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if name.is_empty() || name.len() > MAX_ROLE_NAME || !name.chars().all(allowed) {
        return Err(format!(
            "role name {name:?} is not 1 to {MAX_ROLE_NAME} letters, digits and +=,.@_-"
        ));
    }
    if !path_and_name.chars().all(|c| allowed(c) || c == '/') || path_and_name.contains("//") {
        return Err(format!(
            "role path {path_and_name:?} has characters IAM does not allow"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_accepted_with_or_without_a_path() {
        assert!(check("arn:aws:iam::123456789012:role/cfn-deploy").is_ok());
        assert!(check("arn:aws:iam::123456789012:role/service/deploy@web.prod").is_ok());
        assert!(check("arn:aws-cn:iam::123456789012:role/x").is_ok());
        assert!(check("arn:aws-us-gov:iam::123456789012:role/x").is_ok());
    }

    #[test]
    fn each_wrong_part_is_named() {
        let err = |arn: &str| check(arn).unwrap_err();
        assert!(err("cfn-deploy").contains("six parts"));
        assert!(err("urn:aws:iam::123456789012:role/x").contains("arn:"));
        assert!(err("arn:azure:iam::123456789012:role/x").contains("partition"));
        assert!(err("arn:aws:s3::123456789012:role/x").contains("not iam"));
        assert!(err("arn:aws:iam:us-east-1:123456789012:role/x").contains("no region"));
        assert!(err("arn:aws:iam::12345:role/x").contains("12 digits"));
        assert!(err("arn:aws:iam::123456789012:user/x").contains("not a role"));
        assert!(err("arn:aws:iam::123456789012:role/").contains("role name"));
        assert!(
            err(&format!(
                "arn:aws:iam::123456789012:role/{}",
                "r".repeat(65)
            ))
            .contains("role name")
        );
        assert!(err("arn:aws:iam::123456789012:role/a b").contains("role name"));
        assert!(err("arn:aws:iam::123456789012:role/a//b").contains("path"));
    }
}
