//! How many columns the user's terminal has, and fitting lines into them.
//!
//! Tables (the review, the outputs, the diff summary) are laid out for
//! [`detect`]'s width, and long lines (stack events, risk notes) are wrapped
//! by [`fit`] at spaces, never cut: a wrapped line keeps every character.
//! Colour escapes count as zero columns.

use std::io::IsTerminal;

use unicode_width::UnicodeWidthChar;

/// Columns used when neither `COLUMNS` nor a terminal says (logs, pipes).
pub const FALLBACK: usize = 100;

/// The narrowest layout hagen attempts; a smaller `COLUMNS` counts as this.
pub const MIN: usize = 40;

/// The width to lay output out for: `COLUMNS` when it is set to a number
/// (an explicit choice wins), else the width of the terminal stdout or
/// stderr is, else [`FALLBACK`].
pub fn detect() -> usize {
    let terminal = if std::io::stdout().is_terminal() {
        terminal_size::terminal_size_of(std::io::stdout())
    } else if std::io::stderr().is_terminal() {
        terminal_size::terminal_size_of(std::io::stderr())
    } else {
        None
    };
    choose(
        std::env::var("COLUMNS").ok().as_deref(),
        terminal.map(|(w, _)| usize::from(w.0)),
    )
}

/// [`detect`]'s rule over given inputs: `columns` is the value of
/// `COLUMNS`, `terminal` the terminal's width when there is one.
pub fn choose(columns: Option<&str>, terminal: Option<usize>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or(terminal.filter(|t| *t > 0))
        .unwrap_or(FALLBACK)
        .max(MIN)
}

/// The width in columns of `text` as a terminal shows it (escape sequences
/// take none).
pub fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            skip_escape(&mut chars);
            continue;
        }
        width += c.width().unwrap_or(0);
    }
    width
}

/// Skips the rest of an escape sequence (`ESC [ ... final`) whose `ESC`
/// was just read.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    if chars.peek() == Some(&'[') {
        chars.next();
        for c in chars.by_ref() {
            if ('@'..='~').contains(&c) {
                break;
            }
        }
    } else {
        chars.next();
    }
}

