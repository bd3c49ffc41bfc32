//! The catalogue of hagen's rules: stable IDs, severities and a one-line
//! rationale for each, in one place so that reports, suppressions and
//! `docs/validation.md` agree.
//!
//! Owns rule identity only. Checks live in their own modules and refer to
//! rules by the constants here; an ID is never reused for another meaning.
//!
//! Every rule has two severities. `severity` applies to any template
//! (`hagen validate`): findings CloudFormation would reject are errors,
//! security and availability policies are warnings, so valid CloudFormation
//! written elsewhere gets no errors. `strict` applies to hagen's own output
//! (`hagen synth`, `hagen validate --strict`), where the security and
//! availability guarantees are hagen's promise and their breach is an error.
//! Deliberate trade-offs (a single NAT, a single-AZ database) stay warnings
//! even then, to be suppressed with a reason.

use super::diagnostic::{Diagnostic, Severity};

/// What a rule is about, for grouping in docs and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Suppressions and the checker itself.
    Meta,
    /// Resource properties against AWS's resource schemas.
    Schema,
    /// References, intrinsic functions and the template's own structure.
    Template,
    /// CloudFormation's quotas.
    Quota,
    /// Security policy.
    Security,
    /// Availability policy.
    Availability,
    /// CIDR math and network ACL / security group consistency.
    Network,
}

impl Category {
    /// Lower-case name used in docs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Meta => "meta",
            Category::Schema => "schema",
            Category::Template => "template",
            Category::Quota => "quota",
            Category::Security => "security",
            Category::Availability => "availability",
            Category::Network => "network",
        }
    }
}

/// One rule: what it checks and how bad a finding is.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable ID (`HG401`); never reused.
    pub id: &'static str,
    /// Grouping.
    pub category: Category,
    /// Severity for any template.
    pub severity: Severity,
    /// Severity for hagen's own output and `--strict`.
    pub strict: Severity,
    /// Short name.
    pub title: &'static str,
    /// Why it matters, in one line.
    pub rationale: &'static str,
}

impl Rule {
    /// The severity under the given strictness.
    pub fn severity_for(&self, strict: bool) -> Severity {
        if strict { self.strict } else { self.severity }
    }

    /// A finding of this rule at its default severity; checks fill in the
    /// resource and path with the builder methods on [`Diagnostic`].
    pub fn diag(&'static self, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule: self.id.to_owned(),
            severity: self.severity,
            message: message.into(),
            resource: None,
            path: Vec::new(),
            hint: None,
        }
    }
}

