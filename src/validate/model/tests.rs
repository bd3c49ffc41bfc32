use super::*;
use crate::validate::testing;

fn model() -> Model {
    Model::of(&testing::template(testing::ha_stack()))
}

#[test]
fn subnets_know_their_az_cidr_route_and_acl() {
    let m = model();
    let s = &m.subnets["PrivateSubnet2"];
    assert_eq!(s.az, Some(Az::Index(1)));
    assert_eq!(s.cidr, Some("10.0.3.0/24".parse().unwrap()));
    assert_eq!(s.nacl.as_deref(), Some("PrivateAcl"));
    assert_eq!(
        m.default_route("PrivateSubnet2"),
        Some(&DefaultRoute::Nat("Nat2".into(), "PrivateRoute2".into()))
    );
    assert!(m.is_public("PublicSubnet1"));
    assert_eq!(m.nat_az("Nat1"), Some(&Az::Index(0)));
    assert_eq!(m.all_azs(), vec![Az::Index(0), Az::Index(1)]);
}

#[test]
fn compute_and_databases_know_their_groups_and_subnets() {
    let m = model();
    let asg = &m.compute["Asg"];
    assert_eq!(asg.groups, vec!["AppSg".to_string()]);
    assert_eq!(asg.min, Some(2));
    assert_eq!(m.databases["Db"].subnets.as_ref().unwrap().len(), 2);
    assert!(m.databases["Db"].multi_az);
    assert_eq!(
        m.subnets_by_group()["AlbSg"],
        vec!["PublicSubnet1".to_string(), "PublicSubnet2".into()]
    );
    let app_rule = &m.groups["AppSg"].ingress[0];
    assert_eq!(app_rule.peer, Peer::Group("AlbSg".into()));
    assert_eq!(app_rule.ports, Ports::one(8080));
}

#[test]
fn cidr_functions_are_evaluated() {
    let vpcs: IndexMap<String, Option<Ipv4Net>> =
        [("Vpc".to_string(), Some("10.1.0.0/16".parse().unwrap()))]
            .into_iter()
            .collect();
    let e = testing::expr(&serde_json::json!(
        {"Fn::Select": [2, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]}
    ));
    assert_eq!(cidr_of(&e, &vpcs), Some("10.1.2.0/24".parse().unwrap()));
}

#[test]
fn addresses_cover_by_containment_or_same_expression() {
    let world = Addr::Cidr("0.0.0.0/0".parse().unwrap());
    let vpc = Addr::Cidr("10.0.0.0/16".parse().unwrap());
    let sub = Addr::Cidr("10.0.3.0/24".parse().unwrap());
    let admin = Addr::Expr("!Ref AdminCidr".into());
    assert!(world.covers(&admin));
    assert!(vpc.covers(&sub));
    assert!(!sub.covers(&vpc));
    assert!(admin.covers(&admin.clone()));
    assert!(!vpc.covers(&admin));
}
