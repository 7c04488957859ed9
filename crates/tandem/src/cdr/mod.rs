//! The CDR engine on tokio: the hooks the channel glue calls as a channel starts, runs
//! applications, dials, is answered and hangs up (the record itself is
//! [`tandem_core::cdr`]), and the backends a finished record is posted to: the store (always,
//! committed before the channel task ends), Master.csv when cdr.conf has `[csv]`, and
//! PostgreSQL when cdr_pgsql.conf names a server (through a bounded queue, so a slow database
//! never holds up calls).

pub mod conf;
pub mod csv;
pub mod pgsql;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tandem_conf::Source;
use tandem_core::cdr::{self, Cdr, CdrOptions, PartyA};
use tandem_core::{Channel, ChannelState, TraceLine};
use tandem_store::{CdrRow, Store};

use conf::CdrConf;

struct Engine {
    conf: CdrConf,
    store: Arc<dyn Store>,
    csv_dir: PathBuf,
    pg: Option<pgsql::Queue>,
}

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// Read cdr.conf / cdr_pgsql.conf and start the backends; called once by the daemon. The
/// PostgreSQL writer runs on its own thread.
pub fn configure(source: &dyn Source, data: &Path, store: Arc<dyn Store>) {
    let (conf, messages) = CdrConf::load(source);
    for m in messages {
        tracing::warn!("{m}");
    }
    let pg = conf.pgsql.clone().map(pgsql::start);
    if conf.enabled {
        tracing::info!(
            "CDR: store{}{}",
            if conf.csv.is_some() { ", csv" } else { "" },
            if pg.is_some() { ", pgsql" } else { "" }
        );
    }
    let _ = ENGINE.set(Engine {
        conf,
        store,
        csv_dir: data.join("cdr-csv"),
        pg,
    });
}

fn engine() -> Option<&'static Engine> {
    ENGINE.get().filter(|e| e.conf.enabled)
}

