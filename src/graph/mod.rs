//! `hagen graph`: the architecture a template describes, drawn.
//!
//! A template is read into a [`Diagram`] (what is drawn: lanes per AZ,
//! bands per subnet tier, boxes, flows, what can fail), then laid out on a
//! deterministic grid ([`layout`]) and written as SVG, a self-contained
//! HTML page, Graphviz DOT or a Mermaid flowchart. Everything it knows about
//! the network comes from the validator's model (`crate::validate`): the
//! topology, the network ACL evaluator, the reachability rules and the
//! availability report; this module only decides what goes where.
//!
//! Same template, same bytes: every collection is ordered by the template's
//! own order or by name, and coordinates are integers.

pub mod dot;
pub mod html;
pub mod layout;
pub mod mermaid;
pub mod svg;

mod flows;
mod marks;
mod place;
mod tier;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::template::Template;
use crate::validate::{self, model::Model};

pub use tier::Tier;

/// The type given to entry points (the internet, an admin network): not a
/// resource of the template, but where traffic comes from.
pub const ENTRY_TYPE: &str = "hagen::Entry";
/// The type given to a box standing for several resources of one kind.
pub const GROUP_TYPE: &str = "hagen::Group";

/// One availability zone's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// Its name in the output (`AZ1`, `AZ2`, ...), in AZ order.
    pub name: String,
    /// What the reader sees: `AZ 1`, or `AZ 1 (us-east-1a)` for a named AZ.
    pub label: String,
}

/// The areas outside the lanes, each for one kind of regional resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    /// Where traffic comes from: the internet, admin networks.
    Entry,
    /// What users reach first: DNS records, CDNs, load balancers.
    Edge,
    /// Compute that is not placed in a subnet: launch templates, functions.
    Compute,
    /// Storage and databases outside the lanes.
    Data,
    /// Security groups.
    Security,
    /// The VPC, gateways, route tables, network ACLs.
    Network,
    /// Alarms, topics, logs.
    Monitoring,
    /// Roles, keys, secrets, parameters.
    Identity,
    /// Everything else.
    Other,
}

impl Area {
    /// Every area, in drawing order.
    pub const ALL: [Area; 9] = [
        Area::Entry,
        Area::Edge,
        Area::Compute,
        Area::Data,
        Area::Security,
        Area::Network,
        Area::Monitoring,
        Area::Identity,
        Area::Other,
    ];

    /// The area's title.
    pub fn title(self) -> &'static str {
        match self {
            Area::Entry => "Users and networks",
            Area::Edge => "Edge",
            Area::Compute => "Compute",
            Area::Data => "Data",
            Area::Security => "Security groups",
            Area::Network => "Network",
            Area::Monitoring => "Monitoring",
            Area::Identity => "Identity and keys",
            Area::Other => "Other",
        }
    }
}

/// Where a box sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// In a lane's band: a resource that runs in a subnet of that AZ.
    Lane {
        /// Index into [`Diagram::lanes`].
        lane: usize,
        /// The band.
        tier: Tier,
    },
    /// Around the lanes.
    Region(Area),
}

/// How bad a mark is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing.
    Note,
    /// Worth fixing.
    Warning,
    /// Breaks availability or security.
    Error,
}

/// Something that can fail, or a finding, marked on a box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// How bad.
    pub severity: Severity,
    /// What, in words (`single point of failure: ...`, `HG401: ...`).
    pub text: String,
}

/// One box: a resource (in one lane, when it spans several), a collapsed
/// group of resources, or an entry point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Unique in the diagram: the logical ID, `LogicalId@AZ1` for one lane
    /// of a resource drawn in several, `group:...` or `entry:...`.
    pub id: String,
    /// The resource type, [`ENTRY_TYPE`] or [`GROUP_TYPE`].
    pub resource_type: String,
    /// The main text.
    pub label: String,
    /// A second line: the short type, a role (`primary`, `standby`), a count.
    pub sublabel: String,
    /// Where it sits.
    pub place: Place,
    /// The logical IDs it stands for (itself first, for a resource).
    pub members: Vec<String>,
    /// Key properties, `name: value`, for hover text.
    pub details: Vec<String>,
    /// What can fail here, and findings.
    pub marks: Vec<Mark>,
}

