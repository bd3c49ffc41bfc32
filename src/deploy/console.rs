//! Where a deploy talks to the user: output and error writers, the yes/no
//! prompt, the progress style, colour, and the Ctrl-C signal.
//!
//! Everything here is injected so that tests run a whole deploy in-process
//! and read what a user would have seen. This module decides nothing about
//! stacks.

use std::collections::VecDeque;
use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use owo_colors::OwoColorize;
use tokio::sync::watch;

/// Asks the user a yes/no question.
pub trait Prompt: Send {
    /// Whether someone can answer (stdin is a terminal). When not, a deploy
    /// that needs an answer stops and says to pass `--yes`.
    fn interactive(&self) -> bool;

    /// Asks `question`; anything but an explicit yes is a no.
    fn confirm(&mut self, question: &str) -> io::Result<bool>;

    /// Asks `question` and approves only when the answer is exactly
    /// `expected` (the stack name, for a change that widens access: harder
    /// to give by habit than `y`). Scripted prompts answer it as
    /// [`Prompt::confirm`], a yes standing for the right name typed.
    fn confirm_typed(&mut self, question: &str, expected: &str) -> io::Result<bool> {
        let _ = expected;
        self.confirm(question)
    }
}

/// The y/N prompt on the terminal (question on stderr, answer from stdin).
#[derive(Debug, Default)]
pub struct TerminalPrompt;

impl Prompt for TerminalPrompt {
    fn interactive(&self) -> bool {
        io::stdin().is_terminal()
    }

    fn confirm(&mut self, question: &str) -> io::Result<bool> {
        let mut err = io::stderr();
        write!(err, "{question} [y/N] ")?;
        err.flush()?;
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line)?;
        Ok(is_yes(&line))
    }

    fn confirm_typed(&mut self, question: &str, expected: &str) -> io::Result<bool> {
        let mut err = io::stderr();
        write!(
            err,
            "{question} Type the stack name ({expected}) to approve: "
        )?;
        err.flush()?;
        let mut line = String::new();
        io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim() == expected)
    }
}

/// Whether a typed answer means yes (`y` or `yes`, any case).
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Pre-recorded answers, for tests and scripted use; when they run out the
/// answer is no. The questions asked are kept.
#[derive(Debug, Clone, Default)]
pub struct ScriptedPrompt {
    answers: Arc<Mutex<VecDeque<bool>>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl ScriptedPrompt {
    /// A prompt that answers with `answers`, in order.
    pub fn new(answers: impl IntoIterator<Item = bool>) -> Self {
        ScriptedPrompt {
            answers: Arc::new(Mutex::new(answers.into_iter().collect())),
            asked: Arc::default(),
        }
    }

    /// The questions asked so far.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Prompt for ScriptedPrompt {
    fn interactive(&self) -> bool {
        true
    }

    fn confirm(&mut self, question: &str) -> io::Result<bool> {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(question.to_owned());
        }
        Ok(self
            .answers
            .lock()
            .ok()
            .and_then(|mut a| a.pop_front())
            .unwrap_or(false))
    }
}

/// No one to ask (CI without `--yes`).
#[derive(Debug, Default)]
pub struct NoPrompt;

impl Prompt for NoPrompt {
    fn interactive(&self) -> bool {
        false
    }

    fn confirm(&mut self, _question: &str) -> io::Result<bool> {
        Ok(false)
    }
}

/// How stack events are shown while an operation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A progress bar (resources done / total) with failures printed above
    /// it; for terminals.
    Bar,
    /// One line per event; for logs and CI.
    Events,
}

/// A cheaply cloned signal that the user asked to stop watching (Ctrl-C).
#[derive(Debug, Clone)]
pub struct Interrupt {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Interrupt {
    fn default() -> Self {
        Self::new()
    }
}

impl Interrupt {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Interrupt {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Fires the signal (what Ctrl-C does; tests call it directly).
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the signal has fired.
    pub fn is_set(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once the signal fires.
    pub async fn fired(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives as long as `self`, so this only ends on a fire.
        let _ = rx.wait_for(|set| *set).await;
    }

    /// Fires the signal on Ctrl-C from now on (replaces the default "kill
    /// the process" behaviour, so call it only around stack operations).
    /// Needs a running tokio runtime.
    pub fn listen_for_ctrl_c(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                this.trigger();
            }
        });
    }
}

/// What goes to standard output: text for people, or JSON lines for
/// programs (`--format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Text for people on stdout (review, events, outcome), errors and
    /// warnings on stderr.
    #[default]
    Text,
    /// One JSON object per line on stdout, each with a `type` field
    /// (`context`, `review`, `event`, `outcome`, `error`, ...); the text
    /// meant for people goes to stderr instead, so a pipe reads only JSON.
    Json,
}

