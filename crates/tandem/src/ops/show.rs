//! `core show channels concise|verbose`, `core show calls`, `core show uptime`,
//! `core show settings`, in the layouts of Asterisk's main/cli.c (handle_chanlist,
//! handle_showcalls, handle_showuptime, print_uptimestr) and main/asterisk.c
//! (handle_show_settings).

use std::time::{Duration, SystemTime};

use crate::channels::ChannelRow;
use crate::control::Daemon;

fn ess(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One channel as the verbose and concise listings need it.
#[derive(Debug, Default, PartialEq)]
pub struct Listed {
    pub name: String,
    pub context: String,
    pub exten: String,
    pub priority: u32,
    pub state: String,
    pub app: String,
    pub data: Option<String>,
    pub cid_num: String,
    pub accountcode: String,
    pub duration: Option<Duration>,
    pub uniqueid: String,
}

/// Split the table's `exten@context:priority` and `App(data)` back into their fields.
pub fn listed(name: &str, row: &ChannelRow) -> Listed {
    let mut l = Listed {
        name: name.to_string(),
        state: row.state.to_string(),
        ..Listed::default()
    };
    if let Some((at, prio)) = row.location.rsplit_once(':') {
        if let Some((exten, context)) = at.split_once('@') {
            l.exten = exten.to_string();
            l.context = context.to_string();
            l.priority = prio.parse().unwrap_or(0);
        }
    }
    if let Some((app, rest)) = row.application.split_once('(') {
        l.app = app.to_string();
        l.data = Some(rest.strip_suffix(')').unwrap_or(rest).to_string());
    } else if !row.application.is_empty() {
        l.app = row.application.clone();
    }
    l
}

/// `core show channels concise`: `!`-separated, no header and no totals.
pub fn concise_line(l: &Listed) -> String {
    let app = if l.app.is_empty() { "(None)" } else { &l.app };
    let duration = l
        .duration
        .map_or_else(|| "-".to_string(), |d| d.as_secs().to_string());
    format!(
        "{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}!{}\n",
        l.name,
        l.context,
        l.exten,
        l.priority,
        l.state,
        app,
        l.data.as_deref().unwrap_or(""),
        l.cid_num,
        l.accountcode,
        "",
        3, // amaflags: AST_AMA_DOCUMENTATION, the default
        duration,
        "(None)",
        l.uniqueid
    )
}

fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `core show channels verbose`: one row (VERBOSE_FORMAT_STRING).
pub fn verbose_line(l: &Listed) -> String {
    let app = if l.app.is_empty() { "(None)" } else { &l.app };
    let data = match l.data.as_deref() {
        None => "(None)",
        Some("") => "(Empty)",
        Some(d) => d,
    };
    let duration = l.duration.map_or_else(
        || "-".to_string(),
        |d| {
            let s = d.as_secs();
            format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
        },
    );
    format!(
        "{:<20} {:<20} {:<16} {:>4} {:<7} {:<12} {:<25} {:<15} {:>8} {:<11} {:<11} {:<20}\n",
        cut(&l.name, 20),
        cut(&l.context, 20),
        cut(&l.exten, 16),
        l.priority,
        cut(&l.state, 7),
        cut(app, 12),
        cut(data, 25),
        cut(&l.cid_num, 15),
        cut(&duration, 8),
        cut(&l.accountcode, 11),
        "",
        "(None)"
    )
}

pub fn verbose_header() -> String {
    format!(
        "{:<20} {:<20} {:<16} {:<4} {:<7} {:<12} {:<25} {:<15} {:>8} {:<11} {:<11} {:<20}\n",
        "Channel",
        "Context",
        "Extension",
        "Prio",
        "State",
        "Application",
        "Data",
        "CallerID",
        "Duration",
        "Accountcode",
        "PeerAccount",
        "BridgedTo"
    )
}

/// The totals every form but concise ends with.
pub fn totals(channels: usize, calls: usize, processed: u64) -> String {
    format!(
        "{channels} active channel{}\n{calls} active call{}\n{processed} call{} processed\n",
        ess(channels as u64),
        ess(calls as u64),
        ess(processed)
    )
}

pub fn channels(daemon: &Daemon, concise: bool) -> String {
    let Some(world) = &daemon.world else {
        return if concise {
            String::new()
        } else {
            verbose_header() + &totals(0, 0, 0)
        };
    };
    let live = world.ami.live();
    let mut out = if concise {
        String::new()
    } else {
        verbose_header()
    };
    let rows = world.channels.rows();
    for (name, row) in &rows {
        let mut l = listed(name, row);
        if let Some((snap, age)) = live.iter().find(|(s, _)| &s.name == name) {
            l.cid_num = snap.caller_num.clone();
            l.accountcode = snap.accountcode.clone();
            l.uniqueid = snap.uniqueid.clone();
            l.duration = Some(*age);
        }
        out.push_str(&if concise {
            concise_line(&l)
        } else {
            verbose_line(&l)
        });
    }
    if !concise {
        let (calls, processed) = world.channels.call_counts();
        out.push_str(&totals(rows.len(), calls, processed));
    }
    out
}

/// `core show calls [uptime [seconds]]`.
pub fn calls(daemon: &Daemon, uptime: Option<bool>) -> String {
    let (active, processed) = super::active_calls(daemon);
    let mut out = format!(
        "{active} active call{}\n{processed} call{} processed\n",
        ess(active as u64),
        ess(processed)
    );
    if let Some(seconds) = uptime {
        out.push_str(&uptime_line(
            "System uptime",
            daemon.ops.started.elapsed(),
            seconds,
        ));
    }
    out
}

/// `core show uptime [seconds]`: system uptime, then the last reload when there was one.
pub fn uptime(daemon: &Daemon, seconds: bool) -> String {
    let mut out = uptime_line("System uptime", daemon.ops.started.elapsed(), seconds);
    if let Some((at, _)) = daemon.ops.last_reload() {
        out.push_str(&uptime_line("Last reload", at.elapsed(), seconds));
    }
    out
}

/// print_uptimestr: `PREFIX: 1 hour, 2 minutes, 5 seconds ` (each unit only when the rest is
/// strictly greater than it, so 60 s prints as `60 seconds`; a trailing space, as Asterisk),
/// or `PREFIX: 3725` with `seconds`.
pub fn uptime_line(prefix: &str, elapsed: Duration, seconds: bool) -> String {
    let mut s = elapsed.as_secs();
    if seconds {
        return format!("{prefix}: {s}\n");
    }
    const MINUTE: u64 = 60;
    const HOUR: u64 = MINUTE * 60;
    const DAY: u64 = HOUR * 24;
    const WEEK: u64 = DAY * 7;
    const YEAR: u64 = DAY * 365;
    let mut out = String::new();
    for (unit, name) in [
        (YEAR, "year"),
        (WEEK, "week"),
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
    ] {
        if s > unit {
            let x = s / unit;
            s -= x * unit;
            let comma = if s > 0 { "," } else { "" };
            out.push_str(&format!("{x} {name}{}{comma} ", ess(x)));
        }
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s} second{} ", ess(s)));
    }
    format!("{prefix}: {out}\n")
}

