//! The control socket (`DATA/tandem.ctl`) and the Asterisk-style CLI commands it answers.
//!
//! Protocol: the client sends one command line ending in `\n`; the daemon writes the output
//! and closes the connection.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use tandem_conf::FsSource;
use tandem_core::Shared;

use crate::config;

/// The longest path a Unix socket address holds (`sun_path` less the NUL).
const MAX_SOCKET_PATH: usize = 107;
/// The longest command line the daemon reads.
pub const MAX_COMMAND: usize = 4096;

/// `DATA/tandem.ctl`, or a clear error if the path is too long for a Unix socket.
pub fn socket_path(data: &Path) -> Result<PathBuf, String> {
    let path = data.join("tandem.ctl");
    let len = path.as_os_str().len();
    if len > MAX_SOCKET_PATH {
        return Err(format!(
            "control socket path {} is {len} bytes long; a Unix socket allows {MAX_SOCKET_PATH}: use a shorter --data",
            path.display()
        ));
    }
    Ok(path)
}

/// `tandem cli -x COMMAND` / `tandem -rx COMMAND`.
pub fn client(data: &Path, command: &str) -> ExitCode {
    match send(data, command) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tandem: {e}");
            ExitCode::from(1)
        }
    }
}

/// Send one command to the daemon of `data` and return its output.
pub fn send(data: &Path, command: &str) -> Result<String, String> {
    let path = socket_path(data)?;
    let mut stream = UnixStream::connect(&path).map_err(|e| {
        format!(
            "cannot connect to {}: {e} (is tandem running with --data {}?)",
            path.display(),
            data.display()
        )
    })?;
    let line = format!("{}\n", command.trim());
    stream
        .write_all(line.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::new();
    stream
        .read_to_string(&mut out)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(out)
}

/// What the daemon needs to answer commands.
pub struct Daemon {
    pub shared: Arc<Shared>,
    /// The SIP driver, when sip.conf exists.
    pub sip: Option<crate::sip::SipHandle>,
    /// The IAX2 driver, when iax.conf exists.
    pub iax: Option<crate::iax2::IaxHandle>,
    /// Drivers and live channels.
    pub world: Option<Arc<crate::channels::World>>,
    /// Where the configuration is re-read from on reload; `None` for the built-in demo.
    pub config_dir: Option<PathBuf>,
    /// Uptime, last reload, the stop request (`crate::ops`).
    pub ops: crate::ops::OpsState,
    /// Bans of every service (`security show bans`, `security unban`).
    pub security: crate::security::Security,
}

pub const HELP: &str = "\
channel request hangup <channel|all>  Hang up a channel, or every channel
core reload                    Reload the dialplan and sip.conf; a broken file leaves the old one in force
core show applications         Show the dialplan applications
core show calls [uptime [seconds]]  Show the number of calls in progress and processed
core show channels [concise|verbose]  Show the active channels
core show functions            Show the dialplan functions
core show settings             Show the settings of the core
core show uptime [seconds]     Show how long tandem has run and when it last reloaded
core stop gracefully           Refuse new calls, stop when the active ones have ended
core stop now                  Stop at once, hanging up every call
core show help                 Show these commands
core show version              Show the version of tandem
database del <family> <key>    Remove a key from the astdb
database deltree <family> [keytree]  Remove a family or keytree from the astdb
database get <family> <key>    Show a value of the astdb
database put <family> <key> <value>  Set a value in the astdb
database show [family [keytree]]  Show the astdb
iax2 reload                    Reload iax.conf for new calls and registrations
iax2 show channels             Show the IAX2 calls in progress
iax2 show netstats             Show the network statistics of the IAX2 calls
iax2 show peers                Show the IAX2 peers and where they are registered
iax2 show registry             Show tandem's IAX2 registrations
sip show channels              Show the SIP dialogs in progress
sip show channelstats          Show the RTP statistics of the SIP calls
sip show peer <name>           Show one SIP peer
sip show peers                 Show the SIP peers and where they are registered
sip show registry              Show tandem's registrations to providers
security show bans             Show the sources banned by autoban, and why
security unban <address>       Lift the ban on an address
dialplan reload                Reload extensions.conf; a broken file leaves the old dialplan in force
dialplan show [context]        Show the dialplan
sip reload                     Reload sip.conf for new calls and registrations
";

/// Answer one CLI command.
pub fn handle(daemon: &Daemon, line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let lw: Vec<&str> = lower.iter().map(String::as_str).collect();
    if let Some(out) = crate::ops::handle(daemon, &lw, &words) {
        return out;
    }
    match lw.as_slice() {
        ["core", "show", "version"] => format!(
            "tandem {} (multi-protocol PBX)\n",
            env!("CARGO_PKG_VERSION")
        ),
        ["core", "show", "help"] | ["help"] => HELP.to_string(),
        ["core", "show", "channels"] => match &daemon.world {
            Some(world) => world.channels.show(),
            None => crate::channels::ChannelTable::default().show(),
        },
        ["dialplan", "show"] => tandem_dialplan::show::show(&daemon.shared.dialplan(), None),
        ["dialplan", "show", _] => {
            let dp = daemon.shared.dialplan();
            let name = words[2];
            let name = name.split_once('@').map_or(name, |(_, c)| c);
            if dp.context(name).is_none() {
                format!("There is no existence of '{name}' context\n")
            } else {
                tandem_dialplan::show::show(&dp, Some(name))
            }
        }
        ["dialplan", "reload"] => reload_dialplan(daemon),
        ["iax2", "show", what @ ("peers" | "registry" | "channels" | "netstats")] => {
            match &daemon.iax {
                Some(iax) => {
                    let st = iax
                        .state
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match *what {
                        "peers" => st.show_peers(),
                        "registry" => st.show_registry(),
                        "channels" => st.show_channels(),
                        _ => st.show_netstats(),
                    }
                }
                None => "IAX2 is not configured (no iax.conf).\n".to_string(),
            }
        }
        ["sip", "show", "peers"] => match &daemon.sip {
            Some(sip) => sip
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .show_peers(),
            None => "SIP is not configured (no sip.conf).\n".to_string(),
        },
        ["sip", "show", "channels"] => match &daemon.sip {
            Some(sip) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                match sip
                    .commands
                    .blocking_send(crate::sip::EndpointCmd::ShowChannels(tx))
                {
                    Ok(()) => rx
                        .blocking_recv()
                        .unwrap_or_else(|_| "SIP endpoint did not answer\n".to_string()),
                    Err(_) => "SIP endpoint is not running\n".to_string(),
                }
            }
            None => "SIP is not configured (no sip.conf).\n".to_string(),
        },
        ["sip", "show", "channelstats"] => match &daemon.sip {
            Some(sip) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                match sip
                    .commands
                    .blocking_send(crate::sip::EndpointCmd::ShowChannelStats(tx))
                {
                    Ok(()) => rx
                        .blocking_recv()
                        .unwrap_or_else(|_| "SIP endpoint did not answer\n".to_string()),
                    Err(_) => "SIP endpoint is not running\n".to_string(),
                }
            }
            None => "SIP is not configured (no sip.conf).\n".to_string(),
        },
        ["sip", "show", "registry"] => match &daemon.sip {
            Some(sip) => sip
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .show_registry(),
            None => "SIP is not configured (no sip.conf).\n".to_string(),
        },
        ["sip", "show", "peer", _] => match &daemon.sip {
            Some(sip) => sip
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .show_peer(words[3])
                .unwrap_or_else(|| format!("Peer {} not found.\n", words[3])),
            None => "SIP is not configured (no sip.conf).\n".to_string(),
        },
        ["security", "show", "bans"] => daemon.security.show_bans(std::time::Instant::now()),
        ["security", "unban", _] => daemon.security.unban(std::time::Instant::now(), words[2]),
        ["database", "show", ..] => database_show(daemon, &words[2..]),
        ["database", "get", _, _] => match daemon.shared.store.db_get(words[2], words[3]) {
            Ok(Some(v)) => format!("Value: {v}\n"),
            Ok(None) => "Database entry not found.\n".to_string(),
            Err(e) => format!("Database error: {e}\n"),
        },
        ["database", "put", _, _, ..] if words.len() >= 5 => {
            match daemon
                .shared
                .store
                .db_put(words[2], words[3], &words[4..].join(" "))
            {
                Ok(()) => "Updated database successfully\n".to_string(),
                Err(e) => format!("Failed to update entry: {e}\n"),
            }
        }
        ["database", "del", _, _] => match daemon.shared.store.db_delete(words[2], words[3]) {
            Ok(Some(_)) => "Database entry removed.\n".to_string(),
            Ok(None) => "Database entry does not exist.\n".to_string(),
            Err(e) => format!("Database error: {e}\n"),
        },
        ["database", "deltree", _] | ["database", "deltree", _, _] => {
            match daemon
                .shared
                .store
                .db_deltree(words[2], words.get(3).copied())
            {
                Ok(n) if n > 0 => format!("{n} database entries removed.\n"),
                Ok(_) => "Database entries do not exist.\n".to_string(),
                Err(e) => format!("Database error: {e}\n"),
            }
        }
        [] => String::new(),
        _ => format!(
            "No such command '{}' (type 'core show help' for help)\n",
            words.join(" ")
        ),
    }
}

