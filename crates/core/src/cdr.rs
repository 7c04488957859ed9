//! Call detail records as Asterisk's CDR engine (main/cdr.c, Asterisk 12 and later) makes
//! them for a channel that runs the dialplan (the record's "Party A").
//!
//! The record follows the channel's life: created when the channel is (`start`), the last
//! application run (`lastapp`/`lastdata`, locked once Dial begins, as `AST_CDR_LOCK_APP`),
//! the dialled channel (`dstchannel`, "Party B", set when Dial begins even if it never
//! answers), the moment the caller went up (`answer`), and the end: when Dial ends without an
//! answer, when the bridged call ends, or at hangup. A Dial's DIALSTATUS gives the disposition
//! (`dial_status_to_disposition`); otherwise the answer time or the hangup cause does
//! (`cdr_object_finalize`). duration and billsec are whole seconds, truncated.
//!
//! Times are milliseconds since the Unix epoch and are always passed in: this module never
//! reads a clock, so tests drive it with a fake one.

use std::sync::{Arc, Mutex, PoisonError};

use crate::cause;

/// How many records one channel may produce (a dialplan that dials in a loop).
pub const MAX_RECORDS: usize = 32;
/// Bound on the custom variables `Set(CDR(name)=...)` may add to one record.
pub const MAX_VARS: usize = 64;

/// `enum ast_cdr_disposition` as `ast_cdr_disp2str` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Not decided yet (`AST_CDR_NULL`): printed as "NO ANSWER" like Asterisk.
    Null,
    NoAnswer,
    Failed,
    Busy,
    Answered,
    Congestion,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Null | Disposition::NoAnswer => "NO ANSWER",
            Disposition::Failed => "FAILED",
            Disposition::Busy => "BUSY",
            Disposition::Answered => "ANSWERED",
            Disposition::Congestion => "CONGESTION",
        }
    }

    /// `dial_status_to_disposition`: CONGESTION is FAILED unless cdr.conf `congestion=yes`.
    pub fn from_dial_status(status: &str, congestion: bool) -> Self {
        match status {
            "ANSWER" => Disposition::Answered,
            "BUSY" => Disposition::Busy,
            "CANCEL" | "NOANSWER" => Disposition::NoAnswer,
            "CONGESTION" if congestion => Disposition::Congestion,
            _ => Disposition::Failed,
        }
    }

    /// `cdr_object_set_disposition`: the hangup causes that decide a disposition; None for
    /// the others (the disposition stays undecided).
    pub fn from_cause(c: u16, congestion: bool) -> Option<Self> {
        Some(match c {
            cause::USER_BUSY => Disposition::Busy,
            cause::NORMAL_CIRCUIT_CONGESTION if congestion => Disposition::Congestion,
            cause::NORMAL_CIRCUIT_CONGESTION => Disposition::Failed,
            // AST_CAUSE_NO_ROUTE_DESTINATION, AST_CAUSE_UNREGISTERED
            3 | cause::SUBSCRIBER_ABSENT => Disposition::Failed,
            cause::NORMAL_CLEARING | cause::NO_ANSWER => Disposition::NoAnswer,
            _ => return None,
        })
    }
}

/// cdr.conf `[general]` options that change records (all "no" by default, as Asterisk).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CdrOptions {
    /// `unanswered`: also log records that were never answered and have no Party B.
    pub unanswered: bool,
    /// `congestion`: CONGESTION rather than FAILED.
    pub congestion: bool,
    /// `initiatedseconds`: billsec rounds half seconds up.
    pub initiated_seconds: bool,
}

/// One call detail record (`struct ast_cdr`), times in ms since the epoch (0: not set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cdr {
    pub accountcode: String,
    pub src: String,
    pub dst: String,
    pub dcontext: String,
    pub clid: String,
    pub channel: String,
    pub dstchannel: String,
    pub lastapp: String,
    pub lastdata: String,
    pub start_ms: i64,
    pub answer_ms: i64,
    pub end_ms: i64,
    pub disposition: Option<Disposition>,
    /// `AST_AMA_DOCUMENTATION` (3) unless the channel says otherwise.
    pub amaflags: u8,
    pub uniqueid: String,
    pub linkedid: String,
    pub userfield: String,
    /// `Set(CDR(name)=value)` for names that are not fields.
    pub vars: Vec<(String, String)>,
    /// Dial began: lastapp/lastdata no longer change.
    pub app_locked: bool,
    /// The end is set: the record takes no more changes except at dispatch.
    pub finalized: bool,
}

/// `AST_AMA_DOCUMENTATION`, the default of every channel.
pub const AMA_DOCUMENTATION: u8 = 3;

/// `ast_channel_amaflags2string`.
pub fn amaflags_name(flags: u8) -> &'static str {
    match flags {
        1 => "OMIT",
        2 => "BILLING",
        3 => "DOCUMENTATION",
        _ => "Unknown",
    }
}

