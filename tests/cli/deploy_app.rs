//! Apps on LocalStack: a nested stack uploaded and deployed with its
//! parent; several stacks reviewed together with one question, deployed
//! in dependency order with one summary, and a deploy that would
//! remove an export another stack still imports is refused before any
//! change set, with the stack left as it was.

use hagen::app::App;
use hagen::blueprint::{self, Blueprint};
use hagen::cli::deploy::{DeployArgs, SynthOutput};
use hagen::cli::synth::{BuiltApp, Format};
use hagen::config::{Config, Environment};
use hagen::deploy::{Console, Interrupt};
use hagen::error::SynthError;
use hagen::resources::sns::Topic;
use hagen::stack::Stack;
use hagen::template::{Expr, Intrinsic, Value};

use crate::support;
use support::aws::{self, Run};
use support::emulator::Emulator;
use support::fault_proxy::{Fault, FaultProxy, Rule};

/// Two stacks: `web` uses the `Orders` topic of `data`.
/// With `share` false, `data` no longer exports it while `web` still
/// imports it by name: the dangerous change.
struct Shop {
    base: String,
    share: bool,
}

impl Blueprint for Shop {
    type Config = ();
    fn name(&self) -> &str {
        "shop"
    }
    fn description(&self) -> &str {
        "two stacks"
    }
    fn stack_name(&self, _env: &Environment) -> String {
        self.base.clone()
    }
    fn build_app(&self, env: &Environment, _: &()) -> Result<App, SynthError> {
        let mut app = App::new(self.stack_name(env));
        let mut data = blueprint::new_stack(self, env);
        let orders = data.add("Orders", Topic::new().kms_master_key_id("alias/aws/sns"))?;
        let mut web = Stack::new("web");
        let data = app.add("data", data)?;
        let upstream = if self.share {
            app.share(&data, orders.reference())?
        } else {
            Intrinsic::ImportValue(Expr::String(format!("{}-data:Orders", self.base)))
        };
        web.add(
            "Notices",
            Topic::new()
                .kms_master_key_id("alias/aws/sns")
                .display_name(Value::from(upstream)),
        )?;
        app.add("web", web)?;
        Ok(app)
    }
}

fn built(bp: &Shop) -> BuiltApp {
    built_of(bp)
}

/// Every stack of a blueprint in stage, as `synth` builds them.
fn built_of<B: Blueprint<Config = ()>>(bp: &B) -> BuiltApp {
    let resolved = blueprint::resolve(bp, &Config::builtin(), Some("stage")).expect("stage");
    let synthesis = blueprint::synthesize_app(bp, &resolved).expect("builds");
    let texts = synthesis
        .app
        .stacks
        .iter()
        .map(|s| s.template.to_yaml())
        .collect();
    BuiltApp {
        environment: synthesis.environment,
        app: synthesis.app,
        texts,
        format: Format::Yaml,
    }
}

/// `hagen deploy [STACK...]` of the app with `flags`, each stack through
/// the emulator's clients.
fn deploy_app(endpoint: &str, all: &BuiltApp, flags: &[&str]) -> Run {
    deploy_app_answering(endpoint, all, flags, None)
}

/// [`deploy_app`] on a terminal that answers `answers` (`None`: no
/// terminal).
fn deploy_app_answering(
    endpoint: &str,
    all: &BuiltApp,
    flags: &[&str],
    answers: Option<&[bool]>,
) -> Run {
    let args: DeployArgs = aws::parse_flags(flags);
    let ctx = hagen::cli::deploy::DeployContext::default();
    let (mut console, out, err, prompt) = aws::console(answers);
    let clients = aws::clients(endpoint);
    let one =
        |ctx: &hagen::cli::deploy::DeployContext, output: &SynthOutput, console: &mut Console| {
            let mut request = hagen::cli::deploy::request(&args, ctx).expect("request");
            request.watch = aws::test_watch();
            request.catch_ctrl_c = false;
            let mut synth = |_: &mut Console| Ok(output.clone());
            hagen::cli::deploy::run_with_clients(
                &args,
                ctx,
                request,
                &mut synth,
                &clients,
                console,
                Interrupt::new(),
            )
        };
    let compare = hagen::cli::deploy_app::review_args(&args);
    let review =
        |ctx: &hagen::cli::deploy::DeployContext, output: &SynthOutput, console: &mut Console| {
            let mut synth = |_: &mut Console| Ok(output.clone());
            hagen::cli::diff::run_with_clients(&compare, ctx, &mut synth, &clients, console)
        };
    let code = hagen::cli::deploy_app::deploy_each(&args, &ctx, all, &mut console, &one, &review);
    Run {
        code,
        out: out.contents(),
        err: err.contents(),
        asked: prompt.asked(),
    }
}