fn clock(t: SystemTime) -> String {
    let dt: chrono::DateTime<chrono::Local> = t.into();
    dt.format("%H:%M:%S").to_string()
}

/// `core show settings` (main/asterisk.c handle_show_settings), the lines tandem has.
pub fn settings(daemon: &Daemon) -> String {
    let mut out = String::from("\nPBX Core settings\n-----------------\n");
    let line = |out: &mut String, k: &str, v: &str| out.push_str(&format!("  {k:<29}{v}\n"));
    line(&mut out, "Version:", env!("CARGO_PKG_VERSION"));
    line(&mut out, "Build Options:", "");
    line(&mut out, "Maximum calls:", "Not set");
    line(&mut out, "Maximum open file handles:", "Not set");
    line(&mut out, "Root console verbosity:", "0");
    line(&mut out, "Current console verbosity:", "0");
    line(&mut out, "Debug level:", "0");
    line(&mut out, "Maximum load average:", "0.000000");
    line(&mut out, "Startup time:", &clock(daemon.ops.started_wall));
    match daemon.ops.last_reload() {
        Some((_, wall)) => line(&mut out, "Last reload time:", &clock(wall)),
        None => line(
            &mut out,
            "Last reload time:",
            &clock(daemon.ops.started_wall),
        ),
    }
    line(
        &mut out,
        "System:",
        &format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    );
    line(&mut out, "Default language:", "en");
    line(&mut out, "Language prefix:", "Enabled");
    line(&mut out, "User name and group:", "/");
    line(&mut out, "Executable includes:", "Disabled");
    line(&mut out, "Transcode via SLIN:", "Enabled");
    line(&mut out, "Transmit silence during rec:", "Disabled");
    line(&mut out, "Generic PLC:", "Disabled");
    line(&mut out, "Min DTMF duration::", "80");
    out.push_str("\n* Subsystems\n  -------------\n");
    line(
        &mut out,
        "SIP:",
        if daemon.sip.is_some() {
            "Enabled"
        } else {
            "Disabled"
        },
    );
    line(
        &mut out,
        "IAX2:",
        if daemon.iax.is_some() {
            "Enabled"
        } else {
            "Disabled"
        },
    );
    line(
        &mut out,
        "Config directory:",
        &daemon.config_dir.as_ref().map_or_else(
            || "(built-in demo)".to_string(),
            |d| d.display().to_string(),
        ),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(location: &str, app: &str) -> ChannelRow {
        ChannelRow {
            location: location.into(),
            state: "Up",
            application: app.into(),
            outbound: false,
        }
    }

    #[test]
    fn uptime_units_only_when_strictly_greater_with_commas_and_trailing_space() {
        let d = Duration::from_secs;
        assert_eq!(
            uptime_line("System uptime", d(0), false),
            "System uptime: 0 seconds \n"
        );
        assert_eq!(
            uptime_line("System uptime", d(1), false),
            "System uptime: 1 second \n"
        );
        assert_eq!(
            uptime_line("System uptime", d(60), false),
            "System uptime: 60 seconds \n"
        );
        assert_eq!(
            uptime_line("System uptime", d(3725), false),
            "System uptime: 1 hour, 2 minutes, 5 seconds \n"
        );
        // 60 s left after the hours is not "> MINUTE": Asterisk prints it as seconds.
        assert_eq!(
            uptime_line("System uptime", d(7260), false),
            "System uptime: 2 hours, 60 seconds \n"
        );
        assert_eq!(
            uptime_line("System uptime", d(7320), false),
            "System uptime: 2 hours, 2 minutes \n"
        );
        assert_eq!(
            uptime_line("Last reload", d(3725), true),
            "Last reload: 3725\n"
        );
    }

    #[test]
    fn concise_has_fourteen_bang_separated_fields() {
        let mut l = listed("SIP/alice-00000001", &row("600@default:2", "Wait(30)"));
        l.cid_num = "alice".into();
        l.uniqueid = "1700000000.1".into();
        l.duration = Some(Duration::from_secs(7));
        let line = concise_line(&l);
        assert_eq!(
            line,
            "SIP/alice-00000001!default!600!2!Up!Wait!30!alice!!!3!7!(None)!1700000000.1\n"
        );
        assert_eq!(line.trim_end().split('!').count(), 14);
    }

    #[test]
    fn verbose_pads_like_asterisk_and_marks_empty_data() {
        let mut l = listed("SIP/alice-00000001", &row("600@default:1", "Answer()"));
        l.duration = Some(Duration::from_secs(3725));
        let line = verbose_line(&l);
        assert!(line.starts_with("SIP/alice-00000001   default              600                 1 Up      Answer       (Empty)  "));
        assert!(line.contains("01:02:05"));
        assert!(verbose_header().starts_with("Channel              Context              Extension        Prio State   Application  Data"));
    }

    #[test]
    fn dialled_leg_has_no_location() {
        let l = listed(
            "SIP/bob-00000002",
            &row("(None)", "AppDial((Outgoing Line))"),
        );
        assert_eq!(l.context, "");
        assert_eq!(l.app, "AppDial");
        assert_eq!(l.data.as_deref(), Some("(Outgoing Line)"));
    }

    #[test]
    fn totals_use_singular_for_one() {
        assert_eq!(
            totals(1, 1, 1),
            "1 active channel\n1 active call\n1 call processed\n"
        );
        assert_eq!(
            totals(2, 0, 5),
            "2 active channels\n0 active calls\n5 calls processed\n"
        );
    }
}
