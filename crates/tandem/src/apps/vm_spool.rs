//! The voicemail spool, Asterisk's layout under the data directory:
//! `DATA/voicemail/CONTEXT/MAILBOX/INBOX/msg0000.wav` with `msg0000.txt` beside it (the
//! `[message]` metadata app_voicemail writes), `Old/` for heard messages, and the mailbox's
//! greetings (`unavail.wav`, `busy.wav`, `greet.wav`, `temp.wav`) in the mailbox directory.
//! Each message is also a row in the store ([`tandem_store::VoicemailRow`]); every change is
//! announced on [`subscribe`] so the SIP driver can send MWI NOTIFYs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tandem_store::{Store, VoicemailRow};
use tokio::sync::broadcast;

use crate::media::wav;

/// `INBOX`: new messages.
pub const INBOX: &str = "INBOX";
/// `Old`: heard (saved) messages.
pub const OLD: &str = "Old";

static DATA_DIR: OnceLock<PathBuf> = OnceLock::new();

/// The daemon's data directory (set once at start; `./tandem-data` until then). Kept
/// absolute: messages and greetings are played by path, and a relative path would be looked
/// up among the sounds directories instead.
pub fn configure(data: &Path) {
    let dir = std::path::absolute(data).unwrap_or_else(|_| data.to_path_buf());
    let _ = DATA_DIR.set(dir);
}

pub fn data_dir() -> PathBuf {
    DATA_DIR.get().cloned().unwrap_or_else(|| {
        let dir = PathBuf::from("tandem-data");
        std::path::absolute(&dir).unwrap_or(dir)
    })
}

/// `DATA/voicemail`.
pub fn spool_root() -> PathBuf {
    data_dir().join("voicemail")
}

/// A mailbox's counts after a change: what MWI says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxChange {
    pub context: String,
    pub mailbox: String,
    pub new: u32,
    pub old: u32,
}

fn hub() -> &'static broadcast::Sender<MailboxChange> {
    static HUB: OnceLock<broadcast::Sender<MailboxChange>> = OnceLock::new();
    HUB.get_or_init(|| broadcast::channel(256).0)
}

/// Mailbox changes as they happen (new message, heard, deleted).
pub fn subscribe() -> broadcast::Receiver<MailboxChange> {
    hub().subscribe()
}

/// A mailbox name is a path component: nothing that climbs or hides.
pub fn safe_component(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s != "." && s != ".." && !s.contains(['/', '\\', '\0'])
}

/// One mailbox's place in the spool and the store.
pub struct Spool {
    pub root: PathBuf,
    pub store: Arc<dyn Store>,
}

impl Spool {
    pub fn new(root: PathBuf, store: Arc<dyn Store>) -> Spool {
        Spool { root, store }
    }

    pub fn mailbox_dir(&self, context: &str, mailbox: &str) -> PathBuf {
        self.root.join(context).join(mailbox)
    }

    /// `.../FOLDER/msgNNNN` (no extension).
    pub fn message_base(&self, row: &VoicemailRow) -> PathBuf {
        self.mailbox_dir(&row.context, &row.mailbox)
            .join(&row.folder)
            .join(format!("msg{:04}", row.msgnum))
    }

    /// (new, old) messages of a mailbox.
    pub fn counts(&self, context: &str, mailbox: &str) -> (u32, u32) {
        let n = |folder| self.store.vm_count(context, mailbox, folder).unwrap_or(0);
        (n(INBOX), n(OLD))
    }

    /// Tell MWI the mailbox's counts now.
    pub fn announce(&self, context: &str, mailbox: &str) {
        let (new, old) = self.counts(context, mailbox);
        tracing::info!("voicemail: mailbox {mailbox}@{context} has {new} new, {old} old");
        let _ = hub().send(MailboxChange {
            context: context.to_string(),
            mailbox: mailbox.to_string(),
            new,
            old,
        });
    }

