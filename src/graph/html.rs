//! The diagram as one self-contained HTML page: the SVG inline, hover
//! text, a panel that shows a clicked box's details and highlights its
//! flows, print styles that fit it on one page, and the layout report
//! script (`templates/graph/measure.js`) the browser test reads. Nothing
//! is fetched.

use super::layout::Layout;
use super::svg::{self, escape};
use super::{Diagram, FlowKind};

/// The script that measures the drawing in a browser and writes a JSON
/// layout report into `<pre id="hagen-layout-report">`.
pub const MEASURE_JS: &str = include_str!("../../templates/graph/measure.js");

const PAGE_STYLE: &str = "
body { margin: 0; font-family: 'Helvetica Neue', Helvetica, Arial, sans-serif; color: #212121; background: #ffffff; }
header { padding: 10px 16px; border-bottom: 1px solid #cfd8dc; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
header p { margin: 0; font-size: 13px; color: #546e7a; }
main { display: flex; align-items: flex-start; }
#diagram { overflow: auto; flex: 1 1 auto; padding: 8px; }
#details { flex: 0 0 300px; padding: 12px 16px; border-left: 1px solid #cfd8dc; font-size: 13px; min-height: 200px; white-space: pre-wrap; word-break: break-word; }
#hagen-layout-report { display: none; }
.hagen-graph .resource { cursor: pointer; }
.hagen-graph.focused .flow { opacity: 0.12; }
.hagen-graph.focused .flow.active { opacity: 1; }
.hagen-graph.focused .flow.active path { stroke-width: 4; }
.hagen-graph .resource.active > rect { stroke: #1565c0; stroke-width: 3.5; }
@page { size: landscape; margin: 8mm; }
@media print {
  header p, #details, #hagen-layout-report { display: none; }
  main { display: block; }
  #diagram { overflow: visible; padding: 0; }
  #diagram svg { width: 100%; height: auto; max-height: 180mm; page-break-inside: avoid; break-inside: avoid; }
}
";

const PAGE_SCRIPT: &str = r#"
(function () {
  var svg = document.querySelector('svg.hagen-graph');
  var panel = document.getElementById('details');
  if (!svg || !panel) { return; }
  function clear() {
    svg.classList.remove('focused');
    svg.querySelectorAll('.active').forEach(function (e) { e.classList.remove('active'); });
  }
  svg.addEventListener('click', function (event) {
    var box = event.target.closest('.resource');
    clear();
    if (!box) { panel.textContent = 'Click a box to see its details and highlight its flows.'; return; }
    var id = box.getAttribute('data-id');
    box.classList.add('active');
    svg.classList.add('focused');
    var lines = [];
    svg.querySelectorAll('.flow').forEach(function (f) {
      if (f.getAttribute('data-from') === id || f.getAttribute('data-to') === id) {
        f.classList.add('active');
        var t = f.querySelector('title');
        lines.push(t ? t.textContent : '');
      }
    });
    var title = box.querySelector('title');
    panel.textContent = (title ? title.textContent : id) + '\n\nFlows:\n' + (lines.length ? lines.join('\n') : '(none)');
  });
})();
"#;

/// The diagram as an HTML page.
pub fn render(d: &Diagram, l: &Layout) -> String {
    let count = |k: FlowKind| d.flows.iter().filter(|f| f.kind == k).count();
    let marked = d.nodes.iter().filter(|n| !n.marks.is_empty()).count();
    let summary = format!(
        "{} resources in {} boxes, {} AZ lanes; {} request hops, {} security group flows, {} dropped by network ACLs, {} not admitted by security groups; {marked} {} with something that can fail. Hover a box for its type and properties; click it to highlight its flows.",
        d.resources,
        d.nodes.len(),
        d.lanes.len(),
        count(FlowKind::Request),
        count(FlowKind::Sg),
        count(FlowKind::NaclBlocked),
        count(FlowKind::SgOnly),
        if marked == 1 { "box" } else { "boxes" }
    );
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&d.title)));
    out.push_str(&format!("<style>{PAGE_STYLE}</style>\n</head>\n<body>\n"));
    out.push_str(&format!(
        "<header><h1>{}</h1><p>{}</p></header>\n<main>\n<div id=\"diagram\">\n",
        escape(&d.title),
        escape(&summary)
    ));
    out.push_str(&svg::element(d, l));
    out.push_str("</div>\n<aside id=\"details\">Click a box to see its details and highlight its flows.</aside>\n</main>\n");
    out.push_str("<pre id=\"hagen-layout-report\"></pre>\n");
    out.push_str(&format!("<script>{PAGE_SCRIPT}</script>\n"));
    out.push_str(&format!("<script>\n{MEASURE_JS}\n</script>\n"));
    out.push_str("</body>\n</html>\n");
    out
}
