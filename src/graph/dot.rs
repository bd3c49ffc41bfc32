//! The diagram as Graphviz DOT, for people who render with `dot`: a
//! cluster per AZ with a cluster per tier inside, a cluster per regional
//! area, and edges styled by flow kind.

use std::fmt::Write as _;

use super::{Area, Diagram, FlowKind, Place, Severity};

/// A quoted DOT string.
fn q(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn node_line(out: &mut String, d: &Diagram, i: usize, indent: &str) {
    let n = &d.nodes[i];
    let color = match n.worst() {
        Some(Severity::Error) => ", color=\"#c62828\", penwidth=3",
        Some(Severity::Warning) => ", color=\"#ef6c00\", penwidth=2",
        _ => "",
    };
    let _ = writeln!(
        out,
        "{indent}{} [label={}{color}];",
        q(&n.id),
        q(&format!("{}\n{}", n.label, n.sublabel))
    );
}

/// The diagram as DOT.
pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph hagen {{");
    let _ = writeln!(
        out,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", rankdir=TB, compound=true, newrank=true];",
        q(&format!("{} ({} resources)", d.title, d.resources))
    );
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let regional: Vec<(Area, Vec<usize>)> = Area::ALL
        .iter()
        .map(|a| {
            let v = (0..d.nodes.len())
                .filter(|&i| d.nodes[i].place == Place::Region(*a))
                .collect();
            (*a, v)
        })
        .filter(|(_, v): &(Area, Vec<usize>)| !v.is_empty())
        .collect();
    if !regional.is_empty() {
        out.push_str("  subgraph cluster_regional {\n    label=\"Regional\"; style=filled; fillcolor=\"#f5f5f5\"; color=\"#b0bec5\";\n");
        for (area, nodes) in &regional {
            let _ = writeln!(
                out,
                "    subgraph cluster_regional_{area:?} {{\n      label={}; style=filled; fillcolor=\"#ffffff\";",
                q(area.title())
            );
            for &i in nodes {
                node_line(&mut out, d, i, "      ");
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for (l, lane) in d.lanes.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{} {{\n    label={}; style=dashed; color=\"#90a4ae\";",
            lane.name,
            q(&lane.label)
        );
        for tier in &d.tiers {
            let fill = match tier {
                super::Tier::Public => "#e8f5e9",
                super::Tier::Private => "#e3f2fd",
                super::Tier::Isolated => "#f3e5f5",
            };
            let _ = writeln!(
                out,
                "    subgraph cluster_{}_{} {{\n      label={}; style=filled; fillcolor=\"{fill}\"; color=\"#b0bec5\";",
                lane.name,
                tier.as_str(),
                q(&match d.acls.get(&(l, *tier)) {
                    Some(acls) => format!("{} (network ACL {})", tier.title(), acls.join(", ")),
                    None => tier.title().to_owned(),
                })
            );
            for (i, n) in d.nodes.iter().enumerate() {
                if n.place
                    == (Place::Lane {
                        lane: l,
                        tier: *tier,
                    })
                {
                    node_line(&mut out, d, i, "      ");
                }
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for f in &d.flows {
        let style = match f.kind {
            FlowKind::Request => "color=\"#1565c0\", penwidth=2.5",
            FlowKind::Sg => "color=\"#78909c\"",
            FlowKind::NaclBlocked => "color=\"#c62828\", style=dashed, penwidth=1.5",
            FlowKind::SgOnly => "color=\"#ef6c00\", style=dotted, penwidth=1.5",
        };
        let tooltip = if f.detail.is_empty() {
            String::new()
        } else {
            format!(", tooltip={}", q(&f.detail))
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, class={}, {style}{tooltip}];",
            q(&f.from),
            q(&f.to),
            q(&f.label),
            q(f.kind.as_str())
        );
    }
    out.push_str("}\n");
    out
}
