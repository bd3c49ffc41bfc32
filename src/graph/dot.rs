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

/// Invisible edges that give Graphviz the drawing's shape: each lane's
/// tiers stacked top to bottom, and the boxes of each area or band in rows
/// of three rather than one long row.
fn layout_hints(out: &mut String, d: &Diagram, regional: &[(Area, Vec<usize>)]) {
    const COLS: usize = 3;
    let mut blocks: Vec<Vec<usize>> = regional.iter().map(|(_, v)| v.clone()).collect();
    for l in 0..d.lanes.len() {
        let mut firsts: Vec<usize> = Vec::new();
        for tier in &d.tiers {
            let cell: Vec<usize> = (0..d.nodes.len())
                .filter(|&i| {
                    d.nodes[i].place
                        == (Place::Lane {
                            lane: l,
                            tier: *tier,
                        })
                })
                .collect();
            if let Some(&first) = cell.first() {
                firsts.push(first);
            }
            blocks.push(cell);
        }
        for w in firsts.windows(2) {
            let _ = writeln!(
                out,
                "  {} -> {} [style=invis, weight=10];",
                q(&d.nodes[w[0]].id),
                q(&d.nodes[w[1]].id)
            );
        }
    }
    for block in blocks {
        for (k, &i) in block.iter().enumerate() {
            if let Some(&below) = block.get(k + COLS) {
                let _ = writeln!(
                    out,
                    "  {} -> {} [style=invis];",
                    q(&d.nodes[i].id),
                    q(&d.nodes[below].id)
                );
            }
        }
    }
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
    layout_hints(&mut out, d, &regional);
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
