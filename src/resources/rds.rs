//! Amazon RDS resource types: DB subnet groups and (non-Aurora) DB instances.
//!
//! Property names, value types and attributes follow AWS's provider schemas
//! for `AWS::RDS::DBSubnetGroup` and `AWS::RDS::DBInstance` (as shipped with
//! cfn-lint 1.58.0). Numbers that the schema declares as digit strings
//! (`AllocatedStorage`, `Port`) are integers here: CloudFormation and cfn-lint
//! accept a number there, and an integer lets constructs check ranges.
//!
//! `MasterUserPassword` is deliberately absent: hagen never puts a database
//! password into a template. Use `ManageMasterUserPassword` and read the
//! secret through [`Handle::master_user_secret_arn`](crate::template::Handle).

use crate::resources::Tag;
use crate::template::List;

cfn_resource! {
    /// `AWS::RDS::DBSubnetGroup`: the subnets (in at least two AZs) a DB
    /// instance and its Multi-AZ standby may be placed in.
    pub struct DbSubnetGroup = "AWS::RDS::DBSubnetGroup", tags: standard {
        /// Description (required).
        db_subnet_group_description: "DBSubnetGroupDescription" => String,
        /// Physical name (leave unset so CloudFormation can replace the group).
        db_subnet_group_name: "DBSubnetGroupName" => String,
        /// Subnet IDs (required), in at least two availability zones.
        subnet_ids: "SubnetIds" => List<String>,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The subnet group's ARN.
        db_subnet_group_arn: "DBSubnetGroupArn",
    }
}

cfn_struct! {
    /// The Secrets Manager secret RDS manages for the master user
    /// (`MasterUserSecret`); only its KMS key can be chosen.
    pub struct MasterUserSecret {
        /// KMS key that encrypts the secret (default: `aws/secretsmanager`).
        kms_key_id: "KmsKeyId" => String,
    }
}

