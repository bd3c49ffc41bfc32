//! `hagen graph --format html` checked in a real browser: headless Chromium
//! (found through `HAGEN_CHROMIUM`, which `tools/test` sets from
//! `tools/chromium`, or at `/usr/bin/chromium`) opens the page, the page's
//! own script (`templates/graph/measure.js`) writes the laid-out boxes of
//! every lane, band and resource and both ends of every arrow as JSON, and
//! the tests check that nothing overlaps, that every resource sits inside
//! its Availability Zone lane and subnet band (regional ones outside every
//! lane), that every arrow's ends touch their resources' boxes and that
//! every resource of the template is drawn. A screenshot of each page is
//! kept under `target/graph-artifacts/`.
//!
//! Without a browser these tests fail, with the command that installs one:
//! they never pass by skipping.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

/// How far (CSS pixels) a box may poke out of the band that holds it, or an
/// arrow's end miss its box's edge, before the layout counts as broken:
/// room for rounding, not for a visible gap.
const CONTAIN_SLACK: f64 = 0.5;
/// How close (CSS pixels) an arrow's end must be to its resource's edge.
const TOUCH: f64 = 2.0;
/// The kinds of flow arrow the contract names.
const FLOW_KINDS: &[&str] = &["request", "sg", "nacl-blocked", "sg-only"];
/// The longest one browser run may take before the test gives up on it.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);
/// The window the layout is measured in; screenshots get a window sized
/// from the page's report.
const MEASURE_WIDTH: u32 = 800;
const MEASURE_HEIGHT: u32 = 600;
/// The flags every headless run gets: no sandbox (the tests run as root), no
/// GPU, and nothing that would reach for the network.
const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    // Virtual time runs the page's load handlers before the DOM is dumped.
    "--virtual-time-budget=5000",
];

/// A box in page coordinates (CSS pixels from the page's top-left corner).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
struct Rect {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl Rect {
    fn right(&self) -> f64 {
        self.x + self.width
    }

    fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// Whether the two boxes share an area (touching edges do not count).
    fn overlaps(&self, other: &Rect) -> bool {
        let w = self.right().min(other.right()) - self.x.max(other.x);
        let h = self.bottom().min(other.bottom()) - self.y.max(other.y);
        w > CONTAIN_SLACK && h > CONTAIN_SLACK
    }

    /// Whether `inner` lies wholly inside this box.
    fn contains(&self, inner: &Rect) -> bool {
        inner.x >= self.x - CONTAIN_SLACK
            && inner.y >= self.y - CONTAIN_SLACK
            && inner.right() <= self.right() + CONTAIN_SLACK
            && inner.bottom() <= self.bottom() + CONTAIN_SLACK
    }

    /// Whether `p` lies inside this box, more than [`TOUCH`] from its edge.
    fn holds_well_inside(&self, p: Point) -> bool {
        p.x > self.x + TOUCH
            && p.x < self.right() - TOUCH
            && p.y > self.y + TOUCH
            && p.y < self.bottom() - TOUCH
    }

    /// How far `p` is from this box's outline (0 on it).
    fn distance_to_edge(&self, p: Point) -> f64 {
        let inside = p.x >= self.x && p.x <= self.right() && p.y >= self.y && p.y <= self.bottom();
        if inside {
            (p.x - self.x)
                .min(self.right() - p.x)
                .min(p.y - self.y)
                .min(self.bottom() - p.y)
        } else {
            let dx = (self.x - p.x).max(p.x - self.right()).max(0.0);
            let dy = (self.y - p.y).max(p.y - self.bottom()).max(0.0);
            dx.hypot(dy)
        }
    }
}

/// A point in page coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

/// An Availability Zone lane (`AZ1`, ...) or the `regional` area.
#[derive(Debug, Deserialize)]
struct Lane {
    lane: String,
    #[serde(rename = "box")]
    rect: Option<Rect>,
}

/// A subnet-tier band inside a lane.
#[derive(Debug, Deserialize)]
struct Band {
    lane: String,
    band: String,
    #[serde(rename = "box")]
    rect: Option<Rect>,
}

/// A resource box (or a group of repeated resources, or an entry point).
#[derive(Debug, Deserialize)]
struct Resource {
    id: String,
    #[serde(rename = "type")]
    resource_type: String,
    lane: Option<String>,
    band: Option<String>,
    members: Option<String>,
    #[serde(rename = "box")]
    rect: Option<Rect>,
}

impl Resource {
    /// The logical IDs the box stands for: its members, or itself.
    fn logical_ids(&self) -> Vec<&str> {
        match &self.members {
            Some(members) => members.split_whitespace().collect(),
            None => vec![self.id.as_str()],
        }
    }

