//! `hagen graph`: draw the architecture of the blueprint's environment or
//! of any template, as SVG, a self-contained HTML page, Graphviz DOT or
//! Mermaid.
//!
//! Owns the command's options, where the template comes from (the
//! blueprint through `synth::build`, with synth's checks and exit codes, or
//! a file read within the template size limit), and where the drawing goes
//! (stdout, or a file written atomically). The drawing is `crate::graph`.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{Context, EnvArgs, exit, synth};
use crate::blueprint::Blueprint;
use crate::graph::{self, Diagram};

const EXAMPLES: &str = "\
Examples:
  hagen graph -o stack.svg                   stage (or the file's default environment) as SVG
  hagen graph --env prod -o prod.html        prod as an interactive page that prints on one sheet
  hagen graph --template stack.yaml -f dot   any template, as Graphviz DOT (dot -Tpng)
  hagen synth | hagen graph --template - -f mermaid   a Mermaid flowchart for Markdown

The format follows the file name (.svg, .html, .dot/.gv, .mmd) unless --format is given;
on stdout it is SVG. See docs/graph.md for what is drawn and how.";

/// Diagram format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A standalone SVG image.
    Svg,
    /// One self-contained HTML page: hover, click to highlight flows, prints on one page.
    Html,
    /// Graphviz DOT with a cluster per AZ and subnet tier.
    Dot,
    /// A Mermaid flowchart with a subgraph per AZ and subnet tier.
    Mermaid,
}

impl Format {
    /// The format a file name implies: SVG unless the extension says otherwise.
    pub fn for_path(path: &Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm") => Format::Html,
            Some("dot" | "gv") => Format::Dot,
            Some("mmd" | "mermaid") => Format::Mermaid,
            _ => Format::Svg,
        }
    }

    fn graph(self) -> graph::Format {
        match self {
            Format::Svg => graph::Format::Svg,
            Format::Html => graph::Format::Html,
            Format::Dot => graph::Format::Dot,
            Format::Mermaid => graph::Format::Mermaid,
        }
    }
}

/// Options of `hagen graph`.
#[derive(Debug, Clone, Default, Args)]
#[command(after_help = EXAMPLES)]
pub struct GraphArgs {
    /// The stack to draw, by its ID in the app or its stack name, when the
    /// blueprint has several stacks [default: the only one]
    #[arg(value_name = "STACK", conflicts_with = "template")]
    pub stack: Option<String>,

    /// Which environment of the blueprint, from which configuration.
    #[command(flatten)]
    pub target: EnvArgs,

    /// Draw this template (JSON or YAML, - for standard input) instead of the blueprint's
    #[arg(long, short = 't', value_name = "FILE|-")]
    pub template: Option<PathBuf>,

    /// Output format [default: from FILE's extension, else svg]
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Write the diagram to FILE (atomically) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `hagen graph` and returns its exit code.
pub fn run<B: Blueprint + ?Sized>(args: &GraphArgs, cx: &mut Context<'_, B>) -> u8 {
    let format = args
        .format
        .unwrap_or_else(|| args.output.as_deref().map_or(Format::Svg, Format::for_path));
    let template = match &args.template {
        // Not a clap conflict: HAGEN_ENV or HAGEN_CONFIG set in the shell
        // must not make --template unusable.
        Some(path) => match super::io::read_template_file(path, cx) {
            Ok((t, _)) => {
                if args.target.env.is_some() || args.target.config.is_some() {
                    cx.notice(format!(
                        "drawing {}: the environment and configuration are not used with --template",
                        path.display()
                    ));
                }
                t
            }
            Err(code) => return code,
        },
        None => match synth::build(&args.target, args.stack.as_deref(), synth::Format::Yaml, cx) {
            Ok(built) => built.synthesis.template,
            Err(code) => return code,
        },
    };
    let diagram = Diagram::of(&template);
    let text = graph::render_diagram(&diagram, format.graph());
    match super::io::write_text(args.output.as_deref(), &text, "the diagram", cx) {
        Ok(true) => {
            let _ = writeln!(
                cx.err,
                "wrote {}: {} resources in {} boxes, {} AZ lanes, {} flows, {} bytes",
                args.output.as_deref().unwrap_or(Path::new("-")).display(),
                diagram.resources,
                diagram.nodes.len(),
                diagram.lanes.len(),
                diagram.flows.len(),
                text.len()
            );
            exit::OK
        }
        Ok(false) => exit::OK,
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_file_name_unless_given() {
        assert_eq!(Format::for_path(Path::new("a/b.HTML")), Format::Html);
        assert_eq!(Format::for_path(Path::new("b.gv")), Format::Dot);
        assert_eq!(Format::for_path(Path::new("b.mmd")), Format::Mermaid);
        assert_eq!(Format::for_path(Path::new("b.svg")), Format::Svg);
        assert_eq!(Format::for_path(Path::new("b")), Format::Svg);
    }
}