fn database_show(daemon: &Daemon, args: &[&str]) -> String {
    let prefix = match args {
        [] => None,
        [family] => Some(format!("/{family}")),
        [family, tree, ..] => Some(format!("/{family}/{tree}")),
    };
    match daemon.shared.store.db_show(prefix.as_deref()) {
        Ok(rows) => {
            let mut out = String::new();
            for (key, value) in &rows {
                out.push_str(&format!("{key:<50}: {value:<25}\n"));
            }
            out.push_str(&format!("{} results found.\n", rows.len()));
            out
        }
        Err(e) => format!("Database error: {e}\n"),
    }
}

/// Re-read extensions.conf; put it in force only if it has no error.
pub fn reload_dialplan(daemon: &Daemon) -> String {
    let Some(dir) = &daemon.config_dir else {
        return "The built-in demo configuration has nothing to reload.\n".to_string();
    };
    let loaded = config::load_dialplan(&FsSource::new(dir));
    let mut out = String::new();
    for d in &loaded.diagnostics {
        out.push_str(&format!("{d}\n"));
    }
    if loaded.has_errors() {
        tracing::error!("dialplan reload failed; the running dialplan stays in force");
        out.push_str("Dialplan not reloaded: the running dialplan stays in force.\n");
    } else {
        daemon.shared.replace_dialplan(loaded.dialplan);
        daemon.ops.reloaded();
        tracing::info!("dialplan reloaded");
        out.push_str("Dialplan reloaded.\n");
    }
    out
}