    fn is_entry(&self) -> bool {
        self.resource_type == "hagen::Entry"
    }
}

/// A flow arrow and its two ends.
#[derive(Debug, Deserialize)]
struct Flow {
    from: String,
    to: String,
    kind: String,
    start: Option<Point>,
    end: Option<Point>,
    /// Points every few pixels between the two ends.
    #[serde(default)]
    via: Vec<Point>,
}

/// The size (CSS pixels) that shows the whole drawing.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
struct PageSize {
    width: f64,
    height: f64,
}

/// What `measure.js` writes into `<pre id="hagen-layout-report">`.
#[derive(Debug, Deserialize)]
struct Report {
    page: PageSize,
    lanes: Vec<Lane>,
    bands: Vec<Band>,
    resources: Vec<Resource>,
    flows: Vec<Flow>,
}

impl Report {
    /// The AZ lanes (not the regional area), with their boxes.
    fn az_lanes(&self) -> impl Iterator<Item = (&str, Rect)> {
        self.lanes
            .iter()
            .filter(|l| l.lane != "regional")
            .filter_map(|l| Some((l.lane.as_str(), l.rect?)))
    }
}

/// Every way the report breaks the layout's promises, one line each; empty
/// when the layout is sound.
fn layout_problems(report: &Report) -> Vec<String> {
    let mut problems = Vec::new();

    for lane in report.lanes.iter().filter(|l| l.rect.is_none()) {
        problems.push(format!("lane {} has no <rect>", lane.lane));
    }
    let all_lanes: Vec<(&str, Rect)> = report
        .lanes
        .iter()
        .filter_map(|l| Some((l.lane.as_str(), l.rect?)))
        .collect();
    let regional = all_lanes
        .iter()
        .find(|(l, _)| *l == "regional")
        .map(|(_, r)| *r);
    let lanes: Vec<(&str, Rect)> = report.az_lanes().collect();
    for (i, (a, ra)) in all_lanes.iter().enumerate() {
        for (b, rb) in &all_lanes[i + 1..] {
            if ra.overlaps(rb) {
                problems.push(format!("lanes {a} {ra:?} and {b} {rb:?} overlap"));
            }
        }
    }

    let mut bands: BTreeMap<(&str, &str), Rect> = BTreeMap::new();
    for band in &report.bands {
        let name = format!("band {}/{}", band.lane, band.band);
        let Some(rect) = band.rect else {
            problems.push(format!("{name} has no <rect>"));
            continue;
        };
        match lanes.iter().find(|(l, _)| *l == band.lane) {
            Some((_, lane)) if !lane.contains(&rect) => {
                problems.push(format!("{name} {rect:?} pokes out of its lane {lane:?}"));
            }
            Some(_) => {}
            None => problems.push(format!("{name} is in no drawn lane")),
        }
        if bands
            .insert((band.lane.as_str(), band.band.as_str()), rect)
            .is_some()
        {
            problems.push(format!("{name} is drawn twice"));
        }
    }
    let band_list: Vec<(&(&str, &str), &Rect)> = bands.iter().collect();
    for (i, ((lane_a, a), ra)) in band_list.iter().enumerate() {
        for ((lane_b, b), rb) in &band_list[i + 1..] {
            if lane_a == lane_b && ra.overlaps(rb) {
                problems.push(format!("bands {a} and {b} overlap in lane {lane_a}"));
            }
        }
    }

    let mut boxes: Vec<(&str, Rect)> = Vec::new();
    let mut seen = BTreeSet::new();
    for r in &report.resources {
        if !seen.insert(r.id.as_str()) {
            problems.push(format!("resource {} is drawn twice", r.id));
        }
        let Some(rect) = r.rect else {
            problems.push(format!("resource {} has no <rect>", r.id));
            continue;
        };
        if rect.width < 1.0 || rect.height < 1.0 {
            problems.push(format!("resource {} has an empty box {rect:?}", r.id));
        }
        boxes.push((r.id.as_str(), rect));
        match (r.lane.as_deref(), r.band.as_deref()) {
            (None, _) => problems.push(format!("resource {} has no data-lane", r.id)),
            (Some("regional"), _) => {
                if let Some(area) = regional.filter(|area| !area.contains(&rect)) {
                    problems.push(format!(
                        "regional resource {} {rect:?} is not inside the regional area {area:?}",
                        r.id
                    ));
                }
                for (lane, lane_rect) in &lanes {
                    if rect.overlaps(lane_rect) {
                        problems.push(format!(
                            "regional resource {} {rect:?} lies over lane {lane}",
                            r.id
                        ));
                    }
                }
            }
            (Some(lane), Some(band)) => match bands.get(&(lane, band)) {
                Some(band_rect) if !band_rect.contains(&rect) => problems.push(format!(
                    "resource {} {rect:?} is not inside its band {lane}/{band} {band_rect:?}",
                    r.id
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "resource {} is in band {lane}/{band}, which is not drawn",
                    r.id
                )),
            },
            (Some(lane), None) => match lanes.iter().find(|(l, _)| *l == lane) {
                Some((_, lane_rect)) if !lane_rect.contains(&rect) => problems.push(format!(
                    "resource {} {rect:?} is not inside its lane {lane}",
                    r.id
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "resource {} is in lane {lane}, which is not drawn",
                    r.id
                )),
            },
        }
    }
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in &boxes[i + 1..] {
            if ra.overlaps(rb) {
                problems.push(format!("resources {a} {ra:?} and {b} {rb:?} overlap"));
            }
        }
    }

