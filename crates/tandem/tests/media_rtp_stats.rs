//! RTP statistics and strict RTP on a real bridged call between two baresip phones:
//! `sip show channelstats` shows both legs with packets received and sent (chan_sip's
//! layout); once learning locks on each phone's address, RTP sprayed at tandem's ports from
//! another address (127.0.0.2) is dropped, as with Asterisk's default `strictrtp=yes`.

use std::net::UdpSocket;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::wav::{self, RATE_8K};
use tandem_testkit::{
    free_port, require_tool, run_cli, write_config, Baresip, Daemon, Phone, TempDir,
    BARESIP_TIMEOUT,
};

const RTP: (u16, u16) = (64800, 64849);

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

struct Pbx {
    _config: TempDir,
    data: TempDir,
    daemon: Daemon,
    port: u16,
}

fn start_pbx() -> Pbx {
    let port = free_port();
    let config = TempDir::new();
    let data = TempDir::new();
    let sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={port}\ncontext=public\n\n\
         [alice]\ntype=friend\nhost=dynamic\nsecret=alicepw\ncontext=internal\n\n\
         [bob]\ntype=friend\nhost=dynamic\nsecret=bobpw\ncontext=internal\n"
    );
    let extensions = "[internal]\nexten => 6002,1,Dial(SIP/bob,20)\n same => n,Hangup()\n";
    let rtp = format!("[general]\nrtpstart={}\nrtpend={}\n", RTP.0, RTP.1);
    write_config(
        config.path(),
        &[
            ("sip.conf", &sip),
            ("extensions.conf", extensions),
            ("rtp.conf", &rtp),
        ],
    );
    let daemon = Daemon::start(&bin(), config.path(), data.path());
    Pbx {
        _config: config,
        data,
        daemon,
        port,
    }
}

impl Pbx {
    fn cli(&self, cmd: &str) -> String {
        run_cli(&bin(), self.data.path(), cmd)
    }

    fn log_count(&self, part: &str) -> usize {
        self.daemon.log_count(&[part])
    }

    fn wait_log_count(&self, part: &str, n: usize, timeout: Duration) -> Result<(), String> {
        self.daemon.wait_log_nth(&[part], n, timeout).map(|_| ())
    }
}

/// The `(received, sent)` packet counts of each row of `sip show channelstats`.
fn counts(table: &str) -> Vec<(u64, u64)> {
    table
        .lines()
        .skip(1)
        .filter(|l| !l.contains("active SIP channel"))
        .filter_map(|l| {
            // Peer, Call ID, Duration, Recv, Lost, (x%), Jitter, Send, Lost, (y%), Jitter;
            // "( 0.00%)" may be one word or two.
            let f: Vec<&str> = l.split_whitespace().collect();
            let pct = f.iter().position(|w| w.ends_with("%)"))?;
            Some((f.get(3)?.parse().ok()?, f.get(pct + 2)?.parse().ok()?))
        })
        .collect()
}

fn fail(what: &str, pbx: &Pbx, phones: &[&Baresip], err: &str) -> ! {
    let mut text = format!(
        "{what}: {err}\n--- tandem stderr:\n{}\n",
        pbx.daemon.stderr_text()
    );
    for p in phones {
        text.push_str(&format!("--- {} output:\n{}\n", p.phone.name, p.output()));
    }
    panic!("{text}");
}

#[test]
fn channelstats_counts_a_bridged_calls_packets_and_strict_rtp_drops_a_stranger() {
    let Some(baresip) = require_tool("baresip") else {
        return;
    };
    let pbx = start_pbx();
    let work = TempDir::new();
    let mic = work.path().join("mic.wav");
    wav::write_wav(&mic, RATE_8K, &wav::sine(RATE_8K, 800.0, 60.0, 8000));
    let mut alice_phone = Phone::new(
        "alice",
        "alicepw",
        pbx.port,
        &mic,
        &work.path().join("a-rec"),
    )
    .with_codecs("PCMU");
    alice_phone.rtp_ports = (63900, 63949);
    let mut bob_phone =
        Phone::new("bob", "bobpw", pbx.port, &mic, &work.path().join("b-rec")).with_codecs("PCMU");
    bob_phone.rtp_ports = (63950, 63999);
    let mut alice = Baresip::start(&baresip, &work.path().join("alice"), &alice_phone);
    let bob = Baresip::start(&baresip, &work.path().join("bob"), &bob_phone);
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_registered(BARESIP_TIMEOUT) {
            fail("registration", &pbx, &[&alice, &bob], &e);
        }
    }
    if let Err(e) = alice.dial(&alice_phone.pbx_uri("6002")) {
        fail("dial", &pbx, &[&alice, &bob], &e);
    }
    for p in [&alice, &bob] {
        if let Err(e) = p.wait_for("Call established", BARESIP_TIMEOUT) {
            fail("call established", &pbx, &[&alice, &bob], &e);
        }
    }

    // Both legs receive and send (the phones' RTP crosses the bridge).
    let deadline = Instant::now() + BARESIP_TIMEOUT;
    let table = loop {
        let table = pbx.cli("sip show channelstats");
        let rows = counts(&table);
        if table.contains("2 active SIP channels")
            && rows.len() == 2
            && rows.iter().all(|&(rx, tx)| rx > 50 && tx > 50)
        {
            break table;
        }
        if Instant::now() >= deadline {
            fail("sip show channelstats", &pbx, &[&alice, &bob], &table);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        table.starts_with("Peer             Call ID      Duration Recv: Pack  Lost"),
        "{table}"
    );

    // Learning locks on each phone's address 5 s after its first packet.
    if let Err(e) = pbx.wait_log_count(
        "strict RTP locked on source 127.0.0.1:",
        2,
        Duration::from_secs(15),
    ) {
        fail("strict RTP lock", &pbx, &[&alice, &bob], &e);
    }
    let before = pbx.log_count("strict RTP dropped");
    // A stranger sends RTP, in sequence, to every even port of tandem's range.
    let stranger = UdpSocket::bind("127.0.0.2:0").unwrap_or_else(|e| panic!("bind: {e}"));
    for seq in 0..20u16 {
        for port in (RTP.0..=RTP.1).step_by(2) {
            let mut packet = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
            packet[2..4].copy_from_slice(&seq.to_be_bytes());
            packet[4..8].copy_from_slice(&(u32::from(seq) * 160).to_be_bytes());
            packet.extend_from_slice(&[0xff; 160]);
            let _ = stranger.send_to(&packet, ("127.0.0.1", port));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Both bridged legs drop it: their drop counters reach 16 (logged at powers of two).
    if let Err(e) = pbx.wait_log_count(
        "strict RTP dropped 16 packet(s), this one from 127.0.0.2:",
        2,
        Duration::from_secs(10),
    ) {
        fail("strict RTP drops", &pbx, &[&alice, &bob], &e);
    }
    assert!(pbx.log_count("strict RTP dropped") > before);
    assert_eq!(
        pbx.log_count("strict RTP locked on source 127.0.0.2"),
        0,
        "the stranger never takes over"
    );
    let _ = alice.hangup();
}
