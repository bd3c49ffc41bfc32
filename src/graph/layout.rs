//! Where everything goes, in whole pixels: the regional column on the
//! left (entry points and the edge at its top, then the other areas), one
//! lane per AZ to its right with one band per subnet tier, boxes in rows
//! inside their band or area, the legend below, and each flow as a straight
//! segment from the edge of one box to the edge of the other.
//!
//! A grid, not a general graph layout: the architecture already says where
//! things are (which AZ, which tier), and a grid keeps the same template
//! drawn the same way, byte for byte.

use super::{Area, Diagram, Place, Tier};

/// Width of a box.
pub const BOX_W: i32 = 210;
/// Height of a box.
pub const BOX_H: i32 = 50;
/// Space between boxes.
pub const GAP: i32 = 16;
/// Space inside a band or area around its boxes.
pub const PAD: i32 = 14;
/// Height of a band's, area's or lane's title.
pub const HEADER: i32 = 26;
/// Space around the drawing and between its parts.
pub const MARGIN: i32 = 24;
/// Height of the diagram's title.
pub const TITLE_H: i32 = 44;
/// Height of the legend.
pub const LEGEND_H: i32 = 120;
/// At most this many boxes side by side in a band.
pub const LANE_COLS: usize = 3;

/// A rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    /// Left.
    pub x: i32,
    /// Top.
    pub y: i32,
    /// Width.
    pub w: i32,
    /// Height.
    pub h: i32,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> i32 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }

    /// Whether `other` lies entirely inside (edges may touch).
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    /// Whether the two share some area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    /// The centre, rounded down.
    pub fn center(&self) -> (i32, i32) {
        (self.x + self.w / 2, self.y + self.h / 2)
    }

    /// Where the segment from `inside` (a point in the rectangle) towards
    /// `toward` crosses the rectangle's edge.
    pub fn exit(&self, inside: (i32, i32), toward: (i32, i32)) -> (i32, i32) {
        let (cx, cy) = (f64::from(inside.0), f64::from(inside.1));
        let (dx, dy) = (f64::from(toward.0) - cx, f64::from(toward.1) - cy);
        if dx == 0.0 && dy == 0.0 {
            return (self.x, inside.1);
        }
        let tx = if dx > 0.0 {
            (f64::from(self.right()) - cx) / dx
        } else if dx < 0.0 {
            (f64::from(self.x) - cx) / dx
        } else {
            f64::INFINITY
        };
        let ty = if dy > 0.0 {
            (f64::from(self.bottom()) - cy) / dy
        } else if dy < 0.0 {
            (f64::from(self.y) - cy) / dy
        } else {
            f64::INFINITY
        };
        let clamp_y = |y: f64| (y.round() as i32).clamp(self.y, self.bottom());
        let clamp_x = |x: f64| (x.round() as i32).clamp(self.x, self.right());
        if tx <= ty {
            let x = if dx > 0.0 { self.right() } else { self.x };
            (x, clamp_y(cy + dy * tx))
        } else {
            let y = if dy > 0.0 { self.bottom() } else { self.y };
            (clamp_x(cx + dx * ty), y)
        }
    }
}

/// A band of a lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    /// Index into [`Diagram::lanes`].
    pub lane: usize,
    /// Its tier.
    pub tier: Tier,
    /// Where it is.
    pub rect: Rect,
}

/// The whole drawing's geometry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// Width of the drawing.
    pub width: i32,
    /// Height of the drawing.
    pub height: i32,
    /// The area around the lanes that holds every regional box.
    pub regional: Option<Rect>,
    /// Each regional area with boxes.
    pub areas: Vec<(Area, Rect)>,
    /// Each lane, by index.
    pub lanes: Vec<Rect>,
    /// Each band of each lane.
    pub bands: Vec<Band>,
    /// Each box, by node index.
    pub boxes: Vec<Rect>,
    /// Each flow's points, first and last on the boxes' edges, by flow index.
    pub flows: Vec<Vec<(i32, i32)>>,
    /// Where each flow's label goes (its middle), by flow index.
    pub labels: Vec<(i32, i32)>,
    /// The legend.
    pub legend: Rect,
}

