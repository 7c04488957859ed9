//! The astdb operations, pinned against Asterisk's main/db.c behaviour.
use std::path::PathBuf;

use tandem_store::{SqliteStore, Store, StoreError};

fn mem() -> SqliteStore {
    match SqliteStore::open_in_memory() {
        Ok(s) => s,
        Err(e) => panic!("open_in_memory: {e}"),
    }
}

/// A fresh path under the temp dir, unique per test and process.
fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(std::fs::create_dir_all(&dir).is_ok());
    dir.join("tandem.db")
}

fn keys(rows: &[(String, String)]) -> Vec<&str> {
    rows.iter().map(|(k, _)| k.as_str()).collect()
}

#[test]
fn put_then_get_and_overwrite() {
    let s = mem();
    assert_eq!(s.db_get("cidname", "5551234").ok(), Some(None));
    assert!(s.db_put("cidname", "5551234", "Alice").is_ok());
    assert_eq!(
        s.db_get("cidname", "5551234").ok(),
        Some(Some("Alice".into()))
    );
    assert!(s.db_put("cidname", "5551234", "Bob").is_ok());
    assert_eq!(
        s.db_get("cidname", "5551234").ok(),
        Some(Some("Bob".into()))
    );
}

#[test]
fn get_is_exact_and_case_sensitive() {
    let s = mem();
    assert!(s.db_put("Fam", "Key", "v").is_ok());
    assert_eq!(s.db_get("fam", "key").ok(), Some(None));
    assert_eq!(s.db_get("Fam", "Ke").ok(), Some(None));
}

#[test]
fn delete_returns_old_value() {
    let s = mem();
    assert!(s.db_put("f", "k", "old").is_ok());
    assert_eq!(s.db_delete("f", "k").ok(), Some(Some("old".into())));
    assert_eq!(s.db_get("f", "k").ok(), Some(None));
    assert_eq!(s.db_delete("f", "k").ok(), Some(None));
}

#[test]
fn keys_are_stored_as_slash_family_slash_key() {
    let s = mem();
    assert!(s.db_put("dnd", "100", "YES").is_ok());
    assert!(s.db_put("a/b", "c", "1").is_ok());
    let rows = s.db_show(None).unwrap_or_default();
    assert_eq!(
        rows,
        vec![
            ("/a/b/c".to_string(), "1".to_string()),
            ("/dnd/100".to_string(), "YES".to_string())
        ]
    );
    // A family containing '/' and a key tree address the same row.
    assert_eq!(s.db_get("a", "b/c").ok(), Some(Some("1".into())));
}

fn seeded() -> SqliteStore {
    let s = mem();
    for (f, k) in [
        ("fam", "a"),
        ("fam", "sub/x"),
        ("fam", "sub/y"),
        ("family", "z"),
        ("other", "q"),
    ] {
        assert!(s.db_put(f, k, "v").is_ok());
    }
    s
}

#[test]
fn show_is_sorted_and_filters_by_family_and_tree() {
    let s = seeded();
    let all = s.db_show(None).unwrap_or_default();
    assert_eq!(
        keys(&all),
        vec![
            "/fam/a",
            "/fam/sub/x",
            "/fam/sub/y",
            "/family/z",
            "/other/q"
        ]
    );
    assert_eq!(
        keys(&s.db_show(Some("fam")).unwrap_or_default()),
        vec!["/fam/a", "/fam/sub/x", "/fam/sub/y"]
    );
    assert_eq!(
        keys(&s.db_show(Some("/fam/sub")).unwrap_or_default()),
        vec!["/fam/sub/x", "/fam/sub/y"]
    );
    assert_eq!(s.db_show(Some("")).unwrap_or_default().len(), 5);
}

#[test]
fn deltree_family_does_not_touch_longer_family_names() {
    let s = seeded();
    assert_eq!(s.db_deltree("fam", None).ok(), Some(3));
    assert_eq!(
        keys(&s.db_show(None).unwrap_or_default()),
        vec!["/family/z", "/other/q"]
    );
}

#[test]
fn deltree_subtree_and_exact_key() {
    let s = seeded();
    assert_eq!(s.db_deltree("fam", Some("sub")).ok(), Some(2));
    // The tree prefix also matches the key itself (`/fam/a` || '/' LIKE '/fam/a/%').
    assert_eq!(s.db_deltree("fam", Some("a")).ok(), Some(1));
    assert_eq!(s.db_deltree("fam", Some("nothing")).ok(), Some(0));
    assert_eq!(
        keys(&s.db_show(None).unwrap_or_default()),
        vec!["/family/z", "/other/q"]
    );
}

#[test]
fn deltree_with_empty_family_removes_everything() {
    let s = seeded();
    assert_eq!(s.db_deltree("", None).ok(), Some(5));
    assert!(s.db_show(None).unwrap_or_default().is_empty());
}

#[test]
fn tree_match_is_like_ascii_case_insensitive_with_wildcards() {
    // Asterisk matches trees with SQL LIKE: ASCII case is ignored and `_` is a wildcard.
    let s = seeded();
    assert_eq!(
        keys(&s.db_show(Some("FAM/SUB")).unwrap_or_default()),
        vec!["/fam/sub/x", "/fam/sub/y"]
    );
    assert_eq!(s.db_deltree("ot_er", None).ok(), Some(1));
}

