//! `hagen completions SHELL` and `hagen man [-o DIR]`: shell completion
//! scripts and manual pages, generated from the same clap command the
//! binary parses with, so they name the blueprint's program (a user's
//! blueprint binary gets its own) and every flag it has.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Context, exit};
use crate::blueprint::Blueprint;

/// Arguments of `hagen completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `hagen man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write the program's page (`NAME.1`) and one page per subcommand
    /// (`NAME-SUBCOMMAND.1`) into this directory (created if missing);
    /// without it, the program's page goes to stdout.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell`.
pub fn completions<B: Blueprint + ?Sized>(args: &CompletionsArgs, cx: &mut Context<'_, B>) -> u8 {
    let mut cmd = super::command(cx.blueprint);
    let name = cmd.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, name, &mut script);
    match cx.out.write_all(&script).and_then(|()| cx.out.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            cx.error(format!("cannot write the completion script: {e}"));
            exit::CANNOT_WRITE
        }
    }
}

/// Every manual page: the program's first, then one per subcommand, each
/// with its file name.
pub fn pages(cmd: clap::Command) -> Result<Vec<(String, Vec<u8>)>, std::io::Error> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut commands = vec![cmd.clone()];
    commands.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    commands
        .into_iter()
        .map(|c| {
            let man = clap_mangen::Man::new(c);
            let mut page = Vec::new();
            man.render(&mut page)?;
            Ok((man.get_filename(), page))
        })
        .collect()
}

/// Prints the program's manual page, or writes every page into `--out-dir`.
pub fn man<B: Blueprint + ?Sized>(args: &ManArgs, cx: &mut Context<'_, B>) -> u8 {
    let pages = match pages(super::command(cx.blueprint)) {
        Ok(p) => p,
        Err(e) => {
            cx.error(format!("cannot render the manual pages: {e}"));
            return exit::CANNOT_WRITE;
        }
    };
    let Some(dir) = &args.out_dir else {
        let first = pages.first().map(|(_, p)| p.as_slice()).unwrap_or_default();
        return match cx.out.write_all(first).and_then(|()| cx.out.flush()) {
            Ok(()) => exit::OK,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
            Err(e) => {
                cx.error(format!("cannot write the manual page: {e}"));
                exit::CANNOT_WRITE
            }
        };
    };
    match write_pages(dir, &pages) {
        Ok(()) => {
            cx.notice(format!(
                "wrote {} manual pages to {} (read one with: man {}/{})",
                pages.len(),
                dir.display(),
                dir.display(),
                pages.first().map(|(n, _)| n.as_str()).unwrap_or_default()
            ));
            exit::OK
        }
        Err(e) => {
            cx.error(e);
            exit::CANNOT_WRITE
        }
    }
}

fn write_pages(dir: &Path, pages: &[(String, Vec<u8>)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, page) in pages {
        let path = dir.join(name);
        crate::output_file::write_output(&path, page)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
