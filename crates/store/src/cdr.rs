//! Call detail records: one row per posted record, in a table with Asterisk's column names
//! (those of its `cdr` table for cdr_pgsql/cdr_odbc: calldate, clid, src, dst, dcontext,
//! channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
//! disposition, amaflags, accountcode, uniqueid, linkedid, userfield, peeraccount, sequence).
//!
//! Durability: each row is inserted in its own transaction and the call that posted it waits
//! for the commit. The database runs in WAL mode; a commit appends the transaction's frames
//! to the `-wal` file with write(2) before it returns, so once `cdr_insert` has returned the
//! row survives the process being killed (kill -9): the data is in the kernel's page cache
//! and the next open replays the WAL. `synchronous=NORMAL` only leaves the last commits open
//! to a power cut or kernel crash (no fsync per commit); set `synchronous=FULL` for that.

use rusqlite::{params, Connection};

use crate::Result;

/// One posted record, ready for a table (times already formatted as `YYYY-MM-DD HH:MM:SS`,
/// empty when unset, as Asterisk's backends write them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdrRow {
    pub calldate: String,
    pub clid: String,
    pub src: String,
    pub dst: String,
    pub dcontext: String,
    pub channel: String,
    pub dstchannel: String,
    pub lastapp: String,
    pub lastdata: String,
    pub start: String,
    pub answer: String,
    pub end: String,
    pub duration: i64,
    pub billsec: i64,
    pub disposition: String,
    pub amaflags: i64,
    pub accountcode: String,
    pub uniqueid: String,
    pub linkedid: String,
    pub userfield: String,
    pub peeraccount: String,
    pub sequence: i64,
}

/// The column list, in the order of [`CdrRow::values`].
pub const COLUMNS: &[&str] = &[
    "calldate",
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
    "amaflags",
    "accountcode",
    "uniqueid",
    "linkedid",
    "userfield",
    "peeraccount",
    "sequence",
];

/// A column value: text or an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdrValue<'a> {
    Text(&'a str),
    Int(i64),
}

impl CdrRow {
    /// The values in [`COLUMNS`] order.
    pub fn values(&self) -> [CdrValue<'_>; 22] {
        use CdrValue::{Int, Text};
        [
            Text(&self.calldate),
            Text(&self.clid),
            Text(&self.src),
            Text(&self.dst),
            Text(&self.dcontext),
            Text(&self.channel),
            Text(&self.dstchannel),
            Text(&self.lastapp),
            Text(&self.lastdata),
            Text(&self.start),
            Text(&self.answer),
            Text(&self.end),
            Int(self.duration),
            Int(self.billsec),
            Text(&self.disposition),
            Int(self.amaflags),
            Text(&self.accountcode),
            Text(&self.uniqueid),
            Text(&self.linkedid),
            Text(&self.userfield),
            Text(&self.peeraccount),
            Int(self.sequence),
        ]
    }
}

/// `"calldate", "clid", ...` quoted (`end` is an SQL keyword).
pub fn quoted_columns() -> String {
    COLUMNS
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn insert(conn: &mut Connection, row: &CdrRow) -> Result<()> {
    let placeholders = (1..=COLUMNS.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO cdr ({}) VALUES ({placeholders})",
        quoted_columns()
    );
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(&sql)?;
        let vals = row.values();
        let params: Vec<&dyn rusqlite::ToSql> = vals
            .iter()
            .map(|v| match v {
                CdrValue::Text(t) => t as &dyn rusqlite::ToSql,
                CdrValue::Int(i) => i as &dyn rusqlite::ToSql,
            })
            .collect();
        stmt.execute(params.as_slice())?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM cdr", params![], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use crate::{SqliteStore, Store};

    use super::*;

    #[test]
    fn a_record_round_trips_with_asterisk_column_names() {
        let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let row = CdrRow {
            src: "100".into(),
            dst: "200".into(),
            disposition: "ANSWERED".into(),
            duration: 12,
            billsec: 9,
            end: "2026-11-26 10:00:12".into(),
            ..CdrRow::default()
        };
        store.cdr_insert(&row).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.cdr_count().unwrap_or_default(), 1);
        let conn = store.lock_for_tests();
        let (d, b, e): (String, i64, String) = conn
            .query_row(
                "SELECT disposition, billsec, \"end\" FROM cdr WHERE src = '100'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (d.as_str(), b, e.as_str()),
            ("ANSWERED", 9, "2026-11-26 10:00:12")
        );
    }
}