#[test]
fn too_long_family_and_key_refused_like_asterisk() {
    let s = mem();
    let long = "k".repeat(300);
    assert!(matches!(
        s.db_put("f", &long, "v"),
        Err(StoreError::KeyTooLong)
    ));
    assert!(matches!(s.db_get("f", &long), Err(StoreError::KeyTooLong)));
    assert!(s.db_put("f", &"k".repeat(252), "v").is_ok());
}

#[test]
fn values_with_odd_characters_round_trip() {
    let s = mem();
    let odd = [
        "",
        "a b\tc",
        "quote ' and \" double",
        "semi;colon, comma = equals",
        "percent % underscore _ backslash \\",
        "newline\nand\r\nCRLF",
        "unicode: héllo ☎ 電話",
        "'); DROP TABLE astdb; --",
    ];
    for (i, v) in odd.iter().enumerate() {
        assert!(s.db_put("odd", &format!("k{i}"), v).is_ok());
    }
    for (i, v) in odd.iter().enumerate() {
        assert_eq!(
            s.db_get("odd", &format!("k{i}")).ok().flatten().as_deref(),
            Some(*v)
        );
    }
    assert!(s.db_put("fam%", "k_", "x").is_ok());
    assert_eq!(s.db_get("fam%", "k_").ok(), Some(Some("x".into())));
}

#[test]
fn data_survives_reopening_the_file() {
    let path = temp_db("reopen");
    {
        let s = match SqliteStore::open(&path) {
            Ok(s) => s,
            Err(e) => panic!("open: {e}"),
        };
        assert!(s.db_put("cf", "100", "5551234").is_ok());
        assert!(s.db_put("cf", "101", "gone").is_ok());
        assert_eq!(s.db_delete("cf", "101").ok(), Some(Some("gone".into())));
    }
    let s = match SqliteStore::open(&path) {
        Ok(s) => s,
        Err(e) => panic!("reopen: {e}"),
    };
    assert_eq!(s.db_get("cf", "100").ok(), Some(Some("5551234".into())));
    assert_eq!(s.db_get("cf", "101").ok(), Some(None));
    drop(s);
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

#[test]
fn open_creates_file_migrates_and_uses_wal() {
    let path = temp_db("fresh");
    assert!(!path.exists());
    let s = match SqliteStore::open(&path) {
        Ok(s) => s,
        Err(e) => panic!("open: {e}"),
    };
    assert!(path.exists());
    assert_eq!(
        s.schema_version().ok(),
        Some(tandem_store::schema_version_latest())
    );
    drop(s);
    let conn = rusqlite::Connection::open(&path).ok();
    let mode: Option<String> = conn
        .as_ref()
        .and_then(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).ok());
    assert_eq!(mode.as_deref(), Some("wal"));
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

#[test]
fn migrates_an_empty_existing_file() {
    let path = temp_db("empty");
    assert!(std::fs::write(&path, b"").is_ok());
    let s = SqliteStore::open(&path);
    assert!(s.is_ok());
    let s = s.ok();
    assert_eq!(
        s.as_ref().and_then(|s| s.schema_version().ok()),
        Some(tandem_store::schema_version_latest())
    );
    assert_eq!(
        s.as_ref().and_then(|s| s.db_put("a", "b", "c").ok()),
        Some(())
    );
    drop(s);
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

#[test]
fn opens_an_asterisk_astdb_file_as_is() {
    // An astdb.sqlite3 written by Asterisk: its table, no user_version.
    let path = temp_db("asterisk");
    if let Ok(c) = rusqlite::Connection::open(&path) {
        let _ = c.execute_batch(
            "CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key));
             INSERT INTO astdb VALUES ('/SIP/Registry/alice', '192.0.2.1:5060:3600:alice:sip:alice@192.0.2.1');",
        );
    }
    let s = SqliteStore::open(&path).ok();
    assert_eq!(
        s.as_ref()
            .and_then(|s| s.db_get("SIP", "Registry/alice").ok())
            .flatten()
            .as_deref(),
        Some("192.0.2.1:5060:3600:alice:sip:alice@192.0.2.1")
    );
    drop(s);
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

#[test]
fn newer_schema_is_refused() {
    let path = temp_db("newer");
    if let Ok(c) = rusqlite::Connection::open(&path) {
        let _ = c.execute_batch("PRAGMA user_version = 999;");
    }
    assert!(matches!(
        SqliteStore::open(&path),
        Err(StoreError::SchemaTooNew { found: 999, .. })
    ));
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
}

#[test]
fn store_is_shareable_across_threads() {
    let s = std::sync::Arc::new(mem());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let _ = s.db_put("t", &format!("{t}-{i}"), "v");
                }
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().is_ok());
    }
    assert_eq!(s.db_show(Some("t")).unwrap_or_default().len(), 100);
    let dyn_store: &dyn Store = &*s;
    assert_eq!(dyn_store.db_get("t", "0-0").ok(), Some(Some("v".into())));
}
