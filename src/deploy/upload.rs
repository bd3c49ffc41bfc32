//! Templates too large to send inline: uploaded to S3 under a content-hash
//! key, then passed to CloudFormation as `TemplateURL`.
//!
//! Owns the size limit, the key and the URL. The same template always gets
//! the same key, so an unchanged template is not uploaded twice.

use aws_sdk_s3::primitives::ByteStream;
use sha2::{Digest, Sha256};

use super::aws::Clients;
use super::error::DeployError;
use super::naming::hex;

/// Largest template body CloudFormation accepts inline (`TemplateBody`), in
/// bytes; larger ones (up to 1,000,000 bytes) must come from S3.
pub const MAX_INLINE_BYTES: usize = 51_200;

/// Largest template CloudFormation accepts from S3, in bytes.
pub const MAX_S3_BYTES: usize = 1_000_000;

/// The S3 key for a template body: stack name plus the SHA-256 of the body.
pub fn template_key(stack: &str, body: &str) -> String {
    let digest = hex(&Sha256::digest(body.as_bytes()));
    format!("hagen/{stack}/{digest}.template")
}

/// The URL CloudFormation reads the object from: path-style under the custom
/// endpoint when one is set (that is where the object was put), the
/// regional virtual-hosted S3 URL otherwise.
pub fn template_url(clients: &Clients, bucket: &str, key: &str) -> String {
    match &clients.endpoint_url {
        Some(endpoint) => format!("{}/{bucket}/{key}", endpoint.trim_end_matches('/')),
        None => {
            let region = clients.region.as_deref().unwrap_or("us-east-1");
            let domain = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://{bucket}.s3.{region}.{domain}/{key}")
        }
    }
}

/// Uploads `body` (unless an object with its hash is already there) and
/// returns its `TemplateURL`.
pub async fn upload(
    clients: &Clients,
    bucket: &str,
    stack: &str,
    body: &str,
) -> Result<String, DeployError> {
    upload_expecting(clients, bucket, None, stack, body).await
}

/// [`upload`] into a bucket that must belong to `owner` (an account ID):
/// S3 refuses both requests when it belongs to anyone else, so a template
/// never lands in a bucket of the same name that another account took.
pub async fn upload_expecting(
    clients: &Clients,
    bucket: &str,
    owner: Option<&str>,
    stack: &str,
    body: &str,
) -> Result<String, DeployError> {
    if body.len() > MAX_S3_BYTES {
        return Err(DeployError::TemplateRejected {
            message: format!(
                "the template is {} bytes; CloudFormation accepts at most {MAX_S3_BYTES} bytes even from S3: split it into nested stacks",
                body.len()
            ),
        });
    }
    let key = template_key(stack, body);
    let present = clients
        .s3
        .head_object()
        .bucket(bucket)
        .key(&key)
        .set_expected_bucket_owner(owner.map(str::to_owned))
        .send()
        .await
        .is_ok();
    if !present {
        clients
            .s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .set_expected_bucket_owner(owner.map(str::to_owned))
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .content_type("text/plain")
            .send()
            .await
            .map_err(|e| {
                DeployError::aws(format!("uploading the template to s3://{bucket}/{key}"), &e)
            })?;
    }
    Ok(template_url(clients, bucket, &key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_depends_on_content_only() {
        let a = template_key("web", "Resources: {}");
        assert_eq!(a, template_key("web", "Resources: {}"));
        assert_ne!(a, template_key("web", "Resources: {} "));
        assert!(a.starts_with("hagen/web/") && a.ends_with(".template"));
    }
}
