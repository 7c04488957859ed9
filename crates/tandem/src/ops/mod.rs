//! Operations: the CLI commands an administrator runs on a live daemon (`core show ...`,
//! `channel request hangup`, reloads, `core stop`), the interactive console, the metrics
//! HTTP endpoint, `tandem init`, and giving memory back after a load falls (`trim`).

pub mod catalog;
pub mod console;
pub mod http;
pub mod init;
pub mod reload;
pub mod show;
pub mod trim;

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use crate::control::Daemon;

/// How the daemon is to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Running,
    /// `core stop gracefully`: no new calls; exit when the active ones have ended.
    Gracefully,
    /// `core stop now`.
    Now,
}

/// Whether new calls are refused (`core stop gracefully`); read by the channel layer.
static REFUSING: AtomicBool = AtomicBool::new(false);

/// True once `core stop gracefully` was asked: new inbound calls are refused.
pub fn refusing_calls() -> bool {
    REFUSING.load(Ordering::Relaxed)
}

/// Run-time facts of the daemon the CLI shows (uptime, last reload) and the stop request.
pub struct OpsState {
    pub started: Instant,
    pub started_wall: SystemTime,
    last_reload: Mutex<Option<(Instant, SystemTime)>>,
    stop: AtomicU8,
    pub stop_notify: tokio::sync::Notify,
}

impl Default for OpsState {
    fn default() -> Self {
        OpsState {
            started: Instant::now(),
            started_wall: SystemTime::now(),
            last_reload: Mutex::new(None),
            stop: AtomicU8::new(0),
            stop_notify: tokio::sync::Notify::new(),
        }
    }
}

impl OpsState {
    pub fn reloaded(&self) {
        *self
            .last_reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((Instant::now(), SystemTime::now()));
    }

    pub fn last_reload(&self) -> Option<(Instant, SystemTime)> {
        *self
            .last_reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn stop_requested(&self) -> Stop {
        match self.stop.load(Ordering::Relaxed) {
            0 => Stop::Running,
            1 => Stop::Gracefully,
            _ => Stop::Now,
        }
    }

    pub fn request_stop(&self, how: Stop) {
        let v = match how {
            Stop::Running => 0,
            Stop::Gracefully => 1,
            Stop::Now => 2,
        };
        // `now` after `gracefully` wins; `gracefully` never downgrades `now`.
        self.stop.fetch_max(v, Ordering::Relaxed);
        if how != Stop::Running {
            REFUSING.store(true, Ordering::Relaxed);
        }
        self.stop_notify.notify_one();
    }
}

/// The commands of this module; `None` when `words` is none of them.
pub fn handle(daemon: &Daemon, lw: &[&str], words: &[&str]) -> Option<String> {
    Some(match lw {
        ["core", "show", "channels", mode @ ("concise" | "verbose")] => {
            show::channels(daemon, mode == &"concise")
        }
        ["core", "show", "calls"] => show::calls(daemon, None),
        ["core", "show", "calls", "uptime"] => show::calls(daemon, Some(false)),
        ["core", "show", "calls", "uptime", "seconds"] => show::calls(daemon, Some(true)),
        ["core", "show", "uptime"] => show::uptime(daemon, false),
        ["core", "show", "uptime", "seconds"] => show::uptime(daemon, true),
        ["core", "show", "settings"] => show::settings(daemon),
        ["core", "show", "applications"] => catalog::show_applications(),
        ["core", "show", "functions"] => catalog::show_functions(),
        ["channel", "request", "hangup", _] => hangup(daemon, words.get(3).copied().unwrap_or("")),
        ["core", "stop", "now"] => {
            daemon.ops.request_stop(Stop::Now);
            "Shutting down tandem now\n".to_string()
        }
        ["core", "stop", "gracefully"] => {
            daemon.ops.request_stop(Stop::Gracefully);
            let (active, _) = active_calls(daemon);
            format!(
                "Refusing new calls; tandem stops when the {active} active call{} end\n",
                if active == 1 { "" } else { "s" }
            )
        }
        ["sip", "reload"] => reload::sip(daemon),
        ["iax2", "reload"] => reload::iax2(daemon),
        ["core", "reload"] => reload::core(daemon),
        _ => return None,
    })
}

/// (calls in progress, calls processed since start).
pub fn active_calls(daemon: &Daemon) -> (usize, u64) {
    daemon
        .world
        .as_ref()
        .map_or((0, 0), |w| w.channels.call_counts())
}

/// `channel request hangup CHANNEL|all` (main/cli.c handle_softhangup).
fn hangup(daemon: &Daemon, target: &str) -> String {
    let Some(world) = &daemon.world else {
        return format!("{target} is not a known channel\n");
    };
    let names: Vec<String> = world.channels.rows().into_iter().map(|(n, _)| n).collect();
    let chosen: Vec<&String> = if target.eq_ignore_ascii_case("all") {
        names.iter().collect()
    } else {
        names
            .iter()
            .filter(|n| n.eq_ignore_ascii_case(target))
            .collect()
    };
    if chosen.is_empty() && !target.eq_ignore_ascii_case("all") {
        return format!("{target} is not a known channel\n");
    }
    let mut out = String::new();
    for name in chosen {
        // AST_CAUSE_NORMAL_CLEARING, as ast_softhangup's explicit request ends a call.
        if world.ami.hangup(name, tandem_core::cause::NORMAL_CLEARING) {
            out.push_str(&format!("Requested Hangup on channel '{name}'\n"));
        } else if !target.eq_ignore_ascii_case("all") {
            out.push_str(&format!("{name} is not a known channel\n"));
        }
    }
    out
}
