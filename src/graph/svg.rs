//! The diagram as SVG: lanes and bands as tinted rectangles, boxes with
//! their logical ID and short type (hover text: type, key properties, what
//! can fail), arrows by kind, and a legend. The element classes and
//! `data-*` attributes are a contract with the HTML page's script and the
//! browser test (see docs/graph.md, "Contract").

use std::fmt::Write as _;

use super::layout::{Layout, Rect};
use super::{Diagram, FlowKind, GROUP_TYPE, Place, Severity};

/// Text for XML: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters, with an ellipsis when cut.
fn fit(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(n.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

const STYLE: &str = "
.hagen-graph { font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; }
.hagen-graph .title { font-size: 20px; font-weight: bold; fill: #1a1a1a; }
.hagen-graph .lane > rect { fill: #fafafa; stroke: #90a4ae; stroke-width: 1.5; stroke-dasharray: 6 4; }
.hagen-graph .lane[data-lane=regional] > rect { fill: #f5f5f5; stroke: #b0bec5; stroke-dasharray: none; }
.hagen-graph .lane-title { font-size: 15px; font-weight: bold; fill: #37474f; }
.hagen-graph .area > rect { fill: #ffffff; stroke: #cfd8dc; }
.hagen-graph .band > rect { stroke: #b0bec5; }
.hagen-graph .band[data-band=public] > rect { fill: #e8f5e9; }
.hagen-graph .band[data-band=private] > rect { fill: #e3f2fd; }
.hagen-graph .band[data-band=isolated] > rect { fill: #f3e5f5; }
.hagen-graph .band-title { font-size: 12px; fill: #455a64; font-weight: bold; }
.hagen-graph .resource > rect { fill: #ffffff; stroke: #546e7a; stroke-width: 1.2; }
.hagen-graph .resource[data-type='hagen::Entry'] > rect { fill: #fff8e1; stroke: #f9a825; }
.hagen-graph .resource[data-type='hagen::Group'] > rect { fill: #eceff1; stroke-dasharray: 4 2; }
.hagen-graph .resource.warning > rect { stroke: #ef6c00; stroke-width: 2.5; }
.hagen-graph .resource.error > rect { stroke: #c62828; stroke-width: 3; }
.hagen-graph .label { font-size: 12px; font-weight: bold; fill: #212121; }
.hagen-graph .sublabel { font-size: 10.5px; fill: #546e7a; }
.hagen-graph .badge { font-size: 11px; font-weight: bold; fill: #ffffff; }
.hagen-graph .flow path, .hagen-graph .legend-flow path { fill: none; stroke-width: 1.4; }
.hagen-graph .flow text { font-size: 10px; fill: #37474f; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
.hagen-graph .flow[data-kind=request] path, .hagen-graph .legend-flow[data-kind=request] path { stroke: #1565c0; stroke-width: 3; }
.hagen-graph .flow[data-kind=sg] path, .hagen-graph .legend-flow[data-kind=sg] path { stroke: #78909c; }
.hagen-graph .flow[data-kind=nacl-blocked] path, .hagen-graph .legend-flow[data-kind=nacl-blocked] path { stroke: #c62828; stroke-width: 2; stroke-dasharray: 6 3; }
.hagen-graph .flow[data-kind=sg-only] path, .hagen-graph .legend-flow[data-kind=sg-only] path { stroke: #ef6c00; stroke-width: 2; stroke-dasharray: 2 3; }
.hagen-graph .legend > rect { fill: #ffffff; stroke: #cfd8dc; }
.hagen-graph .legend text { font-size: 11px; fill: #37474f; }
";

/// The markers (arrow heads) of each flow kind.
fn defs(out: &mut String) {
    out.push_str("<defs>\n");
    for (kind, color) in [
        (FlowKind::Request, "#1565c0"),
        (FlowKind::Sg, "#78909c"),
        (FlowKind::NaclBlocked, "#c62828"),
        (FlowKind::SgOnly, "#ef6c00"),
    ] {
        let _ = writeln!(
            out,
            "<marker id=\"arrow-{k}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"{color}\"/></marker>",
            k = kind.as_str()
        );
    }
    out.push_str("</defs>\n");
}

fn rect(out: &mut String, r: &Rect, rx: i32) {
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\"/>",
        r.x, r.y, r.w, r.h
    );
}

/// The SVG element alone (for the HTML page, which adds the script).
pub fn element(d: &Diagram, l: &Layout) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hagen-graph\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\">",
        w = l.width,
        h = l.height,
        t = escape(&d.title)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>");
    defs(&mut out);
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"24\" y=\"32\">{} ({} resources)</text>",
        escape(&fit(&d.title, 120)),
        d.resources
    );

    if let Some(r) = &l.regional {
        out.push_str("<g class=\"lane\" data-lane=\"regional\">");
        rect(&mut out, r, 8);
        let _ = writeln!(
            out,
            "<text class=\"lane-title\" x=\"{}\" y=\"{}\">Regional</text>",
            r.x + 12,
            r.y + 19
        );
        for (area, a) in &l.areas {
            let _ = write!(out, "<g class=\"area\" data-area=\"{:?}\">", area);
            rect(&mut out, a, 6);
            let _ = writeln!(
                out,
                "<text class=\"band-title\" x=\"{}\" y=\"{}\">{}</text></g>",
                a.x + 10,
                a.y + 17,
                area.title()
            );
        }
        out.push_str("</g>\n");
    }
    for (i, lane) in d.lanes.iter().enumerate() {
        let Some(r) = l.lanes.get(i) else { continue };
        let _ = write!(
            out,
            "<g class=\"lane\" data-lane=\"{}\">",
            escape(&lane.name)
        );
        rect(&mut out, r, 8);
        let _ = writeln!(
            out,
            "<text class=\"lane-title\" x=\"{}\" y=\"{}\">{}</text>",
            r.x + 12,
            r.y + 19,
            escape(&lane.label)
        );
        for b in l.bands.iter().filter(|b| b.lane == i) {
            let _ = write!(
                out,
                "<g class=\"band\" data-lane=\"{}\" data-band=\"{}\">",
                escape(&lane.name),
                b.tier.as_str()
            );
            rect(&mut out, &b.rect, 4);
            let title = match d.acls.get(&(i, b.tier)) {
                Some(acls) => format!("{} · network ACL {}", b.tier.title(), acls.join(", ")),
                None => b.tier.title().to_owned(),
            };
            let _ = writeln!(
                out,
                "<text class=\"band-title\" x=\"{}\" y=\"{}\">{}</text></g>",
                b.rect.x + 10,
                b.rect.y + 17,
                escape(&fit(&title, 90))
            );
        }
        out.push_str("</g>\n");
    }

    out.push_str("<g class=\"flows\">\n");
    for (k, (f, points)) in d.flows.iter().zip(&l.flows).enumerate() {
        let (Some(a), Some(b)) = (points.first(), points.last()) else {
            continue;
        };
        let (lx, ly) = l.labels.get(k).copied().unwrap_or(*b);
        let title = if f.detail.is_empty() {
            format!("{} → {}: {} ({})", f.from, f.to, f.label, f.kind)
        } else {
            format!(
                "{} → {}: {} ({}; {})",
                f.from, f.to, f.label, f.kind, f.detail
            )
        };
        let mut path = format!("M {} {}", a.0, a.1);
        for p in &points[1..] {
            let _ = write!(path, " L {} {}", p.0, p.1);
        }
        let _ = writeln!(
            out,
            "<g class=\"flow\" data-from=\"{}\" data-to=\"{}\" data-kind=\"{}\"><title>{}</title><path d=\"{path}\" marker-end=\"url(#arrow-{})\"/><text x=\"{lx}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
            escape(&f.from),
            escape(&f.to),
            f.kind,
            escape(&title),
            f.kind,
            ly - 3,
            escape(&fit(&f.label, 28))
        );
    }
    out.push_str("</g>\n");

    out.push_str("<g class=\"resources\">\n");
    for (n, r) in d.nodes.iter().zip(&l.boxes) {
        let (lane, band) = match n.place {
            Place::Lane { lane, tier } => (
                d.lanes.get(lane).map_or("regional", |x| x.name.as_str()),
                tier.as_str(),
            ),
            Place::Region(_) => ("regional", "regional"),
        };
        let class = match n.worst() {
            Some(Severity::Error) => "resource error",
            Some(Severity::Warning) => "resource warning",
            _ => "resource",
        };
        let mut title = format!("{}\n{}", n.id, n.resource_type);
        for line in n.details.iter().chain(n.marks.iter().map(|m| &m.text)) {
            title.push('\n');
            title.push_str(line);
        }
        if n.members.len() > 1 {
            title.push_str("\nmembers: ");
            title.push_str(&n.members.join(" "));
        }
        let _ = write!(
            out,
            "<g class=\"{class}\" data-id=\"{}\" data-type=\"{}\" data-lane=\"{}\" data-band=\"{band}\"",
            escape(&n.id),
            escape(&n.resource_type),
            escape(lane)
        );
        if n.resource_type == GROUP_TYPE || n.members.len() > 1 {
            let _ = write!(out, " data-members=\"{}\"", escape(&n.members.join(" ")));
        }
        let _ = write!(out, "><title>{}</title>", escape(&title));
        rect(&mut out, r, 5);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\">{}</text><text class=\"sublabel\" x=\"{}\" y=\"{}\">{}</text>",
            r.x + 8,
            r.y + 20,
            escape(&fit(&n.label, 26)),
            r.x + 8,
            r.y + 38,
            escape(&fit(&n.sublabel, 33))
        );
        if let Some(worst) = n.worst()
            && worst >= Severity::Warning
        {
            let color = if worst == Severity::Error {
                "#c62828"
            } else {
                "#ef6c00"
            };
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"{color}\"/><text class=\"badge\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                r.right() - 12,
                r.y + 12,
                r.right() - 12,
                r.y + 16,
                n.marks
                    .iter()
                    .filter(|m| m.severity >= Severity::Warning)
                    .count()
                    .min(99)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
    legend(&mut out, l);
    out.push_str("</svg>\n");
    out
}

/// The key to line styles and box outlines.
fn legend(out: &mut String, l: &Layout) {
    let r = l.legend;
    out.push_str("<g class=\"legend\">");
    rect(out, &r, 6);
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" font-weight=\"bold\">Legend</text>",
        r.x + 12,
        r.y + 20
    );
    let flows = [
        (
            FlowKind::Request,
            "request path: users, DNS, load balancer, targets, database",
        ),
        (
            FlowKind::Sg,
            "allowed by a security group rule (protocol and ports)",
        ),
        (
            FlowKind::NaclBlocked,
            "allowed by security groups, dropped by a network ACL",
        ),
        (
            FlowKind::SgOnly,
            "request hop the ACLs pass but no security group admits",
        ),
    ];
    for (k, (kind, text)) in flows.iter().enumerate() {
        let y = r.y + 42 + i32::try_from(k).unwrap_or(0) * 20;
        let x = r.x + 16;
        let _ = write!(
            out,
            "<g class=\"legend-flow\" data-kind=\"{kind}\"><path d=\"M {x} {y} L {} {y}\" marker-end=\"url(#arrow-{kind})\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            x + 46,
            x + 56,
            y + 4,
            escape(text)
        );
    }
    // Each swatch draws its box as the resources' rules above do. The
    // style attribute, not presentation attributes: the stylesheet's
    // `.legend > rect` rule (the frame's) would override those.
    let boxes = [
        (
            "#ffffff",
            "#c62828",
            "3",
            "none",
            "single point of failure or error finding (hover for why)",
        ),
        (
            "#ffffff",
            "#ef6c00",
            "2.5",
            "none",
            "lost with an AZ, or a warning finding",
        ),
        (
            "#eceff1",
            "#546e7a",
            "1.2",
            "4 2",
            "group: several resources of one kind (hover for members)",
        ),
        (
            "#fff8e1",
            "#f9a825",
            "1.2",
            "none",
            "entry point: where traffic comes from",
        ),
    ];
    for (k, (fill, stroke, width, dash, text)) in boxes.iter().enumerate() {
        let y = r.y + 32 + i32::try_from(k).unwrap_or(0) * 20;
        let x = r.x + r.w / 2;
        let _ = write!(
            out,
            "<rect class=\"swatch\" x=\"{x}\" y=\"{y}\" width=\"36\" height=\"14\" rx=\"3\" style=\"fill:{fill};stroke:{stroke};stroke-width:{width};stroke-dasharray:{dash}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            x + 46,
            y + 11,
            escape(text)
        );
    }
    out.push_str("</g>\n");
}

/// The diagram as a standalone SVG document.
pub fn render(d: &Diagram, l: &Layout) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&element(d, l));
    out
}
