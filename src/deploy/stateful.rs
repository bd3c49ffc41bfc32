//! Resource types that hold state a replacement or deletion destroys or
//! strands: data, addresses other systems depend on, keys.
//!
//! Owns the list and the reason given for each; the review decides what to
//! do with it.

/// Stateful resource types and what replacing or deleting one costs.
const STATEFUL: &[(&str, &str)] = &[
    (
        "AWS::RDS::DBInstance",
        "database: its data and automated backups go with it",
    ),
    (
        "AWS::RDS::DBCluster",
        "database cluster: its data and automated backups go with it",
    ),
    (
        "AWS::Neptune::DBCluster",
        "graph database cluster: its data goes with it",
    ),
    (
        "AWS::DocDB::DBCluster",
        "document database cluster: its data goes with it",
    ),
    (
        "AWS::Redshift::Cluster",
        "data warehouse: its data goes with it",
    ),
    ("AWS::DynamoDB::Table", "table: its items go with it"),
    (
        "AWS::DynamoDB::GlobalTable",
        "global table: its items go with it",
    ),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "cache cluster: its data goes with it",
    ),
    (
        "AWS::ElastiCache::CacheCluster",
        "cache cluster: its data goes with it",
    ),
    (
        "AWS::ElastiCache::ServerlessCache",
        "cache: its data goes with it",
    ),
    (
        "AWS::OpenSearchService::Domain",
        "search domain: its indexes go with it",
    ),
    (
        "AWS::Elasticsearch::Domain",
        "search domain: its indexes go with it",
    ),
    ("AWS::EC2::Volume", "EBS volume: its data goes with it"),
    ("AWS::EFS::FileSystem", "file system: its files go with it"),
    ("AWS::FSx::FileSystem", "file system: its files go with it"),
    (
        "AWS::S3::Bucket",
        "bucket: the new bucket starts empty and the objects stay in the old one (CloudFormation cannot delete a bucket that still holds objects)",
    ),
    (
        "AWS::EC2::EIP",
        "Elastic IP: its address changes, breaking DNS records and allow-lists that use it",
    ),
    ("AWS::Kinesis::Stream", "stream: unread records go with it"),
    ("AWS::SQS::Queue", "queue: unread messages go with it"),
    ("AWS::Logs::LogGroup", "log group: its logs go with it"),
    (
        "AWS::KMS::Key",
        "KMS key: data encrypted with it can no longer be decrypted once it is deleted",
    ),
    (
        "AWS::SecretsManager::Secret",
        "secret: its value (and rotation history) goes with it",
    ),
    (
        "AWS::Cognito::UserPool",
        "user pool: its users and passwords go with it",
    ),
    (
        "AWS::Route53::HostedZone",
        "hosted zone: a new one gets new name servers, breaking delegation",
    ),
    (
        "AWS::ECR::Repository",
        "image repository: its images go with it",
    ),
    (
        "AWS::Backup::BackupVault",
        "backup vault: its recovery points go with it",
    ),
];

/// Why replacing or deleting a resource of `resource_type` is dangerous, when
/// it is.
pub fn risk(resource_type: &str) -> Option<&'static str> {
    STATEFUL
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_buckets_volumes_and_eips_are_stateful() {
        for t in [
            "AWS::RDS::DBInstance",
            "AWS::RDS::DBCluster",
            "AWS::S3::Bucket",
            "AWS::EC2::Volume",
            "AWS::EC2::EIP",
        ] {
            assert!(risk(t).is_some(), "{t}");
        }
        assert!(risk("AWS::EC2::SecurityGroup").is_none());
    }
}
