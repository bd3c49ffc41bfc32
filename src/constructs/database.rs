//! The `Database` construct: a Multi-AZ RDS instance (PostgreSQL by default,
//! or MySQL) in the VPC's isolated subnets, with its DB subnet group,
//! CloudWatch alarms for CPU, free storage, free memory and connections, and
//! the log groups its exported logs go to, with a retention and their own
//! KMS key.
//!
//! Owns the database's safe defaults (Multi-AZ, encrypted gp3 storage with
//! autoscaling, no public address, master password kept by RDS in Secrets
//! Manager, automated backups, deletion protection, a final snapshot on
//! delete or replace, exported logs kept for a set time and encrypted) and
//! the checks on its props. It does not create the security group (the
//! caller passes it in, with its rules) nor the alarm topic, and it never
//! accepts a password: there is no field for one.
//!
//! RDS creates the group `/aws/rds/instance/<identifier>/<log>` for each
//! exported log the first time it writes, with no retention, so its logs
//! would be kept (and paid for) forever. To own those groups the stack
//! creates them first, which needs the identifier before the instance
//! exists: with log retention on, the instance is named
//! `<id>-<the stack's UUID>` (lower case, unique per stack). A fixed name
//! means CloudFormation cannot replace the instance in place; a change that
//! needs a replacement must be made as a new database.

use crate::constructs::checkov::{self, Skip};
use crate::constructs::{SubnetInfo, SubnetKind};
use crate::error::SynthError;
use crate::resources::Handle;
use crate::resources::cloudwatch::Alarm;
use crate::resources::cloudwatch::alarm;
use crate::resources::cloudwatch::alarm::Dimension;
use crate::resources::kms::Key;
use crate::resources::logs::LogGroup;
use crate::resources::rds::{DbInstance, DbSubnetGroup};
use crate::resources::{ec2, sns};
use crate::stack::{Attributes, Stack, check_logical_id};
use crate::template::fns::{ref_, select, split, sub_with};
use crate::template::{Attr, Expr, Intrinsic, RetentionPolicy, Value};

/// Logical ID suffix of the DB subnet group.
pub const SUBNET_GROUP_SUFFIX: &str = "SubnetGroup";
/// Logical ID suffix of the DB instance.
pub const INSTANCE_SUFFIX: &str = "Instance";
/// Logical ID suffix of the CPU alarm.
pub const CPU_ALARM_SUFFIX: &str = "CpuAlarm";
/// Logical ID suffix of the free storage alarm.
pub const FREE_STORAGE_ALARM_SUFFIX: &str = "FreeStorageAlarm";
/// Logical ID suffix of the free memory alarm.
pub const FREE_MEMORY_ALARM_SUFFIX: &str = "FreeMemoryAlarm";
/// Logical ID suffix of the connections alarm.
pub const CONNECTIONS_ALARM_SUFFIX: &str = "ConnectionsAlarm";
/// Logical ID suffix of the KMS key of the log groups.
pub const LOG_KEY_SUFFIX: &str = "LogKey";
/// Logical ID suffix of an exported log's group, after the construct ID
/// and the log's name (`DbPostgresqlLogGroup`).
pub const LOG_GROUP_SUFFIX: &str = "LogGroup";

/// Days exported logs are kept with the default (stage) props.
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 14;
/// Days exported logs are kept with [`DatabaseProps::production`]: a year,
/// since an intrusion is often found months after it began.
pub const PRODUCTION_LOG_RETENTION_DAYS: u32 = 365;
/// The retention periods CloudWatch Logs accepts, in days
/// (`RetentionInDays`; CloudWatch Logs API reference, PutRetentionPolicy).
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
/// The retention from which checkov's CKV_AWS_338 (a year at least) holds.
const YEAR_DAYS: u32 = 365;
/// Longest DB instance identifier RDS accepts.
const MAX_IDENTIFIER_LEN: usize = 63;
/// Length of the stack's UUID, the end of the instance identifier.
const UUID_LEN: usize = 36;

/// Smallest gp3 allocation RDS accepts for PostgreSQL and MySQL, in GiB.
pub const MIN_STORAGE_GIB: u32 = 20;
/// Largest gp3 allocation RDS accepts for PostgreSQL and MySQL, in GiB.
pub const MAX_STORAGE_GIB: u32 = 65_536;
/// Longest automated backup retention RDS allows, in days.
pub const MAX_BACKUP_RETENTION_DAYS: u32 = 35;
/// Backup retention of the default (stage) props, in days.
pub const DEFAULT_BACKUP_RETENTION_DAYS: u32 = 7;
/// Backup retention of [`DatabaseProps::production`], in days.
pub const PRODUCTION_BACKUP_RETENTION_DAYS: u32 = 30;

const MINUTES_PER_DAY: u32 = 24 * 60;
const MINUTES_PER_WEEK: u32 = 7 * MINUTES_PER_DAY;
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// The database engine. Each engine brings its default port, a current
/// engine version and the log types worth exporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DbEngine {
    /// RDS for PostgreSQL (the default).
    #[default]
    Postgres,
    /// RDS for MySQL.
    MySql,
}

impl DbEngine {
    /// The `Engine` value RDS expects (`postgres`, `mysql`).
    pub fn engine_name(self) -> &'static str {
        match self {
            DbEngine::Postgres => "postgres",
            DbEngine::MySql => "mysql",
        }
    }

    /// The engine's usual port (5432, 3306).
    pub fn default_port(self) -> u16 {
        match self {
            DbEngine::Postgres => 5432,
            DbEngine::MySql => 3306,
        }
    }

    /// The engine version used when the props name none: current minor
    /// releases of PostgreSQL 17 and MySQL 8.4 (long-term support), from the
    /// RDS version list cfn-lint 1.58.0 ships. A full version, because
    /// cfn-lint warns that a bare major version (`17`) is deprecated for new
    /// instances; minor upgrades are automatic after launch.
    pub fn default_version(self) -> &'static str {
        match self {
            DbEngine::Postgres => "17.9",
            DbEngine::MySql => "8.4.9",
        }
    }

    /// Log types exported to CloudWatch Logs.
    pub fn log_exports(self) -> &'static [&'static str] {
        match self {
            DbEngine::Postgres => &["postgresql", "upgrade"],
            DbEngine::MySql => &["error", "slowquery"],
        }
    }

    fn max_username_len(self) -> usize {
        match self {
            DbEngine::Postgres => 63,
            DbEngine::MySql => 16,
        }
    }

    fn max_db_name_len(self) -> usize {
        match self {
            DbEngine::Postgres => 63,
            DbEngine::MySql => 64,
        }
    }

    fn reserved_usernames(self) -> &'static [&'static str] {
        match self {
            DbEngine::Postgres => &["rdsadmin", "rds_superuser", "rdsrepladmin", "admin"],
            DbEngine::MySql => &["rdsadmin", "rdsrepladmin", "mysql", "root"],
        }
    }

    /// Whether Performance Insights runs on this instance class. RDS for
    /// MySQL does not support it on the micro and small burstable classes
    /// (Amazon RDS user guide, "Performance Insights support").
    pub fn performance_insights_supported(self, instance_class: &str) -> bool {
        match self {
            DbEngine::Postgres => true,
            DbEngine::MySql => {
                let mut parts = instance_class.split('.').skip(1);
                let family = parts.next().unwrap_or_default();
                let size = parts.next().unwrap_or_default();
                !(family.starts_with('t') && matches!(size, "micro" | "small"))
            }
        }
    }
}

/// Enhanced Monitoring (OS metrics every few seconds), which needs a role
/// that trusts `monitoring.rds.amazonaws.com` and carries the AWS managed
/// policy `AmazonRDSEnhancedMonitoringRole`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnhancedMonitoring {
    /// The monitoring role's ARN.
    pub role_arn: Value<String>,
    /// Seconds between samples: 1, 5, 10, 15, 30 or 60.
    pub interval_seconds: u32,
}

