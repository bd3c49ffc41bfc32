//! AWS KMS resource types: customer managed keys.
//!
//! Property names and types follow AWS's provider schema for
//! `AWS::KMS::Key`. The key policy is a JSON policy document held as an
//! [`Expr`] map, so statements can contain intrinsics (`Fn::Sub` for the
//! account ARN).

use crate::resources::Tag;
use crate::template::{Expr, List};

cfn_resource! {
    /// `AWS::KMS::Key`: a customer managed KMS key, for when a service
    /// principal must be allowed to use the key (AWS managed keys cannot be
    /// given to, for example, CloudWatch alarms publishing to SNS).
    pub struct Key = "AWS::KMS::Key", tags: standard {
        /// What the key protects.
        description: "Description" => String,
        /// Whether the key is enabled.
        enabled: "Enabled" => bool,
        /// Whether key material rotates automatically (symmetric keys).
        enable_key_rotation: "EnableKeyRotation" => bool,
        /// The key policy document.
        key_policy: "KeyPolicy" => Expr,
        /// Key spec (`SYMMETRIC_DEFAULT`, ...).
        key_spec: "KeySpec" => String,
        /// Key usage (`ENCRYPT_DECRYPT`, ...).
        key_usage: "KeyUsage" => String,
        /// Whether the key is a multi-Region primary key.
        multi_region: "MultiRegion" => bool,
        /// Days before a deleted key is destroyed (7 to 30).
        pending_window_in_days: "PendingWindowInDays" => i64,
        /// Days between automatic rotations (90 to 2560).
        rotation_period_in_days: "RotationPeriodInDays" => i64,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The key's ARN.
        arn: "Arn",
        /// The key's ID.
        key_id: "KeyId",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::CfnResource;
    use crate::template::Handle;

    #[test]
    fn key_policy_is_written_as_given() {
        let policy = Expr::Map([("Version".to_owned(), Expr::string("2012-10-17"))].into());
        let key = Key::new()
            .enable_key_rotation(true)
            .key_policy(policy.clone());
        let props = key.properties();
        assert_eq!(props["KeyPolicy"], policy);
        assert_eq!(props["EnableKeyRotation"], Expr::Bool(true));
        let h: Handle<Key> = Handle::new("K");
        assert_eq!(h.arn(), h.get_att("Arn"));
    }
}
