//! The `tandem` command: the daemon, configuration checks, the dialplan simulator and the
//! remote CLI. The command-line contract is in DESIGN.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ami;
mod apps;
mod cdr;
mod channels;
mod config;
mod control;
mod daemon;
mod demo;
mod dialplan_run;
mod iax2;
mod local;
mod localtime;
mod metrics;
mod ops;
use tandem::media;
mod security;
mod sip;

#[derive(Parser, Debug)]
#[command(
    name = "tandem",
    version,
    about = "tandem: a multi-protocol PBX and VoIP gateway"
)]
struct Cli {
    /// Remote console (`tandem -rx "COMMAND"`): with -x, send COMMAND to the running daemon.
    #[arg(short = 'r', global = false)]
    remote: bool,
    /// The CLI command to send (with -r).
    #[arg(short = 'x', value_name = "COMMAND")]
    execute: Option<String>,
    /// State directory (control socket, store); default ./tandem-data.
    #[arg(long, value_name = "DIR", global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the daemon in the foreground on the configuration in DIR.
    Run {
        #[arg(long, value_name = "DIR")]
        config: PathBuf,
    },
    /// Validate the configuration; exit 1 if anything is an error.
    Check {
        #[arg(long, value_name = "DIR")]
        config: PathBuf,
    },
    /// Show or simulate the dialplan.
    Dialplan {
        #[command(subcommand)]
        command: DialplanCommand,
    },
    /// Send an Asterisk-style CLI command to the running daemon; without -x, an interactive
    /// console (history, tab completion; `exit` or `quit` leaves).
    Cli {
        #[arg(short = 'x', value_name = "COMMAND")]
        execute: Option<String>,
    },
    /// Write a commented starter configuration (phones, a trunk, voicemail, an IVR) into DIR;
    /// never overwrites a file.
    Init {
        #[arg(long, value_name = "DIR")]
        config: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum DialplanCommand {
    /// The dialplan in match order, as Asterisk's `dialplan show` prints it.
    Show {
        #[arg(long, value_name = "DIR")]
        config: PathBuf,
        /// Only this context.
        context: Option<String>,
    },
    /// Execute the dialplan on a simulated channel and print every executed priority.
    Run(dialplan_run::RunArgs),
}

/// The default state directory.
pub const DEFAULT_DATA: &str = "./tandem-data";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data = cli
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
    if cli.remote || cli.execute.is_some() {
        let Some(command) = cli.execute else {
            return ops::console::run(&data);
        };
        return control::client(&data, &command);
    }
    match cli.command {
        None => daemon::run_demo(&data),
        Some(Command::Run { config }) => daemon::run(&config, &data),
        Some(Command::Check { config }) => config::check(&config),
        Some(Command::Dialplan {
            command: DialplanCommand::Show { config, context },
        }) => config::show_dialplan(&config, context.as_deref()),
        Some(Command::Dialplan {
            command: DialplanCommand::Run(args),
        }) => dialplan_run::run(args, cli.data.as_deref()),
        Some(Command::Cli {
            execute: Some(execute),
        }) => control::client(&data, &execute),
        Some(Command::Cli { execute: None }) => ops::console::run(&data),
        Some(Command::Init { config }) => ops::init::run(&config),
    }
}
