//! Two tandem instances on loopback linked by IAX2, shared by the IAX2 end-to-end tests: B
//! registers to A with MD5 (`register =>` in B's iax.conf, a `host=dynamic` peer on A); SIP
//! phones on both; sipp helpers for callers and callees.
//!
//! A's `[internal]`: 200/201 `Dial(IAX2/b/N)`, 300/301 `Dial(SIP/ringer&IAX2/b/N)`, 400
//! `Dial(IAX2/guest:guestpw@127.0.0.1:PORT/201)` (no peer section: the dial string carries
//! user, secret, host and port), 401 the same with a wrong secret, 500
//! `Dial(SIP/ringer&IAX2/b/301&Local/510@internal)` (510 rings for 2 s, then answers), 600 `Dial(IAX2/b)` (no
//! number: B runs `s`). B's `[from-a]`: 200 -> bob, 201 and s -> uas, 300 answers, 301 only
//! rings; B's user `guest` (secret guestpw) lands in `[from-a]` too.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use tandem_testkit::{free_port, run_cli, sipp, write_config, Baresip, Daemon, SippRun, TempDir};

pub fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

pub struct Pbx {
    _config: TempDir,
    pub data: TempDir,
    pub daemon: Daemon,
    pub sip_port: u16,
}

impl Pbx {
    pub fn start(files: &[(&str, &str)], sip_port: u16) -> Pbx {
        let config = TempDir::new();
        let data = TempDir::new();
        write_config(config.path(), files);
        let daemon = Daemon::start(&bin(), config.path(), data.path());
        Pbx {
            _config: config,
            data,
            daemon,
            sip_port,
        }
    }

    pub fn cli(&self, cmd: &str) -> String {
        run_cli(&bin(), self.data.path(), cmd)
    }

    pub fn wait_cli(&self, cmd: &str, parts: &[&str], timeout: Duration) -> Result<String, String> {
        self.daemon.wait_cli(cmd, parts, timeout)
    }
}

/// A and B with their IAX2 link; `trunk`: trunk=yes on both ends. SIP: A has alice, uac and
/// ringer; B has bob and uas (sipp ports given).
pub struct Link {
    pub a: Pbx,
    pub b: Pbx,
    /// B's IAX2 port.
    pub b_iax: u16,
}

pub fn link(trunk: bool, uac_port: u16, ringer_port: u16, uas_port: u16) -> Link {
    let (ia, ib) = (free_port(), free_port());
    let (sa, sb) = (free_port(), free_port());
    let trunk = if trunk { "yes" } else { "no" };
    let sip = |port: u16, phone: &str, extra: &str| {
        format!(
            "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
             [{phone}]\ntype=friend\nhost=dynamic\nsecret={phone}pw\ncontext=internal\n\n{extra}"
        )
    };
    let a_sip = sip(
        sa,
        "alice",
        &format!(
            "[uac]\ntype=friend\nhost=127.0.0.1\nport={uac_port}\ninsecure=invite\ncontext=internal\n\n\
             [ringer]\ntype=peer\nhost=127.0.0.1\nport={ringer_port}\ncontext=internal\n"
        ),
    );
    let b_sip = sip(
        sb,
        "bob",
        &format!("[uas]\ntype=peer\nhost=127.0.0.1\nport={uas_port}\ncontext=internal\n"),
    );
    let a_iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={ia}\ndisallow=all\nallow=ulaw\n\n\
         [b]\ntype=friend\nhost=dynamic\nsecret=trunkpw\nusername=a\ncontext=from-b\nqualify=yes\ntrunk={trunk}\n"
    );
    let b_iax = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={ib}\ndisallow=all\nallow=ulaw\n\
         register => b:trunkpw@127.0.0.1:{ia}\n\n\
         [a]\ntype=friend\nhost=127.0.0.1\nport={ia}\nsecret=trunkpw\nusername=b\ncontext=from-a\ntrunk={trunk}\n\n\
         [guest]\ntype=user\nsecret=guestpw\ncontext=from-a\n"
    );
    let a_ext = format!(
        "[internal]\n\
         exten => 200,1,Dial(IAX2/b/200,30)\n same => n,Hangup()\n\
         exten => 201,1,Dial(IAX2/b/201,30)\n same => n,Hangup()\n\
         exten => 300,1,Dial(SIP/ringer&IAX2/b/300,30)\n same => n,Hangup()\n\
         exten => 301,1,Dial(SIP/ringer&IAX2/b/301,30)\n same => n,Hangup()\n\
         exten => 400,1,Dial(IAX2/guest:guestpw@127.0.0.1:{ib}/201,30)\n same => n,Hangup()\n\
         exten => 401,1,Dial(IAX2/guest:wrongpw@127.0.0.1:{ib}/201,30)\n\
          same => n,Log(NOTICE,dial 401 ended: ${{DIALSTATUS}})\n same => n,Hangup()\n\
         exten => 500,1,Dial(SIP/ringer&IAX2/b/301&Local/510@internal,30)\n same => n,Hangup()\n\
         exten => 510,1,Ringing()\n same => n,Wait(2)\n same => n,Answer()\n same => n,Wait(20)\n same => n,Hangup()\n\
         exten => 600,1,Dial(IAX2/b,30)\n same => n,Hangup()\n"
    );
    let b_ext = "[from-a]\n\
                 exten => 200,1,Dial(SIP/bob,30)\n same => n,Hangup()\n\
                 exten => 201,1,Dial(SIP/uas,30)\n same => n,Hangup()\n\
                 exten => s,1,Dial(SIP/uas,30)\n same => n,Hangup()\n\
                 exten => 300,1,Answer()\n same => n,Wait(4)\n same => n,Hangup()\nexten => 301,1,Ringing()\n same => n,Wait(25)\n same => n,Log(NOTICE,ringing ran out)\n same => n,Hangup()\n";
    let a = Pbx::start(
        &[
            ("sip.conf", &a_sip),
            ("iax.conf", &a_iax),
            ("extensions.conf", &a_ext),
            ("rtp.conf", "[general]\nrtpstart=41000\nrtpend=41999\n"),
        ],
        sa,
    );
    let b = Pbx::start(
        &[
            ("sip.conf", &b_sip),
            ("iax.conf", &b_iax),
            ("extensions.conf", b_ext),
            ("rtp.conf", "[general]\nrtpstart=42000\nrtpend=42999\n"),
        ],
        sb,
    );
    let l = Link { a, b, b_iax: ib };
    if let Err(e) = l.b.wait_cli(
        "iax2 show registry",
        &["Registered"],
        Duration::from_secs(20),
    ) {
        l.fail("B registers to A", &[], &e);
    }
    if let Err(e) = l.a.wait_cli(
        "iax2 show peers",
        &["127.0.0.1", "(D)", "OK ("],
        Duration::from_secs(20),
    ) {
        l.fail("A sees B registered and reachable", &[], &e);
    }
    l
}