/// `line` wrapped at spaces into lines of at most `width` columns; lines
/// after the first start with `indent` spaces. A word longer than a line is
/// split. Nothing is dropped: joining the pieces gives back every word.
pub fn fit(line: &str, width: usize, indent: usize) -> String {
    if visible_width(line) <= width {
        return line.to_owned();
    }
    let indent = indent.min(width / 2);
    let pad = " ".repeat(indent);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    // Whether the first line has taken a word yet (leading spaces count:
    // an indented line keeps its indentation).
    let mut started = false;
    for word in line.split(' ') {
        let w = visible_width(word);
        let fresh = !started;
        started = true;
        if w == 0 && !word.is_empty() {
            // Only escapes: keep them where they are.
            current.push_str(word);
            continue;
        }
        if fresh && w <= width {
            current.push_str(word);
            used = w;
            continue;
        }
        if !fresh && used + 1 + w <= width {
            current.push(' ');
            current.push_str(word);
            used += 1 + w;
            continue;
        }
        if word.is_empty() {
            // A run of spaces at a break: the break stands for them.
            continue;
        }
        if !fresh {
            lines.push(std::mem::take(&mut current));
            current.push_str(&pad);
            used = indent;
        }
        // Too long for any line: cut it, one character (with its escapes)
        // at a time.
        for piece in split_word(word, 1) {
            let pw = visible_width(&piece);
            if used + pw > width && used > indent {
                lines.push(std::mem::take(&mut current));
                current.push_str(&pad);
                used = indent;
            }
            used += pw;
            current.push_str(&piece);
        }
    }
    lines.push(current);
    let mut out = lines
        .iter()
        .map(|l| l.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    if out.is_empty() {
        out = line.to_owned();
    }
    out
}

/// Every line of `text` [`fit`] to `width`.
pub fn fit_all(text: &str, width: usize, indent: usize) -> String {
    let mut out: String = text
        .lines()
        .map(|l| fit(l, width, indent))
        .collect::<Vec<_>>()
        .join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A word cut into pieces of at most `width` columns (escape sequences
/// stay where they were, taking no columns).
fn split_word(word: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut pieces = vec![String::new()];
    let mut used = 0;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let last = pieces.len() - 1;
        if c == '\u{1b}' {
            let mut seq = String::from(c);
            if chars.peek() == Some(&'[') {
                for n in chars.by_ref() {
                    seq.push(n);
                    if n != '[' && ('@'..='~').contains(&n) {
                        break;
                    }
                }
            } else if let Some(n) = chars.next() {
                seq.push(n);
            }
            pieces[last].push_str(&seq);
            continue;
        }
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            pieces.push(String::new());
            used = 0;
        }
        let last = pieces.len() - 1;
        pieces[last].push(c);
        used += w;
    }
    pieces
}

/// The width as comfy-table takes it.
pub fn table_width(width: usize) -> u16 {
    u16::try_from(width).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_wins_then_the_terminal_then_the_fallback() {
        assert_eq!(choose(Some("72"), Some(200)), 72);
        assert_eq!(choose(None, Some(200)), 200);
        assert_eq!(choose(Some("wide"), None), FALLBACK);
        assert_eq!(choose(None, None), FALLBACK);
        assert_eq!(choose(Some("10"), None), MIN);
    }

    #[test]
    fn escapes_take_no_columns() {
        assert_eq!(visible_width("\u{1b}[31mred\u{1b}[0m"), 3);
        assert_eq!(visible_width("héllo"), 5);
    }

    #[test]
    fn fitting_wraps_at_spaces_and_keeps_every_word() {
        let line = "12:00:00  CREATE_FAILED   Database  AWS::RDS::DBInstance  The engine version 99 is not available in this region";
        let fitted = fit(line, 40, 4);
        for l in fitted.lines() {
            assert!(visible_width(l) <= 40, "{l:?} in\n{fitted}");
        }
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&fitted), words(line));
        assert!(fitted.lines().skip(1).all(|l| l.starts_with("    ")));
    }

    #[test]
    fn a_word_longer_than_the_line_is_split_not_dropped() {
        let arn = "arn:aws:cloudformation:eu-west-1:123456789012:stack/web/0123456789abcdef";
        let fitted = fit(&format!("see {arn}"), 40, 2);
        for l in fitted.lines() {
            assert!(visible_width(l) <= 40, "{fitted}");
        }
        let joined: String = fitted.lines().map(str::trim).collect();
        assert_eq!(joined, format!("see{arn}"));
    }

    /// Every line of `text` within `width`, with the text of `needle`
    /// still there once borders and wrapping are taken out.
    fn fits(text: &str, width: usize, needles: &[&str]) {
        for l in text.lines() {
            assert!(
                visible_width(l) <= width,
                "{width} columns, {} in {l:?}:\n{text}",
                visible_width(l)
            );
        }
        let squeezed: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
        for n in needles {
            let n: String = n.chars().filter(|c| c.is_alphanumeric()).collect();
            assert!(squeezed.contains(&n), "{n} lost at {width}:\n{text}");
        }
    }

    #[test]
    fn regression_tables_fit_a_60_column_terminal() {
        use crate::deploy::document::Document;
        use crate::deploy::review::{Change, Review};
        let old = Document::parse(
            "Resources:\n  ApplicationDatabaseInstance:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n  WebSecurityGroup:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}\n",
        )
        .unwrap();
        let new = Document::parse(
            "Resources:\n  ApplicationDatabaseInstance:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n  WebSecurityGroup:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n",
        )
        .unwrap();
        let changes = [
            Change {
                action: "Modify".into(),
                logical_id: "ApplicationDatabaseInstance".into(),
                resource_type: "AWS::RDS::DBInstance".into(),
                replacement: Some("True".into()),
                ..Change::default()
            },
            Change {
                action: "Modify".into(),
                logical_id: "WebSecurityGroup".into(),
                resource_type: "AWS::EC2::SecurityGroup".into(),
                replacement: Some("False".into()),
                ..Change::default()
            },
        ];
        let review = Review::build(&changes, Some(&old), &new, &[]);
        let diff = crate::deploy::diff::TemplateDiff::compute(Some(&old), &new);
        let outputs = [crate::deploy::outputs::StackOutput {
            key: "ApplicationUrl".into(),
            value: "https://swiftcode-stage-alb-1234567890.eu-west-1.elb.amazonaws.com".into(),
            description: None,
            export_name: None,
        }];
        for width in [60, 120] {
            for color in [false, true] {
                fits(
                    &review.render_at(color, width),
                    width,
                    &[
                        "ApplicationDatabaseInstance",
                        "AWS::RDS::DBInstance",
                        "--allow-replace ApplicationDatabaseInstance",
                    ],
                );
                fits(
                    &diff.render_at(color, width),
                    width,
                    &["Properties.SecurityGroupIngress[0]", "0.0.0.0/0"],
                );
            }
            fits(
                &crate::deploy::outputs::render_at(&outputs, width),
                width,
                &["swiftcode-stage-alb-1234567890.eu-west-1.elb.amazonaws.com"],
            );
        }
    }

    #[test]
    fn an_indented_line_keeps_its_indentation() {
        let fitted = fit(
            "  - WebSg: opens inbound tcp port 22 to the internet",
            30,
            4,
        );
        assert!(fitted.starts_with("  - WebSg:"), "{fitted}");
        assert!(
            fitted.lines().skip(1).all(|l| l.starts_with("    ")),
            "{fitted}"
        );
    }

    #[test]
    fn short_lines_are_left_alone() {
        assert_eq!(fit("a  b", 40, 2), "a  b");
        assert_eq!(fit_all("a\nb\n", 40, 2), "a\nb\n");
    }
}
