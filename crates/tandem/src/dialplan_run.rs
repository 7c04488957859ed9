//! `tandem dialplan run`: execute the dialplan on a simulated channel, one line per executed
//! priority (`C,E,P: App(args)`), then `end: REASON`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use tandem_conf::FsSource;
use tandem_core::host::DialStatus;
use tandem_core::sim::{block_on, SimHost};
use tandem_core::{CallerId, Channel, Pbx, Shared};
use tandem_store::{SqliteStore, Store};

use crate::{config, localtime};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[arg(long, value_name = "DIR")]
    config: PathBuf,
    #[arg(long)]
    context: String,
    #[arg(long)]
    exten: String,
    /// The caller's number, or `"Name" <number>`.
    #[arg(long)]
    callerid: Option<String>,
    /// A channel variable to set before the call (repeatable).
    #[arg(long = "set", value_name = "VAR=VALUE")]
    set: Vec<String>,
    /// Local time of the call, "YYYY-MM-DD HH:MM" (default: now).
    #[arg(long)]
    time: Option<String>,
    /// What every Dial ends with (default ANSWER).
    #[arg(long, default_value = "ANSWER")]
    dialstatus: String,
}

fn open_store(data: Option<&Path>) -> Result<Arc<dyn Store>, String> {
    match data {
        None => SqliteStore::open_in_memory()
            .map(|s| Arc::new(s) as Arc<dyn Store>)
            .map_err(|e| e.to_string()),
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = dir.join("tandem.db");
            SqliteStore::open(&path)
                .map(|s| Arc::new(s) as Arc<dyn Store>)
                .map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

pub fn run(args: RunArgs, data: Option<&Path>) -> ExitCode {
    crate::daemon::init_logging("warn");
    let Some(dial_status) = DialStatus::parse(&args.dialstatus) else {
        eprintln!("tandem: --dialstatus {}: expected ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION or CHANUNAVAIL", args.dialstatus);
        return ExitCode::from(2);
    };
    let time = match args.time.as_deref().map(localtime::parse).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tandem: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.config.is_dir() {
        eprintln!(
            "tandem: config directory {}: not a directory",
            args.config.display()
        );
        return ExitCode::from(1);
    }
    let loaded = config::load_dialplan(&FsSource::new(&args.config));
    loaded.print();
    if loaded.has_errors() {
        return ExitCode::from(1);
    }
    // The store is in memory unless --data is given.
    let store = match open_store(data) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tandem: store: {e}");
            return ExitCode::from(1);
        }
    };
    let clock: tandem_core::shared::Clock = match time {
        Some(t) => Box::new(move || t),
        None => Box::new(localtime::now),
    };
    let seed = localtime::now().epoch as u64;
    let shared = Shared::new(loaded.dialplan, store, clock, seed);
    let (seq, uniqueid) = shared.new_uniqueid();
    let mut chan = Channel::new(
        format!("Sim/sim-{seq:08x}"),
        uniqueid,
        &args.context,
        &args.exten,
    );
    if let Some(cid) = &args.callerid {
        let (name, num) = CallerId::parse_all(cid);
        chan.caller.name = name;
        chan.caller.num = num;
    }
    for assignment in &args.set {
        match assignment.split_once('=') {
            Some((name, value)) if !name.is_empty() => chan.set_var(name, value),
            _ => {
                eprintln!("tandem: --set {assignment}: expected VAR=VALUE");
                return ExitCode::from(2);
            }
        }
    }
    let mut host = SimHost::new(dial_status);
    let mut print = |line: &tandem_core::TraceLine<'_>| println!("{line}");
    let mut pbx = Pbx::new(&shared, &mut host).with_trace(&mut print);
    let Some(end) = block_on(pbx.run(&mut chan)) else {
        eprintln!("tandem: the simulated channel blocked (a bug)");
        return ExitCode::from(1);
    };
    println!("end: {}", end.as_str());
    ExitCode::SUCCESS
}