/// The user-facing side of a deploy: writers, prompt, progress, colour,
/// width, and the output format.
///
/// Everything a deploy says goes through it: [`Console::say`] and
/// [`Console::warn`] for people, [`Console::record`] for programs. In
/// [`OutputFormat::Text`] records are not written; in
/// [`OutputFormat::Json`] `say` moves to stderr and records go to stdout,
/// one per line, so messages added anywhere keep working in both modes.
pub struct Console {
    /// Normal output: review, events, outputs, results.
    pub out: Box<dyn Write + Send>,
    /// Errors and warnings.
    pub err: Box<dyn Write + Send>,
    /// Where confirmations are asked.
    pub prompt: Box<dyn Prompt>,
    /// Progress bar or one line per event.
    pub progress: ProgressMode,
    /// Whether to colour output (false for non-terminals and `NO_COLOR`).
    pub color: bool,
    /// Columns that tables and event lines are fitted to.
    pub width: usize,
    format: OutputFormat,
    recorded: Vec<String>,
    last_error: Option<String>,
}

impl Console {
    /// A console over these writers and prompt, in text format, laid out
    /// for [`super::width::FALLBACK`] columns.
    pub fn new(
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
        prompt: Box<dyn Prompt>,
        progress: ProgressMode,
        color: bool,
    ) -> Self {
        Console {
            out,
            err,
            prompt,
            progress,
            color,
            width: super::width::FALLBACK,
            format: OutputFormat::Text,
            recorded: Vec::new(),
            last_error: None,
        }
    }

    /// The process's stdout/stderr and terminal prompt; bar and colour only
    /// on a terminal, colour off when `NO_COLOR` is set.
    pub fn stdio() -> Self {
        Self::stdio_colored(None)
    }

    /// [`Console::stdio`] with colour decided by `--color`: `Some(true)`
    /// (always) colours even through a pipe and whatever `NO_COLOR` says,
    /// `Some(false)` (never) never colours, `None` (auto) colours on a
    /// terminal unless `NO_COLOR` is set.
    pub fn stdio_colored(color: Option<bool>) -> Self {
        let terminal = io::stdout().is_terminal() && io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let mut console = Console::new(
            Box::new(io::stdout()),
            Box::new(io::stderr()),
            Box::new(TerminalPrompt),
            if terminal {
                ProgressMode::Bar
            } else {
                ProgressMode::Events
            },
            color.unwrap_or(terminal && !no_color),
        );
        console.width = super::width::detect();
        console
    }

    /// Switches between text and JSON lines.
    pub fn set_format(&mut self, format: OutputFormat) {
        self.format = format;
    }

    /// The output format.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Whether records are written (`--format json`).
    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Writes a line for people: to the output in text format, to the
    /// error stream in JSON format (stdout then holds only records). A
    /// closed pipe is not worth failing a deploy over, so write errors are
    /// ignored here.
    pub fn say(&mut self, line: impl AsRef<str>) {
        let stream = match self.format {
            OutputFormat::Text => &mut self.out,
            OutputFormat::Json => &mut self.err,
        };
        let _ = writeln!(stream, "{}", line.as_ref());
        let _ = stream.flush();
    }

    /// Writes a line to the error stream. A line starting `error: ` is kept
    /// as the run's last error, for the `error` record of a run that ends
    /// without writing one itself.
    pub fn warn(&mut self, line: impl AsRef<str>) {
        let line = line.as_ref();
        if let Some(message) = line.strip_prefix("error: ") {
            self.last_error = Some(message.to_owned());
        }
        let _ = writeln!(self.err, "{line}");
        let _ = self.err.flush();
    }

    /// Writes one record in JSON format: `body` (an object) with `type`
    /// set to `kind`, on one line of the output. Does nothing in text
    /// format, so callers write records and text side by side.
    pub fn record(&mut self, kind: &str, body: serde_json::Value) {
        if !self.is_json() {
            return;
        }
        let mut object = serde_json::Map::new();
        object.insert("type".into(), serde_json::Value::from(kind));
        match body {
            serde_json::Value::Object(fields) => {
                for (k, v) in fields {
                    if k != "type" {
                        object.insert(k, v);
                    }
                }
            }
            serde_json::Value::Null => {}
            other => {
                object.insert("value".into(), other);
            }
        }
        let line = serde_json::Value::Object(object).to_string();
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
        self.recorded.push(kind.to_owned());
    }

    /// [`Console::record`] of anything serializable.
    pub fn record_of<T: serde::Serialize + ?Sized>(&mut self, kind: &str, body: &T) {
        if !self.is_json() {
            return;
        }
        match serde_json::to_value(body) {
            Ok(value) => self.record(kind, value),
            Err(e) => self.record(
                "error",
                serde_json::json!({ "message": format!("cannot write the {kind} record: {e}") }),
            ),
        }
    }