#[test]
fn the_stacks_of_an_app_are_reviewed_together_and_asked_about_once() {
    let ls = Emulator::localstack();
    let ep = ls.endpoint();
    let base = aws::stack_name("review");
    let app = built(&Shop {
        base: base.clone(),
        share: true,
    });
    let (data, web) = (format!("{base}-data"), format!("{base}-web"));

    // No: both stacks compared, one question, nothing created.
    let no = deploy_app_answering(&ep, &app, &[], Some(&[false]));
    let text = no.all();
    assert_eq!(no.code, 5, "{text}");
    assert_eq!(no.asked.len(), 1, "{:?}", no.asked);
    assert!(
        no.asked[0].contains("Deploy the 2 stacks in this order (data, web would change)?"),
        "{:?}",
        no.asked
    );
    let review = text.find("Review of the 2 stacks before any is deployed:");
    let (first, second) = (text.find("== stack data"), text.find("== stack web"));
    assert!(
        review.is_some() && review < first && first < second,
        "{text}"
    );
    assert!(text.contains("Nothing was deployed."), "{text}");
    assert_eq!(aws::stack_status(&ep, &data), None, "{text}");
    assert_eq!(aws::stack_status(&ep, &web), None, "{text}");

    // No terminal and no --yes: reviewed, not asked, nothing deployed.
    let unattended = deploy_app_answering(&ep, &app, &[], None);
    assert_eq!(unattended.code, 5, "{}", unattended.all());
    assert!(
        unattended
            .all()
            .contains("Not asked: no terminal to confirm on. Nothing was deployed; pass --yes"),
        "{}",
        unattended.all()
    );
    assert_eq!(aws::stack_status(&ep, &data), None);

    // Yes: both deploy in order, and neither asks again.
    let yes = deploy_app_answering(&ep, &app, &["--require-approval", "never"], Some(&[true]));
    assert_eq!(yes.code, 0, "{}", yes.all());
    assert_eq!(yes.asked.len(), 1, "{:?}", yes.asked);
    assert!(
        yes.all().contains("All 2 stacks are deployed: data, web"),
        "{}",
        yes.all()
    );
    assert_eq!(
        aws::stack_status(&ep, &web).as_deref(),
        Some("CREATE_COMPLETE")
    );

    // Nothing changed since: nothing to ask, nothing to deploy.
    let again = deploy_app_answering(&ep, &app, &[], Some(&[]));
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.asked.is_empty(), "{:?}", again.asked);
    assert!(
        again
            .all()
            .contains("No stack would change: nothing to deploy."),
        "{}",
        again.all()
    );
}