    /// The first free message number in a folder (by file and by row), below `maxmsg`.
    fn free_number(&self, context: &str, mailbox: &str, folder: &str, maxmsg: u32) -> Option<u32> {
        let taken: Vec<u32> = self
            .store
            .vm_list(context, mailbox, folder)
            .unwrap_or_default()
            .iter()
            .map(|r| r.msgnum)
            .collect();
        let dir = self.mailbox_dir(context, mailbox).join(folder);
        (0..maxmsg.max(1))
            .find(|n| !taken.contains(n) && !dir.join(format!("msg{n:04}.wav")).exists())
    }

    /// Store a new message in INBOX: the WAV, the `.txt`, the row; then MWI. Err when the
    /// mailbox is full (`maxmsg`) or the disk refuses.
    pub fn deliver(
        &self,
        mut row: VoicemailRow,
        samples: &[i16],
        meta: &MessageMeta,
        maxmsg: u32,
    ) -> Result<VoicemailRow, String> {
        row.folder = INBOX.to_string();
        row.msgnum = self
            .free_number(&row.context, &row.mailbox, INBOX, maxmsg)
            .ok_or_else(|| format!("mailbox {}@{} is full", row.mailbox, row.context))?;
        let base = self.message_base(&row);
        if let Some(dir) = base.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let wav_path = with_ext(&base, "wav");
        std::fs::write(
            &wav_path,
            wav::encode_wav(crate::media::recorder::RATE, samples),
        )
        .map_err(|e| format!("{}: {e}", wav_path.display()))?;
        let txt = with_ext(&base, "txt");
        std::fs::write(&txt, meta.text(&row)).map_err(|e| format!("{}: {e}", txt.display()))?;
        row.id = self.store.vm_insert(&row).map_err(|e| e.to_string())?;
        tracing::info!(
            "voicemail: message {} for {}@{} ({} s)",
            wav_path.display(),
            row.mailbox,
            row.context,
            row.duration
        );
        self.announce(&row.context, &row.mailbox);
        Ok(row)
    }

    /// Move a message to another folder (a heard message goes to Old): files and row.
    pub fn move_to(
        &self,
        row: &VoicemailRow,
        folder: &str,
        maxmsg: u32,
    ) -> Result<VoicemailRow, String> {
        if row.folder == folder {
            return Ok(row.clone());
        }
        let n = self
            .free_number(&row.context, &row.mailbox, folder, maxmsg)
            .ok_or_else(|| format!("folder {folder} of {}@{} is full", row.mailbox, row.context))?;
        let mut moved = row.clone();
        moved.folder = folder.to_string();
        moved.msgnum = n;
        let (from, to) = (self.message_base(row), self.message_base(&moved));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        for ext in ["wav", "txt"] {
            let _ = std::fs::rename(with_ext(&from, ext), with_ext(&to, ext));
        }
        self.store
            .vm_move(row.id, folder, n)
            .map_err(|e| e.to_string())?;
        self.announce(&row.context, &row.mailbox);
        Ok(moved)
    }

    /// Delete a message: files and row.
    pub fn delete(&self, row: &VoicemailRow) -> Result<(), String> {
        let base = self.message_base(row);
        for ext in ["wav", "txt"] {
            let _ = std::fs::remove_file(with_ext(&base, ext));
        }
        self.store.vm_delete(row.id).map_err(|e| e.to_string())?;
        self.announce(&row.context, &row.mailbox);
        Ok(())
    }
}

/// What the `.txt` beside a message says besides the row.
#[derive(Debug, Clone, Default)]
pub struct MessageMeta {
    pub exten: String,
    pub priority: u32,
    pub callerchan: String,
    /// `origdate`, already formatted.
    pub origdate: String,
}

