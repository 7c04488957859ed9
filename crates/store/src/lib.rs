//! Persistent state: the astdb key-value store and SIP registrations now; CDR and the
//! voicemail index later, each as new tables behind the same kind of trait.
//!
//! [`Store`] is the interface the core uses; [`SqliteStore`] is the embedded backend (the
//! default, `DATA/tandem.db`). Everything SQL-specific stays inside the backend so that a
//! PostgreSQL backend can implement the same trait for clusters.
//!
//! The astdb follows Asterisk's main/db.c: a family and a key are stored as one string
//! `/family/key`, and a tree operation on `family` (or `family/keytree`) covers every key that
//! starts with that prefix followed by `/`.

mod astdb;
pub mod cdr;
mod registrations;
mod schema;
mod sqlite;
mod voicemail;

pub use astdb::{full_key, tree_prefix, MAX_DB_FIELD};
pub use cdr::CdrRow;
pub use registrations::RegistrationRow;
pub use voicemail::VoicemailRow;

/// The schema version a freshly opened database has: the number of migrations.
pub fn schema_version_latest() -> i64 {
    schema::latest()
}
pub use sqlite::SqliteStore;

/// What can go wrong in a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Asterisk refuses `/family/key` longer than its 256-byte buffer allows.
    #[error("family and key length must be less than {} bytes", MAX_DB_FIELD - 3)]
    KeyTooLong,
    /// The file was written by a newer tandem.
    #[error("database schema version {found} is newer than this tandem knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    /// The backend does not keep this kind of record.
    #[error("this store does not support {0}")]
    Unsupported(&'static str),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The astdb operations (Asterisk's `ast_db_*`) and the registrations table, shared by every
/// backend. The registration methods have defaults that refuse (`Unsupported`), so a backend
/// or test double that only needs the astdb does not have to implement them.
pub trait Store: Send + Sync {
    /// The value of `/family/key`.
    fn db_get(&self, family: &str, key: &str) -> Result<Option<String>>;
    /// Set `/family/key` (insert or replace).
    fn db_put(&self, family: &str, key: &str, value: &str) -> Result<()>;
    /// Remove `/family/key`, returning the value it had.
    fn db_delete(&self, family: &str, key: &str) -> Result<Option<String>>;
    /// Remove the family (or `family/subtree`) and everything under it; an empty family removes
    /// everything, as `ast_db_deltree` does. Returns how many keys went.
    fn db_deltree(&self, family: &str, subtree: Option<&str>) -> Result<usize>;
    /// `database show [prefix]`: (`/family/key`, value) sorted by key; `prefix` is `family` or
    /// `family/keytree` (a leading `/` is accepted); None or empty shows everything.
    fn db_show(&self, prefix: Option<&str>) -> Result<Vec<(String, String)>>;

    /// Insert or replace the binding of (`row.aor`, `row.contact`).
    fn save_registration(&self, row: &RegistrationRow) -> Result<()> {
        let _ = row;
        Err(StoreError::Unsupported("registrations"))
    }
    /// Remove one binding; true when it existed.
    fn delete_registration(&self, aor: &str, contact: &str) -> Result<bool> {
        let _ = (aor, contact);
        Err(StoreError::Unsupported("registrations"))
    }
    /// Remove every binding of `aor`; returns how many went.
    fn delete_registrations(&self, aor: &str) -> Result<usize> {
        let _ = aor;
        Err(StoreError::Unsupported("registrations"))
    }
    /// Every stored binding, by AOR then contact (expired ones too: the registrar drops
    /// them when it restores and the driver deletes them).
    fn load_registrations(&self) -> Result<Vec<RegistrationRow>> {
        Err(StoreError::Unsupported("registrations"))
    }

    /// Add a message to the voicemail index; returns its id.
    fn vm_insert(&self, row: &VoicemailRow) -> Result<i64> {
        let _ = row;
        Err(StoreError::Unsupported("voicemail"))
    }
    /// The messages of one folder of a mailbox, by message number.
    fn vm_list(&self, context: &str, mailbox: &str, folder: &str) -> Result<Vec<VoicemailRow>> {
        let _ = (context, mailbox, folder);
        Err(StoreError::Unsupported("voicemail"))
    }
    /// How many messages one folder holds.
    fn vm_count(&self, context: &str, mailbox: &str, folder: &str) -> Result<u32> {
        let _ = (context, mailbox, folder);
        Err(StoreError::Unsupported("voicemail"))
    }
    /// One message by id.
    fn vm_get(&self, id: i64) -> Result<Option<VoicemailRow>> {
        let _ = id;
        Err(StoreError::Unsupported("voicemail"))
    }
    /// The message now lives in `folder` as number `msgnum` (a save to Old); false when
    /// there is no such message.
    fn vm_move(&self, id: i64, folder: &str, msgnum: u32) -> Result<bool> {
        let _ = (id, folder, msgnum);
        Err(StoreError::Unsupported("voicemail"))
    }
    /// Forget a message; false when there was none.
    fn vm_delete(&self, id: i64) -> Result<bool> {
        let _ = id;
        Err(StoreError::Unsupported("voicemail"))
    }

    /// Post one call detail record; returns once it is committed (see [`cdr`]).
    fn cdr_insert(&self, row: &CdrRow) -> Result<()> {
        let _ = row;
        Err(StoreError::Unsupported("cdr"))
    }
    /// How many records the store holds.
    fn cdr_count(&self) -> Result<i64> {
        Err(StoreError::Unsupported("cdr"))
    }
}
