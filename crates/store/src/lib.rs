//! Persistent state: the astdb key-value store now; registrations, CDR and the voicemail index
//! later, each as new tables behind the same kind of trait.
//!
//! [`Store`] is the interface the core uses; [`SqliteStore`] is the embedded backend (the
//! default, `DATA/tandem.db`). Everything SQL-specific stays inside the backend so that a
//! PostgreSQL backend can implement the same trait for clusters.
//!
//! The astdb follows Asterisk's main/db.c: a family and a key are stored as one string
//! `/family/key`, and a tree operation on `family` (or `family/keytree`) covers every key that
//! starts with that prefix followed by `/`.

mod astdb;
mod schema;
mod sqlite;

pub use astdb::{full_key, tree_prefix, MAX_DB_FIELD};
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
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The astdb operations (Asterisk's `ast_db_*`), shared by every backend.
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
}
