//! The registrations table: save, replace, delete, load, and survival across a reopen.
use std::path::{Path, PathBuf};

use tandem_store::{RegistrationRow, SqliteStore, Store, StoreError};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-store-reg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(std::fs::create_dir_all(&dir).is_ok());
    dir.join("tandem.db")
}

fn row(aor: &str, contact: &str, expires: u64) -> RegistrationRow {
    RegistrationRow {
        aor: aor.into(),
        contact: contact.into(),
        expires_epoch: expires,
        call_id: format!("{aor}-call"),
        cseq: 7,
        source: "203.0.113.9:40000".into(),
        transport: "UDP".into(),
        user_agent: "Yealink SIP-T46S".into(),
        path: "<sip:edge.example.com;lr>".into(),
        instance: "\"<urn:uuid:00000000-0000-1000-8000-000000000001>\"".into(),
        route_to_source: true,
    }
}

fn open(path: &Path) -> SqliteStore {
    match SqliteStore::open(path) {
        Ok(s) => s,
        Err(e) => panic!("open: {e}"),
    }
}

#[test]
fn registrations_survive_a_restart() {
    let path = temp_db("restart");
    let s = open(&path);
    let a1 = row("alice", "sip:alice@10.0.0.5:5060", 1_700_003_600);
    let a2 = row(
        "alice",
        "sip:alice@10.0.0.6:5060;transport=tcp",
        1_700_000_120,
    );
    let b = row("bob", "sip:bob@10.0.0.7", u64::from(u32::MAX) + 5);
    for r in [&a1, &a2, &b] {
        assert!(s.save_registration(r).is_ok());
    }
    drop(s);
    let s = open(&path);
    assert_eq!(
        s.load_registrations().ok(),
        Some(vec![a1.clone(), a2.clone(), b.clone()])
    );
    drop(s);
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

#[test]
fn saving_the_same_contact_replaces_it() {
    let s = SqliteStore::open_in_memory().ok();
    let Some(s) = s else { panic!("open_in_memory") };
    let mut r = row("alice", "sip:alice@10.0.0.5", 100);
    assert!(s.save_registration(&r).is_ok());
    r.expires_epoch = 200;
    r.cseq = 8;
    r.user_agent = String::new();
    r.route_to_source = false;
    assert!(s.save_registration(&r).is_ok());
    assert_eq!(s.load_registrations().ok(), Some(vec![r]));
}

#[test]
fn delete_one_contact_or_a_whole_aor() {
    let s = SqliteStore::open_in_memory().ok();
    let Some(s) = s else { panic!("open_in_memory") };
    for r in [
        row("alice", "sip:a1@h", 1),
        row("alice", "sip:a2@h", 1),
        row("bob", "sip:b@h", 1),
    ] {
        assert!(s.save_registration(&r).is_ok());
    }
    assert_eq!(s.delete_registration("alice", "sip:a1@h").ok(), Some(true));
    assert_eq!(s.delete_registration("alice", "sip:a1@h").ok(), Some(false));
    assert_eq!(s.delete_registrations("alice").ok(), Some(1));
    assert_eq!(s.delete_registrations("alice").ok(), Some(0));
    let left = s.load_registrations().unwrap_or_default();
    assert_eq!(
        left.iter().map(|r| r.aor.as_str()).collect::<Vec<_>>(),
        ["bob"]
    );
}

#[test]
fn a_version_1_file_gains_the_table_and_keeps_its_astdb() {
    let path = temp_db("v1");
    if let Ok(c) = rusqlite::Connection::open(&path) {
        let _ = c.execute_batch(
            "CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key));
             INSERT INTO astdb VALUES ('/cidname/100', 'Alice');
             PRAGMA user_version = 1;",
        );
    }
    let s = open(&path);
    assert_eq!(
        s.schema_version().ok(),
        Some(tandem_store::schema_version_latest())
    );
    assert!(tandem_store::schema_version_latest() >= 2);
    assert_eq!(
        s.db_get("cidname", "100").ok().flatten().as_deref(),
        Some("Alice")
    );
    assert_eq!(s.load_registrations().ok(), Some(Vec::new()));
    drop(s);
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

/// A backend that only has the astdb refuses registrations rather than dropping them.
#[test]
fn a_store_without_registrations_says_so() {
    struct AstdbOnly;
    impl Store for AstdbOnly {
        fn db_get(&self, _: &str, _: &str) -> tandem_store::Result<Option<String>> {
            Ok(None)
        }
        fn db_put(&self, _: &str, _: &str, _: &str) -> tandem_store::Result<()> {
            Ok(())
        }
        fn db_delete(&self, _: &str, _: &str) -> tandem_store::Result<Option<String>> {
            Ok(None)
        }
        fn db_deltree(&self, _: &str, _: Option<&str>) -> tandem_store::Result<usize> {
            Ok(0)
        }
        fn db_show(&self, _: Option<&str>) -> tandem_store::Result<Vec<(String, String)>> {
            Ok(Vec::new())
        }
    }
    let s = AstdbOnly;
    assert!(matches!(
        s.save_registration(&row("a", "sip:a@h", 1)),
        Err(StoreError::Unsupported("registrations"))
    ));
    assert!(matches!(
        s.load_registrations(),
        Err(StoreError::Unsupported(_))
    ));
}
