//! The deploy guards against moto, which never reports a change's
//! `Replacement`: replacements found from the templates and the schemas,
//! `--allow-replace` checked against what is replaced, the security review
//! comparing old and new, `--require-approval` against `--yes`, and the
//! review of `--execute`.

use crate::support;

use hagen::template::Template;
use hagen::template::parse::parse_template;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};

fn template(yaml: &str) -> Template {
    parse_template(yaml, "test template")
        .unwrap_or_else(|e| panic!("test template: {e}"))
        .template
}

/// A PostgreSQL instance with a name of `db_name` and engine `engine`.
fn database(engine: &str, db_name: &str) -> Template {
    template(&format!(
        "Resources:\n  DbInstance:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n    Properties:\n      DBInstanceClass: db.t3.micro\n      Engine: {engine}\n      AllocatedStorage: '20'\n      DBName: {db_name}\n      MasterUsername: hagenadmin\n      MasterUserPassword: not-a-real-secret-1\n  Alerts:\n    Type: AWS::SNS::Topic\n"
    ))
}

/// A security group with SSH from `cidr` as a separate ingress resource.
fn ssh_from(cidr: &str) -> Template {
    template(&format!(
        "Resources:\n  AdminSg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: admin access\n  SshFromAdmins:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !GetAtt AdminSg.GroupId\n      IpProtocol: tcp\n      FromPort: 22\n      ToPort: 22\n      CidrIp: {cidr}\n"
    ))
}

fn created(ep: &str, stack: &str, t: &Template) {
    let run = aws::deploy(ep, stack, t, &["--yes"], &[]);
    assert_eq!(run.code, 0, "create failed:\n{}", run.all());
}

/// The DB instance's database name and engine, as RDS reports them.
fn db_facts(ep: &str, stack: &str) -> (String, String) {
    let physical = aws::stack_resources(ep, stack)
        .into_iter()
        .find(|(id, _, _)| id == "DbInstance")
        .map(|(_, _, p)| p)
        .expect("DbInstance in the stack");
    let r = support::http::aws_query(
        ep,
        "rds",
        &[
            ("Action", "DescribeDBInstances"),
            ("DBInstanceIdentifier", &physical),
            ("Version", "2014-10-31"),
        ],
    );
    let field = |tag: &str| {
        let open = format!("<{tag}>");
        r.body
            .split_once(&open)
            .and_then(|(_, rest)| rest.split_once(&format!("</{tag}>")))
            .map(|(v, _)| v.to_owned())
            .unwrap_or_default()
    };
    (field("DBName"), field("Engine"))
}

fn refused_before_execution(run: &Run) {
    assert_eq!(run.code, 5, "{}", run.all());
    assert!(!run.out.contains("Executing"), "{}", run.all());
}

#[test]
fn regression_a_create_only_change_of_a_database_is_blocked_although_the_change_set_has_no_replacement()
 {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-dbname");
    created(&ep, &stack, &database("postgres", "app"));

    let run = aws::deploy(&ep, &stack, &database("postgres", "shop"), &["--yes"], &[]);
    refused_before_execution(&run);
    assert!(
        run.out.contains("replace (create-only: DBName)"),
        "the review says why:\n{}",
        run.all()
    );
    assert!(
        run.out
            .contains("DbInstance (AWS::RDS::DBInstance) replaced (create-only: DBName)"),
        "{}",
        run.all()
    );
    assert!(
        run.out.contains("--allow-replace DbInstance"),
        "{}",
        run.all()
    );
    assert_eq!(db_facts(&ep, &stack).0, "app", "the database is untouched");
}

#[test]
fn a_create_only_property_changed_through_a_parameter_is_a_replacement() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-param");
    let t = template(
        "Parameters:\n  DbName:\n    Type: String\nResources:\n  DbInstance:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n    Properties:\n      DBInstanceClass: db.t3.micro\n      Engine: postgres\n      AllocatedStorage: '20'\n      DBName: !Ref DbName\n      MasterUsername: hagenadmin\n      MasterUserPassword: not-a-real-secret-1\n",
    );
    let first = aws::deploy(
        &ep,
        &stack,
        &t,
        &["--yes", "--parameter", "DbName=app"],
        &[],
    );
    assert_eq!(first.code, 0, "{}", first.all());

    let run = aws::deploy(
        &ep,
        &stack,
        &t,
        &["--yes", "--parameter", "DbName=shop"],
        &[],
    );
    refused_before_execution(&run);
    assert!(run.out.contains("  DbName: app -> shop"), "{}", run.all());
    assert!(
        run.out
            .contains("replaced (create-only: DBName via parameter DbName)"),
        "{}",
        run.all()
    );
    assert_eq!(db_facts(&ep, &stack).0, "app", "the database is untouched");
}

#[test]
fn regression_a_database_engine_change_does_not_go_straight_to_execution() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-engine");
    created(&ep, &stack, &database("postgres", "app"));

    let run = aws::deploy(&ep, &stack, &database("mysql", "app"), &["--yes"], &[]);
    refused_before_execution(&run);
    assert!(run.out.contains("replace (Engine change)"), "{}", run.all());
    assert_eq!(db_facts(&ep, &stack).1, "postgres", "still PostgreSQL");
}