    // Arrows name boxes by their data-id (a member of a group is not enough).
    let box_of: BTreeMap<&str, Rect> = boxes.iter().copied().collect();
    for flow in &report.flows {
        let name = format!("{} flow {} -> {}", flow.kind, flow.from, flow.to);
        if !FLOW_KINDS.contains(&flow.kind.as_str()) {
            problems.push(format!("{name}: unknown kind (not one of {FLOW_KINDS:?})"));
        }
        for (id, rect) in &boxes {
            if *id != flow.from
                && *id != flow.to
                && flow.via.iter().any(|p| rect.holds_well_inside(*p))
            {
                problems.push(format!("{name} runs through {id}'s box {rect:?}"));
            }
        }
        let (Some(start), Some(end)) = (flow.start, flow.end) else {
            problems.push(format!("{name} has no <path>"));
            continue;
        };
        for (end_name, id, point) in [("start", &flow.from, start), ("end", &flow.to, end)] {
            match box_of.get(id.as_str()) {
                None => problems.push(format!("{name}: {id} is not drawn")),
                Some(rect) => {
                    let gap = rect.distance_to_edge(point);
                    if gap > TOUCH {
                        problems.push(format!(
                            "{name}: its {end_name} {point:?} is {gap:.1} px from {id}'s edge {rect:?}"
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// The logical IDs the report draws, entry points left out.
fn drawn_ids(report: &Report) -> BTreeSet<String> {
    report
        .resources
        .iter()
        .filter(|r| !r.is_entry())
        .flat_map(|r| r.logical_ids())
        .map(str::to_string)
        .collect()
}

/// The browser: `HAGEN_CHROMIUM`, else Debian's `/usr/bin/chromium`. Panics
/// (the test fails) when neither is there.
fn chromium() -> PathBuf {
    let path = std::env::var_os("HAGEN_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "no Chromium at {}: run tools/chromium (it installs Debian's chromium package) \
         or set HAGEN_CHROMIUM to a Chromium binary; the graph's browser tests cannot run without one",
        path.display()
    );
    path
}

/// Runs headless Chromium on `page` with `args` (besides [`HEADLESS`] and a
/// fresh profile) and returns its standard output; fails the test when the
/// browser fails or takes longer than [`BROWSER_TIMEOUT`].
fn run_chromium(page: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("a temporary Chromium profile");
    let log = tempfile::NamedTempFile::new().expect("a temporary file for Chromium's log");
    let url = format!(
        "file://{}",
        page.canonicalize().expect("the page exists").display()
    );
    let mut child = Command::new(chromium())
        .args(HEADLESS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log.reopen().expect("Chromium's log file"))
        .spawn()
        .expect("Chromium starts");
    let mut stdout = child.stdout.take().expect("Chromium's stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout
            .read_to_string(&mut text)
            .expect("Chromium's stdout is UTF-8");
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for Chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium took more than {BROWSER_TIMEOUT:?} on {url}; its log:\n{}",
                fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = reader.join().expect("the stdout reader finishes");
    assert!(
        status.success(),
        "Chromium failed ({status}) on {url}; its log:\n{}",
        fs::read_to_string(log.path()).unwrap_or_default()
    );
    out
}

/// The layout report of `page`, read from the DOM after the page loaded.
fn layout_report(page: &Path) -> Report {
    let dom = run_chromium(
        page,
        &[
            "--dump-dom".to_string(),
            format!("--window-size={MEASURE_WIDTH},{MEASURE_HEIGHT}"),
        ],
    );
    // The last <pre> tag with the report's id (the script's own text, which
    // the dump shows verbatim, may mention it).
    let body_start = dom
        .match_indices("<pre")
        .filter_map(|(at, _)| {
            let tag_end = at + dom[at..].find('>')?;
            dom[at..tag_end]
                .contains("id=\"hagen-layout-report\"")
                .then_some(tag_end + 1)
        })
        .last()
        .unwrap_or_else(|| panic!("{} has no layout report after load", page.display()));
    let body_end = body_start + dom[body_start..].find("</pre>").expect("the </pre>");
    let json = dom[body_start..body_end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!(
            "the layout report of {} is not the expected JSON ({e}):\n{json}",
            page.display()
        )
    })
}

/// Where screenshots and the pages they show are kept:
/// `target/graph-artifacts/`.
fn artifacts_dir() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder holds tmp/")
        .to_path_buf();
    let dir = target.join("graph-artifacts");
    fs::create_dir_all(&dir).expect("target/graph-artifacts is writable");
    dir
}

/// Screenshots `page` at `width` x `height` into `png` and checks that the
/// file is a PNG of that size.
fn screenshot(page: &Path, png: &Path, width: u32, height: u32) {
    let _ = fs::remove_file(png);
    run_chromium(
        page,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={width},{height}"),
        ],
    );
    let bytes = fs::read(png).unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()));
    assert!(
        bytes.len() > 33 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        png.display()
    );
    let be32 =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert_eq!(
        (be32(16), be32(20)),
        (width, height),
        "{} has the wrong size",
        png.display()
    );
}

/// `hagen` run in `dir` with no environment that could change its output.
fn hagen(dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("hagen")
        .expect("the hagen binary is built")
        .current_dir(dir)
        .env_remove("HAGEN_ENV")
        .env_remove("HAGEN_CONFIG")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("hagen runs")
}

/// The logical IDs of a CloudFormation template in JSON.
fn template_ids(template: &str) -> BTreeSet<String> {
    let value: Value = serde_json::from_str(template).expect("a JSON template");
    value["Resources"]
        .as_object()
        .expect("the template has Resources")
        .keys()
        .cloned()
        .collect()
}

/// Draws `input` (`--env NAME` or `--template FILE` arguments) as HTML in
/// a real browser, checks its layout against `expected` (the template's
/// logical IDs), keeps the page and a screenshot as `name` in
/// `target/graph-artifacts/`, and returns the report.
fn check_in_browser(name: &str, dir: &Path, input: &[&str], expected: &BTreeSet<String>) -> Report {
    let artifacts = artifacts_dir();
    let page = artifacts.join(format!("{name}.html"));
    let mut args = vec!["graph"];
    args.extend_from_slice(input);
    let page_arg = page.to_str().expect("a UTF-8 target path");
    args.extend_from_slice(&["--format", "html", "-o", page_arg]);
    let started_graph = Instant::now();
    let out = hagen(dir, &args);
    let graphed = started_graph.elapsed();
    assert!(
        out.status.success(),
        "hagen {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );

    let started = Instant::now();
    let report = layout_report(&page);
    let measured = started.elapsed();
    let problems = layout_problems(&report);
    assert!(
        problems.is_empty(),
        "{name}: the browser's layout of {} breaks {} rule(s):\n  {}",
        page.display(),
        problems.len(),
        problems.join("\n  ")
    );

    let html = fs::read_to_string(&page).expect("the page reads back");
    let class_attr = regex::Regex::new(r#"<g\s[^>]*?class="([^"]*)""#).expect("a valid regex");
    let static_boxes = class_attr
        .captures_iter(&html)
        .filter(|c| c[1].split_whitespace().any(|class| class == "resource"))
        .count();
    assert_eq!(
        report.resources.len(),
        static_boxes,
        "{name}: the page has {static_boxes} resource groups but the browser measured {}",
        report.resources.len()
    );
    let measure = fs::read_to_string(crate::tools::repo_root().join("templates/graph/measure.js"))
        .expect("templates/graph/measure.js");
    assert!(
        html.contains(measure.trim()),
        "{name}: the page does not embed templates/graph/measure.js verbatim"
    );
    let external = regex::Regex::new(
        r#"(?i)(\b(src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)(https?:)?//|<link\b"#,
    )
    .expect("a valid regex");
    assert!(
        !external.is_match(&html),
        "{name}: the page fetches something: {:?}",
        external.find(&html).map(|m| m.as_str())
    );
    // What the page's summary line claims ("108 resources in 39 boxes").
    let claim =
        regex::Regex::new(r"\b(\d+) resources? in (\d+) box(?:es)?\b").expect("a valid regex");
    let claimed = claim.captures(&html).unwrap_or_else(|| {
        panic!("{name}: the page does not say how many resources and boxes it draws")
    });
    assert_eq!(
        (
            claimed[1].parse::<usize>().ok(),
            claimed[2].parse::<usize>().ok()
        ),
        (Some(expected.len()), Some(report.resources.len())),
        "{name}: the page claims {} but the template has {} resources and the browser measured {} boxes",
        &claimed[0],
        expected.len(),
        report.resources.len()
    );
    let drawn = drawn_ids(&report);
    let missing: Vec<_> = expected.difference(&drawn).collect();
    let invented: Vec<_> = drawn.difference(expected).collect();
    assert!(
        missing.is_empty() && invented.is_empty(),
        "{name}: the graph does not draw the template's resources: missing {missing:?}, not in the template {invented:?}"
    );
    assert!(
        report.az_lanes().count() >= 2,
        "{name}: fewer than two AZ lanes drawn"
    );
    assert!(
        report.flows.iter().any(|f| f.kind == "request"),
        "{name}: no request path drawn"
    );

    assert!(
        report.page.width > 0.0 && report.page.height > 0.0,
        "{name}: the page has no <svg> drawing"
    );
    let (width, height) = (
        (report.page.width.ceil() as u32).clamp(320, 10_000),
        (report.page.height.ceil() as u32).clamp(240, 10_000),
    );
    let png = artifacts.join(format!("{name}.png"));
    let started_shot = Instant::now();
    screenshot(&page, &png, width, height);
    eprintln!(
        "{name}: {} boxes, {} arrows, {} lanes; hagen graph took {graphed:.1?}, layout measured in {measured:.1?}, \
         screenshot {} ({width}x{height}, {} bytes) in {:.1?}",
        report.resources.len(),
        report.flows.len(),
        report.az_lanes().count(),
        png.display(),
        fs::metadata(&png).map(|m| m.len()).unwrap_or(0),
        started_shot.elapsed()
    );
    report
}

/// SwiftCode's template in a built-in environment, as `hagen synth` prints
/// it in JSON.
fn swiftcode_ids(dir: &Path, env: &str) -> BTreeSet<String> {
    let out = hagen(dir, &["synth", "--env", env, "--format", "json"]);
    assert!(
        out.status.success(),
        "hagen synth --env {env} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    template_ids(&String::from_utf8(out.stdout).expect("UTF-8 JSON"))
}

#[test]
fn swiftcode_stage_lays_out_cleanly_in_chromium() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ids = swiftcode_ids(dir.path(), "stage");
    check_in_browser("swiftcode-stage", dir.path(), &["--env", "stage"], &ids);
}

#[test]
fn swiftcode_prod_lays_out_cleanly_in_chromium() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ids = swiftcode_ids(dir.path(), "prod");
    check_in_browser("swiftcode-prod", dir.path(), &["--env", "prod"], &ids);
}

/// A template no blueprint wrote: three Availability Zones (picked with
/// `Fn::Select` over `Fn::GetAZs`), public, private and isolated subnets in
/// each, a load balancer, one instance per zone, a Multi-AZ database and a
/// topic, with security groups that chain internet -> balancer -> instances
/// -> database.
fn three_az_template() -> String {
    let mut resources = serde_json::Map::new();
    let mut add = |id: &str, value: Value| {
        resources.insert(id.to_string(), value);
    };
    add(
        "Vpc",
        json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}),
    );
    add("Igw", json!({"Type": "AWS::EC2::InternetGateway"}));
    add(
        "IgwAttachment",
        json!({"Type": "AWS::EC2::VPCGatewayAttachment",
               "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}}}),
    );
    add(
        "PublicRoutes",
        json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
    );
    add(
        "PublicDefaultRoute",
        json!({"Type": "AWS::EC2::Route", "DependsOn": "IgwAttachment",
               "Properties": {"RouteTableId": {"Ref": "PublicRoutes"},
                              "DestinationCidrBlock": "0.0.0.0/0",
                              "GatewayId": {"Ref": "Igw"}}}),
    );
    add(
        "DataRoutes",
        json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
    );
    let az = |i: usize| json!({"Fn::Select": [i, {"Fn::GetAZs": ""}]});
    for i in 0..3 {
        let n = i + 1;
        for (tier, offset, public) in [
            ("Public", 0, true),
            ("Private", 10, false),
            ("Data", 20, false),
        ] {
            add(
                &format!("{tier}Subnet{n}"),
                json!({"Type": "AWS::EC2::Subnet",
                       "Properties": {"VpcId": {"Ref": "Vpc"}, "AvailabilityZone": az(i),
                                      "CidrBlock": format!("10.0.{}.0/24", offset + i),
                                      "MapPublicIpOnLaunch": public}}),
            );
        }
        add(
            &format!("PublicSubnet{n}Routes"),
            json!({"Type": "AWS::EC2::SubnetRouteTableAssociation",
                   "Properties": {"SubnetId": {"Ref": format!("PublicSubnet{n}")},
                                  "RouteTableId": {"Ref": "PublicRoutes"}}}),
        );
        add(
            &format!("DataSubnet{n}Routes"),
            json!({"Type": "AWS::EC2::SubnetRouteTableAssociation",
                   "Properties": {"SubnetId": {"Ref": format!("DataSubnet{n}")},
                                  "RouteTableId": {"Ref": "DataRoutes"}}}),
        );
        add(
            &format!("NatIp{n}"),
            json!({"Type": "AWS::EC2::EIP", "DependsOn": "IgwAttachment",
                   "Properties": {"Domain": "vpc"}}),
        );
        add(
            &format!("Nat{n}"),
            json!({"Type": "AWS::EC2::NatGateway",
                   "Properties": {"SubnetId": {"Ref": format!("PublicSubnet{n}")},
                                  "AllocationId": {"Fn::GetAtt": [format!("NatIp{n}"), "AllocationId"]}}}),
        );
        add(
            &format!("PrivateRoutes{n}"),
            json!({"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}),
        );
        add(
            &format!("PrivateDefaultRoute{n}"),
            json!({"Type": "AWS::EC2::Route",
                   "Properties": {"RouteTableId": {"Ref": format!("PrivateRoutes{n}")},
                                  "DestinationCidrBlock": "0.0.0.0/0",
                                  "NatGatewayId": {"Ref": format!("Nat{n}")}}}),
        );
        add(
            &format!("PrivateSubnet{n}Routes"),
            json!({"Type": "AWS::EC2::SubnetRouteTableAssociation",
                   "Properties": {"SubnetId": {"Ref": format!("PrivateSubnet{n}")},
                                  "RouteTableId": {"Ref": format!("PrivateRoutes{n}")}}}),
        );
        add(
            &format!("App{n}"),
            json!({"Type": "AWS::EC2::Instance",
                   "Properties": {"ImageId": "ami-0123456789abcdef0", "InstanceType": "t3.small",
                                  "SubnetId": {"Ref": format!("PrivateSubnet{n}")},
                                  "SecurityGroupIds": [{"Ref": "AppSecurityGroup"}]}}),
        );
    }
    let subnets = |tier: &str| -> Value {
        (1..=3)
            .map(|n| json!({"Ref": format!("{tier}Subnet{n}")}))
            .collect()
    };
    add(
        "BalancerSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup",
               "Properties": {"GroupDescription": "HTTPS from the internet", "VpcId": {"Ref": "Vpc"},
                              "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443,
                                                        "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}}),
    );
    add(
        "AppSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup",
               "Properties": {"GroupDescription": "the app from the balancer", "VpcId": {"Ref": "Vpc"},
                              "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 8080,
                                                        "ToPort": 8080,
                                                        "SourceSecurityGroupId": {"Ref": "BalancerSecurityGroup"}}]}}),
    );
    add(
        "DatabaseSecurityGroup",
        json!({"Type": "AWS::EC2::SecurityGroup",
               "Properties": {"GroupDescription": "PostgreSQL from the app", "VpcId": {"Ref": "Vpc"},
                              "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 5432,
                                                        "ToPort": 5432,
                                                        "SourceSecurityGroupId": {"Ref": "AppSecurityGroup"}}]}}),
    );
    add(
        "Balancer",
        json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
               "Properties": {"Scheme": "internet-facing", "Subnets": subnets("Public"),
                              "SecurityGroups": [{"Ref": "BalancerSecurityGroup"}]}}),
    );
    add(
        "AppTargets",
        json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
               "Properties": {"VpcId": {"Ref": "Vpc"}, "Port": 8080, "Protocol": "HTTP",
                              "Targets": (1..=3).map(|n| json!({"Id": {"Ref": format!("App{n}")}})).collect::<Vec<_>>()}}),
    );
    add(
        "Listener",
        json!({"Type": "AWS::ElasticLoadBalancingV2::Listener",
               "Properties": {"LoadBalancerArn": {"Ref": "Balancer"}, "Port": 80, "Protocol": "HTTP",
                              "DefaultActions": [{"Type": "forward",
                                                  "TargetGroupArn": {"Ref": "AppTargets"}}]}}),
    );
    add(
        "DatabaseSubnets",
        json!({"Type": "AWS::RDS::DBSubnetGroup",
               "Properties": {"DBSubnetGroupDescription": "the isolated tier",
                              "SubnetIds": subnets("Data")}}),
    );
    add(
        "Database",
        json!({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot",
               "UpdateReplacePolicy": "Snapshot",
               "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t3.micro",
                              "AllocatedStorage": "20", "MultiAZ": true,
                              "StorageEncrypted": true,
                              "MasterUsername": "app", "ManageMasterUserPassword": true,
                              "DBSubnetGroupName": {"Ref": "DatabaseSubnets"},
                              "VPCSecurityGroups": [{"Ref": "DatabaseSecurityGroup"}]}}),
    );
    add("Alerts", json!({"Type": "AWS::SNS::Topic"}));
    serde_json::to_string_pretty(&json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Three AZs, three tiers: the browser test's own template",
        "Resources": resources,
    }))
    .expect("the template serialises")
}

