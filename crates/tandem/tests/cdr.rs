//! Call detail records end to end: sipp calls through tandem (answered with a hold time,
//! a busy callee, a callee that rings past the Dial timeout) leave one row each in the
//! SQLite store with Asterisk's disposition, duration and billsec; the rows are there after
//! kill -9; Master.csv has the same records; and the same rows reach a real PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tandem_testkit::{free_port, require_tool, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

const HOLD_MS: u32 = 3000;

const PLAN: &str = "\
[internal]
exten => 100,1,Set(CDR(userfield)=answered-call)
 same => n,Dial(SIP/uas,20)
 same => n,Hangup()
exten => 300,1,Dial(SIP/uas,20)
 same => n,Busy()
exten => 400,1,Dial(SIP/uas,2)
 same => n,Busy()
";

/// One row of the cdr table as the test reads it.
#[derive(Debug)]
struct Row {
    dst: String,
    disposition: String,
    duration: i64,
    billsec: i64,
    dstchannel: String,
    lastapp: String,
    userfield: String,
    uniqueid: String,
}

/// sipp's UAS running `callee` (a built-in name or a scenario file) for one call.
fn uas(
    sipp_bin: &Path,
    port: u16,
    callee: &str,
) -> std::thread::JoinHandle<tandem_testkit::SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    let callee = callee.to_string();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let port = port.to_string();
        let mut args: Vec<&str> = if callee.ends_with(".xml") {
            vec!["-sf", &callee]
        } else {
            vec!["-sn", &callee]
        };
        args.extend(["-m", "1", "-i", "127.0.0.1", "-p", &port]);
        sipp(&sipp_bin, work.path(), &args, Duration::from_secs(90))
    })
}

/// The caller: the built-in UAC holding `hold_ms` before its BYE, or a scenario file.
fn uac(
    sipp_bin: &Path,
    port: u16,
    uac_port: u16,
    exten: &str,
    how: Result<u32, &str>,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let (local, server) = (uac_port.to_string(), format!("127.0.0.1:{port}"));
    let hold;
    let file;
    let mut args: Vec<&str> = match how {
        Ok(ms) => {
            hold = ms.to_string();
            vec!["-sn", "uac", "-d", &hold]
        }
        Err(name) => {
            file = scenario(name);
            vec!["-sf", &file]
        }
    };
    args.extend([
        "-s",
        exten,
        "-m",
        "1",
        "-i",
        "127.0.0.1",
        "-p",
        &local,
        &server,
    ]);
    sipp(sipp_bin, work.path(), &args, Duration::from_secs(90))
}

