//! The voicemail index: rows per folder, counts for MWI, a save to Old, a delete.

use tandem_store::{SqliteStore, Store, VoicemailRow};

fn store() -> SqliteStore {
    SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"))
}

fn msg(mailbox: &str, folder: &str, msgnum: u32) -> VoicemailRow {
    VoicemailRow {
        id: 0,
        context: "default".into(),
        mailbox: mailbox.into(),
        folder: folder.into(),
        msgnum,
        callerid: "\"Alice\" <6001>".into(),
        origtime: 1_700_000_000,
        duration: 7,
    }
}

#[test]
fn messages_are_listed_per_folder_in_message_number_order() {
    let s = store();
    for n in [1, 0] {
        s.vm_insert(&msg("100", "INBOX", n))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    s.vm_insert(&msg("100", "Old", 0))
        .unwrap_or_else(|e| panic!("{e}"));
    s.vm_insert(&msg("101", "INBOX", 0))
        .unwrap_or_else(|e| panic!("{e}"));
    let inbox = s.vm_list("default", "100", "INBOX").unwrap_or_default();
    assert_eq!(
        inbox.iter().map(|r| r.msgnum).collect::<Vec<_>>(),
        vec![0, 1]
    );
    assert_eq!(inbox[0].callerid, "\"Alice\" <6001>");
    assert_eq!(inbox[0].duration, 7);
    assert_eq!(s.vm_count("default", "100", "INBOX").ok(), Some(2));
    assert_eq!(s.vm_count("default", "100", "Old").ok(), Some(1));
    assert_eq!(s.vm_count("other", "100", "INBOX").ok(), Some(0));
}

#[test]
fn a_message_moves_to_old_and_is_deleted() {
    let s = store();
    let id = s
        .vm_insert(&msg("100", "INBOX", 0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.vm_move(id, "Old", 3).ok(), Some(true));
    let got = s.vm_get(id).ok().flatten();
    assert_eq!(
        got.map(|r| (r.folder, r.msgnum)),
        Some(("Old".to_string(), 3))
    );
    assert_eq!(s.vm_count("default", "100", "INBOX").ok(), Some(0));
    assert_eq!(s.vm_delete(id).ok(), Some(true));
    assert_eq!(s.vm_delete(id).ok(), Some(false));
    assert_eq!(s.vm_move(id, "Old", 0).ok(), Some(false));
    assert_eq!(s.vm_get(id).ok().flatten(), None);
}