fn span(n: usize, cols: usize) -> (i32, i32) {
    let cols = cols.max(1);
    let rows = n.div_ceil(cols).max(1);
    let c = i32::try_from(cols.min(n.max(1))).unwrap_or(1);
    let r = i32::try_from(rows).unwrap_or(i32::MAX / 4);
    (c * BOX_W + (c - 1) * GAP, r * BOX_H + (r - 1) * GAP)
}

/// Places boxes in rows of `cols` from a corner.
fn grid(x: i32, y: i32, cols: usize, nodes: &[usize], boxes: &mut [Rect]) {
    let cols = cols.max(1);
    for (k, &n) in nodes.iter().enumerate() {
        let (c, r) = (
            i32::try_from(k % cols).unwrap_or(0),
            i32::try_from(k / cols).unwrap_or(0),
        );
        boxes[n] = Rect {
            x: x + c * (BOX_W + GAP),
            y: y + r * (BOX_H + GAP),
            w: BOX_W,
            h: BOX_H,
        };
    }
}

/// Lays a diagram out.
pub fn layout(d: &Diagram) -> Layout {
    let mut boxes = vec![Rect::default(); d.nodes.len()];
    let top = TITLE_H + MARGIN;

    // The regional column.
    let mut by_area: Vec<(Area, Vec<usize>)> = Area::ALL.iter().map(|a| (*a, Vec::new())).collect();
    for (i, n) in d.nodes.iter().enumerate() {
        if let Place::Region(a) = n.place
            && let Some((_, v)) = by_area.iter_mut().find(|(x, _)| *x == a)
        {
            v.push(i);
        }
    }
    by_area.retain(|(_, v)| !v.is_empty());
    let regional_count: usize = by_area.iter().map(|(_, v)| v.len()).sum();
    let cols = match regional_count {
        0..=16 => 2,
        17..=60 => 3,
        _ => 4,
    };
    let mut areas = Vec::new();
    let mut regional = None;
    let mut right = MARGIN;
    if !by_area.is_empty() {
        let inner_w = span(cols, cols).0 + 2 * PAD;
        let outer = Rect {
            x: MARGIN,
            y: top,
            w: inner_w + 2 * PAD,
            h: 0,
        };
        let mut y = top + HEADER;
        for (area, nodes) in &by_area {
            let (_, h) = span(nodes.len(), cols);
            let r = Rect {
                x: outer.x + PAD,
                y,
                w: inner_w,
                h: HEADER + h + 2 * PAD,
            };
            grid(r.x + PAD, r.y + HEADER + PAD, cols, nodes, &mut boxes);
            areas.push((*area, r));
            y = r.bottom() + GAP;
        }
        let outer = Rect {
            h: y - top - GAP + PAD,
            ..outer
        };
        right = outer.right() + MARGIN;
        regional = Some(outer);
    }

    // The lanes.
    let lane_count = d.lanes.len();
    let mut cells: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); d.tiers.len()]; lane_count];
    for (i, n) in d.nodes.iter().enumerate() {
        if let Place::Lane { lane, tier } = n.place
            && let Some(t) = d.tiers.iter().position(|x| *x == tier)
            && let Some(cell) = cells.get_mut(lane).and_then(|l| l.get_mut(t))
        {
            cell.push(i);
        }
    }
    let widest = cells.iter().flatten().map(Vec::len).max().unwrap_or(1);
    let lane_cols = widest.clamp(1, LANE_COLS);
    let band_w = span(lane_cols, lane_cols).0 + 2 * PAD;
    let lane_w = band_w + 2 * PAD;
    let band_h: Vec<i32> = (0..d.tiers.len())
        .map(|t| {
            let most = cells.iter().map(|l| l[t].len()).max().unwrap_or(0);
            HEADER + span(most, lane_cols).1 + 2 * PAD
        })
        .collect();
    let lane_h =
        HEADER + band_h.iter().sum::<i32>() + GAP * i32::try_from(d.tiers.len()).unwrap_or(0) + PAD;
    let mut lanes = Vec::new();
    let mut bands = Vec::new();
    for (l, lane_cells) in cells.iter().enumerate() {
        let x = right + i32::try_from(l).unwrap_or(0) * (lane_w + GAP);
        let lane = Rect {
            x,
            y: top,
            w: lane_w,
            h: lane_h,
        };
        let mut y = top + HEADER + GAP;
        for (t, cell) in lane_cells.iter().enumerate() {
            let rect = Rect {
                x: x + PAD,
                y,
                w: band_w,
                h: band_h[t],
            };
            grid(
                rect.x + PAD,
                rect.y + HEADER + PAD,
                lane_cols,
                cell,
                &mut boxes,
            );
            bands.push(Band {
                lane: l,
                tier: d.tiers[t],
                rect,
            });
            y = rect.bottom() + GAP;
        }
        lanes.push(lane);
    }

    let lanes_right = lanes.last().map_or(right - MARGIN, Rect::right);
    let content_bottom = lanes
        .iter()
        .chain(regional.iter())
        .map(Rect::bottom)
        .max()
        .unwrap_or(top);
    let width = (lanes_right + MARGIN).max(760);
    let legend = Rect {
        x: MARGIN,
        y: content_bottom + MARGIN,
        w: width - 2 * MARGIN,
        h: LEGEND_H,
    };
    let height = legend.bottom() + MARGIN;

    let gutter = regional.map_or(0, |r| r.right() + MARGIN / 2);
    let flows = route(d, &boxes, &bands, gutter);
    let mut into: Vec<usize> = vec![0; d.nodes.len()];
    let labels = d
        .flows
        .iter()
        .zip(&flows)
        .map(|(f, points)| {
            // The k-th label on the street into one box takes the k-th
            // of a few places along it.
            let k = d.nodes.iter().position(|n| n.id == f.to).map_or(0, |t| {
                into[t] += 1;
                into[t] - 1
            });
            label_at(d, f, points, &bands, k)
        })
        .collect();
    Layout {
        width,
        height,
        regional,
        areas,
        lanes,
        bands,
        boxes,
        flows,
        labels,
        legend,
    }
}