impl Drop for Link {
    fn drop(&mut self) {
        if std::env::var_os("IAX2_TEST_LOGS").is_some() {
            eprintln!(
                "--- A stderr:\n{}\n--- B stderr:\n{}",
                self.a.daemon.stderr_text(),
                self.b.daemon.stderr_text()
            );
        }
    }
}

impl Link {
    pub fn fail(&self, what: &str, phones: &[&Baresip], err: &str) -> ! {
        let mut text = format!(
            "{what}: {err}\n--- A stderr:\n{}\n--- B stderr:\n{}\n",
            self.a.daemon.stderr_text(),
            self.b.daemon.stderr_text()
        );
        for p in phones {
            text.push_str(&format!("--- {} output:\n{}\n", p.phone.name, p.output()));
        }
        panic!("{text}");
    }

    /// Every sipp run exited 0 (each named), else fail showing them all.
    pub fn sipp_ok(&self, runs: &[(&str, &SippRun)]) {
        if runs.iter().any(|(_, r)| r.code != Some(0)) {
            let text: Vec<String> = runs.iter().map(|(n, r)| format!("{n} {r:?}")).collect();
            self.fail("sipp", &[], &text.join("\n"));
        }
    }

    /// Both instances have no channel left.
    pub fn all_clear(&self, phones: &[&Baresip]) {
        for (name, pbx) in [("A", &self.a), ("B", &self.b)] {
            if let Err(e) = pbx.wait_cli(
                "core show channels",
                &["0 active channels"],
                Duration::from_secs(15),
            ) {
                self.fail(&format!("{name} clears every leg"), phones, &e);
            }
            if let Err(e) = pbx.wait_cli(
                "iax2 show channels",
                &["0 active IAX channels"],
                Duration::from_secs(15),
            ) {
                self.fail(&format!("{name} clears its IAX2 calls"), phones, &e);
            }
        }
    }
}

pub fn sipp_uac(
    sipp_bin: &Path,
    server_port: u16,
    uac_port: u16,
    exten: &str,
    calls: u32,
    hold_ms: u32,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let (uac_port, ms, server, m) = (
        uac_port.to_string(),
        hold_ms.to_string(),
        format!("127.0.0.1:{server_port}"),
        calls.to_string(),
    );
    sipp(
        sipp_bin,
        work.path(),
        &[
            "-sn",
            "uac",
            "-s",
            exten,
            "-d",
            &ms,
            "-m",
            &m,
            "-l",
            &m,
            "-r",
            &m,
            "-i",
            "127.0.0.1",
            "-p",
            &uac_port,
            &server,
        ],
        Duration::from_secs(120),
    )
}

pub fn sipp_uas(
    sipp_bin: &Path,
    port: u16,
    scenario: &str,
    calls: u32,
) -> std::thread::JoinHandle<tandem_testkit::SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    let scenario = scenario.to_string();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let (port, m) = (port.to_string(), calls.to_string());
        let mut args: Vec<&str> = if scenario.ends_with(".xml") {
            vec!["-sf", &scenario]
        } else {
            vec!["-sn", &scenario]
        };
        args.extend(["-m", &m, "-i", "127.0.0.1", "-p", &port]);
        sipp(&sipp_bin, work.path(), &args, Duration::from_secs(120))
    })
}

/// A link (trunk=no) with A's SIP `ringer` ringing until it is cancelled
/// (`uas_ring_cancel.xml`), and a sipp caller on A dialling `exten` that holds the call
/// `hold_ms` once answered; both run in threads.
pub fn ring_cancel_call(
    sipp_bin: &Path,
    exten: &str,
    hold_ms: u32,
) -> (Link, JoinHandle<SippRun>, JoinHandle<SippRun>) {
    let (uac_port, ringer_port) = (free_port(), free_port());
    let l = link(false, uac_port, ringer_port, free_port());
    let scenario = format!(
        "{}/tests/sipp/uas_ring_cancel.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let ringer = sipp_uas(sipp_bin, ringer_port, &scenario, 1);
    let (sb, a_port, exten) = (sipp_bin.to_path_buf(), l.a.sip_port, exten.to_string());
    let caller = std::thread::spawn(move || sipp_uac(&sb, a_port, uac_port, &exten, 1, hold_ms));
    (l, caller, ringer)
}