cfn_resource! {
    /// `AWS::RDS::DBInstance`: one RDS database instance (with its Multi-AZ
    /// standby when `MultiAZ` is true).
    pub struct DbInstance = "AWS::RDS::DBInstance", tags: standard {
        /// Initial storage in GiB (a digit string in the schema; a number is accepted).
        allocated_storage: "AllocatedStorage" => i64,
        /// Whether major version upgrades are allowed.
        allow_major_version_upgrade: "AllowMajorVersionUpgrade" => bool,
        /// Whether minor engine upgrades are applied in the maintenance window.
        auto_minor_version_upgrade: "AutoMinorVersionUpgrade" => bool,
        /// Availability zone (not allowed with `MultiAZ`).
        availability_zone: "AvailabilityZone" => String,
        /// Days automated backups are kept (0 disables backups).
        backup_retention_period: "BackupRetentionPeriod" => i64,
        /// Certificate authority of the server certificate.
        ca_certificate_identifier: "CACertificateIdentifier" => String,
        /// Whether tags are copied to snapshots.
        copy_tags_to_snapshot: "CopyTagsToSnapshot" => bool,
        /// `standard` or `advanced` Database Insights.
        database_insights_mode: "DatabaseInsightsMode" => String,
        /// Instance class, such as `db.t4g.medium`.
        db_instance_class: "DBInstanceClass" => String,
        /// Physical name (leave unset so CloudFormation can replace the instance).
        db_instance_identifier: "DBInstanceIdentifier" => String,
        /// Name of the database created at launch.
        db_name: "DBName" => String,
        /// DB parameter group.
        db_parameter_group_name: "DBParameterGroupName" => String,
        /// Snapshot to restore from.
        db_snapshot_identifier: "DBSnapshotIdentifier" => String,
        /// DB subnet group (required for a VPC placement of your choice).
        db_subnet_group_name: "DBSubnetGroupName" => String,
        /// Whether automated backups are removed when the instance is deleted.
        delete_automated_backups: "DeleteAutomatedBackups" => bool,
        /// Whether the instance refuses deletion.
        deletion_protection: "DeletionProtection" => bool,
        /// Log types exported to CloudWatch Logs (engine specific).
        enable_cloudwatch_logs_exports: "EnableCloudwatchLogsExports" => List<String>,
        /// Whether IAM database authentication is enabled.
        enable_iam_database_authentication: "EnableIAMDatabaseAuthentication" => bool,
        /// Whether Performance Insights is enabled.
        enable_performance_insights: "EnablePerformanceInsights" => bool,
        /// Engine, such as `postgres` or `mysql`.
        engine: "Engine" => String,
        /// RDS Extended Support enrolment after end of standard support.
        engine_lifecycle_support: "EngineLifecycleSupport" => String,
        /// Engine version, such as `17.9` or `8.4.9`.
        engine_version: "EngineVersion" => String,
        /// Provisioned IOPS (io1/io2, or gp3 above the baseline).
        iops: "Iops" => i64,
        /// KMS key for storage encryption (default: `aws/rds`).
        kms_key_id: "KmsKeyId" => String,
        /// License model.
        license_model: "LicenseModel" => String,
        /// Whether RDS keeps the master password in Secrets Manager.
        manage_master_user_password: "ManageMasterUserPassword" => bool,
        /// The managed master secret's settings.
        master_user_secret: "MasterUserSecret" => MasterUserSecret,
        /// Master user name.
        master_username: "MasterUsername" => String,
        /// Upper limit in GiB for storage autoscaling.
        max_allocated_storage: "MaxAllocatedStorage" => i64,
        /// Enhanced Monitoring interval in seconds (0 disables it).
        monitoring_interval: "MonitoringInterval" => i64,
        /// Role that lets RDS send Enhanced Monitoring metrics.
        monitoring_role_arn: "MonitoringRoleArn" => String,
        /// Whether a standby runs in another availability zone.
        multi_az: "MultiAZ" => bool,
        /// `IPV4` or `DUAL`.
        network_type: "NetworkType" => String,
        /// Option group.
        option_group_name: "OptionGroupName" => String,
        /// KMS key for Performance Insights data.
        performance_insights_kms_key_id: "PerformanceInsightsKMSKeyId" => String,
        /// Days Performance Insights data is kept (7 is the free tier).
        performance_insights_retention_period: "PerformanceInsightsRetentionPeriod" => i64,
        /// Port (a digit string in the schema; a number is accepted).
        port: "Port" => i64,
        /// Daily backup window, `hh24:mi-hh24:mi` in UTC.
        preferred_backup_window: "PreferredBackupWindow" => String,
        /// Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` in UTC.
        preferred_maintenance_window: "PreferredMaintenanceWindow" => String,
        /// Whether the instance gets a public address.
        publicly_accessible: "PubliclyAccessible" => bool,
        /// Whether storage is encrypted.
        storage_encrypted: "StorageEncrypted" => bool,
        /// Storage throughput in MiB/s (gp3).
        storage_throughput: "StorageThroughput" => i64,
        /// `gp3`, `gp2`, `io1`, `io2` or `standard`.
        storage_type: "StorageType" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
        /// VPC security group IDs.
        vpc_security_groups: "VPCSecurityGroups" => List<String>,
    }
    attributes {
        /// The instance's ARN.
        db_instance_arn: "DBInstanceArn",
        /// The region-unique, immutable resource ID (`db-...`).
        dbi_resource_id: "DbiResourceId",
        /// The connection endpoint's DNS name.
        endpoint_address: "Endpoint.Address",
        /// The connection endpoint's port (a string).
        endpoint_port: "Endpoint.Port",
        /// The Route53 hosted zone of the endpoint.
        endpoint_hosted_zone_id: "Endpoint.HostedZoneId",
        /// ARN of the Secrets Manager secret holding the master password
        /// (only with `ManageMasterUserPassword: true`).
        master_user_secret_arn: "MasterUserSecret.SecretArn",
        /// The server certificate's CA.
        certificate_ca_identifier: "CertificateDetails.CAIdentifier",
        /// When the server certificate expires.
        certificate_valid_till: "CertificateDetails.ValidTill",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::CfnResource;
    use crate::template::{Expr, Handle, Intrinsic, ToExpr};

    #[test]
    fn subnet_group_serialises_its_required_properties() {
        let group = DbSubnetGroup::new()
            .db_subnet_group_description("db")
            .subnet_ids(vec![Intrinsic::Ref("A".into()), Intrinsic::Ref("B".into())]);
        let props = group.properties();
        assert_eq!(
            props.keys().collect::<Vec<_>>(),
            ["DBSubnetGroupDescription", "SubnetIds"]
        );
        assert_eq!(
            props["SubnetIds"],
            Expr::List(vec![
                Expr::func(Intrinsic::Ref("A".into())),
                Expr::func(Intrinsic::Ref("B".into()))
            ])
        );
    }

    #[test]
    fn storage_and_port_are_numbers_and_can_hold_a_ref() {
        let db = DbInstance::new()
            .allocated_storage(20)
            .port(Intrinsic::Ref("DbPort".into()))
            .multi_az(true)
            .master_user_secret(MasterUserSecret::new().kms_key_id("alias/k"));
        let props = db.properties();
        assert_eq!(props["AllocatedStorage"], Expr::Int(20));
        assert_eq!(props["Port"], Expr::func(Intrinsic::Ref("DbPort".into())));
        assert_eq!(props["MultiAZ"], Expr::Bool(true));
        assert_eq!(
            props["MasterUserSecret"],
            MasterUserSecret::new().kms_key_id("alias/k").to_expr()
        );
    }

    #[test]
    fn attributes_use_the_schema_paths() {
        let db: Handle<DbInstance> = Handle::new("Db");
        assert_eq!(db.endpoint_address(), db.get_att("Endpoint.Address"));
        assert_eq!(db.endpoint_port(), db.get_att("Endpoint.Port"));
        assert_eq!(
            db.master_user_secret_arn(),
            db.get_att("MasterUserSecret.SecretArn")
        );
        assert_eq!(DbInstance::TYPE, "AWS::RDS::DBInstance");
        assert_eq!(DbSubnetGroup::TYPE, "AWS::RDS::DBSubnetGroup");
    }
}