impl Node {
    /// The worst mark, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.marks.iter().map(|m| m.severity).max()
    }
}

/// What a flow is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowKind {
    /// A hop of a path users take (drawn first, emphasised).
    Request,
    /// A security group admits it and the network ACLs let it through.
    Sg,
    /// A security group admits it, but a network ACL drops it or its replies.
    NaclBlocked,
    /// A hop of the request path the network ACLs let through but no
    /// security group admits.
    SgOnly,
}

impl FlowKind {
    /// The name used in the output (`data-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Request => "request",
            FlowKind::Sg => "sg",
            FlowKind::NaclBlocked => "nacl-blocked",
            FlowKind::SgOnly => "sg-only",
        }
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An arrow between two boxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// The source box's [`Node::id`].
    pub from: String,
    /// The target box's [`Node::id`].
    pub to: String,
    /// What it is.
    pub kind: FlowKind,
    /// Protocol and ports (`tcp 443`), or what the hop is (`alias`).
    pub label: String,
    /// Why it is blocked, or which rule allows it, for hover text.
    pub detail: String,
}

/// Everything drawn, before layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The template's description, or a default.
    pub title: String,
    /// One per AZ the template's subnets are in, in AZ order.
    pub lanes: Vec<Lane>,
    /// The bands every lane has, in order (public, private, isolated).
    pub tiers: Vec<Tier>,
    /// The network ACLs at each band's boundary, by (lane, tier): the ACLs
    /// of its subnets, `(VPC default)` for a subnet left with the VPC's default.
    pub acls: std::collections::BTreeMap<(usize, Tier), Vec<String>>,
    /// Every box, in drawing order.
    pub nodes: Vec<Node>,
    /// Every arrow, request paths first.
    pub flows: Vec<Flow>,
    /// How many resources the template has (before grouping).
    pub resources: usize,
}

impl Diagram {
    /// Reads a template into the diagram of its architecture.
    pub fn of(template: &Template) -> Diagram {
        let model = Model::of(template);
        let mut placed = place::place(template, &model);
        let flows = flows::flows(template, &model, &mut placed);
        let lanes: Vec<(validate::model::Az, &Lane)> = placed
            .azs
            .iter()
            .cloned()
            .zip(placed.lanes.iter())
            .collect();
        marks::mark(template, &model, &lanes, &mut placed.nodes);
        let title = template
            .description
            .as_deref()
            .and_then(|d| d.lines().next())
            .map_or_else(|| "Architecture".to_owned(), str::to_owned);
        Diagram {
            title,
            lanes: placed.lanes,
            tiers: placed.tiers,
            acls: placed.acls,
            nodes: placed.nodes,
            flows,
            resources: template.resources.len(),
        }
    }

    /// The box with this ID.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The formats `hagen graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A standalone SVG image.
    Svg,
    /// One self-contained HTML page: the SVG with hover, click and print styles.
    Html,
    /// Graphviz DOT, with a cluster per AZ and tier.
    Dot,
    /// A Mermaid flowchart, with a subgraph per AZ and tier.
    Mermaid,
}

/// The diagram of a template in a format.
pub fn render(template: &Template, format: Format) -> String {
    render_diagram(&Diagram::of(template), format)
}

/// A diagram already read, in a format.
pub fn render_diagram(diagram: &Diagram, format: Format) -> String {
    match format {
        Format::Svg => svg::render(diagram, &layout::layout(diagram)),
        Format::Html => html::render(diagram, &layout::layout(diagram)),
        Format::Dot => dot::render(diagram),
        Format::Mermaid => mermaid::render(diagram),
    }
}