/// Start tandem with the trunk peers, PLAN and `extra` config files; make the three calls;
/// wait until it has posted three records. Returns the daemon and its data directory.
fn three_calls(sipp_bin: &Path, extra: &[(&str, &str)]) -> (TempDir, TempDir, Daemon) {
    let (port, uac_port, uas_port) = (free_port(), free_port(), free_port());
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
         [uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\n"
    );
    let mut files = vec![
        ("extensions.conf", PLAN),
        ("sip.conf", sip.as_str()),
        (
            "cdr.conf",
            "[general]\nenable=yes\n\n[csv]\nloguniqueid=yes\nloguserfield=yes\n",
        ),
    ];
    files.extend_from_slice(extra);
    write_config(config.path(), &files);
    let daemon = Daemon::start(&bin(), config.path(), data.path());

    let callee = uas(sipp_bin, uas_port, "uas");
    let caller = uac(sipp_bin, port, uac_port, "100", Ok(HOLD_MS));
    let callee = callee.join().expect("uas thread");
    assert_eq!(
        caller.code,
        Some(0),
        "answered caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(callee.code, Some(0), "answered callee: {callee:?}");

    let callee = uas(sipp_bin, uas_port, &scenario("uas_busy.xml"));
    let caller = uac(sipp_bin, port, uac_port, "300", Err("uac_busy.xml"));
    let callee = callee.join().expect("uas thread");
    assert_eq!(
        caller.code,
        Some(0),
        "busy caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(callee.code, Some(0), "busy callee: {callee:?}");

    let callee = uas(sipp_bin, uas_port, &scenario("uas_ring_cancel.xml"));
    let caller = uac(sipp_bin, port, uac_port, "400", Err("uac_busy.xml"));
    let callee = callee.join().expect("uas thread");
    assert_eq!(
        caller.code,
        Some(0),
        "unanswered caller: {caller:?}\n{}",
        daemon.stderr_text()
    );
    assert_eq!(callee.code, Some(0), "unanswered callee: {callee:?}");

    let deadline = Instant::now() + Duration::from_secs(30);
    while daemon.stderr_text().matches("CDR: ").count() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        daemon.stderr_text().matches("CDR: ").count() >= 3,
        "three records posted:\n{}",
        daemon.stderr_text()
    );
    (config, data, daemon)
}

fn check_rows(rows: &[Row], where_: &str) {
    assert_eq!(rows.len(), 3, "{where_}: {rows:#?}");
    let answered = &rows[0];
    assert_eq!(answered.dst, "100", "{where_}");
    assert_eq!(answered.disposition, "ANSWERED", "{where_}: {answered:?}");
    let hold = i64::from(HOLD_MS / 1000);
    assert!(
        (hold - 1..=hold + 1).contains(&answered.billsec),
        "{where_}: billsec ~ hold time: {answered:?}"
    );
    assert!(
        answered.duration >= answered.billsec,
        "{where_}: {answered:?}"
    );
    assert!(
        answered.dstchannel.starts_with("SIP/uas-"),
        "{where_}: {answered:?}"
    );
    assert_eq!(answered.lastapp, "Dial", "{where_}");
    assert_eq!(answered.userfield, "answered-call", "{where_}");

    let busy = &rows[1];
    assert_eq!(
        (busy.dst.as_str(), busy.disposition.as_str()),
        ("300", "BUSY"),
        "{where_}: {busy:?}"
    );
    assert_eq!(busy.billsec, 0, "{where_}");
    assert!(busy.duration <= 2, "{where_}: {busy:?}");
    assert!(
        busy.dstchannel.starts_with("SIP/uas-"),
        "{where_}: {busy:?}"
    );

    let unanswered = &rows[2];
    assert_eq!(
        (unanswered.dst.as_str(), unanswered.disposition.as_str()),
        ("400", "NO ANSWER"),
        "{where_}: {unanswered:?}"
    );
    assert_eq!(unanswered.billsec, 0, "{where_}");
    assert!(
        (2..=4).contains(&unanswered.duration),
        "{where_}: duration ~ the 2 s Dial timeout: {unanswered:?}"
    );
}

fn sqlite_rows(db: &Path) -> Vec<Row> {
    let conn = rusqlite::Connection::open(db).expect("open tandem.db");
    let mut stmt = conn
        .prepare(
            "SELECT dst, disposition, duration, billsec, dstchannel, lastapp, userfield, uniqueid \
             FROM cdr ORDER BY id",
        )
        .expect("cdr table");
    stmt.query_map([], |r| {
        Ok(Row {
            dst: r.get(0)?,
            disposition: r.get(1)?,
            duration: r.get(2)?,
            billsec: r.get(3)?,
            dstchannel: r.get(4)?,
            lastapp: r.get(5)?,
            userfield: r.get(6)?,
            uniqueid: r.get(7)?,
        })
    })
    .expect("query")
    .collect::<Result<Vec<_>, _>>()
    .expect("rows")
}

#[test]
fn answered_busy_and_unanswered_calls_leave_rows_that_survive_kill_9_and_master_csv_lines() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let (_config, data, mut daemon) = three_calls(&sipp_bin, &[]);
    // No shutdown code runs: what is in the database was committed when each call ended.
    daemon.kill9();
    let rows = sqlite_rows(&data.path().join("tandem.db"));
    check_rows(&rows, "sqlite");

    let csv = std::fs::read_to_string(data.path().join("cdr-csv/Master.csv")).expect("Master.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    for (line, (row, dispo)) in
        lines.iter().zip(
            rows.iter()
                .zip(["\"ANSWERED\"", "\"BUSY\"", "\"NO ANSWER\""]),
        )
    {
        assert!(line.starts_with("\"\",\""), "accountcode then src: {line}");
        assert!(
            line.contains(&format!(",{dispo},\"DOCUMENTATION\",\"{}\",", row.uniqueid)),
            "{line}"
        );
        assert!(
            line.contains(&format!(",{},{},", row.duration, row.billsec)),
            "{line}"
        );
    }
    assert!(lines[0].ends_with(",\"answered-call\""), "{}", lines[0]);
    assert!(
        lines[1].contains(",\"Dial\",\"SIP/uas,20\","),
        "{}",
        lines[1]
    );
}

/// A PostgreSQL server of our own in a temp dir, run as an unprivileged user when the test
/// runs as root (postgres refuses root); stopped on drop.
struct Postgres {
    dir: TempDir,
    port: u16,
    bin: PathBuf,
    as_nobody: bool,
}

fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

impl Postgres {
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn start(bin: PathBuf) -> Postgres {
        let as_nobody = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = TempDir::new();
        if as_nobody {
            let ok = Command::new("chown")
                .args(["-R", "nobody"])
                .arg(dir.path())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown the postgres dir to nobody");
        }
        let pg = Postgres {
            dir,
            port: free_port(),
            bin,
            as_nobody,
        };
        let db = pg.dir.path().join("db");
        let out = pg
            .command("initdb")
            .arg("-D")
            .arg(&db)
            .args(["-A", "trust", "-U", "tandem"])
            .output()
            .expect("initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let opts = format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1",
            pg.dir.path().display(),
            pg.port
        );
        let out = pg
            .command("pg_ctl")
            .arg("-D")
            .arg(&db)
            .args(["-o", &opts, "-l"])
            .arg(pg.dir.path().join("log"))
            .args(["-w", "-t", "60", "start"])
            .output()
            .expect("pg_ctl");
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg
    }

    fn psql(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "tandem",
                "-d",
                "postgres",
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-At", "-F", "|", "-c", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("db"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// Asterisk's cdr table for cdr_pgsql (contrib/scripts: calldate a timestamp, numbers bigint).
const PG_TABLE: &str = "CREATE TABLE cdr (
    calldate timestamp with time zone NOT NULL DEFAULT now(),
    clid varchar(80) NOT NULL DEFAULT '', src varchar(80) NOT NULL DEFAULT '',
    dst varchar(80) NOT NULL DEFAULT '', dcontext varchar(80) NOT NULL DEFAULT '',
    channel varchar(80) NOT NULL DEFAULT '', dstchannel varchar(80) NOT NULL DEFAULT '',
    lastapp varchar(80) NOT NULL DEFAULT '', lastdata varchar(80) NOT NULL DEFAULT '',
    duration bigint NOT NULL DEFAULT 0, billsec bigint NOT NULL DEFAULT 0,
    disposition varchar(45) NOT NULL DEFAULT '', amaflags bigint NOT NULL DEFAULT 0,
    accountcode varchar(20) NOT NULL DEFAULT '', uniqueid varchar(150) NOT NULL DEFAULT '',
    userfield varchar(255) NOT NULL DEFAULT '')";

#[test]
fn the_same_rows_reach_postgresql_named_in_cdr_pgsql_conf() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    // Debian's postgresql package: pg_ctlcluster on PATH (under CI=true its absence fails
    // the test), the server binaries in /usr/lib/postgresql/VERSION/bin.
    if require_tool("pg_ctlcluster").is_none() {
        return;
    }
    let pg = pg_bin().expect("postgresql server binaries in /usr/lib/postgresql/*/bin");
    let pg = Postgres::start(pg);
    pg.psql(PG_TABLE);
    let pgconf = format!(
        "[global]\nhostname=127.0.0.1\nport={}\ndbname=postgres\nuser=tandem\npassword=\ntable=cdr\n",
        pg.port
    );
    let (_config, data, daemon) = three_calls(&sipp_bin, &[("cdr_pgsql.conf", &pgconf)]);
    let query =
        "SELECT dst, disposition, duration, billsec, dstchannel, lastapp, userfield, uniqueid \
                 FROM cdr ORDER BY calldate, dst";
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut text = pg.psql(query);
    while text.lines().count() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        text = pg.psql(query);
    }
    let rows: Vec<Row> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            let s = |i: usize| f.get(i).copied().unwrap_or_default().to_string();
            Row {
                dst: s(0),
                disposition: s(1),
                duration: s(2).parse().unwrap_or(-1),
                billsec: s(3).parse().unwrap_or(-1),
                dstchannel: s(4),
                lastapp: s(5),
                userfield: s(6),
                uniqueid: s(7),
            }
        })
        .collect();
    check_rows(&rows, &format!("postgresql\n{}", daemon.stderr_text()));
    // The same records as the store's.
    let local = sqlite_rows(&data.path().join("tandem.db"));
    let ids = |rows: &[Row]| rows.iter().map(|r| r.uniqueid.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&rows), ids(&local));
}
