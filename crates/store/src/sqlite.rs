//! The embedded SQLite backend.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use crate::astdb::{full_key, tree_prefix};
use crate::registrations::{self, RegistrationRow};
use crate::voicemail::{self, VoicemailRow};
use crate::{schema, Result, Store};

/// How long a writer waits for another process holding the database (e.g. `tandem cli`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The astdb and friends in one SQLite file. One connection behind a mutex: SQLite serialises
/// writers anyway, and the astdb sees a handful of writes per call at most.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Open (creating if needed) the database file, switch it to WAL and bring the schema up
    /// to date.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let _mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// A private database that lives as long as the value (tests, `dialplan run`).
    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory()?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        schema::version(&self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere while holding the lock leaves SQLite itself consistent (an open
        // transaction rolls back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

// Tree matching is Asterisk's own SQL: `key || '/' LIKE prefix || '/' || '%'`. So `/fam`
// covers `/fam/x` but not `/family/x`; and like Asterisk, the match ignores ASCII case and
// treats `_` and `%` in the prefix as wildcards.
const TREE_MATCH: &str = "key || '/' LIKE ?1 || '/' || '%'";

impl Store for SqliteStore {
    fn db_get(&self, family: &str, key: &str) -> Result<Option<String>> {
        let k = full_key(family, key)?;
        let conn = self.lock();
        let v = conn
            .query_row("SELECT value FROM astdb WHERE key = ?1", params![k], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?;
        Ok(v.flatten())
    }

    fn db_put(&self, family: &str, key: &str, value: &str) -> Result<()> {
        let k = full_key(family, key)?;
        self.lock().execute(
            "INSERT OR REPLACE INTO astdb (key, value) VALUES (?1, ?2)",
            params![k, value],
        )?;
        Ok(())
    }

    fn db_delete(&self, family: &str, key: &str) -> Result<Option<String>> {
        let k = full_key(family, key)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let old = tx
            .query_row("SELECT value FROM astdb WHERE key = ?1", params![k], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten();
        tx.execute("DELETE FROM astdb WHERE key = ?1", params![k])?;
        tx.commit()?;
        Ok(old)
    }

    fn db_deltree(&self, family: &str, subtree: Option<&str>) -> Result<usize> {
        let prefix = tree_prefix(family, subtree)?;
        let conn = self.lock();
        let n = match prefix {
            Some(p) => {
                conn.execute(&format!("DELETE FROM astdb WHERE {TREE_MATCH}"), params![p])?
            }
            None => conn.execute("DELETE FROM astdb", [])?,
        };
        Ok(n)
    }

    fn db_show(&self, prefix: Option<&str>) -> Result<Vec<(String, String)>> {
        let conn = self.lock();
        let p = prefix
            .map(|p| p.trim_start_matches('/'))
            .filter(|p| !p.is_empty());
        let (sql, arg) = match p {
            Some(p) => {
                let (family, tree) = match p.split_once('/') {
                    Some((f, t)) => (f, Some(t)),
                    None => (p, None),
                };
                (
                    format!("SELECT key, value FROM astdb WHERE {TREE_MATCH} ORDER BY key"),
                    tree_prefix(family, tree)?,
                )
            }
            None => (
                "SELECT key, value FROM astdb ORDER BY key".to_string(),
                None,
            ),
        };
        let mut stmt = conn.prepare(&sql)?;
        let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(String, Option<String>)> {
            Ok((r.get(0)?, r.get(1)?))
        };
        let rows = match &arg {
            Some(a) => stmt
                .query_map(params![a], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => stmt
                .query_map([], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect())
    }

    fn save_registration(&self, row: &RegistrationRow) -> Result<()> {
        let expires = i64::try_from(row.expires_epoch).unwrap_or(i64::MAX);
        self.lock().execute(
            &format!("INSERT OR REPLACE INTO registrations ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", registrations::COLUMNS),
            params![
                row.aor,
                row.contact,
                expires,
                row.call_id,
                i64::from(row.cseq),
                row.source,
                row.transport,
                row.user_agent,
                row.path,
                row.instance,
                i64::from(row.route_to_source),
            ],
        )?;
        Ok(())
    }

    fn delete_registration(&self, aor: &str, contact: &str) -> Result<bool> {
        let n = self.lock().execute(
            "DELETE FROM registrations WHERE aor = ?1 AND contact = ?2",
            params![aor, contact],
        )?;
        Ok(n > 0)
    }

    fn delete_registrations(&self, aor: &str) -> Result<usize> {
        Ok(self
            .lock()
            .execute("DELETE FROM registrations WHERE aor = ?1", params![aor])?)
    }

    fn load_registrations(&self) -> Result<Vec<RegistrationRow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM registrations ORDER BY aor, contact",
            registrations::COLUMNS
        ))?;
        let rows = stmt
            .query_map([], registrations::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn vm_insert(&self, row: &VoicemailRow) -> Result<i64> {
        voicemail::insert(&self.lock(), row)
    }

    fn vm_list(&self, context: &str, mailbox: &str, folder: &str) -> Result<Vec<VoicemailRow>> {
        voicemail::list(&self.lock(), context, mailbox, folder)
    }

    fn vm_count(&self, context: &str, mailbox: &str, folder: &str) -> Result<u32> {
        voicemail::count(&self.lock(), context, mailbox, folder)
    }

    fn vm_get(&self, id: i64) -> Result<Option<VoicemailRow>> {
        voicemail::get(&self.lock(), id)
    }

    fn vm_move(&self, id: i64, folder: &str, msgnum: u32) -> Result<bool> {
        voicemail::relocate(&self.lock(), id, folder, msgnum)
    }

    fn vm_delete(&self, id: i64) -> Result<bool> {
        voicemail::delete(&self.lock(), id)
    }

    fn cdr_insert(&self, row: &crate::CdrRow) -> Result<()> {
        crate::cdr::insert(&mut self.lock(), row)
    }

    fn cdr_count(&self) -> Result<i64> {
        crate::cdr::count(&self.lock())
    }
}

#[cfg(test)]
impl SqliteStore {
    pub(crate) fn lock_for_tests(&self) -> MutexGuard<'_, Connection> {
        self.lock()
    }
}