/// `ast_channel_string2amaflag`.
pub fn amaflags_parse(text: &str) -> Option<u8> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u8>() {
        return (1..=3).contains(&n).then_some(n);
    }
    match t.to_ascii_lowercase().as_str() {
        "omit" => Some(1),
        "billing" => Some(2),
        "documentation" | "default" => Some(3),
        _ => None,
    }
}

impl Cdr {
    /// Whole seconds from start to end (or to `now` while the call is up).
    pub fn duration(&self, now_ms: i64) -> i64 {
        let end = if self.end_ms == 0 {
            now_ms
        } else {
            self.end_ms
        };
        ((end - self.start_ms) / 1000).max(0)
    }

    /// Whole seconds from answer to end; 0 when never answered (`cdr_object_get_billsec`).
    pub fn billsec(&self, now_ms: i64, initiated_seconds: bool) -> i64 {
        if self.answer_ms == 0 {
            return 0;
        }
        let end = if self.end_ms == 0 {
            now_ms
        } else {
            self.end_ms
        };
        let ms = (end - self.answer_ms).max(0);
        if initiated_seconds && ms % 1000 >= 500 {
            ms / 1000 + 1
        } else {
            ms / 1000
        }
    }

    /// The disposition as the backends print it.
    pub fn disposition_str(&self) -> &'static str {
        self.disposition.unwrap_or(Disposition::Null).as_str()
    }

    /// `cdr_object_finalize`: set the end and decide the disposition if nothing did.
    fn finalize(&mut self, now_ms: i64, hangupcause: u16, opts: &CdrOptions) {
        if self.end_ms == 0 {
            self.end_ms = now_ms;
        }
        self.finalized = true;
        if self.disposition.is_none() {
            self.disposition = Some(if self.answer_ms != 0 {
                Disposition::Answered
            } else if hangupcause != 0 {
                match Disposition::from_cause(hangupcause, opts.congestion) {
                    Some(d) => d,
                    None => return,
                }
            } else {
                Disposition::Failed
            });
        }
    }
}

/// What a channel knows about itself when its record starts.
#[derive(Clone, Debug, Default)]
pub struct PartyA<'a> {
    pub channel: &'a str,
    pub uniqueid: &'a str,
    pub linkedid: &'a str,
    pub caller_num: &'a str,
    pub caller_name: &'a str,
    pub context: &'a str,
    pub exten: &'a str,
    pub accountcode: &'a str,
    pub answered: bool,
}

/// `ast_callerid_merge` with an empty "unknown": `"name" <num>`, `num`, or `name`.
pub fn merge_clid(name: &str, num: &str) -> String {
    match (name.is_empty(), num.is_empty()) {
        (false, false) => format!("\"{name}\" <{num}>"),
        (true, false) => num.to_string(),
        (false, true) => name.to_string(),
        (true, true) => String::new(),
    }
}

/// The records of one channel: the live one last.
#[derive(Clone, Debug, Default)]
pub struct CdrSet {
    pub records: Vec<Cdr>,
    /// NoCDR(): nothing of this channel is posted.
    pub disabled: bool,
    /// The channel took part in the dialplan's h extension.
    pub in_h: bool,
    /// The channel is up (a record started after a finished Dial is answered at once).
    pub up: bool,
}

/// A channel's CDR, shared between its dialplan task and the hooks of its driver and Dial.
pub type CdrHandle = Arc<Mutex<CdrSet>>;

/// Run `f` on the set behind `handle` (a poisoned lock is still usable: plain data).
pub fn with<R>(handle: &CdrHandle, f: impl FnOnce(&mut CdrSet) -> R) -> R {
    let mut g = handle.lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut g)
}

impl CdrSet {
    /// The live record (the last).
    pub fn current(&self) -> Option<&Cdr> {
        self.records.last()
    }

    pub fn current_mut(&mut self) -> Option<&mut Cdr> {
        self.records.last_mut()
    }

    /// The channel exists: its first record starts (`single_state_init_function`).
    pub fn start(&mut self, now_ms: i64, a: &PartyA<'_>) {
        if self.records.len() >= MAX_RECORDS {
            return;
        }
        let cdr = Cdr {
            accountcode: a.accountcode.to_string(),
            src: a.caller_num.to_string(),
            dst: a.exten.to_string(),
            dcontext: a.context.to_string(),
            clid: merge_clid(a.caller_name, a.caller_num),
            channel: a.channel.to_string(),
            start_ms: now_ms,
            answer_ms: if a.answered { now_ms } else { 0 },
            amaflags: AMA_DOCUMENTATION,
            uniqueid: a.uniqueid.to_string(),
            linkedid: a.linkedid.to_string(),
            ..Cdr::default()
        };
        self.records.push(cdr);
    }

