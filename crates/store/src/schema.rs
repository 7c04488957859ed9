//! The SQLite schema as an ordered list of migrations; `PRAGMA user_version` records how many
//! have run. Append only: a released migration is never edited. Registrations, CDR and the
//! voicemail index arrive as new entries at the end.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// Migration N (1-based) brings the schema from version N-1 to N.
pub const MIGRATIONS: &[&str] = &[
    // 1: the astdb, with Asterisk's own table layout (main/db.c), so an Asterisk
    // astdb.sqlite3 can be copied in.
    "CREATE TABLE IF NOT EXISTS astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key));",
    // 2: SIP registrations, one row per (peer, contact); expiry in Unix seconds.
    "CREATE TABLE IF NOT EXISTS registrations(
        aor TEXT NOT NULL,
        contact TEXT NOT NULL,
        expires_epoch INTEGER NOT NULL,
        call_id TEXT NOT NULL,
        cseq INTEGER NOT NULL,
        source TEXT NOT NULL,
        transport TEXT NOT NULL,
        user_agent TEXT NOT NULL DEFAULT '',
        path TEXT NOT NULL DEFAULT '',
        instance TEXT NOT NULL DEFAULT '',
        route_to_source INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(aor, contact)
    );",
    // 3: the voicemail index, one row per message (the sound is in the spool directory).
    "CREATE TABLE IF NOT EXISTS voicemail(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        context TEXT NOT NULL,
        mailbox TEXT NOT NULL,
        folder TEXT NOT NULL,
        msgnum INTEGER NOT NULL,
        callerid TEXT NOT NULL DEFAULT '',
        origtime INTEGER NOT NULL DEFAULT 0,
        duration INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS voicemail_box ON voicemail(context, mailbox, folder, msgnum);",
    // 4: call detail records with Asterisk's column names (its cdr table).
    "CREATE TABLE IF NOT EXISTS cdr(
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        calldate TEXT NOT NULL DEFAULT '',
        clid TEXT NOT NULL DEFAULT '',
        src TEXT NOT NULL DEFAULT '',
        dst TEXT NOT NULL DEFAULT '',
        dcontext TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '',
        dstchannel TEXT NOT NULL DEFAULT '',
        lastapp TEXT NOT NULL DEFAULT '',
        lastdata TEXT NOT NULL DEFAULT '',
        start TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL DEFAULT '',
        \"end\" TEXT NOT NULL DEFAULT '',
        duration INTEGER NOT NULL DEFAULT 0,
        billsec INTEGER NOT NULL DEFAULT 0,
        disposition TEXT NOT NULL DEFAULT '',
        amaflags INTEGER NOT NULL DEFAULT 0,
        accountcode TEXT NOT NULL DEFAULT '',
        uniqueid TEXT NOT NULL DEFAULT '',
        linkedid TEXT NOT NULL DEFAULT '',
        userfield TEXT NOT NULL DEFAULT '',
        peeraccount TEXT NOT NULL DEFAULT '',
        sequence INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS cdr_uniqueid ON cdr(uniqueid);",
];

/// The schema version this tandem writes: the number of migrations.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Run every migration the database has not seen, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let found = version(conn)?;
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
