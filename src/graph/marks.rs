//! What can fail, marked on the boxes it concerns: the availability
//! report's single points of failure and what losing each AZ takes down,
//! and the security, availability, network and reachability findings of
//! the validator (after the template's own suppressions).

use super::{Lane, Mark, Node, Severity};
use crate::template::Template;
use crate::validate::az_report::{self, Status};
use crate::validate::model::{Az, Model};
use crate::validate::{self, availability, network, reach, security, suppress};

/// Marks every box a finding or failure concerns.
pub fn mark(template: &Template, model: &Model, lanes: &[(Az, &Lane)], nodes: &mut [Node]) {
    let report = az_report::build(model);
    // The report names AZs as the template does ("AZ index 0"); the
    // drawing names them by lane.
    let lane_label = |az: &str| {
        lanes
            .iter()
            .find(|(a, _)| a.to_string() == az)
            .map_or_else(|| az.to_owned(), |(_, l)| l.label.clone())
    };
    let mut marks: Vec<(String, Mark)> = Vec::new();
    for spof in &report.single_points_of_failure {
        marks.push((
            spof.resource.clone(),
            Mark {
                severity: Severity::Error,
                text: format!("single point of failure: {}", spof.detail),
            },
        ));
    }
    for loss in &report.losses {
        for impact in &loss.impacts {
            if impact.status == Status::Down || impact.status == Status::AtRisk {
                marks.push((
                    impact.resource.clone(),
                    Mark {
                        severity: Severity::Warning,
                        text: format!(
                            "losing {}: {} {} ({})",
                            lane_label(&loss.az),
                            impact.component,
                            impact.status.as_str(),
                            impact.detail
                        ),
                    },
                ));
            }
        }
    }
    let mut found = security::check(template, model);
    found.extend(availability::check(template, model));
    found.extend(network::check(model));
    found.extend(reach::analyse(template, model).findings);
    let (found, _) = suppress::apply(template, found);
    for d in found {
        let Some(resource) = d.resource.clone() else {
            continue;
        };
        let severity = match d.severity {
            validate::Severity::Error => Severity::Error,
            validate::Severity::Warning => Severity::Warning,
            validate::Severity::Info => Severity::Note,
        };
        marks.push((
            resource,
            Mark {
                severity,
                text: format!("{}: {}", d.rule, d.message),
            },
        ));
    }
    for (resource, mark) in marks {
        for node in nodes.iter_mut().filter(|n| n.members.contains(&resource)) {
            if !node.marks.contains(&mark) {
                node.marks.push(mark.clone());
            }
        }
    }
    for node in nodes.iter_mut() {
        node.marks
            .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.text.cmp(&b.text)));
    }
}