/// Where a flow's label goes: on a path along a band's street, between
/// where it enters the target's lane and the target (midway for the first
/// flow into a box, a quarter or three quarters of the way for the next),
/// so that labels of flows into one box or neighbouring boxes do not meet; elsewhere on the
/// middle of the path's longest segment.
fn label_at(
    d: &Diagram,
    f: &super::Flow,
    points: &[(i32, i32)],
    bands: &[Band],
    k: usize,
) -> (i32, i32) {
    let target_band = d
        .nodes
        .iter()
        .find(|n| n.id == f.to)
        .and_then(|n| match n.place {
            Place::Lane { lane, tier } => bands.iter().find(|b| b.lane == lane && b.tier == tier),
            Place::Region(_) => None,
        });
    if points.len() >= 4
        && let Some(band) = target_band
    {
        let street = points[points.len() - 3];
        let end = points[points.len() - 2];
        let from_x = if street.0 < band.rect.x {
            band.rect.x
        } else {
            street.0
        };
        let (num, den) = [(1, 2), (1, 4), (3, 4), (1, 8), (7, 8)][k % 5];
        return (from_x + (end.0 - from_x) * num / den, end.1);
    }
    let mut best = (0, 0, -1);
    for w in points.windows(2) {
        let len = (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs();
        if len > best.2 {
            best = ((w[0].0 + w[1].0) / 2, (w[0].1 + w[1].1) / 2, len);
        }
    }
    (best.0, best.1)
}

/// Each flow as a path from one box's edge to the other's. A flow into a
/// lane runs along the "street" of the target's band (the strip under the
/// band's title, where no box is) and drops onto the target's top edge:
/// from the regional column through the gap under the source's row and the
/// gutter left of the lanes, from a higher band straight down to the street. Anything else is a straight
/// segment; two flows between the same boxes in opposite directions are
/// drawn side by side.
fn route(d: &Diagram, boxes: &[Rect], bands: &[Band], gutter: i32) -> Vec<Vec<(i32, i32)>> {
    let index = |id: &str| d.nodes.iter().position(|n| n.id == id);
    let band_of = |i: usize| match d.nodes[i].place {
        Place::Lane { lane, tier } => bands.iter().find(|b| b.lane == lane && b.tier == tier),
        Place::Region(_) => None,
    };
    d.flows
        .iter()
        .map(|f| {
            let (Some(a), Some(b)) = (index(&f.from), index(&f.to)) else {
                return Vec::new();
            };
            let (ra, rb) = (boxes[a], boxes[b]);
            if let Some(tb) = band_of(b) {
                let street = tb.rect.y + HEADER + PAD / 2;
                let end = (rb.center().0, rb.y);
                let above = ra.bottom() <= street;
                match band_of(a) {
                    None if ra.right() <= gutter => {
                        // Down into the gap under the box's row, where no
                        // box is, then across to the gutter.
                        let (cx, _) = ra.center();
                        let aisle = ra.bottom() + GAP / 2;
                        return vec![
                            (cx, ra.bottom()),
                            (cx, aisle),
                            (gutter, aisle),
                            (gutter, street),
                            (end.0, street),
                            end,
                        ];
                    }
                    Some(sb) if above && sb.tier != tb.tier => {
                        let x = ra.center().0;
                        return vec![(x, ra.bottom()), (x, street), (end.0, street), end];
                    }
                    Some(sb) if sb.tier == tb.tier && sb.lane != tb.lane && ra.y > street => {
                        let x = ra.center().0;
                        return vec![(x, ra.y), (x, street), (end.0, street), end];
                    }
                    _ => {}
                }
            }
            let reverse = d.flows.iter().any(|g| g.from == f.to && g.to == f.from);
            let (mut ca, mut cb) = (ra.center(), rb.center());
            if reverse {
                // Shift perpendicular to the segment, to the right of travel.
                let (dx, dy) = (cb.0 - ca.0, cb.1 - ca.1);
                let (sx, sy) = if dx.abs() >= dy.abs() {
                    (0, if dx > 0 { 6 } else { -6 })
                } else {
                    (if dy > 0 { -6 } else { 6 }, 0)
                };
                ca = (ca.0 + sx, ca.1 + sy);
                cb = (cb.0 + sx, cb.1 + sy);
            }
            vec![ra.exit(ca, cb), rb.exit(cb, ca)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_point_is_on_the_edge() {
        let r = Rect {
            x: 10,
            y: 10,
            w: 100,
            h: 40,
        };
        let c = r.center();
        assert_eq!(r.exit(c, (500, c.1)), (110, 30));
        assert_eq!(r.exit(c, (c.0, -300)), (60, 10));
        let (x, y) = r.exit(c, (400, 400));
        assert!(x == r.right() || y == r.bottom(), "{x},{y}");
        assert!(r.x <= x && x <= r.right() && r.y <= y && y <= r.bottom());
    }

    #[test]
    fn touching_is_not_overlapping() {
        let a = Rect {
            x: 0,
            y: 0,
            w: 10,
            h: 10,
        };
        let b = Rect { x: 10, ..a };
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&Rect { x: 9, ..a }));
        assert!(a.contains(&a));
    }
}
