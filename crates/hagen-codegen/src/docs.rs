//! Turns the schemas' descriptions into rustdoc that renders and never
//! warns: AWS writes them in a mix of Markdown and reStructuredText, with
//! bare URLs, angle brackets and brackets rustdoc would read as HTML tags
//! or intra-doc links, and indented lines it would compile as doctests.

/// The description as doc-comment lines (without the `///`): one line per
/// source line, indentation removed (so nothing becomes a code block),
/// ``` ``code`` ``` as `` `code` ``, `+` bullets as `-`, and brackets, angle
/// brackets and bare URLs made safe.
pub fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        let line = line
            .strip_prefix("+ ")
            .map_or_else(|| line.to_owned(), |rest| format!("- {rest}"));
        let line = inline(&line);
        // A line starting with `#` would be a heading.
        let line = if line.starts_with('#') {
            format!("\\{line}")
        } else {
            line
        };
        // Each source line is a paragraph of its own (Markdown would run
        // them together), except list items that follow each other.
        let bullet = line.starts_with("- ");
        if let Some(last) = out.last()
            && !last.is_empty()
            && !(bullet && last.starts_with("- "))
        {
            out.push(String::new());
        }
        out.push(line);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// The first sentence of a description, on one line, made safe: for places
/// that want a summary.
pub fn summary(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = flat
        .char_indices()
        .find(|&(i, c)| {
            c == '.'
                && flat[i + 1..].starts_with(' ')
                && flat[i + 1..]
                    .trim_start()
                    .starts_with(|n: char| n.is_uppercase())
        })
        .map_or(flat.len(), |(i, _)| i + 1);
    inline(&flat[..cut])
}

/// One line of text made safe for rustdoc.
fn inline(line: &str) -> String {
    let line = line.replace("``", "`").replace("```", "`");
    let mut out = String::with_capacity(line.len() + 8);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        // A Markdown link `[text](url)` stays a link.
        if c == '['
            && let Some((text, url, next)) = markdown_link(&chars, i)
        {
            out.push('[');
            out.push_str(&escape_plain(&text));
            out.push_str("](");
            out.push_str(&url);
            out.push(')');
            i = next;
            continue;
        }
        // A bare URL becomes an autolink.
        if starts_with(&chars, i, "https://") || starts_with(&chars, i, "http://") {
            let end = url_end(&chars, i);
            let url: String = chars[i..end].iter().collect();
            out.push('<');
            out.push_str(&url);
            out.push('>');
            i = end;
            continue;
        }
        out.push_str(&escape_char(c));
        i += 1;
    }
    if in_code {
        // An unbalanced backtick would swallow the rest of the item's docs.
        out.push('`');
    }
    out
}

fn escape_char(c: char) -> String {
    match c {
        '[' => "\\[".into(),
        ']' => "\\]".into(),
        '<' => "&lt;".into(),
        '>' => "&gt;".into(),
        '\\' => "\\\\".into(),
        other => other.to_string(),
    }
}

fn escape_plain(text: &str) -> String {
    text.chars().map(escape_char).collect()
}

fn starts_with(chars: &[char], i: usize, prefix: &str) -> bool {
    prefix
        .chars()
        .enumerate()
        .all(|(k, p)| chars.get(i + k) == Some(&p))
}

/// Where a URL starting at `i` ends: at whitespace, a closing bracket or a
/// quote, and without trailing punctuation.
fn url_end(chars: &[char], i: usize) -> usize {
    let mut end = i;
    while end < chars.len()
        && !chars[end].is_whitespace()
        && !matches!(chars[end], '<' | '>' | '"' | '\'' | '`' | ')' | ']')
    {
        end += 1;
    }
    while end > i && matches!(chars[end - 1], '.' | ',' | ';' | ':') {
        end -= 1;
    }
    end
}

/// `[text](http...)` at `i`: its text, its URL and the index after it.
fn markdown_link(chars: &[char], i: usize) -> Option<(String, String, usize)> {
    let close = (i + 1..chars.len()).find(|&k| chars[k] == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = (close + 2..chars.len()).find(|&k| chars[k] == ')')?;
    let url: String = chars[close + 2..end].iter().collect();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
        return None;
    }
    let text: String = chars[i + 1..close].iter().collect();
    if text.contains('[') || text.contains('`') {
        return None;
    }
    Some((text, url, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rst_code_markdown_links_and_bare_urls_are_rendered_safely() {
        let got = lines(
            "The ID of the VPC.\n If you update this property, you must also update the ``CidrBlock`` property.\n For more, see [Subnets](https://docs.aws.amazon.com/vpc/x.html) or https://example.com/a.",
        );
        assert_eq!(
            got,
            vec![
                "The ID of the VPC.",
                "",
                "If you update this property, you must also update the `CidrBlock` property.",
                "",
                "For more, see [Subnets](https://docs.aws.amazon.com/vpc/x.html) or <https://example.com/a>.",
            ]
        );
    }

    #[test]
    fn brackets_tags_and_indentation_cannot_become_links_html_or_doctests() {
        let got = lines("A list<String> of [values].\n\n    fn main() {}\n+ one item\n+ two");
        assert_eq!(
            got,
            vec![
                "A list&lt;String&gt; of \\[values\\].",
                "",
                "fn main() {}",
                "",
                "- one item",
                "- two"
            ]
        );
    }

    #[test]
    fn an_unbalanced_backtick_is_closed() {
        assert_eq!(lines("a `b"), vec!["a `b`"]);
    }

    #[test]
    fn the_summary_is_the_first_sentence() {
        assert_eq!(
            summary("Specifies a subnet for the VPC.\n For an IPv4 only subnet, ..."),
            "Specifies a subnet for the VPC."
        );
    }
}