    /// Reports an error: `error: message` on the error stream, and an
    /// `error` record with the exit code it ends the run with.
    pub fn error(&mut self, message: impl std::fmt::Display, exit_code: u8) {
        let message = message.to_string();
        self.warn(format!("error: {message}"));
        self.record(
            "error",
            serde_json::json!({ "message": message, "exit_code": exit_code }),
        );
    }

    /// Says where the deploy goes (account, region, endpoint, stack): a
    /// line of text, or a `context` record.
    pub fn context(&mut self, target: &super::context::Target) {
        let line = target.to_string();
        let painted = self.paint(&line, Style::Strong);
        self.say(painted);
        self.record_of("context", target);
    }

    /// Whether a record of this kind was written.
    pub fn recorded(&self, kind: &str) -> bool {
        self.recorded.iter().any(|k| k == kind)
    }

    /// The last `error: ` line written with [`Console::warn`], without its
    /// prefix.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// `text` in the given style when colour is on.
    pub fn paint(&self, text: &str, style: Style) -> String {
        if !self.color {
            return text.to_owned();
        }
        match style {
            Style::Danger => text.red().bold().to_string(),
            Style::Warning => text.yellow().bold().to_string(),
            Style::Good => text.green().to_string(),
            Style::Dim => text.dimmed().to_string(),
            Style::Strong => text.bold().to_string(),
        }
    }
}

/// The few styles a deploy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Data loss, failures.
    Danger,
    /// Security widening, waits, things to read.
    Warning,
    /// Success.
    Good,
    /// Timestamps and hints.
    Dim,
    /// Headings.
    Strong,
}

/// A writer that keeps everything in memory, shared between clones, so a
/// test can hand one clone to a [`Console`] and read the other.
#[derive(Debug, Clone, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything written so far, as text.
    pub fn contents(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.lock() {
            Ok(mut b) => {
                b.extend_from_slice(buf);
                Ok(buf.len())
            }
            Err(_) => Err(io::Error::other("buffer poisoned")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_explicit_yes_confirms() {
        assert!(is_yes("y\n"));
        assert!(is_yes(" YES "));
        assert!(!is_yes("\n"));
        assert!(!is_yes("yep"));
        assert!(!is_yes("n"));
    }

    #[test]
    fn scripted_answers_run_out_as_no() {
        let mut p = ScriptedPrompt::new([true]);
        assert!(p.confirm("first?").unwrap());
        assert!(!p.confirm("second?").unwrap());
        assert_eq!(p.asked(), ["first?", "second?"]);
    }

    fn json_console() -> (Console, SharedBuffer, SharedBuffer) {
        let (out, err) = (SharedBuffer::new(), SharedBuffer::new());
        let mut c = Console::new(
            Box::new(out.clone()),
            Box::new(err.clone()),
            Box::new(NoPrompt),
            ProgressMode::Events,
            false,
        );
        c.set_format(OutputFormat::Json);
        (c, out, err)
    }

    #[test]
    fn json_format_keeps_stdout_for_records_and_moves_text_to_stderr() {
        let (mut c, out, err) = json_console();
        c.say("Creating change set...");
        c.record("event", serde_json::json!({"status": "CREATE_COMPLETE"}));
        c.error("no credentials", 7);
        let lines: Vec<serde_json::Value> = out
            .contents()
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["type"], "event");
        assert_eq!(lines[1]["type"], "error");
        assert_eq!(lines[1]["exit_code"], 7);
        assert!(err.contents().contains("Creating change set..."));
        assert!(err.contents().contains("error: no credentials"));
        assert!(c.recorded("error") && !c.recorded("outcome"));
    }

    #[test]
    fn text_format_writes_no_records() {
        let (out, err) = (SharedBuffer::new(), SharedBuffer::new());
        let mut c = Console::new(
            Box::new(out.clone()),
            Box::new(err.clone()),
            Box::new(NoPrompt),
            ProgressMode::Events,
            false,
        );
        c.record("event", serde_json::json!({}));
        c.context(&super::super::context::Target {
            account: None,
            account_unknown: None,
            region: Some("eu-west-1".into()),
            endpoint: None,
            stack: "web".into(),
        });
        c.warn("error: it broke");
        assert_eq!(
            out.contents(),
            "Account unknown · Region eu-west-1 · Stack web\n"
        );
        assert_eq!(c.last_error(), Some("it broke"));
        assert!(!c.recorded("event"));
    }

    #[tokio::test]
    async fn interrupt_wakes_a_waiter_even_when_fired_first() {
        let i = Interrupt::new();
        i.trigger();
        tokio::time::timeout(std::time::Duration::from_secs(1), i.fired())
            .await
            .expect("fired resolves");
        assert!(i.is_set());
    }
}