macro_rules! rules {
    ($($name:ident = $id:literal, $cat:ident, $sev:ident / $strict:ident, $title:literal, $why:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $title, ". ", $why)]
            pub static $name: Rule = Rule {
                id: $id,
                category: Category::$cat,
                severity: Severity::$sev,
                strict: Severity::$strict,
                title: $title,
                rationale: $why,
            };
        )*
        /// Every rule, in ID order.
        pub static ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    SUPPRESSION_WITHOUT_REASON = "HG001", Meta, Error / Error,
        "suppression without a reason",
        "A silenced finding must say why, so that reviewers can judge the exception.";
    SUPPRESSION_UNKNOWN_RULE = "HG002", Meta, Warning / Warning,
        "suppression of an unknown rule",
        "A suppression naming no rule silences nothing and is probably a typo.";
    SUPPRESSION_UNUSED = "HG003", Meta, Info / Info,
        "suppression that matched nothing",
        "A stale suppression hides future findings of the same rule without anyone noticing.";
    TRANSFORM_SKIPPED = "HG004", Meta, Info / Info,
        "template uses a transform",
        "Macros expand at deploy time; checks that need the expanded template were skipped.";
    SCHEMA_DATA = "HG005", Meta, Error / Error,
        "schema data unreadable",
        "The embedded AWS schemas could not be read; regenerate them with tools/vendor-schemas.sh.";
    CHECK_CUT_SHORT = "HG006", Meta, Warning / Warning,
        "check cut short",
        "A template that exceeds one of hagen's work budgets (conditions built on conditions, meshes of security group rules) is checked only in part; some findings may be missing.";
    TEMPLATE_SHAPE = "HG010", Template, Error / Error,
        "template shape",
        "CloudFormation rejects a template whose sections or intrinsic functions have the wrong shape.";
    TEMPLATE_READING = "HG011", Template, Warning / Warning,
        "value read differently than it looks",
        "CloudFormation reads YAML 1.1 (plain yes is a boolean, 0755 an octal number) and skips entries only a transform expands.";
    TEMPLATE_UNREADABLE = "HG012", Template, Error / Error,
        "template cannot be read",
        "CloudFormation rejects a file that cannot be read, is not UTF-8, is not well-formed JSON or YAML, nests too deep or is over its size limit; nothing else can be checked until it reads.";

    UNKNOWN_TYPE = "HG101", Schema, Error / Error,
        "unknown resource type",
        "CloudFormation rejects a resource type it does not know.";
    UNKNOWN_PROPERTY = "HG102", Schema, Error / Error,
        "unknown property",
        "CloudFormation rejects properties the resource type does not have.";
    REQUIRED_PROPERTY = "HG103", Schema, Error / Error,
        "missing or conflicting properties",
        "CloudFormation rejects a resource without its required properties or with properties that exclude each other.";
    WRONG_TYPE = "HG104", Schema, Error / Error,
        "value of the wrong type",
        "CloudFormation rejects a list where a string is expected, an object where a number is, and so on.";
    VALUE_NOT_ALLOWED = "HG105", Schema, Error / Error,
        "value not allowed",
        "The value is outside what the resource type accepts (allowed values, pattern, range, length, item count).";
    READ_ONLY_PROPERTY = "HG106", Schema, Error / Error,
        "read-only property set",
        "Read-only properties are never sent to the service and cause drift.";

    REF_TARGET = "HG201", Template, Error / Error,
        "Ref to nothing",
        "A Ref must name a parameter, a resource or a pseudo parameter.";
    GETATT_TARGET = "HG202", Template, Error / Error,
        "GetAtt of an unknown resource",
        "Fn::GetAtt must name a resource of the template.";
    GETATT_ATTRIBUTE = "HG203", Template, Error / Error,
        "GetAtt of an unknown attribute",
        "Fn::GetAtt must name an attribute the resource type returns.";
    SUB_VARIABLE = "HG204", Template, Error / Error,
        "Fn::Sub variable undefined",
        "Every ${Name} in Fn::Sub must be a parameter, resource, attribute, pseudo parameter or given variable.";
    DEPENDS_ON_TARGET = "HG205", Template, Error / Error,
        "DependsOn of an unknown resource",
        "DependsOn must name other resources of the template.";
    CONDITION_TARGET = "HG206", Template, Error / Error,
        "unknown condition",
        "Condition attributes, Fn::If and Condition functions must name a condition of the template.";
    SELECT_INDEX = "HG207", Template, Error / Error,
        "Fn::Select index out of range",
        "Selecting past the end of a list fails the deployment.";
    GETAZS_ARGUMENT = "HG208", Template, Error / Error,
        "Fn::GetAZs argument",
        "Fn::GetAZs takes a region name, an empty string or Ref AWS::Region.";
    INTRINSIC_SHAPE = "HG209", Template, Error / Error,
        "intrinsic function misused",
        "The function's arguments have the wrong shape, or it stands where CloudFormation does not allow it.";
    FIND_IN_MAP = "HG210", Template, Error / Error,
        "Fn::FindInMap of an unknown entry",
        "Fn::FindInMap must name a mapping and keys that exist.";
    DEPENDENCY_CYCLE = "HG211", Template, Error / Error,
        "dependency cycle",
        "CloudFormation cannot order resources that depend on each other in a circle.";
    UNUSED_PARAMETER = "HG212", Template, Warning / Warning,
        "unused parameter",
        "A parameter nothing uses asks the deployer for a value that changes nothing.";
    UNUSED_CONDITION = "HG213", Template, Warning / Warning,
        "unused condition",
        "A condition nothing uses is dead code, often a forgotten Condition attribute.";
    UNUSED_MAPPING = "HG214", Template, Warning / Warning,
        "unused mapping",
        "A mapping nothing reads is dead weight, often a forgotten Fn::FindInMap.";
    PARAMETER_DEFAULT = "HG215", Template, Error / Error,
        "parameter default breaks its constraints",
        "CloudFormation rejects a stack whose parameter default fails its own AllowedValues, pattern, length or range.";
    PARAMETER_TYPE = "HG216", Template, Error / Error,
        "unknown parameter type",
        "CloudFormation rejects a parameter whose Type it does not know.";
    UNKNOWN_FUNCTION = "HG217", Template, Error / Error,
        "unknown intrinsic function",
        "CloudFormation rejects a function it does not know (a misspelt Fn:: name or short-form tag) and a rule function outside Rules.";
    NEEDS_LANGUAGE_EXTENSIONS = "HG218", Template, Error / Error,
        "function needs the AWS::LanguageExtensions transform",
        "Fn::Length, Fn::ToJsonString, Fn::ForEach and Fn::FindInMap default values exist only in templates that declare Transform: AWS::LanguageExtensions.";
    RULES_OUTSIDE_PARAMETERS = "HG219", Template, Error / Error,
        "Rules use more than parameters and rule functions",
        "Rules are evaluated before any resource exists: they may only Ref parameters (and pseudo parameters) and use the rule functions.";
    DEPLOY_MONITORS = "HG220", Template, Error / Error,
        "deploy monitor that is not an alarm",
        "Metadata.hagen.DeployMonitors must name at most 5 CloudWatch alarms of the template, watched up to 180 minutes, or the deploy's rollback triggers cannot be set.";
    APP_EXPORT_COLLISION = "HG221", Template, Error / Error,
        "export name used by two stacks",
        "Export names are unique in an account and region: the second stack to export a name fails to deploy.";
    APP_IMPORT_UNKNOWN = "HG222", Template, Warning / Warning,
        "import that no stack of the app exports",
        "An Fn::ImportValue of a name no stack of the app exports must already be exported in the account and region, or the change set fails.";
    APP_CROSS_STACK_REF = "HG223", Template, Error / Error,
        "reference to a resource of another stack",
        "A Ref or Fn::GetAtt reaches only its own template: a value of another stack of the app must be shared (an export and its Fn::ImportValue).";
    APP_MODEL_SKIPPED = "HG224", Template, Info / Info,
        "whole-app model not built",
        "The availability and network checks across stacks merge the app's templates; a logical ID two stacks define differently stops that merge (each stack is still checked alone).";

    QUOTA_RESOURCES = "HG301", Quota, Error / Error,
        "resource count",
        "A template holds at most 500 resources (warning from 80%).";
    QUOTA_PARAMETERS = "HG302", Quota, Error / Error,
        "parameter count",
        "A template holds at most 200 parameters (warning from 80%).";
    QUOTA_OUTPUTS = "HG303", Quota, Error / Error,
        "output count",
        "A template holds at most 200 outputs (warning from 80%).";
    QUOTA_MAPPINGS = "HG304", Quota, Error / Error,
        "mapping count",
        "A template holds at most 200 mappings of at most 200 attributes each (warning from 80%).";
    QUOTA_NAME = "HG305", Quota, Error / Error,
        "name length or characters",
        "Logical IDs and other names are 1 to 255 letters and digits.";
    QUOTA_DESCRIPTION = "HG306", Quota, Error / Error,
        "description size",
        "The template description is at most 1,024 bytes (warning from 80%).";
    QUOTA_BODY_S3 = "HG307", Quota, Error / Error,
        "template size",
        "A template uploaded through S3 is at most 1,000,000 bytes (warning from 80%).";
    QUOTA_BODY_INLINE = "HG308", Quota, Warning / Warning,
        "template too big to send inline",
        "A template sent inline is at most 51,200 bytes; bigger ones must go through S3 (the bucket `hagen bootstrap` makes, or hagen deploy --bucket).";
    QUOTA_NESTED_TREE = "HG309", Quota, Error / Error,
        "resources across nested stacks",
        "One stack operation creates or updates at most 2,500 resources across a stack and its nested stacks (warning from 80%).";

    ADMIN_PORT_OPEN = "HG401", Security, Warning / Error,
        "admin port open to the world",
        "SSH and RDP reachable from 0.0.0.0/0 or ::/0 invite brute-force attacks; allow an admin CIDR or a bastion group.";
    DB_PORT_OPEN = "HG402", Security, Warning / Error,
        "database port open to the world",
        "Databases must be reachable only from the application's security group.";
    DB_PUBLIC = "HG403", Security, Warning / Error,
        "database publicly accessible",
        "A publicly accessible database gets a public address; keep it in isolated subnets.";
    DB_UNENCRYPTED = "HG404", Security, Warning / Error,
        "database storage unencrypted",
        "Unencrypted storage and snapshots expose data at rest; encryption cannot be turned on later without a copy.";
    DB_PLAINTEXT_PASSWORD = "HG405", Security, Warning / Error,
        "database password written in the template",
        "A literal password is readable by anyone who can read the template or the stack.";
    DB_PARAMETER_PASSWORD = "HG406", Security, Warning / Error,
        "database password passed as a parameter",
        "Let RDS manage the master password in Secrets Manager (ManageMasterUserPassword) instead of passing one around.";
    IMDS_V1 = "HG407", Security, Warning / Error,
        "IMDSv1 allowed",
        "Instance metadata without session tokens (IMDSv1) lets SSRF bugs steal the instance role's credentials; require HttpTokens.";
    VOLUME_UNENCRYPTED = "HG408", Security, Warning / Error,
        "unencrypted volume",
        "EBS volumes should be encrypted; set Encrypted: true.";
    HTTP_NOT_REDIRECTED = "HG409", Security, Warning / Error,
        "HTTP listener does not redirect",
        "Plain HTTP traffic should be redirected to HTTPS, never served.";
    HTTPS_NO_TLS_POLICY = "HG410", Security, Warning / Error,
        "HTTPS listener without a TLS policy",
        "Without SslPolicy the listener accepts the old default policy; choose a current TLS 1.2+ policy.";
    IAM_WILDCARD_ACTION = "HG411", Security, Warning / Error,
        "wildcard IAM action",
        "Allowing every action (\"*\" or \"service:*\") breaks least privilege.";

    ASG_SINGLE_AZ = "HG501", Availability, Warning / Error,
        "Auto Scaling group in fewer than two AZs",
        "An Auto Scaling group in one AZ goes down with it.";
    LB_SINGLE_AZ = "HG502", Availability, Error / Error,
        "load balancer in fewer than two AZs",
        "Elastic Load Balancing rejects an Application Load Balancer without subnets in at least two AZs.";
    ASG_MIN_BELOW_AZS = "HG503", Availability, Warning / Warning,
        "Auto Scaling minimum below the AZ count",
        "With fewer instances than AZs, some AZs have none and losing one AZ can take all capacity.";
    NAT_CROSS_AZ = "HG504", Availability, Warning / Warning,
        "private subnet routed through another AZ's NAT",
        "Losing the NAT's AZ cuts internet egress for subnets in healthy AZs.";
    SINGLE_NAT = "HG505", Availability, Warning / Warning,
        "single NAT gateway",
        "One NAT gateway for several AZs is a single point of failure for egress.";
    DB_SINGLE_AZ = "HG506", Availability, Warning / Warning,
        "database not Multi-AZ",
        "A single-AZ database is lost with its AZ; Multi-AZ fails over to a standby.";
    STATEFUL_NO_POLICY = "HG507", Availability, Warning / Error,
        "stateful resource without retention policies",
        "Without DeletionPolicy and UpdateReplacePolicy, a delete or a replacement destroys the data.";
    ASG_NO_UPDATE_POLICY = "HG508", Availability, Warning / Error,
        "Auto Scaling group without a capacity-keeping update policy",
        "Replacing instances without a rolling or replacing update policy can take the whole fleet out of service.";

    SUBNET_OUTSIDE_VPC = "HG601", Network, Error / Error,
        "subnet outside its VPC",
        "EC2 rejects a subnet whose CIDR is not inside its VPC's CIDR.";
    SUBNET_OVERLAP = "HG602", Network, Error / Error,
        "overlapping subnets",
        "EC2 rejects subnets of one VPC whose CIDRs overlap.";
    NACL_BLOCKS_FLOW = "HG603", Network, Warning / Error,
        "network ACL drops an allowed flow",
        "A flow the security groups allow is dead if a network ACL drops it or its return traffic.";
    LISTENER_CLOSED = "HG604", Network, Warning / Error,
        "listener port closed to its users",
        "A listener whose load balancer's security groups do not admit its users (the internet, or the VPC for internal ones) on its port serves nobody.";
    TARGET_PORT_CLOSED = "HG605", Network, Warning / Error,
        "target port closed to the load balancer",
        "Targets whose security groups do not admit the load balancer on the traffic and health check ports never turn healthy and serve nothing.";
    DATABASE_PORT_CLOSED = "HG606", Network, Warning / Error,
        "database port closed to the application",
        "Instances that use a database but whose security groups cannot reach its port fail every request that needs data.";
}

/// The rule with this ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

impl Diagnostic {
    /// Sets the logical ID concerned.
    pub fn on(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Sets the path from the top of the template.
    pub fn at<S: Into<String>>(mut self, path: impl IntoIterator<Item = S>) -> Self {
        self.path = path.into_iter().map(Into::into).collect();
        self
    }

    /// Sets what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the severity (quota rules warn when a quota is approached).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        for id in ids {
            assert!(id.starts_with("HG") && id.len() == 5, "{id}");
        }
    }

    #[test]
    fn policy_rules_never_error_on_foreign_templates() {
        // HG502 is an availability rule AWS itself enforces for ALBs.
        for r in ALL.iter().filter(|r| r.id != LB_SINGLE_AZ.id) {
            if matches!(r.category, Category::Security | Category::Availability) {
                assert_ne!(r.severity, Severity::Error, "{}", r.id);
            }
            assert!(r.strict >= r.severity, "{}", r.id);
            assert!(r.rationale.ends_with('.'), "{}", r.id);
        }
    }

    #[test]
    fn rules_are_found_by_id() {
        assert_eq!(find("HG401"), Some(&ADMIN_PORT_OPEN));
        assert_eq!(find("HG999"), None);
    }
}