    /// The dialplan runs `app(data)` at `context,exten` (`base_process_party_a`). After a
    /// finished Dial, the next application outside `h` starts a new record, as Asterisk's
    /// finalized state asks for one. `answered`: the channel is up now.
    pub fn app(
        &mut self,
        now_ms: i64,
        context: &str,
        exten: &str,
        app: &str,
        data: &str,
        answered: bool,
    ) {
        let answered = answered || self.up;
        let in_h = exten == "h";
        if in_h {
            self.in_h = true;
        }
        let needs_new = self.current().is_some_and(|c| c.finalized) && !in_h;
        if needs_new && self.records.len() < MAX_RECORDS {
            if let Some(prev) = self.current().cloned() {
                self.records.push(Cdr {
                    accountcode: prev.accountcode,
                    src: prev.src,
                    clid: prev.clid,
                    channel: prev.channel,
                    start_ms: now_ms,
                    answer_ms: if answered { now_ms } else { 0 },
                    amaflags: prev.amaflags,
                    uniqueid: prev.uniqueid,
                    linkedid: prev.linkedid,
                    userfield: prev.userfield,
                    ..Cdr::default()
                });
            }
        }
        let Some(cdr) = self.current_mut() else {
            return;
        };
        if cdr.finalized {
            return;
        }
        cdr.dcontext = context.to_string();
        cdr.dst = exten.to_string();
        if !app.is_empty() && !cdr.app_locked {
            cdr.lastapp = app.to_string();
            cdr.lastdata = data.to_string();
            if app == "Dial" {
                cdr.app_locked = true;
            }
        }
        if answered && cdr.answer_ms == 0 {
            cdr.answer_ms = now_ms;
        }
    }

    /// The caller went up (Answer(), or Dial answered it).
    pub fn answered(&mut self, now_ms: i64) {
        self.up = true;
        if let Some(cdr) = self.current_mut() {
            if !cdr.finalized && cdr.answer_ms == 0 {
                cdr.answer_ms = now_ms;
            }
        }
    }

    /// Dial called `peer` (`single_state_process_dial_begin`): it is Party B; the
    /// application is locked. Only the first peer of a parallel Dial is kept.
    pub fn dial_begin(&mut self, peer: &str) {
        if let Some(cdr) = self.current_mut() {
            if cdr.finalized {
                return;
            }
            if cdr.dstchannel.is_empty() {
                cdr.dstchannel = peer.to_string();
            }
            cdr.app_locked = true;
        }
    }

    /// The peer that answered becomes Party B.
    pub fn dial_answered_by(&mut self, peer: &str) {
        if let Some(cdr) = self.current_mut() {
            if !cdr.finalized {
                cdr.dstchannel = peer.to_string();
            }
        }
    }

    /// Dial ended with DIALSTATUS `status` (after the bridged call when answered): the
    /// record ends here (`dial_state_process_dial_end`, then bridge leave).
    pub fn dial_end(&mut self, now_ms: i64, status: &str, opts: &CdrOptions) {
        if let Some(cdr) = self.current_mut() {
            if cdr.finalized {
                return;
            }
            let d = Disposition::from_dial_status(status, opts.congestion);
            // A status that is not a dial outcome (no peer was ever called) leaves it open.
            if cdr.dstchannel.is_empty() && d != Disposition::Answered {
                cdr.disposition = Some(d);
                return;
            }
            cdr.disposition = Some(d);
            cdr.finalize(now_ms, 0, opts);
        }
    }

    /// ResetCDR(): the live record starts again now (`ast_cdr_reset`); its custom variables
    /// go unless `keep_vars`.
    pub fn reset(&mut self, now_ms: i64, answered: bool, keep_vars: bool) {
        if let Some(cdr) = self.current_mut() {
            if !keep_vars {
                cdr.vars.clear();
            }
            cdr.start_ms = now_ms;
            cdr.answer_ms = if answered { now_ms } else { 0 };
            cdr.end_ms = 0;
            cdr.disposition = None;
            cdr.finalized = false;
        }
    }

    /// The channel hung up with `hangupcause`: every record ends and the ones Asterisk
    /// posts are returned (`cdr_object_dispatch`): none after NoCDR(); an unanswered record
    /// without Party B only with `unanswered=yes`.
    pub fn hangup(&mut self, now_ms: i64, hangupcause: u16, opts: &CdrOptions) -> Vec<Cdr> {
        for cdr in &mut self.records {
            cdr.finalize(now_ms, hangupcause, opts);
        }
        let records = std::mem::take(&mut self.records);
        if self.disabled {
            return Vec::new();
        }
        records
            .into_iter()
            .filter(|c| opts.unanswered || c.answer_ms != 0 || !c.dstchannel.is_empty())
            .collect()
    }

    /// A custom variable of the live record.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.current()?
            .vars
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        if let Some(cdr) = self.current_mut() {
            if let Some(slot) = cdr
                .vars
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                slot.1 = value.to_string();
            } else if cdr.vars.len() < MAX_VARS {
                cdr.vars.push((name.to_string(), value.to_string()));
            }
        }
    }
}

#[cfg(test)]
#[path = "cdr_tests.rs"]
mod tests;
