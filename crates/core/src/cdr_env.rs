//! `CDR(field)` reads and writes on a channel's live record, as funcs/func_cdr.c and
//! `ast_cdr_format_var` / `ast_cdr_setvar` in main/cdr.c do.

use tandem_dialplan::LocalTime;

use crate::cdr::{self, CdrHandle, Disposition};
use crate::channel::Channel;

/// The names `ast_cdr_setvar` refuses to set as variables (`cdr_readonly_vars`).
const READ_ONLY: &[&str] = &[
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "uniqueid",
    "linkedid",
    "sequence",
];

/// `enum ast_cdr_disposition` values, for the `u` option.
fn disposition_number(d: Option<Disposition>) -> u32 {
    match d {
        None | Some(Disposition::Null) => 1,
        Some(Disposition::NoAnswer) => 0,
        Some(Disposition::Failed) => 2,
        Some(Disposition::Busy) => 4,
        Some(Disposition::Answered) => 8,
        Some(Disposition::Congestion) => 16,
    }
}

/// A time field: empty when unset; `%Y-%m-%d %H:%M:%S` local time, or epoch
/// `seconds.micros` with `u`.
fn time_field(ms: i64, raw: bool, now: LocalTime) -> String {
    if ms == 0 {
        return String::new();
    }
    if raw {
        return format!("{}.{:06}", ms.div_euclid(1000), ms.rem_euclid(1000) * 1000);
    }
    LocalTime::new(ms.div_euclid(1000), now.utc_offset)
        .datetime()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

pub(crate) fn read(
    handle: &CdrHandle,
    field: &str,
    raw: bool,
    float: bool,
    now: LocalTime,
) -> Option<String> {
    let now_ms = now.epoch.saturating_mul(1000);
    cdr::with(handle, |set| {
        let c = set.current()?;
        let name = field.to_ascii_lowercase();
        Some(match name.as_str() {
            "clid" => c.clid.clone(),
            "src" => c.src.clone(),
            "dst" => c.dst.clone(),
            "dcontext" => c.dcontext.clone(),
            "channel" => c.channel.clone(),
            "dstchannel" => c.dstchannel.clone(),
            "lastapp" => c.lastapp.clone(),
            "lastdata" => c.lastdata.clone(),
            "start" => time_field(c.start_ms, raw, now),
            "answer" => time_field(c.answer_ms, raw, now),
            "end" => time_field(c.end_ms, raw, now),
            "duration" | "billsec" => {
                let end = if c.end_ms == 0 { now_ms } else { c.end_ms };
                let from = if name == "duration" {
                    c.start_ms
                } else {
                    c.answer_ms
                };
                if float {
                    if from == 0 {
                        "0.000000".to_string()
                    } else {
                        format!("{:.6}", (end - from).max(0) as f64 / 1000.0)
                    }
                } else if name == "duration" {
                    c.duration(now_ms).to_string()
                } else {
                    c.billsec(now_ms, false).to_string()
                }
            }
            "disposition" if raw => disposition_number(c.disposition).to_string(),
            "disposition" => c.disposition_str().to_string(),
            "amaflags" if raw => c.amaflags.to_string(),
            "amaflags" => cdr::amaflags_name(c.amaflags).to_string(),
            "accountcode" => c.accountcode.clone(),
            "uniqueid" => c.uniqueid.clone(),
            "linkedid" => c.linkedid.clone(),
            "userfield" => c.userfield.clone(),
            "sequence" => "0".to_string(),
            _ => return set.var(field).map(str::to_string),
        })
    })
}

pub(crate) fn write(chan: &mut Channel, field: &str, value: &str) -> Result<(), String> {
    let name = field.trim().to_ascii_lowercase();
    let handle = chan.cdr.clone();
    cdr::with(&handle, |set| {
        if set.current().is_none() {
            return Err(format!(
                "Unable to set CDR({field}): no CDR on {}",
                chan.name
            ));
        }
        match name.as_str() {
            "userfield" => {
                if let Some(c) = set.current_mut() {
                    c.userfield = value.to_string();
                }
            }
            "accountcode" => {
                chan.accountcode = value.to_string();
                if let Some(c) = set.current_mut() {
                    c.accountcode = value.to_string();
                }
            }
            "amaflags" => {
                let flags = cdr::amaflags_parse(value)
                    .ok_or_else(|| format!("Unknown AMA flag '{value}'"))?;
                if let Some(c) = set.current_mut() {
                    c.amaflags = flags;
                }
            }
            "peeraccount" => {
                return Err("The 'peeraccount' setting is not supported".to_string());
            }
            n if READ_ONLY.contains(&n) => {
                return Err(format!("Attempt to set the '{field}' read-only variable!"));
            }
            _ => set.set_var(field.trim(), value),
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::PartyA;

    fn chan() -> Channel {
        let chan = Channel::new("SIP/alice-00000001", "1700000000.1", "phones", "200");
        cdr::with(&chan.cdr, |s| {
            s.start(
                1_700_000_000_250,
                &PartyA {
                    channel: "SIP/alice-00000001",
                    uniqueid: "1700000000.1",
                    linkedid: "1700000000.1",
                    caller_num: "100",
                    ..PartyA::default()
                },
            )
        });
        chan
    }

    #[test]
    fn reads_fields_and_formats_times() {
        let c = chan();
        let now = LocalTime::new(1_700_000_005, 3600);
        assert_eq!(
            read(&c.cdr, "src", false, false, now).as_deref(),
            Some("100")
        );
        assert_eq!(
            read(&c.cdr, "start", false, false, now).as_deref(),
            Some("2023-11-14 23:13:20")
        );
        assert_eq!(
            read(&c.cdr, "start", true, false, now).as_deref(),
            Some("1700000000.250000")
        );
        assert_eq!(
            read(&c.cdr, "answer", false, false, now).as_deref(),
            Some("")
        );
        assert_eq!(
            read(&c.cdr, "duration", false, false, now).as_deref(),
            Some("4")
        );
        assert_eq!(
            read(&c.cdr, "billsec", false, false, now).as_deref(),
            Some("0")
        );
        assert_eq!(
            read(&c.cdr, "amaflags", false, false, now).as_deref(),
            Some("DOCUMENTATION")
        );
        assert_eq!(read(&c.cdr, "nosuch", false, false, now), None);
    }

    #[test]
    fn userfield_and_variables_write_read_only_fields_refuse() {
        let mut c = chan();
        let now = LocalTime::new(1_700_000_005, 0);
        write(&mut c, "userfield", "vip").unwrap_or_default();
        assert_eq!(
            read(&c.cdr, "userfield", false, false, now).as_deref(),
            Some("vip")
        );
        write(&mut c, "accountcode", "sales").unwrap_or_default();
        assert_eq!(c.accountcode, "sales");
        write(&mut c, "mine", "x").unwrap_or_default();
        assert_eq!(
            read(&c.cdr, "MINE", false, false, now).as_deref(),
            Some("x")
        );
        assert!(write(&mut c, "src", "1").is_err());
        assert!(write(&mut c, "amaflags", "bogus").is_err());
        write(&mut c, "amaflags", "billing").unwrap_or_default();
        assert_eq!(
            read(&c.cdr, "amaflags", true, false, now).as_deref(),
            Some("2")
        );
    }
}