#[test]
fn three_az_template_lays_out_cleanly_in_chromium() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let template = three_az_template();
    let file = dir.path().join("three-az.json");
    fs::write(&file, &template).expect("the template is written");
    let report = check_in_browser(
        "three-az",
        dir.path(),
        &["--template", "three-az.json"],
        &template_ids(&template),
    );
    assert_eq!(
        report.az_lanes().count(),
        3,
        "the three-AZ template should get three lanes"
    );
    for n in 1..=3 {
        let app = report
            .resources
            .iter()
            .find(|r| r.logical_ids().contains(&format!("App{n}").as_str()))
            .unwrap_or_else(|| panic!("App{n} is not drawn"));
        assert_eq!(
            (app.lane.as_deref(), app.band.as_deref()),
            (Some(format!("AZ{n}").as_str()), Some("private")),
            "App{n} runs in the private subnet of AZ {n}"
        );
    }
}

/// The three-AZ template grown past 500 resources the way large stacks
/// grow: many instances per zone behind the balancer, and many alarms,
/// topics, log groups, parameters and security group rules.
fn large_template() -> String {
    let mut template: Value =
        serde_json::from_str(&three_az_template()).expect("the three-AZ template is JSON");
    let resources = template["Resources"]
        .as_object_mut()
        .expect("the template has Resources");
    for az in 1..=3 {
        for n in 1..=40 {
            resources.insert(
                format!("Worker{az}x{n}"),
                json!({"Type": "AWS::EC2::Instance",
                       "Properties": {"ImageId": "ami-0123456789abcdef0", "InstanceType": "t3.small",
                                      "SubnetId": {"Ref": format!("PrivateSubnet{az}")},
                                      "SecurityGroupIds": [{"Ref": "AppSecurityGroup"}]}}),
            );
        }
    }
    for n in 1..=150 {
        resources.insert(
            format!("Alarm{n}"),
            json!({"Type": "AWS::CloudWatch::Alarm",
                   "Properties": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                                  "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1,
                                  "Threshold": 90, "ComparisonOperator": "GreaterThanThreshold",
                                  "AlarmActions": [{"Ref": "Alerts"}]}}),
        );
    }
    for n in 1..=60 {
        resources.insert(format!("Topic{n}"), json!({"Type": "AWS::SNS::Topic"}));
        resources.insert(
            format!("Logs{n}"),
            json!({"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}),
        );
    }
    for n in 1..=50 {
        resources.insert(
            format!("Setting{n}"),
            json!({"Type": "AWS::SSM::Parameter",
                   "Properties": {"Type": "String", "Value": format!("value {n}")}}),
        );
    }
    for n in 1..=20 {
        resources.insert(
            format!("AppIngress{n}"),
            json!({"Type": "AWS::EC2::SecurityGroupIngress",
                   "Properties": {"GroupId": {"Ref": "AppSecurityGroup"}, "IpProtocol": "tcp",
                                  "FromPort": 9000 + n, "ToPort": 9000 + n,
                                  "SourceSecurityGroupId": {"Ref": "BalancerSecurityGroup"}}}),
        );
    }
    serde_json::to_string_pretty(&template).expect("the template serialises")
}

#[test]
fn five_hundred_resources_lay_out_cleanly_in_chromium() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let template = large_template();
    let ids = template_ids(&template);
    assert!(ids.len() >= 500, "only {} resources", ids.len());
    fs::write(dir.path().join("large.json"), &template).expect("the template is written");
    let started = Instant::now();
    let report = check_in_browser("large", dir.path(), &["--template", "large.json"], &ids);
    eprintln!(
        "large: {} resources drawn as {} boxes, checked in {:.1?}",
        ids.len(),
        report.resources.len(),
        started.elapsed()
    );
    assert!(
        report.resources.len() * 4 < ids.len(),
        "{} boxes for {} resources: repeated resources are not grouped",
        report.resources.len(),
        ids.len()
    );
}

