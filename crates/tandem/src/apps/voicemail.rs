//! VoiceMail(mailbox[@context][&mailbox[@context]...][,options]), as app_voicemail's
//! `leave_voicemail`:
//!
//! - an unknown mailbox is a warning and VMSTATUS=FAILED (the dialplan goes on);
//! - `u` / `b`: the mailbox's `unavail` / `busy` greeting from its spool directory, else the
//!   built-in one: `vm-theperson`, the mailbox's digits, `vm-isunavail` / `vm-isonphone`
//!   (a `temp` greeting wins over both); without `u` or `b` no greeting;
//! - `vm-intro` unless `s`; then the beep and the recording, ended by `#`, `maxsilence`
//!   seconds of silence (threshold `silencethreshold`) or `maxsecs`; `auth-thankyou` when the
//!   caller ended it (not on hangup);
//! - during the greeting `#` skips to the beep, `*` goes to extension `a` and `0` (only with
//!   `operator=yes`) to extension `o` of the current context when they exist
//!   (VMSTATUS=USEREXIT);
//! - a message shorter than `minsecs` is not kept (VMSTATUS=FAILED); a kept one goes to
//!   `DATA/voicemail/CONTEXT/MAILBOX/INBOX/msgNNNN.wav` with its `.txt`, a store row, and an
//!   MWI update; VMSTATUS=SUCCESS.

use std::sync::Arc;
use std::time::Duration;

use tandem_conf::views::voicemail::Mailbox;
use tandem_core::host::Reply;
use tandem_store::VoicemailRow;

use super::prompt::{self, Heard};
use super::vm_spool::{self, MessageMeta, Spool};
use super::AppCx;
use crate::media::recorder::{RecordEnd, RecordSpec, Terminators, RATE};

/// `box@context` with the `default` context when none is written.
pub fn split_box(spec: &str) -> (String, String) {
    match spec.trim().split_once('@') {
        Some((b, c)) if !c.is_empty() => (b.to_string(), c.to_string()),
        Some((b, _)) => (b.to_string(), "default".to_string()),
        None => (spec.trim().to_string(), "default".to_string()),
    }
}

/// Which greeting the options ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greeting {
    None,
    Unavailable,
    Busy,
}

pub fn greeting(options: &str) -> Greeting {
    if options.contains('b') {
        Greeting::Busy
    } else if options.contains('u') {
        Greeting::Unavailable
    } else {
        Greeting::None
    }
}

/// The built-in greeting (`invent_message`): the person at extension N is unavailable / on
/// the phone.
pub fn default_greeting(mailbox: &str, which: Greeting) -> Vec<String> {
    let mut out = vec!["vm-theperson".to_string()];
    out.extend(
        mailbox
            .chars()
            .filter(char::is_ascii_digit)
            .map(|d| format!("digits/{d}")),
    );
    out.push(
        match which {
            Greeting::Busy => "vm-isonphone",
            _ => "vm-isunavail",
        }
        .to_string(),
    );
    out
}

