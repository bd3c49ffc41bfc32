//! Subnet tiers: what a subnet is for, read from where its route table
//! sends `0.0.0.0/0`. The bands of every lane.

use std::fmt;

use crate::validate::model::{DefaultRoute, Model};

/// A subnet's tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// Routes to an internet gateway.
    Public,
    /// Routes to a NAT gateway (or another gateway of its own).
    Private,
    /// No default route: reaches nothing outside the VPC.
    Isolated,
}

impl Tier {
    /// Every tier, top to bottom.
    pub const ALL: [Tier; 3] = [Tier::Public, Tier::Private, Tier::Isolated];

    /// The name used in the output (`data-band`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::Private => "private",
            Tier::Isolated => "isolated",
        }
    }

    /// The band's title.
    pub fn title(self) -> &'static str {
        match self {
            Tier::Public => "Public subnets",
            Tier::Private => "Private subnets",
            Tier::Isolated => "Isolated subnets",
        }
    }

    /// The tier of a subnet of the model.
    pub fn of(model: &Model, subnet: &str) -> Tier {
        match model.default_route(subnet) {
            Some(DefaultRoute::InternetGateway) => Tier::Public,
            Some(DefaultRoute::Nat(..) | DefaultRoute::Other) => Tier::Private,
            None => Tier::Isolated,
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse_template;

    #[test]
    fn the_route_table_decides_the_tier() {
        let text = "Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Igw: {Type: AWS::EC2::InternetGateway}
  Pub: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}}
  Priv: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}}
  Iso: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}}
  Nat: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref Pub}}
  PubRt: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  PrivRt: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  IsoRt: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  PubDefault: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref PubRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}}
  PrivDefault: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref PrivRt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat}}
  PubA: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Pub, RouteTableId: !Ref PubRt}}
  PrivA: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Priv, RouteTableId: !Ref PrivRt}}
  IsoA: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Iso, RouteTableId: !Ref IsoRt}}
";
        let t = parse_template(text, "t.yaml").expect("parses").template;
        let model = Model::of(&t);
        assert_eq!(Tier::of(&model, "Pub"), Tier::Public);
        assert_eq!(Tier::of(&model, "Priv"), Tier::Private);
        assert_eq!(Tier::of(&model, "Iso"), Tier::Isolated);
        assert_eq!(Tier::of(&model, "NoSuchSubnet"), Tier::Isolated);
    }
}