/// A hand-made report with every kind of fault the checker looks for, so
/// a broken layout is seen to fail.
#[test]
fn checker_reports_overlaps_escapes_and_loose_arrows() {
    let report: Report = serde_json::from_value(json!({
        "page": {"width": 916, "height": 616},
        "lanes": [
            {"lane": "regional", "box": {"x": 610, "y": 0, "width": 290, "height": 600}},
            {"lane": "AZ1", "box": {"x": 10, "y": 100, "width": 300, "height": 400}},
            {"lane": "AZ2", "box": {"x": 300, "y": 100, "width": 300, "height": 400}}
        ],
        "bands": [
            {"lane": "AZ1", "band": "public", "box": {"x": 20, "y": 110, "width": 280, "height": 120}},
            {"lane": "AZ1", "band": "private", "box": {"x": 20, "y": 200, "width": 280, "height": 120}},
            {"lane": "AZ2", "band": "public", "box": {"x": 310, "y": 110, "width": 280, "height": 120}}
        ],
        "resources": [
            {"id": "Web", "type": "AWS::EC2::Instance", "lane": "AZ1", "band": "public",
             "box": {"x": 30, "y": 120, "width": 100, "height": 40}},
            {"id": "Nat", "type": "AWS::EC2::NatGateway", "lane": "AZ1", "band": "public",
             "box": {"x": 100, "y": 130, "width": 100, "height": 40}},
            {"id": "Db", "type": "AWS::RDS::DBInstance", "lane": "AZ2", "band": "public",
             "box": {"x": 500, "y": 120, "width": 150, "height": 40}},
            {"id": "Topic", "type": "AWS::SNS::Topic", "lane": "regional", "band": "regional",
             "box": {"x": 280, "y": 20, "width": 60, "height": 100}},
            {"id": "Far", "type": "AWS::SNS::Topic", "lane": "regional", "band": "regional",
             "box": {"x": 950, "y": 20, "width": 60, "height": 30}}
        ],
        "flows": [
            {"from": "Web", "to": "Db", "kind": "sg",
             "start": {"x": 130, "y": 140}, "end": {"x": 480, "y": 140},
             "via": [{"x": 170, "y": 150}, {"x": 300, "y": 90}]},
            {"from": "Web", "to": "Gone", "kind": "teleport",
             "start": {"x": 130, "y": 140}, "end": {"x": 480, "y": 140}}
        ]
    }))
    .expect("a report");
    let problems = layout_problems(&report);
    let expect = [
        "lanes AZ1",
        "bands private and public overlap in lane AZ1",
        "resources Web",
        "resource Db",
        "regional resource Topic",
        "its end",
        "Gone is not drawn",
        "unknown kind",
        "runs through Nat",
        "regional resource Far",
    ];
    for needle in expect {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "the checker missed {needle:?}; it said:\n  {}",
            problems.join("\n  ")
        );
    }

    let sound: Report = serde_json::from_value(json!({
        "page": {"width": 286, "height": 116},
        "lanes": [{"lane": "regional", "box": {"x": 240, "y": 0, "width": 60, "height": 100}},
                  {"lane": "AZ1", "box": {"x": 0, "y": 0, "width": 100, "height": 100}},
                  {"lane": "AZ2", "box": {"x": 100, "y": 0, "width": 100, "height": 100}}],
        "bands": [{"lane": "AZ1", "band": "public", "box": {"x": 5, "y": 5, "width": 90, "height": 90}}],
        "resources": [
            {"id": "A", "type": "AWS::EC2::Instance", "lane": "AZ1", "band": "public",
             "box": {"x": 10, "y": 10, "width": 20, "height": 20}},
            {"id": "G", "type": "AWS::SNS::Topic", "lane": "regional", "band": "regional",
             "members": "T1 T2", "box": {"x": 250, "y": 10, "width": 20, "height": 20}}
        ],
        "flows": [{"from": "A", "to": "G", "kind": "request",
                   "start": {"x": 30, "y": 20}, "end": {"x": 251, "y": 20},
                   "via": [{"x": 29, "y": 20}, {"x": 140, "y": 20}, {"x": 250, "y": 20}]}]
    }))
    .expect("a report");
    assert_eq!(layout_problems(&sound), Vec::<String>::new());
    assert_eq!(
        drawn_ids(&sound),
        BTreeSet::from(["A".to_string(), "T1".to_string(), "T2".to_string()])
    );
}