#[test]
fn an_app_deploys_in_dependency_order_and_an_export_in_use_is_not_removed() {
    let ls = Emulator::localstack();
    let ep = ls.endpoint();
    let base = aws::stack_name("app");
    let sharing = built(&Shop {
        base: base.clone(),
        share: true,
    });
    assert_eq!(
        sharing.app.ids(),
        ["data", "web"],
        "data first: web imports it"
    );

    let run = deploy_app(&ep, &sharing, &["--yes", "--require-approval", "never"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = run.all();
    assert!(
        text.contains("Deploying 2 stacks in dependency order: data -> web"),
        "{text}"
    );
    assert!(
        text.contains("All 2 stacks are deployed: data, web"),
        "{text}"
    );
    let (data, web) = (format!("{base}-data"), format!("{base}-web"));
    assert_eq!(
        aws::stack_status(&ep, &data).as_deref(),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        aws::stack_status(&ep, &web).as_deref(),
        Some("CREATE_COMPLETE")
    );

    // The export disappears from `data` while `web` still imports it:
    // refused before any change set, `data` keeps its export.
    let removing = built(&Shop {
        base: base.clone(),
        share: false,
    });
    // LocalStack answers ListImports with no stack whatever imports an
    // export (and lets an export in use be removed). The harness answers it
    // for the emulator, as AWS's API reference shapes it, once the deployed
    // template of `web` shows that it does import the export.
    let web_template = aws::block_on(async {
        hagen::deploy::stack::template(&aws::clients(&ep), &web, None)
            .await
            .expect("GetTemplate")
            .expect("the web stack's template")
    });
    assert!(
        web_template.contains(&format!("{base}-data:Orders")),
        "{web_template}"
    );
    let proxy = FaultProxy::start(
        &ep,
        vec![Rule::on(
            "ListImports",
            usize::MAX,
            Fault::Answer(format!(
                "<ListImportsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><ListImportsResult><Imports><member>{web}</member></Imports></ListImportsResult><ResponseMetadata><RequestId>harness</RequestId></ResponseMetadata></ListImportsResponse>"
            )),
        )],
    );
    let refused = deploy_app(
        &proxy.endpoint(),
        &removing,
        &[
            "data",
            "--exclusively",
            "--yes",
            "--require-approval",
            "never",
        ],
    );
    let text = refused.all();
    assert_eq!(refused.code, hagen::cli::exit::CHANGE_SET_REFUSED, "{text}");
    assert!(
        text.contains(&format!("remove export {base}-data:Orders")),
        "{text}"
    );
    assert!(text.contains(&format!("imported by {web}")), "{text}");
    assert!(text.contains("Deploy in two steps"), "{text}");
    assert!(
        text.contains("did not deploy: data (exit code 5)"),
        "{text}"
    );
    assert!(
        proxy
            .forwarded_actions()
            .iter()
            .all(|a| a != "CreateChangeSet"),
        "refused before any change set: {:?}",
        proxy.forwarded_actions()
    );
    assert!(
        aws::change_sets(&ep, &data).is_empty(),
        "no change set was made"
    );
    let clients = aws::clients(&ep);
    let outputs = aws::block_on(async {
        hagen::deploy::stack::describe(&clients, &data)
            .await
            .expect("describe")
            .expect("the stack")
            .outputs
    });
    assert!(
        outputs
            .iter()
            .any(|o| o.export_name.as_deref() == Some(&format!("{base}-data:Orders"))),
        "{outputs:?}"
    );
}

/// A stack with a nested stack: the child uses a parent's resource, the
/// parent reads the child's output.
struct Nest {
    base: String,
}

impl Blueprint for Nest {
    type Config = ();
    fn name(&self) -> &str {
        "nest"
    }
    fn description(&self) -> &str {
        "a parent and a child"
    }
    fn stack_name(&self, _env: &Environment) -> String {
        self.base.clone()
    }
    fn build_app(&self, env: &Environment, _: &()) -> Result<App, SynthError> {
        let mut app = App::new(self.stack_name(env));
        let mut parent = blueprint::new_stack(self, env);
        let alerts = parent.add("Alerts", Topic::new().kms_master_key_id("alias/aws/sns"))?;
        let mut child = blueprint::new_stack(self, env);
        let inner = child.add(
            "Inner",
            Topic::new()
                .kms_master_key_id("alias/aws/sns")
                .display_name(Value::from(alerts.get_att("TopicName"))),
        )?;
        let main = app.add("main", parent)?;
        let nested = app.nest(&main, "Child", child)?;
        let inner_arn = app.nested_output(&nested, "InnerArn", inner.reference())?;
        app.stack_mut(&main)?.output(
            "InnerTopic",
            hagen::template::Output {
                description: None,
                value: Expr::Fn(Box::new(inner_arn)),
                export_name: None,
                condition: None,
            },
        )?;
        Ok(app)
    }
}

#[test]
fn a_nested_stack_is_uploaded_by_content_hash_and_deployed_with_its_parent() {
    let ls = Emulator::localstack();
    let ep = ls.endpoint();
    let base = aws::stack_name("nest");
    let bucket = base.to_lowercase();
    let s3 = aws::s3(&ep);
    aws::block_on(async { s3.create_bucket().bucket(&bucket).send().await })
        .expect("bucket created");
    let all = built_of(&Nest { base: base.clone() });
    let child = &all.app.stacks[0].nested[0];
    assert_eq!(child.logical_id, "Child");
    assert!(
        child.template.parameters.contains_key("AlertsTopicName"),
        "the parent's attribute is a parameter of the child"
    );

    let run = deploy_app(
        &ep,
        &all,
        &["--yes", "--require-approval", "never", "--bucket", &bucket],
    );
    let text = run.all();
    assert_eq!(run.code, 0, "{text}");
    assert!(
        text.contains(&format!(
            "Uploaded the templates of 1 nested stack to s3://{bucket}"
        )),
        "{text}"
    );
    let parent = format!("{base}-main");
    assert_eq!(
        aws::stack_status(&ep, &parent).as_deref(),
        Some("CREATE_COMPLETE")
    );
    let clients = aws::clients(&ep);
    let outputs = aws::block_on(async {
        hagen::deploy::stack::describe(&clients, &parent)
            .await
            .expect("describe")
            .expect("the parent")
            .outputs
    });
    let inner = outputs
        .iter()
        .find(|o| o.key == "InnerTopic")
        .map(|o| o.value.clone())
        .unwrap_or_default();
    assert!(inner.starts_with("arn:aws:sns:"), "{outputs:?}");
    // Compared again, nothing changes: the child keeps its key and URL.
    let diff_args: hagen::cli::diff::DiffArgs =
        aws::parse_flags(&["--bucket", &bucket, "--exit-code"]);
    let (mut console, out, err, _) = aws::console(None);
    let code = hagen::cli::deploy_app::diff_each(
        &diff_args,
        &hagen::cli::deploy::DeployContext::default(),
        &all,
        &mut console,
        &|ctx, output, console| {
            let mut synth = |_: &mut Console| Ok(output.clone());
            hagen::cli::diff::run_with_clients(&diff_args, ctx, &mut synth, &clients, console)
        },
    );
    assert_eq!(
        code,
        0,
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        out.contents(),
        err.contents()
    );
    // The child's template is in the bucket under its content hash.
    let key =
        hagen::deploy::upload::template_key(&format!("{parent}/Child"), &child.template.to_yaml());
    aws::block_on(async { s3.head_object().bucket(&bucket).key(&key).send().await })
        .unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e:?}"));
}

/// Three stacks: `c` needs `a` and `b`, which need nothing.
struct Trio {
    base: String,
}

impl Blueprint for Trio {
    type Config = ();
    fn name(&self) -> &str {
        "trio"
    }
    fn description(&self) -> &str {
        "two independent stacks and one after both"
    }
    fn stack_name(&self, _env: &Environment) -> String {
        self.base.clone()
    }
    fn build_app(&self, env: &Environment, _: &()) -> Result<App, SynthError> {
        let mut app = App::new(self.stack_name(env));
        let mut ids = Vec::new();
        for id in ["a", "b", "c"] {
            let mut stack = blueprint::new_stack(self, env);
            stack.add("Topic", Topic::new().kms_master_key_id("alias/aws/sns"))?;
            ids.push(app.add(id, stack)?);
        }
        app.depends_on(&ids[2], &ids[0])?;
        app.depends_on(&ids[2], &ids[1])?;
        Ok(app)
    }
}

#[test]
fn independent_stacks_deploy_side_by_side_with_concurrency() {
    let ls = Emulator::localstack();
    let ep = ls.endpoint();
    let base = aws::stack_name("trio");
    let all = built_of(&Trio { base: base.clone() });

    // Side by side, no review can be answered: --yes is required.
    let refused = deploy_app(&ep, &all, &["--concurrency", "2"]);
    assert_eq!(refused.code, hagen::cli::exit::USAGE, "{}", refused.all());
    assert!(refused.all().contains("add --yes"), "{}", refused.all());

    let run = deploy_app(
        &ep,
        &all,
        &["--yes", "--require-approval", "never", "--concurrency", "2"],
    );
    let text = run.all();
    assert_eq!(run.code, 0, "{text}");
    assert!(text.contains("[1-2/3] stacks a, b side by side"), "{text}");
    assert!(
        text.contains(&format!("[3/3] stack c ({base}-c)")),
        "{text}"
    );
    // Each side-by-side stack's own output is printed whole, in order.
    let a = text
        .find(&format!("-- stack a ({base}-a):"))
        .expect("a's output");
    let b = text
        .find(&format!("-- stack b ({base}-b):"))
        .expect("b's output");
    assert!(a < b, "{text}");
    for id in ["a", "b", "c"] {
        assert_eq!(
            aws::stack_status(&ep, &format!("{base}-{id}")).as_deref(),
            Some("CREATE_COMPLETE"),
            "{text}"
        );
    }
    assert!(
        text.contains("All 3 stacks are deployed: a, b, c"),
        "{text}"
    );
}