/// Everything a [`Database`] needs. Build it with [`DatabaseProps::new`]
/// (safe stage defaults) and change fields as needed.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseProps {
    /// The subnets for the DB subnet group: the VPC's isolated subnets, in
    /// at least two availability zones.
    pub subnets: Vec<SubnetInfo>,
    /// The database's security group (its rules are the caller's).
    pub security_group: Handle<ec2::SecurityGroup>,
    /// Where the CPU and free storage alarms notify.
    pub alarm_topic: Handle<sns::Topic>,
    /// Engine. Default PostgreSQL.
    pub engine: DbEngine,
    /// Engine version; `None` takes [`DbEngine::default_version`].
    pub engine_version: Option<String>,
    /// Instance class. Default `db.t4g.medium`.
    pub instance_class: String,
    /// Initial gp3 storage in GiB (20 to 65536). Default 20.
    pub allocated_storage_gib: u32,
    /// Storage autoscaling ceiling in GiB, at least 10% above the allocated
    /// storage; `None` turns autoscaling off (an override). Default 100.
    pub max_allocated_storage_gib: Option<u32>,
    /// A standby in a second AZ with automatic failover. Default on; off
    /// is an override.
    pub multi_az: bool,
    /// Days automated backups are kept, 1 to 35. Default 7 (30 in production).
    pub backup_retention_days: u32,
    /// Refuse deletion until this is turned off. Default on; off is an override.
    pub deletion_protection: bool,
    /// Master user name (the password lives in Secrets Manager). Default `dbadmin`.
    pub master_username: String,
    /// Database created at launch. Default none.
    pub database_name: Option<String>,
    /// Port; `None` takes [`DbEngine::default_port`].
    pub port: Option<u16>,
    /// Daily backup window, `hh:mm-hh:mm` UTC, at least 30 minutes. Default `02:00-03:00`.
    pub backup_window: String,
    /// Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` UTC, at least 30
    /// minutes, not overlapping the backup window. Default `sun:03:30-sun:04:30`.
    pub maintenance_window: String,
    /// Performance Insights (7 days, the free tier) where the instance class
    /// supports it. Default on.
    pub performance_insights: bool,
    /// IAM database authentication (in addition to passwords). Default on.
    pub iam_authentication: bool,
    /// KMS key for storage encryption; `None` uses the AWS managed `aws/rds` key.
    pub storage_kms_key: Option<Value<String>>,
    /// Enhanced Monitoring; `None` leaves it off.
    pub enhanced_monitoring: Option<EnhancedMonitoring>,
    /// CPU alarm threshold in percent (average over 3 x 5 minutes). Default 80.
    pub cpu_alarm_percent: u32,
    /// Free storage alarm threshold in percent of the allocated storage.
    /// Default 10.
    pub free_storage_alarm_percent: u32,
    /// Free memory alarm threshold in MiB (minimum over 3 x 5 minutes): the
    /// engine is about to swap. Default 256.
    pub free_memory_alarm_mib: u32,
    /// Connections alarm threshold (maximum over 3 x 5 minutes): more open
    /// connections than the applications' pools should ever hold, so a leak
    /// or a flood before the engine's own limit refuses clients. Default 200.
    pub connections_alarm: u32,
    /// Days CloudWatch Logs keeps the exported logs, one of
    /// [`LOG_RETENTION_DAYS`]; the stack then creates their log groups
    /// (encrypted with their own key) and names the instance. `None` leaves
    /// the groups to RDS, which keeps the logs forever (an override).
    /// Default [`DEFAULT_LOG_RETENTION_DAYS`] ([`PRODUCTION_LOG_RETENTION_DAYS`]
    /// in production).
    pub log_retention_days: Option<u32>,
}

impl DatabaseProps {
    /// Safe defaults for a stage database in `subnets`, guarded by
    /// `security_group`, alarming to `alarm_topic`.
    pub fn new(
        subnets: &[SubnetInfo],
        security_group: Handle<ec2::SecurityGroup>,
        alarm_topic: Handle<sns::Topic>,
    ) -> Self {
        DatabaseProps {
            subnets: subnets.to_vec(),
            security_group,
            alarm_topic,
            engine: DbEngine::Postgres,
            engine_version: None,
            instance_class: "db.t4g.medium".to_owned(),
            allocated_storage_gib: 20,
            max_allocated_storage_gib: Some(100),
            multi_az: true,
            backup_retention_days: DEFAULT_BACKUP_RETENTION_DAYS,
            deletion_protection: true,
            master_username: "dbadmin".to_owned(),
            database_name: None,
            port: None,
            backup_window: "02:00-03:00".to_owned(),
            maintenance_window: "sun:03:30-sun:04:30".to_owned(),
            performance_insights: true,
            iam_authentication: true,
            storage_kms_key: None,
            enhanced_monitoring: None,
            cpu_alarm_percent: 80,
            free_storage_alarm_percent: 10,
            free_memory_alarm_mib: 256,
            connections_alarm: 200,
            log_retention_days: Some(DEFAULT_LOG_RETENTION_DAYS),
        }
    }

    /// The production variant: longer backup and log retention, and
    /// deletion protection on.
    pub fn production(mut self) -> Self {
        self.backup_retention_days = PRODUCTION_BACKUP_RETENTION_DAYS;
        self.log_retention_days = Some(PRODUCTION_LOG_RETENTION_DAYS);
        self.deletion_protection = true;
        self
    }

    /// The port the database will listen on, for security group and
    /// network ACL rules built before the database.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.engine.default_port())
    }

    /// The engine version the database will run.
    pub fn effective_engine_version(&self) -> &str {
        self.engine_version
            .as_deref()
            .unwrap_or_else(|| self.engine.default_version())
    }
}

/// A Multi-AZ RDS database and its alarms, as written into the stack.
#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    /// The DB subnet group (`<id>SubnetGroup`).
    pub subnet_group: Handle<DbSubnetGroup>,
    /// The DB instance (`<id>Instance`).
    pub instance: Handle<DbInstance>,
    /// The CPU alarm (`<id>CpuAlarm`).
    pub cpu_alarm: Handle<Alarm>,
    /// The free storage alarm (`<id>FreeStorageAlarm`).
    pub free_storage_alarm: Handle<Alarm>,
    /// The free memory alarm (`<id>FreeMemoryAlarm`).
    pub free_memory_alarm: Handle<Alarm>,
    /// The connections alarm (`<id>ConnectionsAlarm`).
    pub connections_alarm: Handle<Alarm>,
    /// The exported logs' groups (`<id><Log>LogGroup`), in the engine's
    /// export order, when the props give a log retention.
    pub log_groups: Vec<Handle<LogGroup>>,
    /// Their KMS key (`<id>LogKey`), when there are log groups.
    pub log_key: Option<Handle<Key>>,
    /// The engine.
    pub engine: DbEngine,
    /// The port the database listens on.
    pub port: u16,
}