/// `measure.js` itself, in the browser, on a hand-written page that follows
/// the contract: a transformed group, a scrolled-into-place layout and a
/// deliberate overlap and loose arrow, which the checker must find from the
/// browser's numbers.
#[test]
fn measure_script_reports_page_coordinates_in_chromium() {
    let measure = fs::read_to_string(crate::tools::repo_root().join("templates/graph/measure.js"))
        .expect("templates/graph/measure.js");
    let page = format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body {{ margin: 8px; }}</style></head><body>
<div style="overflow: auto; width: 300px">
<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300" viewBox="0 0 1200 600" style="display: block">
  <g class="lane" data-lane="AZ1"><rect x="0" y="0" width="500" height="600"/></g>
  <g class="band" data-lane="AZ1" data-band="public"><rect x="20" y="20" width="460" height="200"/></g>
  <g transform="translate(40,40)">
    <g class="resource" data-id="Web" data-type="AWS::EC2::Instance" data-lane="AZ1" data-band="public">
      <rect x="0" y="0" width="200" height="80"/><text x="10" y="40">Web</text></g>
  </g>
  <g class="resource" data-id="Nat" data-type="AWS::EC2::NatGateway" data-lane="AZ1" data-band="public">
    <rect x="200" y="100" width="200" height="80"/></g>
  <g class="resource" data-id="Topic" data-type="AWS::SNS::Topic" data-lane="regional" data-band="regional" data-members="Topic Topic2">
    <rect x="800" y="40" width="200" height="80"/></g>
  <g class="flow" data-from="Web" data-to="Topic" data-kind="request">
    <path d="M240 80 C 500 80, 600 80, 780 80"/></g>
</svg>
</div>
<script>{measure}</script>
</body></html>"#
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("hand-made.html");
    fs::write(&file, page).expect("the page is written");
    let report = layout_report(&file);

    // The SVG is drawn at half scale, 8 px in from the page's corner, in a
    // 300 px wide scrolling box that hides half of it: a screenshot needs
    // the measuring window's width and the hidden 300 px.
    assert_eq!(report.page.width, f64::from(MEASURE_WIDTH) + 300.0);
    // Headless Chromium's viewport is shorter than its window; any height
    // from the drawing's bottom edge (8 + 300 + 8) up to the window fits.
    assert!(
        (316.0..=f64::from(MEASURE_HEIGHT)).contains(&report.page.height),
        "the page height {} does not fit the drawing",
        report.page.height
    );
    let web = &report.resources[0];
    assert_eq!(web.id, "Web");
    assert_eq!(
        web.rect,
        Some(Rect {
            x: 28.0,
            y: 28.0,
            width: 100.0,
            height: 40.0
        })
    );
    assert_eq!(report.resources[2].members.as_deref(), Some("Topic Topic2"));
    let flow = &report.flows[0];
    assert_eq!(
        (flow.from.as_str(), flow.to.as_str(), flow.kind.as_str()),
        ("Web", "Topic", "request")
    );
    assert_eq!(flow.start, Some(Point { x: 128.0, y: 48.0 }));
    assert_eq!(flow.end, Some(Point { x: 398.0, y: 48.0 }));
    // A 540-unit path sampled every 4 units, ends left out.
    assert_eq!(flow.via.len(), 134);
    assert!(
        flow.via
            .iter()
            .all(|p| p.y == 48.0 && p.x > 128.0 && p.x < 398.0),
        "the points along the arrow stray: {:?}",
        flow.via
    );

    let problems = layout_problems(&report);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("resources Web") && p.contains("Nat")),
        "the overlap of Web and Nat was missed: {problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("its end") && p.contains("10.0 px from Topic")),
        "the loose arrow end was missed: {problems:?}"
    );
    assert_eq!(
        problems.len(),
        2,
        "only the two planted faults: {problems:?}"
    );
}
