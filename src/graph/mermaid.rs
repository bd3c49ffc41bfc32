//! The diagram as a Mermaid flowchart, for Markdown that renders Mermaid:
//! a subgraph per AZ with a subgraph per tier, one per regional area,
//! links styled by flow kind and boxes by what can fail.

use std::fmt::Write as _;

use super::{Area, Diagram, FlowKind, Place, Severity};

/// Text for a quoted Mermaid label.
fn text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// The diagram as Mermaid.
pub fn render(d: &Diagram) -> String {
    let mut out = String::from("flowchart TB\n");
    let node = |out: &mut String, i: usize, indent: &str| {
        let n = &d.nodes[i];
        let _ = writeln!(
            out,
            "{indent}n{i}[\"{}<br/><small>{}</small>\"]",
            text(&n.label),
            text(&n.sublabel)
        );
    };
    let regional: Vec<(Area, Vec<usize>)> = Area::ALL
        .iter()
        .map(|a| {
            let v: Vec<usize> = (0..d.nodes.len())
                .filter(|&i| d.nodes[i].place == Place::Region(*a))
                .collect();
            (*a, v)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if !regional.is_empty() {
        out.push_str("  subgraph regional[\"Regional\"]\n");
        for (area, nodes) in &regional {
            let _ = writeln!(out, "    subgraph area_{area:?}[\"{}\"]", area.title());
            for &i in nodes {
                node(&mut out, i, "      ");
            }
            out.push_str("    end\n");
        }
        out.push_str("  end\n");
    }
    for (l, lane) in d.lanes.iter().enumerate() {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", lane.name, text(&lane.label));
        for tier in &d.tiers {
            let _ = writeln!(
                out,
                "    subgraph {}_{}[\"{}\"]",
                lane.name,
                tier.as_str(),
                tier.title()
            );
            for (i, n) in d.nodes.iter().enumerate() {
                if n.place
                    == (Place::Lane {
                        lane: l,
                        tier: *tier,
                    })
                {
                    node(&mut out, i, "      ");
                }
            }
            out.push_str("    end\n");
        }
        out.push_str("  end\n");
    }
    let index = |id: &str| d.nodes.iter().position(|n| n.id == id);
    let mut styles: Vec<(usize, FlowKind)> = Vec::new();
    for f in &d.flows {
        let (Some(a), Some(b)) = (index(&f.from), index(&f.to)) else {
            continue;
        };
        let arrow = match f.kind {
            FlowKind::Request => "==>",
            FlowKind::Sg => "-->",
            FlowKind::NaclBlocked | FlowKind::SgOnly => "-.->",
        };
        let _ = writeln!(out, "  n{a} {arrow}|\"{}\"| n{b}", text(&f.label));
        styles.push((styles.len(), f.kind));
    }
    for (k, kind) in styles {
        let style = match kind {
            FlowKind::Request => "stroke:#1565c0,stroke-width:3px",
            FlowKind::Sg => "stroke:#78909c",
            FlowKind::NaclBlocked => "stroke:#c62828,stroke-width:2px",
            FlowKind::SgOnly => "stroke:#ef6c00,stroke-width:2px",
        };
        let _ = writeln!(out, "  linkStyle {k} {style}");
    }
    out.push_str("  classDef error stroke:#c62828,stroke-width:3px\n");
    out.push_str("  classDef warning stroke:#ef6c00,stroke-width:2px\n");
    out.push_str("  classDef entry fill:#fff8e1,stroke:#f9a825\n");
    for (i, n) in d.nodes.iter().enumerate() {
        let class = match n.worst() {
            Some(Severity::Error) => "error",
            Some(Severity::Warning) => "warning",
            _ if n.resource_type == super::ENTRY_TYPE => "entry",
            _ => continue,
        };
        let _ = writeln!(out, "  class n{i} {class}");
    }
    out
}
