//! The voicemail index: one row per message, beside the sound file in the spool
//! (`DATA/voicemail/CONTEXT/MAILBOX/FOLDER/msgNNNN.wav`, Asterisk's layout). The row says
//! where the message is (context, mailbox, folder, number) and what `msgNNNN.txt` says of it
//! (caller id, when, how long), so counting messages for MWI needs no directory scan.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailRow {
    /// Assigned by the store on insert (ignored by [`crate::Store::vm_insert`]).
    pub id: i64,
    pub context: String,
    pub mailbox: String,
    /// `INBOX` (new), `Old`, `Work`, `Family`, `Friends`...
    pub folder: String,
    /// The NNNN of `msgNNNN`.
    pub msgnum: u32,
    /// `"Name" <number>` as Asterisk writes `callerid=`.
    pub callerid: String,
    /// When it was left, seconds since the Unix epoch.
    pub origtime: i64,
    /// Length in seconds.
    pub duration: u32,
}

const COLUMNS: &str = "id, context, mailbox, folder, msgnum, callerid, origtime, duration";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VoicemailRow> {
    Ok(VoicemailRow {
        id: r.get(0)?,
        context: r.get(1)?,
        mailbox: r.get(2)?,
        folder: r.get(3)?,
        msgnum: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        callerid: r.get(5)?,
        origtime: r.get(6)?,
        duration: u32::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
    })
}

pub(crate) fn insert(conn: &Connection, row: &VoicemailRow) -> Result<i64> {
    conn.execute(
        "INSERT INTO voicemail (context, mailbox, folder, msgnum, callerid, origtime, duration)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            row.context,
            row.mailbox,
            row.folder,
            i64::from(row.msgnum),
            row.callerid,
            row.origtime,
            i64::from(row.duration)
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn list(
    conn: &Connection,
    context: &str,
    mailbox: &str,
    folder: &str,
) -> Result<Vec<VoicemailRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM voicemail WHERE context = ?1 AND mailbox = ?2 AND folder = ?3
         ORDER BY msgnum"
    ))?;
    let rows = stmt
        .query_map(params![context, mailbox, folder], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn count(conn: &Connection, context: &str, mailbox: &str, folder: &str) -> Result<u32> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM voicemail WHERE context = ?1 AND mailbox = ?2 AND folder = ?3",
        params![context, mailbox, folder],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<VoicemailRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM voicemail WHERE id = ?1"),
            params![id],
            from_row,
        )
        .optional()?)
}

pub(crate) fn relocate(conn: &Connection, id: i64, folder: &str, msgnum: u32) -> Result<bool> {
    let n = conn.execute(
        "UPDATE voicemail SET folder = ?2, msgnum = ?3 WHERE id = ?1",
        params![id, folder, i64::from(msgnum)],
    )?;
    Ok(n > 0)
}

pub(crate) fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM voicemail WHERE id = ?1", params![id])? > 0)
}
