//! L2 constructs: groups of typed resources with safe, highly available
//! defaults (a VPC over several AZs, a load-balanced Auto Scaling group, a
//! Multi-AZ database, ...).
//!
//! A construct checks its props before it writes anything, and names itself
//! in every error. Logical IDs are derived from the construct's explicit ID
//! plus a fixed suffix, never from where the code stands, so moving code does
//! not rename (and so replace) resources.

pub mod alert_topic;
pub mod bastion;
pub mod checkov;
pub mod database;
pub mod dns;
pub mod instance_role;
pub mod load_balanced_asg;
pub mod log_bucket;
pub mod monitoring;
pub mod nacl;
pub mod scaling;
pub mod security_group;
pub mod vpc;

use crate::resources::Handle;

/// The CIDR types of network props (`VpcProps::cidr`, subnet blocks),
/// re-exported so blueprints need not depend on `ipnet`.
pub use ipnet::{Ipv4Net, Ipv6Net};

use crate::resources::ec2;

/// The role a subnet plays, which decides its routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubnetKind {
    /// Routed to the internet gateway: load balancers, NAT gateways, bastions.
    Public,
    /// Routed to the internet through a NAT gateway: application instances.
    Private,
    /// No route out of the VPC: databases.
    Isolated,
}

impl SubnetKind {
    /// The name used in logical IDs and tags (`Public`, `Private`, `Isolated`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubnetKind::Public => "Public",
            SubnetKind::Private => "Private",
            SubnetKind::Isolated => "Isolated",
        }
    }
}

/// A subnet created by a VPC construct, with what other constructs need to
/// know about it without looking into the template.
#[derive(Debug, Clone, PartialEq)]
pub struct SubnetInfo {
    /// The subnet resource.
    pub handle: Handle<ec2::Subnet>,
    /// Zero-based index of its availability zone (`!Select [az_index, !GetAZs '']`).
    pub az_index: usize,
    /// Its IPv4 CIDR block.
    pub cidr: Ipv4Net,
    /// Its role.
    pub kind: SubnetKind,
}
