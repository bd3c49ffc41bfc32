use super::*;
use crate::resources::sns::Topic;

fn stack() -> Stack {
    Stack::new("test")
}

#[test]
fn a_shared_value_becomes_one_export_and_an_import_that_orders_the_stacks() {
    let mut app = App::new("shop-stage");
    let mut data = stack();
    let topic = data.add("Orders", Topic::new()).expect("adds");
    let data = app.add("data", data).expect("adds");
    let imported = app.share(&data, topic.reference()).expect("shares");
    // Shared twice: still one output.
    let again = app.share(&data, topic.reference()).expect("shares");
    assert_eq!(imported, again);
    assert_eq!(
        imported,
        Intrinsic::ImportValue(Expr::String("shop-stage-data:Orders".into()))
    );
    let arn = app.share(&data, topic.get_att("TopicArn")).expect("shares");
    assert_eq!(
        arn,
        Intrinsic::ImportValue(Expr::String("shop-stage-data:Orders:TopicArn".into()))
    );
    // The consumer is added first, yet deployed second.
    let mut web = stack();
    web.add("Inbox", Topic::new()).expect("adds");
    web.output(
        "Uses",
        Output {
            description: None,
            value: Expr::Fn(Box::new(imported)),
            export_name: None,
            condition: None,
        },
    )
    .expect("output");
    let mut app2 = App::new("shop-stage");
    let web_ref = app2.add("web", web).expect("adds");
    let _ = web_ref;
    // Rebuild in one app: web added before data.
    let mut data2 = stack();
    data2.add("Orders", Topic::new()).expect("adds");
    let data2 = app2.add("data", data2).expect("adds");
    app2.share(&data2, crate::template::fns::ref_("Orders"))
        .expect("shares");
    let built = app2.finish().expect("finishes");
    assert_eq!(built.ids(), ["data", "web"]);
    let web = built.get("web").expect("web");
    assert_eq!(web.name, "shop-stage-web");
    assert_eq!(web.depends_on, ["data"]);
    assert_eq!(web.imports, ["shop-stage-data:Orders"]);
    let data = built.get("shop-stage-data").expect("by name too");
    assert_eq!(data.exports, ["shop-stage-data:Orders"]);
    let out = &data.template.outputs["ExportOrders"];
    assert_eq!(
        out.value,
        Expr::Fn(Box::new(Intrinsic::Ref("Orders".into())))
    );
    assert_eq!(built.dependants("data"), ["web"]);
}

#[test]
fn selection_adds_dependencies_unless_exclusively() {
    let mut app = App::new("a");
    let net = app.add("network", stack()).expect("adds");
    let data = app.add("data", stack()).expect("adds");
    let web = app.add("web", stack()).expect("adds");
    app.depends_on(&data, &net)
        .expect("both stacks are this app's");
    app.depends_on(&web, &data)
        .expect("both stacks are this app's");
    let built = app.finish().expect("finishes");
    let ids = |v: Vec<&AppStack>| v.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(built.selection(&["web".into()], false).expect("ok")),
        ["network", "data", "web"]
    );
    assert_eq!(
        ids(built.selection(&["web".into()], true).expect("ok")),
        ["web"]
    );
    assert_eq!(built.dependants("network"), ["data", "web"]);
    let err = built
        .selection(&["nope".into()], false)
        .expect_err("unknown");
    assert!(err.contains("network, data, web"), "{err}");
}

#[test]
fn stacks_that_need_each_other_are_refused_before_anything_is_deployed() {
    let mut app = App::new("a");
    let x = app.add("x", stack()).expect("adds");
    let y = app.add("y", stack()).expect("adds");
    let z = app.add("z", stack()).expect("adds");
    app.depends_on(&x, &y).expect("both stacks are this app's");
    app.depends_on(&y, &x).expect("both stacks are this app's");
    app.depends_on(&z, &x).expect("both stacks are this app's");
    let err = app.finish().expect_err("circle");
    let text = err.to_string();
    assert!(text.contains("x, y, z") || text.contains("x, y"), "{text}");
    assert!(text.contains("in a circle"), "{text}");
}

#[test]
fn bad_ids_names_and_values_are_refused_with_what_to_do() {
    let mut app = App::new("a");
    assert!(app.add("Network", stack()).is_err());
    assert!(app.add("", stack()).is_err());
    let net = app.add("network", stack()).expect("adds");
    assert!(app.add("network", stack()).is_err(), "twice");
    let err = app
        .share(&net, crate::template::fns::ref_("Missing"))
        .expect_err("not in the stack");
    assert!(
        err.to_string()
            .contains("not a resource of stack `network`"),
        "{err}"
    );
    let err = app
        .share(&net, crate::template::fns::sub("x"))
        .expect_err("only Ref/GetAtt");
    assert!(err.to_string().contains("share_named"), "{err}");
    assert!(
        app.share_named(&net, "a-b", Expr::String("x".into()))
            .is_err()
    );
    app.share_named(&net, "Zones", Expr::String("a,b".into()))
        .expect("named");
    let err = app
        .share_named(&net, "Zones", Expr::String("c".into()))
        .expect_err("different value");
    assert!(err.to_string().contains("shared twice"), "{err}");
    assert!(App::new("a").finish().is_err(), "no stack");
}

#[test]
fn a_single_stack_app_keeps_the_blueprint_stack_name() {
    let built = App::single("shop-stage", stack())
        .finish()
        .expect("finishes");
    assert!(built.single);
    assert_eq!(built.stacks[0].name, "shop-stage");
}

#[test]
fn a_stack_reference_of_another_app_is_refused() {
    let mut one = App::new("one");
    let mut other = App::new("other");
    let mine = one.add("data", stack()).expect("adds");
    let theirs = other.add("data", stack()).expect("adds");
    // Same ID, other app: not silently read as `one`'s `data`.
    let err = one.stack_mut(&theirs).expect_err("foreign");
    assert!(err.to_string().contains("added to another App"), "{err}");
    assert!(one.depends_on(&mine, &theirs).is_err());
    assert!(one.stack_mut(&mine).is_ok());
    // A clone of the app keeps accepting its references.
    let mut copy = one.clone();
    assert!(copy.stack_mut(&mine).is_ok());
}
