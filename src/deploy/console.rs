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

/// The user-facing side of a deploy: writers, prompt, progress and colour.
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
}

impl Console {
    /// The process's stdout/stderr and terminal prompt; bar and colour only
    /// on a terminal, colour off when `NO_COLOR` is set.
    pub fn stdio() -> Self {
        let terminal = io::stdout().is_terminal() && io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Console {
            out: Box::new(io::stdout()),
            err: Box::new(io::stderr()),
            prompt: Box::new(TerminalPrompt),
            progress: if terminal {
                ProgressMode::Bar
            } else {
                ProgressMode::Events
            },
            color: terminal && !no_color,
        }
    }

    /// Writes a line to the output; a closed pipe is not worth failing a
    /// deploy over, so write errors are ignored here.
    pub fn say(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.out, "{}", line.as_ref());
        let _ = self.out.flush();
    }

    /// Writes a line to the error stream.
    pub fn warn(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.err, "{}", line.as_ref());
        let _ = self.err.flush();
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