pub async fn exec(mut cx: AppCx<'_>, data: &str) -> Reply {
    let mut parts = data.splitn(2, ',');
    let boxes: Vec<(String, String)> = parts
        .next()
        .unwrap_or_default()
        .split('&')
        .filter(|b| !b.trim().is_empty())
        .map(split_box)
        .collect();
    let options = parts.next().unwrap_or_default().to_string();
    let conf = &cx.world.apps.voicemail;
    let Some((first_box, first_ctx)) = boxes.first().cloned() else {
        tracing::warn!("{}: VoiceMail requires an argument (mailbox)", cx.chan.name);
        cx.chan.set_var("VMSTATUS", "FAILED");
        return Reply::Done;
    };
    let found: Vec<Mailbox> = boxes
        .iter()
        .filter_map(|(b, c)| {
            let m = conf.find(c, b).cloned();
            if m.is_none() {
                tracing::warn!("No entry in voicemail config file for '{b}@{c}'");
            }
            m
        })
        .filter(|m| vm_spool::safe_component(&m.mailbox) && vm_spool::safe_component(&m.context))
        .collect();
    let Some(target) = found.first().cloned() else {
        cx.chan.set_var("VMSTATUS", "FAILED");
        return Reply::Done;
    };
    let general = conf.general.clone();
    let spool = Spool::new(vm_spool::spool_root(), Arc::clone(&cx.world.shared.store));
    if !prompt::answer(&mut cx).await {
        return Reply::HungUp;
    }
    // Escape digits of the greeting: # skips it; * and 0 leave when their extension exists.
    let dialplan = cx.world.shared.dialplan();
    let now = cx.world.shared.now();
    let cid = cx.chan.caller.num.clone();
    let exists = |ext: &str| dialplan.exists(&cx.chan.context, ext, Some(&cid), now);
    let mut escape = String::from("#");
    if exists("a") {
        escape.push('*');
    }
    if target.operator(&general) && exists("o") {
        escape.push('0');
    }
    let mut prompts = Vec::new();
    let dir = spool.mailbox_dir(&target.context, &target.mailbox);
    let which = greeting(&options);
    let file = |name: &str| {
        let base = dir.join(name);
        base.with_extension("wav")
            .is_file()
            .then(|| base.to_string_lossy().to_string())
    };
    if which != Greeting::None {
        let own = file("temp").or_else(|| {
            file(match which {
                Greeting::Busy => "busy",
                _ => "unavail",
            })
        });
        prompts.extend(own.map_or_else(|| default_greeting(&first_box, which), |f| vec![f]));
    }
    if !options.contains('s') {
        prompts.push("vm-intro".into());
    }
    match prompt::play(&mut cx, &prompts, &escape).await {
        Heard::HungUp => return Reply::HungUp,
        Heard::Digit(d @ ('*' | '0')) => {
            let ext = if d == '*' { "a" } else { "o" };
            tracing::info!(
                "{}: VoiceMail: {d} goes to {ext}@{}",
                cx.chan.name,
                cx.chan.context
            );
            cx.chan.set_var("VMSTATUS", "USEREXIT");
            cx.chan.exten = ext.to_string();
            cx.chan.priority = 1;
            return Reply::Jump;
        }
        _ => {}
    }
    if prompt::play(&mut cx, &["beep".to_string()], "").await == Heard::HungUp {
        return Reply::HungUp;
    }
    let spec = RecordSpec {
        terminators: Terminators::Digits("#".into()),
        operator: false,
        max: (general.maxsecs > 0).then(|| Duration::from_secs(u64::from(general.maxsecs))),
        silence_ms: u64::from(general.maxsilence) * 1000,
        threshold: general.silencethreshold,
    };
    let Some((end, samples)) = prompt::record(&mut cx, &spec).await else {
        tracing::warn!(
            "{}: no codec tandem can decode: cannot record",
            cx.chan.name
        );
        cx.chan.set_var("VMSTATUS", "FAILED");
        return Reply::Done;
    };
    let seconds = (samples.len() as u64 / u64::from(RATE)) as u32;
    let status = if samples.is_empty() || seconds < general.minsecs {
        tracing::info!(
            "{}: VoiceMail: message of {seconds} s is shorter than minsecs={}: not kept",
            cx.chan.name,
            general.minsecs
        );
        "FAILED"
    } else {
        let when = cx.world.shared.now();
        let row = VoicemailRow {
            id: 0,
            context: String::new(),
            mailbox: String::new(),
            folder: String::new(),
            msgnum: 0,
            callerid: callerid(&cx.chan.caller.name, &cx.chan.caller.num),
            origtime: when.epoch,
            duration: seconds.max(1),
        };
        let meta = MessageMeta {
            exten: cx.chan.exten.clone(),
            priority: cx.chan.priority,
            callerchan: cx.chan.name.clone(),
            origdate: when
                .datetime()
                .format("%a %b %d %I:%M:%S %p %Z %Y")
                .to_string(),
        };
        let mut ok = false;
        for m in &found {
            let row = VoicemailRow {
                context: m.context.clone(),
                mailbox: m.mailbox.clone(),
                ..row.clone()
            };
            match spool.deliver(row, &samples, &meta, general.maxmsg) {
                Ok(_) => ok = true,
                Err(e) => tracing::warn!("{}: VoiceMail: {e}", cx.chan.name),
            }
        }
        if ok {
            "SUCCESS"
        } else {
            "FAILED"
        }
    };
    tracing::info!(
        "{}: VoiceMail to {first_box}@{first_ctx}: VMSTATUS={status}",
        cx.chan.name
    );
    cx.chan.set_var("VMSTATUS", status);
    match end {
        RecordEnd::HungUp => Reply::HungUp,
        _ => {
            if prompt::play(&mut cx, &["auth-thankyou".to_string()], "").await == Heard::HungUp {
                return Reply::HungUp;
            }
            Reply::Done
        }
    }
}

/// `"Name" <num>` as app_voicemail writes `callerid=`; `Unknown` when there is neither.
pub fn callerid(name: &str, num: &str) -> String {
    match (name.is_empty(), num.is_empty()) {
        (true, true) => "Unknown".to_string(),
        (true, false) => format!("<{num}>"),
        (false, true) => format!("\"{name}\""),
        (false, false) => format!("\"{name}\" <{num}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_without_context_is_in_default() {
        assert_eq!(split_box("100"), ("100".into(), "default".into()));
        assert_eq!(split_box("100@sales"), ("100".into(), "sales".into()));
        assert_eq!(split_box("100@"), ("100".into(), "default".into()));
    }

    #[test]
    fn busy_wins_over_unavailable_and_the_default_greeting_says_the_digits() {
        assert_eq!(greeting("ub"), Greeting::Busy);
        assert_eq!(greeting("su"), Greeting::Unavailable);
        assert_eq!(greeting("s"), Greeting::None);
        assert_eq!(
            default_greeting("102", Greeting::Unavailable),
            vec![
                "vm-theperson",
                "digits/1",
                "digits/0",
                "digits/2",
                "vm-isunavail"
            ]
        );
        assert_eq!(
            default_greeting("7", Greeting::Busy)
                .last()
                .map(String::as_str),
            Some("vm-isonphone")
        );
    }

    #[test]
    fn caller_id_is_written_as_asterisk_writes_it() {
        assert_eq!(callerid("Alice", "6001"), "\"Alice\" <6001>");
        assert_eq!(callerid("", "6001"), "<6001>");
        assert_eq!(callerid("", ""), "Unknown");
    }
}