fn options() -> CdrOptions {
    engine().map(|e| e.conf.options).unwrap_or_default()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A channel starts running the dialplan: its record starts.
pub fn start(chan: &Channel) {
    cdr::with(&chan.cdr, |set| {
        set.start(
            now_ms(),
            &PartyA {
                channel: &chan.name,
                uniqueid: &chan.uniqueid,
                linkedid: &chan.uniqueid,
                caller_num: &chan.caller.num,
                caller_name: &chan.caller.name,
                context: &chan.context,
                exten: &chan.exten,
                accountcode: &chan.accountcode,
                answered: chan.state == ChannelState::Up,
            },
        );
        if chan.state == ChannelState::Up {
            set.up = true;
        }
    });
}

/// The executor runs a priority.
pub fn app(handle: &cdr::CdrHandle, line: &TraceLine<'_>) {
    cdr::with(handle, |set| {
        set.app(
            now_ms(),
            line.context,
            line.exten,
            line.app,
            line.data,
            false,
        )
    });
}

/// The channel was answered (Answer(), Playback, or Dial answering it).
pub fn answered(chan: &Channel) {
    cdr::with(&chan.cdr, |set| set.answered(now_ms()));
}

/// Dial created the outbound leg `peer`.
pub fn dial_begin(chan: &Channel, peer: &str) {
    cdr::with(&chan.cdr, |set| set.dial_begin(peer));
}

/// `peer` answered and is bridged with the caller.
pub fn dial_answered_by(chan: &Channel, peer: &str) {
    cdr::with(&chan.cdr, |set| set.dial_answered_by(peer));
}

/// Dial returned with DIALSTATUS `status`.
pub fn dial_end(chan: &Channel, status: &str) {
    let opts = options();
    cdr::with(&chan.cdr, |set| set.dial_end(now_ms(), status, &opts));
}

/// The channel hung up: its records end and are posted. Returns once the store has
/// committed them, with the records cdr_manager posts as AMI events (none unless
/// cdr_manager.conf enables it).
pub async fn hangup(chan: &Channel) -> Vec<Cdr> {
    let opts = options();
    let records = cdr::with(&chan.cdr, |set| {
        set.hangup(now_ms(), chan.hangupcause, &opts)
    });
    let Some(engine) = engine() else {
        return Vec::new();
    };
    if records.is_empty() {
        return Vec::new();
    }
    let posted = records.clone();
    let done = tokio::task::spawn_blocking(move || {
        for c in &posted {
            post_sync(engine, c);
        }
    })
    .await;
    if let Err(e) = done {
        tracing::error!("CDR: posting failed: {e}");
    }
    if let Some(pg) = &engine.pg {
        for c in &records {
            pg.push(row(c, pg.usegmtime, opts.initiated_seconds));
        }
    }
    if engine.conf.manager {
        records
    } else {
        Vec::new()
    }
}

/// cdr_manager.c `manager_log`: the `Cdr` event (class cdr) of a posted record.
pub fn manager_event(c: &Cdr) -> tandem_ami::Event {
    let initiated = options().initiated_seconds;
    tandem_ami::Event::new("Cdr", tandem_ami::perm::CDR)
        .header("AccountCode", &c.accountcode)
        .header("Source", &c.src)
        .header("Destination", &c.dst)
        .header("DestinationContext", &c.dcontext)
        .header("CallerID", &c.clid)
        .header("Channel", &c.channel)
        .header("DestinationChannel", &c.dstchannel)
        .header("LastApplication", &c.lastapp)
        .header("LastData", &c.lastdata)
        .header("StartTime", &csv::format_time(c.start_ms, false))
        .header("AnswerTime", &csv::format_time(c.answer_ms, false))
        .header("EndTime", &csv::format_time(c.end_ms, false))
        .header("Duration", &c.duration(c.end_ms).to_string())
        .header(
            "BillableSeconds",
            &c.billsec(c.end_ms, initiated).to_string(),
        )
        .header("Disposition", c.disposition_str())
        .header("AMAFlags", cdr::amaflags_name(c.amaflags))
        .header("UniqueID", &c.uniqueid)
        .header("UserField", &c.userfield)
}

/// The store, then Master.csv.
fn post_sync(engine: &Engine, c: &Cdr) {
    let initiated = engine.conf.options.initiated_seconds;
    match engine.store.cdr_insert(&row(c, false, initiated)) {
        Ok(()) => tracing::info!(
            "CDR: {} {} -> {} {} duration {} billsec {} ({})",
            c.uniqueid,
            c.channel,
            c.dstchannel,
            c.disposition_str(),
            c.duration(c.end_ms),
            c.billsec(c.end_ms, initiated),
            c.lastapp
        ),
        Err(e) => tracing::error!("CDR: store insert for {} failed: {e}", c.uniqueid),
    }
    if let Some(csv) = &engine.conf.csv {
        csv::write(&engine.csv_dir, c, csv, initiated);
    }
}

/// The record as a table row.
pub fn row(c: &Cdr, gmt: bool, initiated_seconds: bool) -> CdrRow {
    let start = csv::format_time(c.start_ms, gmt);
    CdrRow {
        calldate: start.clone(),
        clid: c.clid.clone(),
        src: c.src.clone(),
        dst: c.dst.clone(),
        dcontext: c.dcontext.clone(),
        channel: c.channel.clone(),
        dstchannel: c.dstchannel.clone(),
        lastapp: c.lastapp.clone(),
        lastdata: c.lastdata.clone(),
        start,
        answer: csv::format_time(c.answer_ms, gmt),
        end: csv::format_time(c.end_ms, gmt),
        duration: c.duration(c.end_ms),
        billsec: c.billsec(c.end_ms, initiated_seconds),
        disposition: c.disposition_str().to_string(),
        amaflags: i64::from(c.amaflags),
        accountcode: c.accountcode.clone(),
        uniqueid: c.uniqueid.clone(),
        linkedid: c.linkedid.clone(),
        userfield: c.userfield.clone(),
        peeraccount: String::new(),
        sequence: 0,
    }
}
