//! Amazon EC2 resource types: networking (VPC, subnets, gateways, routes,
//! NACLs, security groups) and compute (launch templates, instances).

mod instances;
mod network;

pub use instances::*;
pub use network::*;
