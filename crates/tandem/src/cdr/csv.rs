//! cdr_csv.c: one line per record appended to `DATA/cdr-csv/Master.csv` (and to
//! `ACCOUNTCODE.csv` with `accountlogs=yes`). Strings in double quotes with `"` doubled,
//! integers bare, an unset time an empty field; the file is opened, written and closed for
//! each record, as cdr_csv.c does "because of the absolutely unconditional need for the
//! highest reliability possible in writing billing records".

use std::io::Write;
use std::path::Path;

use tandem_core::cdr::{self, Cdr};

use super::conf::CsvConf;

fn push_str(line: &mut String, s: &str) {
    line.push('"');
    for c in s.chars() {
        if c == '"' {
            line.push('"');
        }
        line.push(c);
    }
    line.push_str("\",");
}

fn push_int(line: &mut String, n: i64) {
    line.push_str(&n.to_string());
    line.push(',');
}

/// `YYYY-MM-DD HH:MM:SS` (cdr_csv's DATE_FORMAT "%Y-%m-%d %T"), local time or UTC.
pub fn format_time(ms: i64, gmt: bool) -> String {
    if ms == 0 {
        return String::new();
    }
    let Some(utc) = chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0) else {
        return String::new();
    };
    if gmt {
        utc.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        utc.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
}

fn push_date(line: &mut String, ms: i64, gmt: bool) {
    if ms == 0 {
        line.push(',');
    } else {
        push_str(line, &format_time(ms, gmt));
    }
}

/// `build_csv_record`.
pub fn line(c: &Cdr, conf: &CsvConf, initiated_seconds: bool) -> String {
    let mut l = String::with_capacity(256);
    push_str(&mut l, &c.accountcode);
    push_str(&mut l, &c.src);
    push_str(&mut l, &c.dst);
    push_str(&mut l, &c.dcontext);
    push_str(&mut l, &c.clid);
    push_str(&mut l, &c.channel);
    push_str(&mut l, &c.dstchannel);
    push_str(&mut l, &c.lastapp);
    push_str(&mut l, &c.lastdata);
    push_date(&mut l, c.start_ms, conf.usegmtime);
    push_date(&mut l, c.answer_ms, conf.usegmtime);
    push_date(&mut l, c.end_ms, conf.usegmtime);
    push_int(&mut l, c.duration(c.end_ms));
    push_int(&mut l, c.billsec(c.end_ms, initiated_seconds));
    push_str(&mut l, c.disposition_str());
    push_str(&mut l, cdr::amaflags_name(c.amaflags));
    if conf.loguniqueid {
        push_str(&mut l, &c.uniqueid);
    }
    if conf.loguserfield {
        push_str(&mut l, &c.userfield);
    }
    if conf.newcdrcolumns {
        push_str(&mut l, "");
        push_str(&mut l, &c.linkedid);
        push_int(&mut l, 0);
    }
    l.pop();
    l.push('\n');
    l
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_data()
}

/// Append `c` to Master.csv (and the account's file) under `dir` (`DATA/cdr-csv`).
pub fn write(dir: &Path, c: &Cdr, conf: &CsvConf, initiated_seconds: bool) {
    let text = line(c, conf, initiated_seconds);
    if let Err(e) = std::fs::create_dir_all(dir) {
        tracing::error!("CDR csv: cannot create {}: {e}", dir.display());
        return;
    }
    let master = dir.join("Master.csv");
    if let Err(e) = append(&master, &text) {
        tracing::error!("Unable to re-open master file {} : {e}", master.display());
    }
    if conf.accountlogs && !c.accountcode.is_empty() {
        if c.accountcode.contains('/') || c.accountcode.starts_with('.') {
            tracing::warn!("Account code '{}' insecure for writing file", c.accountcode);
        } else if let Err(e) = append(&dir.join(format!("{}.csv", c.accountcode)), &text) {
            tracing::warn!(
                "Unable to write CSV record to account file '{}' : {e}",
                c.accountcode
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_csv_quotes_strings_doubles_quotes_and_leaves_unset_times_empty() {
        let c = Cdr {
            src: "100".into(),
            dst: "200".into(),
            dcontext: "phones".into(),
            clid: "\"Alice\" <100>".into(),
            channel: "SIP/alice-00000001".into(),
            dstchannel: "SIP/bob-00000002".into(),
            lastapp: "Dial".into(),
            lastdata: "SIP/bob,20".into(),
            start_ms: 1_764_000_000_000,
            end_ms: 1_764_000_005_000,
            disposition: Some(cdr::Disposition::Busy),
            amaflags: cdr::AMA_DOCUMENTATION,
            uniqueid: "1764000000.1".into(),
            ..Cdr::default()
        };
        let conf = CsvConf {
            usegmtime: true,
            ..CsvConf::default()
        };
        assert_eq!(
            line(&c, &conf, false),
            "\"\",\"100\",\"200\",\"phones\",\"\"\"Alice\"\" <100>\",\"SIP/alice-00000001\",\
             \"SIP/bob-00000002\",\"Dial\",\"SIP/bob,20\",\"2025-11-24 16:00:00\",,\
             \"2025-11-24 16:00:05\",5,0,\"BUSY\",\"DOCUMENTATION\"\n"
        );
        let conf = CsvConf {
            usegmtime: true,
            loguniqueid: true,
            loguserfield: true,
            ..CsvConf::default()
        };
        assert!(line(&c, &conf, false).ends_with(",\"DOCUMENTATION\",\"1764000000.1\",\"\"\n"));
    }
}