impl Database {
    /// Checks `props` and writes the database into `stack`. Logical IDs are
    /// `id` plus fixed suffixes (`SubnetGroup`, `Instance`, `CpuAlarm`,
    /// `FreeStorageAlarm`).
    pub fn new(stack: &mut Stack, id: &str, props: &DatabaseProps) -> Result<Self, SynthError> {
        let name = format!("Database {id:?}");
        check_props(stack, &name, id, props)?;

        let port = props.effective_port();
        let subnet_group = stack.add(
            &format!("{id}{SUBNET_GROUP_SUFFIX}"),
            DbSubnetGroup::new(
                format!("{id}: subnets the database and its standby may use"),
                props
                    .subnets
                    .iter()
                    .map(|s| Value::from(s.handle.reference()))
                    .collect::<Vec<_>>(),
            ),
        )?;

        // The log groups first, so that RDS finds them when it starts
        // exporting, and the instance named to match them.
        let mut log_groups = Vec::new();
        let mut log_key = None;
        let mut instance_attributes = Attributes::new()
            .deletion_policy(RetentionPolicy::Snapshot)
            .update_replace_policy(RetentionPolicy::Snapshot);
        let mut instance = instance_properties(props, &subnet_group, port);
        if let Some(days) = props.log_retention_days {
            let identifier = instance_identifier(id);
            let key = stack.add(
                &format!("{id}{LOG_KEY_SUFFIX}"),
                Key::new()
                    .description(format!("{id}: encrypts the database's exported logs"))
                    .enable_key_rotation(true)
                    .key_policy(log_key_policy(&identifier)),
            )?;
            for log in props.engine.log_exports() {
                let mut attributes = Attributes::new();
                if days < YEAR_DAYS {
                    attributes = attributes.metadata(
                        checkov::METADATA_KEY,
                        checkov::skips(&[Skip {
                            id: "CKV_AWS_338",
                            comment: SHORT_LOG_RETENTION_REASON,
                        }]),
                    );
                }
                let group = stack.add_with(
                    &format!("{id}{}{LOG_GROUP_SUFFIX}", capitalized(log)),
                    LogGroup::new()
                        .log_group_name(log_group_name(&identifier, log))
                        .retention_in_days(i64::from(days))
                        .kms_key_id(key.arn()),
                    attributes,
                )?;
                instance_attributes = instance_attributes.depends_on(&group);
                log_groups.push(group);
            }
            instance = instance.db_instance_identifier(identifier.expr());
            log_key = Some(key);
        }
        let instance = stack.add_with(
            &format!("{id}{INSTANCE_SUFFIX}"),
            instance,
            instance_attributes,
        )?;

        let [cpu, free_storage, free_memory, connections] = alarms(id, props, &instance);
        let cpu_alarm = stack.add(&format!("{id}{CPU_ALARM_SUFFIX}"), cpu)?;
        let free_storage_alarm =
            stack.add(&format!("{id}{FREE_STORAGE_ALARM_SUFFIX}"), free_storage)?;
        let free_memory_alarm =
            stack.add(&format!("{id}{FREE_MEMORY_ALARM_SUFFIX}"), free_memory)?;
        let connections_alarm =
            stack.add(&format!("{id}{CONNECTIONS_ALARM_SUFFIX}"), connections)?;

        record_overrides(stack, &name, props);
        Ok(Database {
            subnet_group,
            instance,
            cpu_alarm,
            free_storage_alarm,
            free_memory_alarm,
            connections_alarm,
            log_groups,
            log_key,
            engine: props.engine,
            port,
        })
    }

    /// The endpoint's DNS name (`Fn::GetAtt <id>Instance.Endpoint.Address`).
    pub fn endpoint_address(&self) -> Attr<String> {
        self.instance.endpoint_address()
    }

    /// The endpoint's port, as a string (`Fn::GetAtt <id>Instance.Endpoint.Port`).
    pub fn endpoint_port(&self) -> Attr<String> {
        self.instance.endpoint_port()
    }

    /// ARN of the Secrets Manager secret RDS keeps the master credentials in
    /// (`Fn::GetAtt <id>Instance.MasterUserSecret.SecretArn`).
    pub fn secret_arn(&self) -> Attr<String> {
        self.instance.master_user_secret_secret_arn()
    }
}

/// The DB instance with hagen's safe settings and the props' choices.
fn instance_properties(
    props: &DatabaseProps,
    subnet_group: &Handle<DbSubnetGroup>,
    port: u16,
) -> DbInstance {
    let mut instance = DbInstance::new()
        .engine(props.engine.engine_name())
        .engine_version(props.effective_engine_version())
        .db_instance_class(props.instance_class.as_str())
        .allocated_storage(props.allocated_storage_gib)
        .storage_type("gp3")
        .storage_encrypted(true)
        .multi_az(props.multi_az)
        .publicly_accessible(false)
        .manage_master_user_password(true)
        .master_username(props.master_username.as_str())
        .port(port)
        .vpc_security_groups(vec![props.security_group.group_id()])
        .db_subnet_group_name(subnet_group.reference())
        .backup_retention_period(props.backup_retention_days)
        .preferred_backup_window(props.backup_window.as_str())
        .preferred_maintenance_window(props.maintenance_window.as_str())
        .delete_automated_backups(false)
        .deletion_protection(props.deletion_protection)
        .copy_tags_to_snapshot(true)
        .auto_minor_version_upgrade(true)
        .enable_iam_database_authentication(props.iam_authentication)
        .enable_cloudwatch_logs_exports(props.engine.log_exports().to_vec());
    if let Some(max) = props.max_allocated_storage_gib {
        instance = instance.max_allocated_storage(max);
    }
    if let Some(key) = &props.storage_kms_key {
        instance = instance.kms_key_id(key.clone());
    }
    if let Some(name) = &props.database_name {
        instance = instance.db_name(name.as_str());
    }
    let insights = props.performance_insights
        && props
            .engine
            .performance_insights_supported(&props.instance_class);
    instance = instance.enable_performance_insights(insights);
    if insights {
        instance = instance.performance_insights_retention_period(7);
    }
    if let Some(monitoring) = &props.enhanced_monitoring {
        instance = instance
            .monitoring_interval(monitoring.interval_seconds)
            .monitoring_role_arn(monitoring.role_arn.clone());
    }
    instance
}

/// The CPU, free storage, free memory and connections alarms, each
/// notifying the topic on alarm and on recovery.
fn alarms(id: &str, props: &DatabaseProps, instance: &Handle<DbInstance>) -> [Alarm; 4] {
    let topic: Value<String> = props.alarm_topic.reference().into();
    let actions = vec![topic];
    let dimensions = vec![Dimension::new("DBInstanceIdentifier", instance.reference())];
    let base = Alarm::new()
        .namespace("AWS/RDS")
        .dimensions(dimensions)
        .period(300)
        .alarm_actions(actions.clone())
        .ok_actions(actions);
    let cpu = base
        .clone()
        .alarm_description(format!(
            "{id}: database CPU above {}% for 15 minutes",
            props.cpu_alarm_percent
        ))
        .metric_name("CPUUtilization")
        .statistic(alarm::Statistic::Average)
        .evaluation_periods(3)
        .threshold(f64::from(props.cpu_alarm_percent))
        .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold);
    let free_bytes =
        f64::from(props.allocated_storage_gib) * GIB * f64::from(props.free_storage_alarm_percent)
            / 100.0;
    let free_storage = base
        .clone()
        .alarm_description(format!(
            "{id}: free storage below {}% of the {} GiB allocated",
            props.free_storage_alarm_percent, props.allocated_storage_gib
        ))
        .metric_name("FreeStorageSpace")
        .statistic(alarm::Statistic::Minimum)
        .evaluation_periods(1)
        .threshold(free_bytes.round())
        .comparison_operator(alarm::ComparisonOperator::LessThanThreshold);
    let free_memory = base
        .clone()
        .alarm_description(format!(
            "{id}: freeable memory below {} MiB for 15 minutes",
            props.free_memory_alarm_mib
        ))
        .metric_name("FreeableMemory")
        .statistic(alarm::Statistic::Minimum)
        .evaluation_periods(3)
        .threshold(f64::from(props.free_memory_alarm_mib) * MIB)
        .comparison_operator(alarm::ComparisonOperator::LessThanThreshold);
    let connections = base
        .alarm_description(format!(
            "{id}: more than {} connections open for 15 minutes",
            props.connections_alarm
        ))
        .metric_name("DatabaseConnections")
        .statistic(alarm::Statistic::Maximum)
        .evaluation_periods(3)
        .threshold(f64::from(props.connections_alarm))
        .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold);
    [cpu, free_storage, free_memory, connections]
}

/// Why a log group keeping logs less than a year is suppressed for checkov.
const SHORT_LOG_RETENTION_REASON: &str = "The retention is the caller's choice \
    (DatabaseProps::log_retention_days) for an environment that keeps less than a year of \
    database logs, such as a short-lived stage; DatabaseProps::production keeps a year";

