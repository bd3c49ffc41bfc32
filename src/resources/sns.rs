//! Amazon SNS resource types: topics and subscriptions.

use crate::resources::Tag;
use crate::template::List;

cfn_resource! {
    /// `AWS::SNS::Topic`: where alarms and Auto Scaling notifications go.
    pub struct Topic = "AWS::SNS::Topic", tags: standard {
        /// Human-readable name shown in e-mail notifications.
        display_name: "DisplayName" => String,
        /// Physical name (leave unset so CloudFormation can replace the topic).
        topic_name: "TopicName" => String,
        /// KMS key for server-side encryption (`alias/aws/sns` for the AWS-managed key).
        kms_master_key_id: "KmsMasterKeyId" => String,
        /// Tags.
        tags: "Tags" => List<Tag>,
    }
    attributes {
        /// The topic ARN.
        topic_arn: "TopicArn",
        /// The topic name.
        topic_name: "TopicName",
    }
}

cfn_resource! {
    /// `AWS::SNS::Subscription`: one endpoint subscribed to a topic.
    pub struct Subscription = "AWS::SNS::Subscription", tags: none {
        /// The topic ARN.
        topic_arn: "TopicArn" => String,
        /// `email`, `https`, `sqs`, `lambda`, ...
        protocol: "Protocol" => String,
        /// The address (an e-mail address for `email`).
        endpoint: "Endpoint" => String,
    }
    attributes {
        /// The subscription ARN.
        arn: "Arn",
    }
}