impl MessageMeta {
    /// app_voicemail's message information file.
    pub fn text(&self, row: &VoicemailRow) -> String {
        format!(
            ";\n; Message Information file\n;\n[message]\norigmailbox={}\ncontext={}\n\
             macrocontext=\nexten={}\nrdnis=unknown\npriority={}\ncallerchan={}\ncallerid={}\n\
             origdate={}\norigtime={}\ncategory=\nflag=\nduration={}\n",
            row.mailbox,
            row.context,
            self.exten,
            self.priority,
            self.callerchan,
            row.callerid,
            self.origdate,
            row.origtime,
            row.duration
        )
    }
}

fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut p = base.as_os_str().to_owned();
    p.push(".");
    p.push(ext);
    PathBuf::from(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_store::SqliteStore;

    fn spool(tag: &str) -> Spool {
        let root = std::env::temp_dir().join(format!("tandem-vm-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}")));
        Spool::new(root, store)
    }

    fn row() -> VoicemailRow {
        VoicemailRow {
            id: 0,
            context: "default".into(),
            mailbox: "100".into(),
            folder: String::new(),
            msgnum: 0,
            callerid: "\"Alice\" <6001>".into(),
            origtime: 1_700_000_000,
            duration: 1,
        }
    }

    #[test]
    fn messages_land_in_inbox_as_msg0000_then_msg0001_with_their_txt() {
        let s = spool("deliver");
        let mut rx = subscribe();
        let meta = MessageMeta::default();
        // Its own mailbox: the change bus is global and other tests deliver to 100 meanwhile.
        let row = || VoicemailRow {
            mailbox: "101".into(),
            ..row()
        };
        let a = s
            .deliver(row(), &[1, 2, 3], &meta, 100)
            .unwrap_or_else(|e| panic!("{e}"));
        let b = s
            .deliver(row(), &[4], &meta, 100)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.msgnum, b.msgnum), (0, 1));
        let wav_path = s.root.join("default/101/INBOX/msg0000.wav");
        let pcm = wav::parse_wav(&std::fs::read(&wav_path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pcm.samples, vec![1, 2, 3]);
        let txt = std::fs::read_to_string(s.root.join("default/101/INBOX/msg0001.txt"))
            .unwrap_or_default();
        assert!(
            txt.contains("[message]\norigmailbox=101\ncontext=default\n"),
            "{txt}"
        );
        assert!(txt.contains("callerid=\"Alice\" <6001>\n"));
        assert_eq!(s.counts("default", "101"), (2, 0));
        let mut seen = Vec::new();
        while let Ok(c) = rx.try_recv() {
            if c.mailbox == "101" && c.context == "default" {
                seen.push((c.new, c.old));
            }
        }
        assert!(seen.ends_with(&[(1, 0), (2, 0)]), "{seen:?}");
    }

    #[test]
    fn a_full_mailbox_refuses_a_new_message() {
        let s = spool("full");
        let meta = MessageMeta::default();
        assert!(s.deliver(row(), &[1], &meta, 1).is_ok());
        assert!(s.deliver(row(), &[1], &meta, 1).is_err());
    }

    #[test]
    fn saving_moves_files_to_old_and_delete_removes_them() {
        let s = spool("move");
        let meta = MessageMeta::default();
        let a = s
            .deliver(row(), &[7], &meta, 100)
            .unwrap_or_else(|e| panic!("{e}"));
        let old = s.move_to(&a, OLD, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((old.folder.as_str(), old.msgnum), ("Old", 0));
        assert!(s.root.join("default/100/Old/msg0000.wav").is_file());
        assert!(!s.root.join("default/100/INBOX/msg0000.wav").exists());
        assert_eq!(s.counts("default", "100"), (0, 1));
        s.delete(&old).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.root.join("default/100/Old/msg0000.wav").exists());
        assert_eq!(s.counts("default", "100"), (0, 0));
    }

    #[test]
    fn mailbox_names_never_climb_out_of_the_spool() {
        assert!(safe_component("100"));
        for bad in ["", ".", "..", "a/b", "a\\b", "x\0"] {
            assert!(!safe_component(bad), "{bad:?}");
        }
    }
}