/// `postgresql` as `Postgresql`, for logical IDs.
fn capitalized(log: &str) -> String {
    let mut chars = log.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The DB instance identifier a construct with log groups gives its
/// instance: `<id in lower case>-<stack UUID>`, as a `Fn::Sub` that other
/// names can be built from.
struct Identifier {
    /// `<id in lower case>-`.
    prefix: String,
}

/// The `Fn::Sub` variable holding the stack's UUID.
const STACK_UUID: &str = "StackUuid";

impl Identifier {
    /// The UUID at the end of the stack ID
    /// (`arn:...:stack/<name>/<uuid>`): `!Select [2, !Split ['/', !Ref AWS::StackId]]`.
    fn stack_uuid() -> Expr {
        select(2, split("/", ref_("AWS::StackId"))).into()
    }

    /// `!Sub [template, {StackUuid: ...}]`, where `${Id}` in `template`
    /// stands for the identifier.
    fn sub(&self, template: &str) -> Intrinsic {
        let text = template.replace("${Id}", &format!("{}${{{STACK_UUID}}}", self.prefix));
        sub_with(text, [(STACK_UUID, Self::stack_uuid())])
    }

    /// The identifier itself.
    fn expr(&self) -> Intrinsic {
        self.sub("${Id}")
    }
}

fn instance_identifier(id: &str) -> Identifier {
    Identifier {
        prefix: format!("{}-", id.to_ascii_lowercase()),
    }
}

/// `/aws/rds/instance/<identifier>/<log>`: the group RDS exports `log` to.
fn log_group_name(identifier: &Identifier, log: &str) -> Intrinsic {
    identifier.sub(&format!("/aws/rds/instance/${{Id}}/{log}"))
}

/// The log key's policy: the account administers it (so IAM policies apply
/// and the key can never become unmanageable); CloudWatch Logs in this
/// region may use it for this database's log groups only, through the
/// encryption context it sets (CloudWatch Logs user guide, "Encrypt log
/// data in CloudWatch Logs using AWS KMS").
fn log_key_policy(identifier: &Identifier) -> Expr {
    crate::resources::ext::iam::policy_document(vec![
                crate::resources::ext::iam::account_administers_key(),
                Expr::map_of([
                    ("Sid", Expr::string("CloudWatchLogsEncryptsTheseGroups")),
                    ("Effect", Expr::string("Allow")),
                    (
                        "Principal",
                        Expr::map_of([(
                            "Service",
                            crate::template::fns::sub("logs.${AWS::Region}.amazonaws.com").into(),
                        )]),
                    ),
                    (
                        "Action",
                        Expr::strings(&[
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*",
                        ]),
                    ),
                    ("Resource", Expr::string("*")),
                    (
                        "Condition",
                        Expr::map_of([(
                            "ArnLike",
                            Expr::map_of([(
                                "kms:EncryptionContext:aws:logs:arn",
                                identifier
                                    .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/rds/instance/${Id}/*")
                                    .into(),
                            )]),
                        )]),
                    ),
                ]),
    ])
}

fn record_overrides(stack: &mut Stack, name: &str, props: &DatabaseProps) {
    if props.log_retention_days.is_none() {
        stack.record_override(
            name,
            "log retention is off: RDS creates the exported logs' groups itself, with no \
             retention and no key of their own, and keeps the logs (and their cost) forever",
        );
    }
    if !props.multi_az {
        stack.record_override(
            name,
            "Multi-AZ is off: the database is a single point of failure; an AZ outage or a \
             host failure takes it down until RDS replaces it",
        );
    }
    if !props.deletion_protection {
        stack.record_override(
            name,
            "deletion protection is off: deleting the stack or a replacing update deletes \
             the database (a final snapshot is still taken)",
        );
    }
    if props.max_allocated_storage_gib.is_none() {
        stack.record_override(
            name,
            "storage autoscaling is off: the database stops accepting writes when its storage \
             is full",
        );
    }
    if props.subnets.iter().any(|s| s.kind == SubnetKind::Private) {
        stack.record_override(
            name,
            "the DB subnet group uses private subnets, which route to the internet through NAT; \
             isolated subnets are advised",
        );
    }
}

fn check_props(
    stack: &Stack,
    name: &str,
    id: &str,
    props: &DatabaseProps,
) -> Result<(), SynthError> {
    let err = |message: String| SynthError::props(name, message);
    let mut suffixes: Vec<String> = [
        SUBNET_GROUP_SUFFIX,
        INSTANCE_SUFFIX,
        CPU_ALARM_SUFFIX,
        FREE_STORAGE_ALARM_SUFFIX,
        FREE_MEMORY_ALARM_SUFFIX,
        CONNECTIONS_ALARM_SUFFIX,
    ]
    .map(str::to_owned)
    .to_vec();
    if props.log_retention_days.is_some() {
        suffixes.push(LOG_KEY_SUFFIX.to_owned());
        for log in props.engine.log_exports() {
            suffixes.push(format!("{}{LOG_GROUP_SUFFIX}", capitalized(log)));
        }
    }
    let longest_suffix = suffixes.iter().map(String::len).max().unwrap_or_default();
    let longest = suffixes
        .iter()
        .find(|s| s.len() == longest_suffix)
        .map(|s| format!("{id}{s}"))
        .unwrap_or_default();
    if check_logical_id(&longest, "Resources").is_err() || id.is_empty() {
        return Err(err(format!(
            "construct ID {id:?} must be letters and digits only, at most {} characters, \
             because logical IDs such as {longest:?} are derived from it",
            crate::stack::MAX_LOGICAL_ID_LEN - longest_suffix
        )));
    }
    for suffix in &suffixes {
        let logical = format!("{id}{suffix}");
        if stack.contains(&logical) {
            return Err(err(format!(
                "the stack already has a resource {logical:?}; give this database another ID"
            )));
        }
    }
    check_subnets(props).map_err(err)?;
    check_engine_version(props).map_err(err)?;
    check_instance_class(&props.instance_class).map_err(err)?;
    check_storage(props).map_err(err)?;
    check_backups(props).map_err(err)?;
    check_identifiers(props).map_err(err)?;
    if let Some(port) = props.port
        && port < 1150
    {
        return Err(err(format!(
            "port {port} is not allowed; RDS accepts 1150 to 65535 (the {} default is {})",
            props.engine.engine_name(),
            props.engine.default_port()
        )));
    }
    if let Some(monitoring) = &props.enhanced_monitoring
        && ![1, 5, 10, 15, 30, 60].contains(&monitoring.interval_seconds)
    {
        return Err(err(format!(
            "Enhanced Monitoring interval {}s is not allowed; choose 1, 5, 10, 15, 30 or 60",
            monitoring.interval_seconds
        )));
    }
    if !(1..=100).contains(&props.cpu_alarm_percent) {
        return Err(err(format!(
            "CPU alarm threshold {}% is outside 1 to 100",
            props.cpu_alarm_percent
        )));
    }
    if !(1..=50).contains(&props.free_storage_alarm_percent) {
        return Err(err(format!(
            "free storage alarm threshold {}% is outside 1 to 50 (percent of the allocated storage)",
            props.free_storage_alarm_percent
        )));
    }
    if props.free_memory_alarm_mib == 0 {
        return Err(err(
            "free memory alarm threshold is 0 MiB; the alarm would never fire. Use at least 1"
                .to_owned(),
        ));
    }
    if props.connections_alarm == 0 {
        return Err(err(
            "connections alarm threshold is 0; the alarm would fire whenever anything connects. Use at least 1"
                .to_owned(),
        ));
    }
    if let Some(days) = props.log_retention_days {
        if !LOG_RETENTION_DAYS.contains(&days) {
            return Err(err(format!(
                "log retention of {days} days is not one CloudWatch Logs offers; use one of {}",
                LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
            )));
        }
        // The identifier is `<id>-<uuid>`: RDS takes 1 to 63 letters,
        // digits and hyphens, starting with a letter.
        let most = MAX_IDENTIFIER_LEN - UUID_LEN - 1;
        if id.len() > most || !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(err(format!(
                "construct ID {id:?} must start with a letter and be at most {most} characters \
                 when log retention is on, because the instance is then named \
                 \"{}-<stack UUID>\" and RDS takes at most {MAX_IDENTIFIER_LEN} characters",
                id.to_ascii_lowercase()
            )));
        }
    }
    Ok(())
}

fn check_subnets(props: &DatabaseProps) -> Result<(), String> {
    if let Some(public) = props.subnets.iter().find(|s| s.kind == SubnetKind::Public) {
        return Err(format!(
            "subnet {:?} is public; a database belongs in the isolated subnets",
            public.handle.logical_id()
        ));
    }
    let mut azs: Vec<usize> = props.subnets.iter().map(|s| s.az_index).collect();
    azs.sort_unstable();
    azs.dedup();
    if azs.len() < 2 {
        return Err(format!(
            "the DB subnet group needs subnets in at least 2 availability zones, got {} \
             subnet(s) in {} zone(s); pass the isolated subnets of every AZ",
            props.subnets.len(),
            azs.len()
        ));
    }
    Ok(())
}

fn check_engine_version(props: &DatabaseProps) -> Result<(), String> {
    let Some(version) = &props.engine_version else {
        return Ok(());
    };
    let (numbers, suffix) = match version.split_once("-rds.") {
        Some((numbers, suffix)) => (numbers, Some(suffix)),
        None => (version.as_str(), None),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let suffix_ok = suffix.is_none_or(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    let ok = numeric
        && suffix_ok
        && match props.engine {
            DbEngine::Postgres => (1..=2).contains(&parts.len()),
            DbEngine::MySql => parts.len() == 3,
        };
    if ok {
        return Ok(());
    }
    Err(match props.engine {
        DbEngine::Postgres => format!(
            "engine version {version:?} is not a PostgreSQL version; use a major version such \
             as \"18\" or a minor version such as \"17.9\""
        ),
        DbEngine::MySql => format!(
            "engine version {version:?} is not a full MySQL version; use one such as \"8.4.9\" \
             (cfn-lint rejects a bare major version for MySQL)"
        ),
    })
}

fn check_instance_class(class: &str) -> Result<(), String> {
    let parts: Vec<&str> = class.split('.').collect();
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if parts.len() == 3 && parts[0] == "db" && part_ok(parts[1]) && part_ok(parts[2]) {
        return Ok(());
    }
    Err(format!(
        "instance class {class:?} is not an RDS instance class; use one such as \
         \"db.t4g.medium\", \"db.m7g.large\" or \"db.r7g.large\""
    ))
}

fn check_storage(props: &DatabaseProps) -> Result<(), String> {
    let storage = props.allocated_storage_gib;
    if !(MIN_STORAGE_GIB..=MAX_STORAGE_GIB).contains(&storage) {
        return Err(format!(
            "allocated storage {storage} GiB is outside what gp3 allows for {}: \
             {MIN_STORAGE_GIB} to {MAX_STORAGE_GIB} GiB",
            props.engine.engine_name()
        ));
    }
    if let Some(max) = props.max_allocated_storage_gib {
        // RDS refuses an autoscaling ceiling less than 10% above the
        // allocation (Amazon RDS user guide, "storage autoscaling").
        let least = storage + storage.div_ceil(10);
        if max < least {
            return Err(format!(
                "maximum storage {max} GiB must be at least 10% above the allocated \
                 {storage} GiB, so at least {least} GiB (or None to turn autoscaling off)"
            ));
        }
        if max > MAX_STORAGE_GIB {
            return Err(format!(
                "maximum storage {max} GiB is above the gp3 limit of {MAX_STORAGE_GIB} GiB"
            ));
        }
    }
    Ok(())
}

fn check_backups(props: &DatabaseProps) -> Result<(), String> {
    let days = props.backup_retention_days;
    if days == 0 {
        return Err(
            "backup retention 0 turns automated backups off (and with them point-in-time \
             recovery and read replicas); use 1 to 35 days"
                .to_owned(),
        );
    }
    if days > MAX_BACKUP_RETENTION_DAYS {
        return Err(format!(
            "backup retention {days} days is above the RDS maximum of \
             {MAX_BACKUP_RETENTION_DAYS}; use AWS Backup for longer retention"
        ));
    }
    let backup = parse_daily_window(&props.backup_window).ok_or_else(|| {
        format!(
            "backup window {:?} is not \"hh:mm-hh:mm\" (UTC, 24-hour), such as \"02:00-03:00\"",
            props.backup_window
        )
    })?;
    if backup.1 < 30 {
        return Err(format!(
            "backup window {:?} is {} minutes; RDS needs at least 30",
            props.backup_window, backup.1
        ));
    }
    let maintenance = parse_weekly_window(&props.maintenance_window).ok_or_else(|| {
        format!(
            "maintenance window {:?} is not \"ddd:hh:mm-ddd:hh:mm\" (UTC, days mon to sun), \
             such as \"sun:03:30-sun:04:30\"",
            props.maintenance_window
        )
    })?;
    if maintenance.1 < 30 {
        return Err(format!(
            "maintenance window {:?} is {} minutes; RDS needs at least 30",
            props.maintenance_window, maintenance.1
        ));
    }
    let clash = (0..7).any(|day| {
        overlaps(
            (day * MINUTES_PER_DAY + backup.0, backup.1),
            maintenance,
            MINUTES_PER_WEEK,
        )
    });
    if clash {
        return Err(format!(
            "backup window {:?} overlaps maintenance window {:?}; RDS refuses that, move one",
            props.backup_window, props.maintenance_window
        ));
    }
    Ok(())
}

fn check_identifiers(props: &DatabaseProps) -> Result<(), String> {
    let engine = props.engine;
    let user = &props.master_username;
    let max = engine.max_username_len();
    if !is_identifier(user) || user.len() > max {
        return Err(format!(
            "master user name {user:?} must start with a letter, contain only letters, digits \
             and underscores, and be at most {max} characters for {}",
            engine.engine_name()
        ));
    }
    let lower = user.to_ascii_lowercase();
    if engine.reserved_usernames().contains(&lower.as_str())
        || (engine == DbEngine::Postgres && lower.starts_with("pg_"))
    {
        return Err(format!(
            "master user name {user:?} is reserved by {}; use another, such as \"dbadmin\"",
            engine.engine_name()
        ));
    }
    if let Some(db) = &props.database_name {
        let max = engine.max_db_name_len();
        if !is_identifier(db) || db.len() > max {
            return Err(format!(
                "database name {db:?} must start with a letter, contain only letters, digits \
                 and underscores, and be at most {max} characters for {}",
                engine.engine_name()
            ));
        }
    }
    Ok(())
}

fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `hh:mm` to minutes after midnight.
fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `hh:mm-hh:mm` to (start minute of the day, length in minutes); a window
/// may cross midnight.
fn parse_daily_window(s: &str) -> Option<(u32, u32)> {
    let (start, end) = s.split_once('-')?;
    let (start, end) = (parse_hhmm(start)?, parse_hhmm(end)?);
    Some((start, (end + MINUTES_PER_DAY - start) % MINUTES_PER_DAY))
}

/// `ddd:hh:mm-ddd:hh:mm` to (start minute of the week, length in minutes).
fn parse_weekly_window(s: &str) -> Option<(u32, u32)> {
    let (start, end) = s.split_once('-')?;
    let minute_of_week = |t: &str| -> Option<u32> {
        let (day, time) = t.split_once(':')?;
        let day = DAYS.iter().position(|d| *d == day)? as u32;
        Some(day * MINUTES_PER_DAY + parse_hhmm(time)?)
    };
    let (start, end) = (minute_of_week(start)?, minute_of_week(end)?);
    Some((start, (end + MINUTES_PER_WEEK - start) % MINUTES_PER_WEEK))
}

/// Whether two windows (start, length) on a circle of `modulus` minutes overlap.
fn overlaps(a: (u32, u32), b: (u32, u32), modulus: u32) -> bool {
    let a_to_b = (b.0 + modulus - a.0 % modulus) % modulus;
    let b_to_a = (a.0 % modulus + modulus - b.0) % modulus;
    a_to_b < a.1 || b_to_a < b.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Intrinsic;
    use crate::template::{Expr, Resource};
    use ipnet::Ipv4Net;

    fn subnet(id: &str, az: usize, kind: SubnetKind) -> SubnetInfo {
        SubnetInfo {
            handle: Handle::new(id),
            az_index: az,
            cidr: format!("10.0.{}.0/24", 100 + az)
                .parse::<Ipv4Net>()
                .unwrap(),
            kind,
        }
    }

    fn isolated() -> Vec<SubnetInfo> {
        vec![
            subnet("IsolatedSubnet1", 0, SubnetKind::Isolated),
            subnet("IsolatedSubnet2", 1, SubnetKind::Isolated),
        ]
    }

    fn props() -> DatabaseProps {
        DatabaseProps::new(&isolated(), Handle::new("DbSg"), Handle::new("Alerts"))
    }

    fn build(props: &DatabaseProps) -> Result<(Stack, Database), SynthError> {
        let mut stack = Stack::new("test");
        let db = Database::new(&mut stack, "Db", props)?;
        Ok((stack, db))
    }

    fn resource(stack: &Stack, id: &str) -> Resource {
        stack.template().unwrap().resources[id].clone()
    }

    fn prop(stack: &Stack, id: &str, key: &str) -> Option<Expr> {
        resource(stack, id).properties.get(key).cloned()
    }

    fn message(err: SynthError) -> String {
        match err {
            SynthError::InvalidProps { construct, message } => {
                assert_eq!(construct, "Database \"Db\"");
                message
            }
            other => panic!("expected a props error, got {other:?}"),
        }
    }

    fn err_of(p: &DatabaseProps) -> String {
        message(build(p).expect_err("props must be refused"))
    }

    #[test]
    fn default_database_is_multi_az_encrypted_private_and_secret_managed() {
        let (stack, db) = build(&props()).unwrap();
        let template = stack.template().unwrap();
        let ids: Vec<&String> = template.resources.keys().collect();
        assert_eq!(
            ids,
            [
                "DbSubnetGroup",
                "DbLogKey",
                "DbPostgresqlLogGroup",
                "DbUpgradeLogGroup",
                "DbInstance",
                "DbCpuAlarm",
                "DbFreeStorageAlarm",
                "DbFreeMemoryAlarm",
                "DbConnectionsAlarm"
            ]
        );
        let i = "DbInstance";
        assert_eq!(prop(&stack, i, "Engine"), Some(Expr::string("postgres")));
        assert_eq!(prop(&stack, i, "EngineVersion"), Some(Expr::string("17.9")));
        assert_eq!(
            prop(&stack, i, "DBInstanceClass"),
            Some(Expr::string("db.t4g.medium"))
        );
        assert_eq!(prop(&stack, i, "AllocatedStorage"), Some(Expr::Int(20)));
        assert_eq!(prop(&stack, i, "MaxAllocatedStorage"), Some(Expr::Int(100)));
        assert_eq!(prop(&stack, i, "StorageType"), Some(Expr::string("gp3")));
        assert_eq!(prop(&stack, i, "StorageEncrypted"), Some(Expr::Bool(true)));
        assert_eq!(prop(&stack, i, "MultiAZ"), Some(Expr::Bool(true)));
        assert_eq!(
            prop(&stack, i, "PubliclyAccessible"),
            Some(Expr::Bool(false))
        );
        assert_eq!(
            prop(&stack, i, "ManageMasterUserPassword"),
            Some(Expr::Bool(true))
        );
        assert_eq!(prop(&stack, i, "MasterUserPassword"), None);
        assert_eq!(prop(&stack, i, "Port"), Some(Expr::Int(5432)));
        assert_eq!(prop(&stack, i, "BackupRetentionPeriod"), Some(Expr::Int(7)));
        assert_eq!(
            prop(&stack, i, "DeletionProtection"),
            Some(Expr::Bool(true))
        );
        assert_eq!(
            prop(&stack, i, "CopyTagsToSnapshot"),
            Some(Expr::Bool(true))
        );
        assert_eq!(
            prop(&stack, i, "EnablePerformanceInsights"),
            Some(Expr::Bool(true))
        );
        assert_eq!(
            prop(&stack, i, "EnableCloudwatchLogsExports"),
            Some(Expr::List(vec![
                Expr::string("postgresql"),
                Expr::string("upgrade")
            ]))
        );
        assert_eq!(
            prop(&stack, i, "VPCSecurityGroups"),
            Some(Expr::List(vec![Expr::func(Intrinsic::GetAtt {
                resource: "DbSg".into(),
                attribute: "GroupId".into()
            })]))
        );
        assert_eq!(
            prop(&stack, i, "DBSubnetGroupName"),
            Some(Expr::func(Intrinsic::Ref("DbSubnetGroup".into())))
        );
        assert_eq!(prop(&stack, i, "MonitoringInterval"), None);
        let r = resource(&stack, i);
        assert_eq!(r.deletion_policy, Some(RetentionPolicy::Snapshot));
        assert_eq!(r.update_replace_policy, Some(RetentionPolicy::Snapshot));
        assert_eq!(
            prop(&stack, "DbSubnetGroup", "SubnetIds"),
            Some(Expr::List(vec![
                Expr::func(Intrinsic::Ref("IsolatedSubnet1".into())),
                Expr::func(Intrinsic::Ref("IsolatedSubnet2".into()))
            ]))
        );
        assert!(stack.overrides().is_empty());
        assert_eq!(db.port, 5432);
        assert_eq!(
            Intrinsic::from(db.secret_arn()),
            Intrinsic::GetAtt {
                resource: "DbInstance".into(),
                attribute: "MasterUserSecret.SecretArn".into()
            }
        );
        assert_eq!(
            Intrinsic::from(db.endpoint_address()),
            Handle::<DbInstance>::new("DbInstance").get_att("Endpoint.Address")
        );
        assert_eq!(
            Intrinsic::from(db.endpoint_port()),
            Handle::<DbInstance>::new("DbInstance").get_att("Endpoint.Port")
        );
    }

    #[test]
    fn alarms_notify_the_topic_with_storage_threshold_relative_to_allocation() {
        let mut p = props();
        p.allocated_storage_gib = 50;
        p.max_allocated_storage_gib = Some(200);
        let (stack, _) = build(&p).unwrap();
        let topic = Expr::List(vec![Expr::func(Intrinsic::Ref("Alerts".into()))]);
        for alarm in ["DbCpuAlarm", "DbFreeStorageAlarm"] {
            assert_eq!(prop(&stack, alarm, "AlarmActions"), Some(topic.clone()));
            assert_eq!(prop(&stack, alarm, "OKActions"), Some(topic.clone()));
            assert_eq!(
                prop(&stack, alarm, "Namespace"),
                Some(Expr::string("AWS/RDS"))
            );
        }
        assert_eq!(
            prop(&stack, "DbCpuAlarm", "Threshold"),
            Some(Expr::Float(80.0))
        );
        // 10% of 50 GiB = 5 GiB in bytes.
        assert_eq!(
            prop(&stack, "DbFreeStorageAlarm", "Threshold"),
            Some(Expr::Float(5.0 * 1024.0 * 1024.0 * 1024.0))
        );
        assert_eq!(
            prop(&stack, "DbFreeStorageAlarm", "ComparisonOperator"),
            Some(Expr::string("LessThanThreshold"))
        );
    }

    fn json(stack: &Stack) -> serde_json::Value {
        crate::template::json::to_json_value(&stack.template().unwrap().to_expr())["Resources"]
            .clone()
    }

    /// Regression: the exported logs went to log groups RDS creates itself,
    /// with no retention, so they were kept (and billed) forever. The stack
    /// now creates each group before the instance, with a retention and a
    /// key of its own, and names the instance so that the names match.
    #[test]
    fn exported_logs_go_to_groups_with_retention_created_before_the_instance() {
        let (stack, db) = build(&props()).unwrap();
        let r = json(&stack);
        let uuid =
            serde_json::json!({"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]});
        assert_eq!(
            r["DbInstance"]["Properties"]["DBInstanceIdentifier"],
            serde_json::json!({"Fn::Sub": ["db-${StackUuid}", {"StackUuid": uuid}]})
        );
        assert_eq!(
            r["DbInstance"]["DependsOn"],
            serde_json::json!(["DbPostgresqlLogGroup", "DbUpgradeLogGroup"])
        );
        for (id, log) in [
            ("DbPostgresqlLogGroup", "postgresql"),
            ("DbUpgradeLogGroup", "upgrade"),
        ] {
            let g = &r[id];
            assert_eq!(g["Type"], "AWS::Logs::LogGroup");
            assert_eq!(
                g["Properties"]["LogGroupName"],
                serde_json::json!({"Fn::Sub": [format!("/aws/rds/instance/db-${{StackUuid}}/{log}"), {"StackUuid": uuid}]})
            );
            assert_eq!(g["Properties"]["RetentionInDays"], 14);
            assert_eq!(
                g["Properties"]["KmsKeyId"],
                serde_json::json!({"Fn::GetAtt": ["DbLogKey", "Arn"]})
            );
            // Under a year: checkov's one-year rule is suppressed, saying why.
            assert_eq!(g["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_338");
        }
        let key = &r["DbLogKey"]["Properties"];
        assert_eq!(key["EnableKeyRotation"], true);
        let logs = &key["KeyPolicy"]["Statement"][1];
        assert_eq!(
            logs["Principal"],
            serde_json::json!({"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}})
        );
        assert_eq!(
            logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"],
            serde_json::json!({"Fn::Sub": ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/rds/instance/db-${StackUuid}/*", {"StackUuid": uuid}]})
        );
        assert_eq!(db.log_groups.len(), 2);
        assert_eq!(
            db.log_key.as_ref().map(|k| k.logical_id()),
            Some("DbLogKey")
        );
    }

    #[test]
    fn production_keeps_logs_a_year_without_a_suppression_and_mysql_names_its_groups() {
        let mut p = props().production();
        p.engine = DbEngine::MySql;
        let (stack, _) = build(&p).unwrap();
        let r = json(&stack);
        for id in ["DbErrorLogGroup", "DbSlowqueryLogGroup"] {
            assert_eq!(r[id]["Properties"]["RetentionInDays"], 365, "{id}");
            assert!(r[id].get("Metadata").is_none(), "{id}");
        }
        assert!(stack.overrides().is_empty());
    }

    #[test]
    fn without_log_retention_rds_keeps_its_own_groups_and_an_override_says_so() {
        let mut p = props();
        p.log_retention_days = None;
        let (stack, db) = build(&p).unwrap();
        let r = json(&stack);
        assert!(db.log_groups.is_empty() && db.log_key.is_none());
        assert!(
            r["DbInstance"]["Properties"]
                .get("DBInstanceIdentifier")
                .is_none()
        );
        assert!(r["DbInstance"].get("DependsOn").is_none());
        assert!(
            stack
                .overrides()
                .iter()
                .any(|o| o.message.contains("log retention is off")),
            "{:?}",
            stack.overrides()
        );
    }

    #[test]
    fn memory_and_connections_alarm_the_topic() {
        let (stack, db) = build(&props()).unwrap();
        assert_eq!(db.free_memory_alarm.logical_id(), "DbFreeMemoryAlarm");
        assert_eq!(db.connections_alarm.logical_id(), "DbConnectionsAlarm");
        let topic = Expr::List(vec![Expr::func(Intrinsic::Ref("Alerts".into()))]);
        for alarm in ["DbFreeMemoryAlarm", "DbConnectionsAlarm"] {
            assert_eq!(prop(&stack, alarm, "AlarmActions"), Some(topic.clone()));
            assert_eq!(prop(&stack, alarm, "OKActions"), Some(topic.clone()));
        }
        assert_eq!(
            prop(&stack, "DbFreeMemoryAlarm", "MetricName"),
            Some(Expr::string("FreeableMemory"))
        );
        assert_eq!(
            prop(&stack, "DbFreeMemoryAlarm", "Threshold"),
            Some(Expr::Float(256.0 * 1024.0 * 1024.0))
        );
        assert_eq!(
            prop(&stack, "DbFreeMemoryAlarm", "ComparisonOperator"),
            Some(Expr::string("LessThanThreshold"))
        );
        assert_eq!(
            prop(&stack, "DbConnectionsAlarm", "MetricName"),
            Some(Expr::string("DatabaseConnections"))
        );
        assert_eq!(
            prop(&stack, "DbConnectionsAlarm", "Threshold"),
            Some(Expr::Float(200.0))
        );
    }

    #[test]
    fn refuses_log_retentions_cloudwatch_lacks_and_ids_too_long_to_name_the_instance() {
        let mut p = props();
        p.log_retention_days = Some(100);
        assert!(err_of(&p).contains("log retention of 100 days"));
        p.log_retention_days = Some(90);
        p.free_memory_alarm_mib = 0;
        assert!(err_of(&p).contains("free memory alarm threshold is 0"));
        p.free_memory_alarm_mib = 256;
        p.connections_alarm = 0;
        assert!(err_of(&p).contains("connections alarm threshold is 0"));
        p.connections_alarm = 200;
        let mut stack = Stack::new("t");
        let err = Database::new(&mut stack, "AVeryLongDatabaseConstructId", &p).unwrap_err();
        assert!(err.to_string().contains("at most 26 characters"), "{err}");
        Database::new(&mut stack, "ShortEnough", &p).unwrap();
    }

    #[test]
    fn mysql_gets_its_port_version_logs_and_no_insights_on_small_classes() {
        let mut p = props();
        p.engine = DbEngine::MySql;
        p.instance_class = "db.t4g.small".into();
        let (stack, db) = build(&p).unwrap();
        let i = "DbInstance";
        assert_eq!(prop(&stack, i, "Engine"), Some(Expr::string("mysql")));
        assert_eq!(
            prop(&stack, i, "EngineVersion"),
            Some(Expr::string("8.4.9"))
        );
        assert_eq!(prop(&stack, i, "Port"), Some(Expr::Int(3306)));
        assert_eq!(
            prop(&stack, i, "EnablePerformanceInsights"),
            Some(Expr::Bool(false))
        );
        assert_eq!(prop(&stack, i, "PerformanceInsightsRetentionPeriod"), None);
        assert_eq!(db.port, 3306);
        assert!(DbEngine::MySql.performance_insights_supported("db.m7g.large"));
        assert!(DbEngine::Postgres.performance_insights_supported("db.t4g.micro"));
    }

    #[test]
    fn production_keeps_backups_longer() {
        let p = props().production();
        assert_eq!(p.backup_retention_days, 30);
        let (stack, _) = build(&p).unwrap();
        assert_eq!(
            prop(&stack, "DbInstance", "BackupRetentionPeriod"),
            Some(Expr::Int(30))
        );
        assert_eq!(
            prop(&stack, "DbInstance", "DeletionProtection"),
            Some(Expr::Bool(true))
        );
    }

    #[test]
    fn optional_settings_reach_the_instance() {
        let mut p = props();
        p.database_name = Some("swiftcode".into());
        p.port = Some(6432);
        p.storage_kms_key = Some("alias/db".into());
        p.engine_version = Some("16.4".into());
        p.enhanced_monitoring = Some(EnhancedMonitoring {
            role_arn: Intrinsic::GetAtt {
                resource: "MonRole".into(),
                attribute: "Arn".into(),
            }
            .into(),
            interval_seconds: 60,
        });
        let (stack, db) = build(&p).unwrap();
        let i = "DbInstance";
        assert_eq!(prop(&stack, i, "DBName"), Some(Expr::string("swiftcode")));
        assert_eq!(prop(&stack, i, "Port"), Some(Expr::Int(6432)));
        assert_eq!(prop(&stack, i, "KmsKeyId"), Some(Expr::string("alias/db")));
        assert_eq!(prop(&stack, i, "EngineVersion"), Some(Expr::string("16.4")));
        assert_eq!(prop(&stack, i, "MonitoringInterval"), Some(Expr::Int(60)));
        assert!(prop(&stack, i, "MonitoringRoleArn").is_some());
        assert_eq!(db.port, 6432);
        assert_eq!(p.effective_port(), 6432);
    }

    #[test]
    fn turning_safe_defaults_off_records_overrides() {
        let mut p = props();
        p.multi_az = false;
        p.deletion_protection = false;
        p.max_allocated_storage_gib = None;
        p.subnets = vec![
            subnet("Private1", 0, SubnetKind::Private),
            subnet("Private2", 1, SubnetKind::Private),
        ];
        let (stack, _) = build(&p).unwrap();
        let messages: Vec<&str> = stack
            .overrides()
            .iter()
            .map(|o| {
                assert_eq!(o.construct, "Database \"Db\"");
                o.message.as_str()
            })
            .collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("Multi-AZ is off"));
        assert!(messages[1].starts_with("deletion protection is off"));
        assert!(messages[2].starts_with("storage autoscaling is off"));
        assert!(messages[3].contains("private subnets"));
        assert_eq!(
            prop(&stack, "DbInstance", "MultiAZ"),
            Some(Expr::Bool(false))
        );
        assert_eq!(prop(&stack, "DbInstance", "MaxAllocatedStorage"), None);
    }

    #[test]
    fn refuses_fewer_than_two_availability_zones() {
        let mut p = props();
        p.subnets = vec![
            subnet("A", 0, SubnetKind::Isolated),
            subnet("B", 0, SubnetKind::Isolated),
        ];
        assert!(err_of(&p).contains("at least 2 availability zones"));
        p.subnets.clear();
        assert!(err_of(&p).contains("got 0 subnet(s)"));
    }

    #[test]
    fn refuses_public_subnets() {
        let mut p = props();
        p.subnets[1] = subnet("Public2", 1, SubnetKind::Public);
        assert!(err_of(&p).contains("\"Public2\" is public"));
    }

    #[test]
    fn refuses_bad_instance_classes() {
        for class in ["t4g.medium", "db.t4g", "db.T4G.medium", "db.serverless", ""] {
            let mut p = props();
            p.instance_class = class.into();
            assert!(err_of(&p).contains("not an RDS instance class"), "{class}");
        }
    }

    #[test]
    fn refuses_storage_outside_gp3_limits() {
        let mut p = props();
        p.allocated_storage_gib = 19;
        assert!(err_of(&p).contains("20 to 65536 GiB"));
        p.allocated_storage_gib = 65_537;
        assert!(err_of(&p).contains("20 to 65536 GiB"));
    }

    #[test]
    fn refuses_an_autoscaling_ceiling_too_close_or_too_high() {
        let mut p = props();
        p.allocated_storage_gib = 100;
        p.max_allocated_storage_gib = Some(100);
        assert!(err_of(&p).contains("at least 110 GiB"));
        p.max_allocated_storage_gib = Some(50);
        assert!(err_of(&p).contains("at least 110 GiB"));
        p.max_allocated_storage_gib = Some(110);
        assert!(build(&p).is_ok());
        p.max_allocated_storage_gib = Some(70_000);
        assert!(err_of(&p).contains("above the gp3 limit"));
    }

    #[test]
    fn refuses_backup_retention_zero_and_above_35() {
        let mut p = props();
        p.backup_retention_days = 0;
        assert!(err_of(&p).contains("turns automated backups off"));
        p.backup_retention_days = 36;
        assert!(err_of(&p).contains("above the RDS maximum of 35"));
        p.backup_retention_days = 35;
        assert!(build(&p).is_ok());
    }

    #[test]
    fn refuses_bad_or_overlapping_windows() {
        let mut p = props();
        p.backup_window = "2:00-3:00".into();
        assert!(err_of(&p).contains("is not \"hh:mm-hh:mm\""));
        p.backup_window = "02:00-02:15".into();
        assert!(err_of(&p).contains("15 minutes"));
        p.backup_window = "02:00-03:00".into();
        p.maintenance_window = "sunday:03:30-sunday:04:30".into();
        assert!(err_of(&p).contains("is not \"ddd:hh:mm-ddd:hh:mm\""));
        p.maintenance_window = "sun:03:30-sun:03:40".into();
        assert!(err_of(&p).contains("10 minutes"));
        p.maintenance_window = "wed:02:30-wed:03:30".into();
        assert!(err_of(&p).contains("overlaps"));
        // A backup window across midnight meets a maintenance window just after it.
        p.backup_window = "23:30-00:30".into();
        p.maintenance_window = "sat:00:15-sat:01:00".into();
        assert!(err_of(&p).contains("overlaps"));
        p.maintenance_window = "sat:00:30-sat:01:00".into();
        assert!(build(&p).is_ok());
    }

    #[test]
    fn refuses_bad_engine_versions() {
        let mut p = props();
        p.engine_version = Some("seventeen".into());
        assert!(err_of(&p).contains("not a PostgreSQL version"));
        p.engine_version = Some("17.6.1.2".into());
        assert!(err_of(&p).contains("not a PostgreSQL version"));
        p.engine = DbEngine::MySql;
        p.engine_version = Some("8.4".into());
        assert!(err_of(&p).contains("not a full MySQL version"));
        p.engine_version = Some("8.0.46-rds.20260624".into());
        assert!(build(&p).is_ok());
    }

    #[test]
    fn refuses_bad_user_and_database_names() {
        let mut p = props();
        p.master_username = "1admin".into();
        assert!(err_of(&p).contains("must start with a letter"));
        p.master_username = "admin".into();
        assert!(err_of(&p).contains("reserved by postgres"));
        p.master_username = "pg_owner".into();
        assert!(err_of(&p).contains("reserved by postgres"));
        p.engine = DbEngine::MySql;
        p.master_username = "a_very_long_user_name".into();
        assert!(err_of(&p).contains("at most 16 characters for mysql"));
        p.master_username = "dbadmin".into();
        p.database_name = Some("app-db".into());
        assert!(err_of(&p).contains("database name \"app-db\""));
    }

    #[test]
    fn refuses_ports_thresholds_and_monitoring_intervals_out_of_range() {
        let mut p = props();
        p.port = Some(80);
        assert!(err_of(&p).contains("1150 to 65535"));
        p.port = None;
        p.cpu_alarm_percent = 0;
        assert!(err_of(&p).contains("CPU alarm threshold 0%"));
        p.cpu_alarm_percent = 80;
        p.free_storage_alarm_percent = 60;
        assert!(err_of(&p).contains("free storage alarm threshold 60%"));
        p.free_storage_alarm_percent = 10;
        p.enhanced_monitoring = Some(EnhancedMonitoring {
            role_arn: "arn:aws:iam::123456789012:role/m".into(),
            interval_seconds: 20,
        });
        assert!(err_of(&p).contains("interval 20s"));
    }

    #[test]
    fn refuses_ids_that_cannot_make_logical_ids_and_ids_already_taken() {
        let mut stack = Stack::new("t");
        let err = Database::new(&mut stack, "my-db", &props()).unwrap_err();
        assert!(
            matches!(err, SynthError::InvalidProps { ref message, .. } if message.contains("letters and digits"))
        );
        let err = Database::new(&mut stack, "", &props()).unwrap_err();
        assert!(matches!(err, SynthError::InvalidProps { .. }));
        Database::new(&mut stack, "Db", &props()).unwrap();
        let before = stack.template().unwrap().resources.len();
        let err = Database::new(&mut stack, "Db", &props()).unwrap_err();
        assert!(
            matches!(err, SynthError::InvalidProps { ref message, .. } if message.contains("already has a resource \"DbSubnetGroup\""))
        );
        assert_eq!(
            stack.template().unwrap().resources.len(),
            before,
            "nothing written"
        );
    }

    #[test]
    fn window_arithmetic_wraps_around_the_week() {
        assert_eq!(parse_daily_window("23:30-00:30"), Some((1410, 60)));
        assert_eq!(
            parse_weekly_window("sun:23:30-mon:00:30"),
            Some((6 * 1440 + 1410, 60))
        );
        assert!(overlaps((6 * 1440 + 1410, 60), (10, 10), MINUTES_PER_WEEK));
        assert!(!overlaps((0, 30), (30, 30), MINUTES_PER_WEEK));
        assert_eq!(parse_hhmm("24:00"), None);
    }
}
