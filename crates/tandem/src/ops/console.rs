//! `tandem cli` without `-x`: an interactive console on the control socket, like
//! `asterisk -r`: a prompt, line editing, history kept between sessions and tab completion
//! of the command words. Each line is one command sent over its own connection.
//!
//! Line editing is rustyline's (a small, long-maintained readline clone: no C library, file
//! history, a completion hook is all tandem needs; reedline brings a larger dependency tree
//! for features a remote console does not use).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

/// The most history lines kept.
const HISTORY_LINES: usize = 1000;

/// The command words, one command per entry, from the help text: `<arg>` ends the fixed
/// words, `[a|b]` and `{a|b}` are alternatives.
fn grammar() -> Vec<Vec<Vec<String>>> {
    let mut commands = Vec::new();
    for line in crate::control::HELP.lines() {
        let usage = line.split("  ").next().unwrap_or_default();
        let mut words = Vec::new();
        for w in usage.split_whitespace() {
            if w.starts_with('<') {
                break;
            }
            let w = w.trim_matches(|c| matches!(c, '[' | ']' | '{' | '}'));
            let alts: Vec<String> = w
                .split('|')
                .filter(|a| !a.is_empty() && !a.starts_with('<'))
                .map(str::to_string)
                .collect();
            if alts.is_empty() {
                break;
            }
            words.push(alts);
        }
        if !words.is_empty() {
            commands.push(words);
        }
    }
    commands.push(vec![vec!["exit".into()]]);
    commands.push(vec![vec!["quit".into()]]);
    commands
}

/// The words that may follow `before` (the line up to the cursor), and where the word being
/// completed starts.
pub fn complete(before: &str) -> (usize, Vec<String>) {
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let typed: Vec<String> = before[..start]
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let partial = before[start..].to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    for command in grammar() {
        if command.len() <= typed.len() {
            continue;
        }
        let fits = typed
            .iter()
            .zip(command.iter())
            .all(|(t, alts)| alts.iter().any(|a| a == t));
        if !fits {
            continue;
        }
        if let Some(alts) = command.get(typed.len()) {
            for a in alts {
                if a.starts_with(&partial) && !out.contains(a) {
                    out.push(a.clone());
                }
            }
        }
    }
    out.sort();
    (start, out)
}

struct CliHelper;

impl Completer for CliHelper {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = line.get(..pos).unwrap_or(line);
        let (start, words) = complete(before);
        Ok((start, words.into_iter().map(|w| w + " ").collect()))
    }
}
impl Hinter for CliHelper {
    type Hint = String;
}
impl Highlighter for CliHelper {}
impl Validator for CliHelper {}
impl Helper for CliHelper {}

/// `$HOME/.tandem_history`, else `DATA/cli_history`.
fn history_path(data: &Path) -> PathBuf {
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join(".tandem_history"),
        _ => data.join("cli_history"),
    }
}

pub fn run(data: &Path) -> ExitCode {
    // Fail early, as `asterisk -r` does, when no daemon answers.
    if let Err(e) = crate::control::send(data, "core show version") {
        eprintln!("tandem: {e}");
        return ExitCode::from(1);
    }
    let config = match rustyline::Config::builder().max_history_size(HISTORY_LINES) {
        Ok(b) => b.build(),
        Err(_) => rustyline::Config::default(),
    };
    let mut editor: Editor<CliHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("tandem: console: {e}");
            return ExitCode::from(1);
        }
    };
    editor.set_helper(Some(CliHelper));
    let history = history_path(data);
    let _ = editor.load_history(&history);
    let prompt = "tandem*CLI> ";
    let code = loop {
        match editor.readline(prompt) {
            Ok(line) => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line);
                if line.eq_ignore_ascii_case("exit") || line.eq_ignore_ascii_case("quit") {
                    break ExitCode::SUCCESS;
                }
                match crate::control::send(data, line) {
                    Ok(out) => print!("{out}"),
                    Err(e) => {
                        eprintln!("tandem: {e}");
                        break ExitCode::from(1);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tandem: console: {e}");
                break ExitCode::from(1);
            }
        }
    };
    let _ = editor.save_history(&history);
    code
}

#[cfg(test)]
mod tests {
    use super::complete;

    #[test]
    fn completes_the_first_word() {
        let (start, words) = complete("co");
        assert_eq!(start, 0);
        assert_eq!(words, vec!["core"]);
    }

    #[test]
    fn completes_after_fixed_words_and_alternatives() {
        let (start, words) = complete("core show ch");
        assert_eq!(start, 10);
        assert_eq!(words, vec!["channels"]);
        let (_, words) = complete("core show channels ");
        assert_eq!(words, vec!["concise", "verbose"]);
        let (_, words) = complete("core stop ");
        assert_eq!(words, vec!["gracefully", "now"]);
        let (_, words) = complete("CORE SHOW UP");
        assert_eq!(words, vec!["uptime"]);
    }

    #[test]
    fn nothing_after_an_argument_place() {
        let (_, words) = complete("channel request hangup ");
        assert!(words.is_empty());
        let (_, words) = complete("sip show peer ");
        assert!(words.is_empty());
    }
}
