//! `hagen synth --out-dir DIR`: every stack's template and a manifest, for
//! CI pipelines and reviewers that want the whole app as files.
//!
//! Owns the directory's layout: `<stack name>.template.yaml` (or `.json`)
//! per stack, `<stack name>.<logical ID>.nested.template` per nested stack
//! (the parent's `TemplateURL` until the deploy uploads it), and
//! `manifest.json` (format version, blueprint, environment, and per stack
//! its ID, name, file, deploy dependencies, exports, imports, resource
//! count, size and nested stacks). Each file is replaced atomically and the
//! manifest is written last, so a reader that trusts the manifest never
//! sees a half-written set; templates a previous manifest listed and this
//! synth no longer makes are removed.

use std::path::Path;

use serde_json::json;

use super::synth::{BuiltApp, Format};
use super::{Context, exit};
use crate::blueprint::Blueprint;

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = "manifest.json";

/// The manifest's format version; raised when a field changes meaning.
pub const MANIFEST_VERSION: u32 = 1;

/// A stack's template file name in the output directory.
pub fn template_file(stack_name: &str, format: Format) -> String {
    let ext = match format {
        Format::Yaml => "yaml",
        Format::Json => "json",
    };
    format!("{stack_name}.template.{ext}")
}

/// The manifest of a built app, as JSON text.
pub fn manifest<B: Blueprint + ?Sized>(all: &BuiltApp, blueprint: &B) -> String {
    let stacks: Vec<serde_json::Value> = all
        .app
        .stacks
        .iter()
        .zip(&all.texts)
        .map(|(s, text)| {
            json!({
                "id": s.id,
                "stackName": s.name,
                "template": template_file(&s.name, all.format),
                "dependsOn": s.depends_on,
                "exports": s.exports,
                "imports": s.imports,
                "resources": s.template.resources.len(),
                "bytes": text.len(),
                "nested": s.nested.iter().map(|n| json!({
                    "logicalId": n.logical_id,
                    "template": n.file,
                    "resources": n.template.resources.len(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let value = json!({
        "version": MANIFEST_VERSION,
        "hagen": env!("CARGO_PKG_VERSION"),
        "blueprint": blueprint.name(),
        "environment": all.environment.name,
        "stacks": stacks,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes the templates and the manifest into `dir` and returns the exit
/// code; problems are printed.
pub fn write<B: Blueprint + ?Sized>(dir: &Path, all: &BuiltApp, cx: &mut Context<'_, B>) -> u8 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        cx.error(format!(
            "cannot create {}: {e}; nothing was written",
            dir.display()
        ));
        return exit::CANNOT_WRITE;
    }
    let stale = previous_templates(&dir.join(MANIFEST));
    let mut written = Vec::new();
    for (stack, text) in all.app.stacks.iter().zip(&all.texts) {
        let file = template_file(&stack.name, all.format);
        if let Err(e) = crate::output_file::write_atomically(&dir.join(&file), text.as_bytes()) {
            cx.error(format!(
                "cannot write {}: {e}; the manifest was not updated{}",
                dir.join(&file).display(),
                if written.is_empty() {
                    String::new()
                } else {
                    format!(" (already replaced: {})", written.join(", "))
                }
            ));
            return exit::CANNOT_WRITE;
        }
        written.push(file);
        for child in &stack.nested {
            let text = all.format.render(&child.template);
            if let Err(e) =
                crate::output_file::write_atomically(&dir.join(&child.file), text.as_bytes())
            {
                cx.error(format!(
                    "cannot write {}: {e}; the manifest was not updated",
                    dir.join(&child.file).display()
                ));
                return exit::CANNOT_WRITE;
            }
            written.push(child.file.clone());
        }
    }
    let manifest_text = manifest(all, cx.blueprint);
    if let Err(e) =
        crate::output_file::write_atomically(&dir.join(MANIFEST), manifest_text.as_bytes())
    {
        cx.error(format!(
            "cannot write {}: {e}; the templates were written, the manifest was not",
            dir.join(MANIFEST).display()
        ));
        return exit::CANNOT_WRITE;
    }
    for old in stale.iter().filter(|f| !written.contains(f)) {
        // Only names the old manifest gave as templates, never a path.
        if Path::new(old).components().count() == 1 && old.contains(".template") {
            let _ = std::fs::remove_file(dir.join(old));
        }
    }
    for (stack, text) in all.app.stacks.iter().zip(&all.texts) {
        let _ = writeln!(
            cx.err,
            "wrote {}: stack {} ({}), {} resources, {} bytes{}",
            dir.join(template_file(&stack.name, all.format)).display(),
            stack.name,
            stack.id,
            stack.template.resources.len(),
            text.len(),
            if stack.depends_on.is_empty() {
                String::new()
            } else {
                format!(", after {}", stack.depends_on.join(", "))
            }
        );
    }
    let _ = writeln!(
        cx.err,
        "wrote {}: {} stacks in deploy order ({} environment)",
        dir.join(MANIFEST).display(),
        all.app.stacks.len(),
        all.environment.name
    );
    exit::OK
}

/// The template files a manifest already in the directory lists.
fn previous_templates(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for s in value["stacks"].as_array().into_iter().flatten() {
        files.extend(s["template"].as_str().map(str::to_owned));
        for n in s["nested"].as_array().into_iter().flatten() {
            files.extend(n["template"].as_str().map(str::to_owned));
        }
    }
    files
}
