//! What the generated L1 layer promises, checked on types the constructs
//! use: schema names, required properties as `new` arguments, enums that
//! still take an intrinsic, the override table's integers and omissions,
//! typed attributes, and which types take stack tags.

use serde_json::json;

use super::ec2::network_acl_entry::{Icmp, PortRange};
use super::ec2::{NetworkAclEntry, SecurityGroupIngress, Subnet};
use super::elasticloadbalancingv2::listener::{Action, RedirectConfig, StatusCode};
use super::elasticloadbalancingv2::load_balancer::Type as LoadBalancerType;
use super::elasticloadbalancingv2::{Listener, LoadBalancer};
use super::rds::DbInstance;
use super::route53::RecordSet;
use super::{CfnResource, Handle, Tag};
use crate::template::json::to_json_value;
use crate::template::{Attr, Expr, Intrinsic, Value};

fn props<R: CfnResource>(r: &R) -> serde_json::Value {
    to_json_value(&Expr::Map(r.properties()))
}

#[test]
fn required_properties_are_arguments_of_new_and_always_written() {
    let subnet = Subnet::new(Intrinsic::Ref("Vpc".into())).cidr_block("10.0.0.0/24");
    assert_eq!(
        props(&subnet),
        json!({"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"})
    );
    let entry = NetworkAclEntry::new(Intrinsic::Ref("Acl".into()), 6, "allow", 100)
        .port_range(PortRange::new().from_(443).to(443));
    assert_eq!(props(&entry)["PortRange"], json!({"From": 443, "To": 443}));
    let icmp = NetworkAclEntry::new("acl-1", 1, "allow", Intrinsic::Ref("Rule".into()))
        .icmp(Icmp::new().code(-1).type_(-1));
    assert_eq!(props(&icmp)["RuleNumber"], json!({"Ref": "Rule"}));
    assert_eq!(props(&icmp)["Icmp"], json!({"Code": -1, "Type": -1}));
}

#[test]
fn enums_write_cloudformation_spelling_and_still_accept_an_intrinsic() {
    let lb = LoadBalancer::new().type_(LoadBalancerType::Application);
    assert_eq!(props(&lb)["Type"], "application");
    let listener = Listener::new(
        vec![Action::redirect(
            RedirectConfig::new(StatusCode::Http301)
                .protocol("HTTPS")
                .port("443"),
        )],
        Intrinsic::Ref("Lb".into()),
    );
    assert_eq!(
        props(&listener)["DefaultActions"][0]["RedirectConfig"]["StatusCode"],
        "HTTP_301"
    );
    let from_parameter =
        LoadBalancer::new().type_(Value::from(Intrinsic::Ref("LoadBalancerType".into())));
    assert_eq!(
        props(&from_parameter)["Type"],
        json!({"Ref": "LoadBalancerType"})
    );
}

#[test]
fn the_override_tables_digit_strings_are_numbers_that_can_hold_a_ref() {
    let db = DbInstance::new()
        .allocated_storage(20)
        .port(Intrinsic::Ref("Port".into()));
    assert_eq!(props(&db)["AllocatedStorage"], 20);
    assert_eq!(props(&db)["Port"], json!({"Ref": "Port"}));
    let record = RecordSet::new("www.example.com", "A").ttl(300);
    assert_eq!(props(&record)["TTL"], 300);
}

/// The override table leaves the plain-text password out; the module docs
/// of `hagen::resources` hold the `compile_fail` doctest that proves it.
#[test]
fn the_master_password_is_not_offered() {
    let managed = DbInstance::new().manage_master_user_password(true);
    assert_eq!(props(&managed)["ManageMasterUserPassword"], true);
}

#[test]
fn attributes_are_typed_get_atts() {
    let db: Handle<DbInstance> = Handle::new("Db");
    let address: Attr<String> = db.endpoint_address();
    assert_eq!(
        to_json_value(&address.into()),
        json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]})
    );
    let rule: Handle<SecurityGroupIngress> = Handle::new("Rule");
    assert_eq!(rule.logical_id(), "Rule");
    assert_eq!(
        to_json_value(&Expr::from(rule.id())),
        json!({"Fn::GetAtt": ["Rule", "Id"]})
    );
}

#[test]
fn taggable_types_take_stack_tags_and_untaggable_ones_ignore_them() {
    let tags = [Tag::new("Project", "p")];
    let mut subnet = Subnet::new("vpc-1");
    subnet.apply_tags(&tags);
    assert_eq!(
        props(&subnet)["Tags"],
        json!([{"Key": "Project", "Value": "p"}])
    );
    let mut rule = SecurityGroupIngress::new("tcp");
    rule.apply_tags(&tags);
    assert_eq!(props(&rule), json!({"IpProtocol": "tcp"}));
}

#[test]
fn property_order_overrides_keep_deployed_templates_identical() {
    // Alphabetical schema order would put CidrBlock first.
    let subnet = Subnet::new("vpc-1").cidr_block("10.0.0.0/24");
    let keys: Vec<String> = subnet.properties().keys().cloned().collect();
    assert_eq!(keys, ["VpcId", "CidrBlock"]);
}