#[test]
fn regression_allow_replace_of_an_id_that_is_not_replaced_is_an_error() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-allow");
    created(&ep, &stack, &database("postgres", "app"));

    let run = aws::deploy(
        &ep,
        &stack,
        &database("postgres", "shop"),
        &["--yes", "--allow-replace", "DatabaseInstance"],
        &[],
    );
    assert_eq!(run.code, 2, "a usage error:\n{}", run.all());
    assert!(!run.out.contains("Executing"), "{}", run.all());
    assert!(
        run.err.contains("--allow-replace DatabaseInstance")
            && run.err.contains("did you mean DbInstance?")
            && run
                .err
                .contains("This change set replaces or deletes: DbInstance."),
        "{}",
        run.all()
    );

    // The right ID lets the replacement through.
    let allowed = aws::deploy(
        &ep,
        &stack,
        &database("postgres", "shop"),
        &["--yes", "--allow-replace", "DbInstance"],
        &[],
    );
    assert_eq!(allowed.code, 0, "{}", allowed.all());
    assert!(
        allowed.out.contains("[allowed by --allow-replace]"),
        "{}",
        allowed.all()
    );
}

#[test]
fn regression_yes_does_not_approve_a_widening() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-approval");
    created(&ep, &stack, &ssh_from("10.20.0.0/16"));

    // CI: --yes, no terminal, the default --require-approval broadening.
    let open = ssh_from("0.0.0.0/0");
    let refused = aws::deploy_as_given(&ep, &stack, &open, &["--yes"], None);
    refused_before_execution(&refused);
    assert!(
        refused
            .out
            .contains("SshFromAdmins tcp/22: 10.20.0.0/16 -> 0.0.0.0/0 (widens, broad)"),
        "{}",
        refused.all()
    );
    assert!(
        refused.out.contains("--require-approval never"),
        "says how to approve:\n{}",
        refused.all()
    );

    // At a terminal, --yes still asks: the person types the stack name.
    let declined = aws::deploy_as_given(&ep, &stack, &open, &["--yes"], Some(&[false]));
    refused_before_execution(&declined);
    assert_eq!(declined.asked.len(), 1, "{}", declined.all());

    // --require-approval any-change: --yes is never enough without a person.
    let any = ssh_from("10.20.0.0/24");
    let any_run = aws::deploy_as_given(
        &ep,
        &stack,
        &any,
        &["--yes", "--require-approval", "any-change"],
        None,
    );
    refused_before_execution(&any_run);

    // At a terminal, the person who types the stack name approves it.
    let typed = aws::deploy_as_given(&ep, &stack, &open, &["--yes"], Some(&[true]));
    assert_eq!(typed.code, 0, "{}", typed.all());
    assert!(
        typed
            .out
            .contains("This change set widens access (listed above)."),
        "{}",
        typed.all()
    );
    assert!(typed.out.contains("UPDATE_COMPLETE"), "{}", typed.all());

    // --require-approval never: --yes approves a widening without a person.
    let narrowed = aws::deploy_as_given(&ep, &stack, &any, &["--yes"], None);
    assert_eq!(
        narrowed.code,
        0,
        "a narrowing needs no one:\n{}",
        narrowed.all()
    );
    let approved = aws::deploy_as_given(
        &ep,
        &stack,
        &open,
        &["--yes", "--require-approval", "never"],
        None,
    );
    assert_eq!(approved.code, 0, "{}", approved.all());
    assert!(
        approved.out.contains("(widens, broad)"),
        "{}",
        approved.all()
    );
    assert!(
        approved.out.contains("UPDATE_COMPLETE"),
        "{}",
        approved.all()
    );
}

#[test]
fn regression_narrowing_ssh_from_the_internet_is_not_reported_as_widening() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-narrow");
    created(&ep, &stack, &ssh_from("0.0.0.0/0"));

    // A narrowing needs no person: --yes with the default approval runs it.
    let run = aws::deploy_as_given(&ep, &stack, &ssh_from("10.20.0.0/16"), &["--yes"], None);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.out
            .contains("SshFromAdmins tcp/22: 0.0.0.0/0 -> 10.20.0.0/16 (narrows)"),
        "{}",
        run.all()
    );
    assert!(!run.out.contains("WIDENS ACCESS"), "{}", run.all());
    assert!(run.out.contains("UPDATE_COMPLETE"), "{}", run.all());
}

#[test]
fn regression_execute_review_shows_property_names() {
    let moto = Emulator::moto();
    let ep = moto.endpoint();
    let stack = aws::stack_name("guard-execute");
    let before = template(
        "Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: alerts\n",
    );
    let after = template(
        "Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: alarms\n",
    );
    created(&ep, &stack, &before);
    let left = aws::deploy(&ep, &stack, &after, &["--no-execute"], &[]);
    assert_eq!(left.code, 0, "{}", left.all());
    let change_set = left
        .out
        .split_once("--execute ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .expect("the command to execute it")
        .to_owned();
    assert!(left.out.contains("DisplayName"), "{}", left.all());

    // moto answers GetTemplate from the stack whatever ChangeSetName says
    // (moto/cloudformation/responses.py get_template reads only StackName;
    // LocalStack's v2 provider returns the change set's stack's template);
    // AWS answers with the change set's template. The --execute review
    // asks for the change set's template first, then the deployed one: the
    // proxy gives the first answer the change set's text, as AWS would.
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule::on(
            "GetTemplate",
            1,
            Fault::Rewrite {
                from: "DisplayName: alerts".into(),
                to: "DisplayName: alarms".into(),
            },
        )],
    );
    let executed = aws::deploy_with(
        &proxy.endpoint(),
        &stack,
        None,
        &["--execute", &change_set],
        &[true],
        hagen::deploy::Interrupt::new(),
    );
    assert_eq!(executed.code, 0, "{}", executed.all());
    assert!(
        executed.out.contains("DisplayName"),
        "the --execute review names the property:\n{}",
        executed.all()
    );
    assert!(
        executed.out.contains("UPDATE_COMPLETE"),
        "{}",
        executed.all()
    );
}
