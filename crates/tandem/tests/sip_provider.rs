//! tandem as a customer of a SIP provider: it registers (digest), calls out through the
//! provider, and a call from the provider rings a local phone. The provider is a second
//! tandem; the phones and the far end are sipp.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tandem_testkit::{free_port, require_tool, run_cli, sipp, write_config, Daemon, TempDir};

fn bin() -> PathBuf {
    tandem_testkit::tandem_bin(env!("CARGO_BIN_EXE_tandem"))
}

struct Setup {
    _dirs: Vec<TempDir>,
    provider: Daemon,
    pbx: Daemon,
    pbx_data: PathBuf,
    provider_port: u16,
    pbx_port: u16,
    phone_port: u16,
    far_end_port: u16,
    caller_port: u16,
}

fn start() -> Setup {
    let (provider_port, pbx_port) = (free_port(), free_port());
    let (phone_port, far_end_port, caller_port) = (free_port(), free_port(), free_port());
    // The provider: the PBX is its customer `acme` (registers, may call out); calls to
    // 7000 go to the customer; calls from the customer go to the far end (a sipp UAS).
    let provider_sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={provider_port}\ncontext=public\n\n\
         [acme]\ntype=friend\nhost=dynamic\nsecret=trunk-secret\ncontext=from-customer\n\n\
         [pstn]\ntype=peer\nhost=127.0.0.1\nport={far_end_port}\n\n\
         [caller]\ntype=friend\nhost=127.0.0.1\nport={caller_port}\ninsecure=invite\ncontext=from-pstn\n"
    );
    let provider_ext = "[from-customer]\nexten => _X.,1,Dial(SIP/${EXTEN}@pstn,20)\n\n\
         [from-pstn]\nexten => 7000,1,Dial(SIP/acme,20)\n";
    // The PBX: registers to the provider, sends 9+number out, and rings its phone for calls
    // to the DID 7000 coming from the provider.
    let pbx_sip = format!(
        "[general]\nbindaddr=127.0.0.1\nbindport={pbx_port}\ncontext=public\n\
         register => acme:trunk-secret@127.0.0.1:{provider_port}/7000\n\n\
         [provider]\ntype=peer\nhost=127.0.0.1\nport={provider_port}\ndefaultuser=acme\nfromuser=acme\n\
         secret=trunk-secret\ninsecure=invite,port\ncontext=from-provider\n\n\
         [desk]\ntype=friend\nhost=127.0.0.1\nport={phone_port}\ninsecure=invite\ncontext=internal\n"
    );
    let pbx_ext = "[internal]\nexten => _9.,1,Dial(SIP/${EXTEN:1}@provider,30)\n\n\
         [from-provider]\nexten => 7000,1,Dial(SIP/desk,20)\n";
    let dirs: Vec<TempDir> = (0..4).map(|_| TempDir::new()).collect();
    write_config(
        dirs[0].path(),
        &[
            ("sip.conf", &provider_sip),
            ("extensions.conf", provider_ext),
        ],
    );
    write_config(
        dirs[1].path(),
        &[("sip.conf", &pbx_sip), ("extensions.conf", pbx_ext)],
    );
    let provider = Daemon::start(&bin(), dirs[0].path(), dirs[2].path());
    let pbx = Daemon::start(&bin(), dirs[1].path(), dirs[3].path());
    let pbx_data = dirs[3].path().to_path_buf();
    let provider_data = dirs[2].path().to_path_buf();
    // Wait (bounded) until the provider sees the registration and the PBX says Registered.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let peers = run_cli(&bin(), &provider_data, "sip show peers");
        let registry = run_cli(&bin(), &pbx_data, "sip show registry");
        if peers
            .lines()
            .any(|l| l.starts_with("acme") && l.contains("127.0.0.1"))
            && registry.contains("Registered")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no registration:\n{peers}\n{registry}\n{}\n{}",
            provider.stderr_text(),
            pbx.stderr_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Setup {
        _dirs: dirs,
        provider,
        pbx,
        pbx_data,
        provider_port,
        pbx_port,
        phone_port,
        far_end_port,
        caller_port,
    }
}

fn uas_thread(
    sipp_bin: &std::path::Path,
    port: u16,
) -> std::thread::JoinHandle<tandem_testkit::SippRun> {
    let sipp_bin = sipp_bin.to_path_buf();
    std::thread::spawn(move || {
        let work = TempDir::new();
        let port = port.to_string();
        sipp(
            &sipp_bin,
            work.path(),
            &["-sn", "uas", "-m", "1", "-i", "127.0.0.1", "-p", &port],
            Duration::from_secs(90),
        )
    })
}

fn uac(
    sipp_bin: &std::path::Path,
    target_port: u16,
    local_port: u16,
    exten: &str,
) -> tandem_testkit::SippRun {
    let work = TempDir::new();
    let (local, server) = (local_port.to_string(), format!("127.0.0.1:{target_port}"));
    sipp(
        sipp_bin,
        work.path(),
        &[
            "-sn",
            "uac",
            "-s",
            exten,
            "-d",
            "500",
            "-m",
            "1",
            "-i",
            "127.0.0.1",
            "-p",
            &local,
            &server,
        ],
        Duration::from_secs(90),
    )
}

#[test]
fn tandem_registers_to_a_provider_and_calls_out_through_it() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let s = start();
    let registry = run_cli(&bin(), &s.pbx_data, "sip show registry");
    assert!(
        registry.contains(&format!("127.0.0.1:{}", s.provider_port)) && registry.contains("acme"),
        "{registry}"
    );
    // The desk phone dials 9 + a number: PBX -> provider (digest challenge answered) -> far end.
    let far_end = uas_thread(&sipp_bin, s.far_end_port);
    let caller = uac(&sipp_bin, s.pbx_port, s.phone_port, "95551234");
    let far_end = far_end.join().expect("far end");
    let logs = format!(
        "provider:\n{}\npbx:\n{}",
        s.provider.stderr_text(),
        s.pbx.stderr_text()
    );
    assert_eq!(caller.code, Some(0), "caller: {caller:?}\n{logs}");
    assert_eq!(far_end.code, Some(0), "far end: {far_end:?}\n{logs}");
}

#[test]
fn a_call_from_the_provider_rings_a_local_phone() {
    let Some(sipp_bin) = require_tool("sipp") else {
        return;
    };
    let s = start();
    // Someone on the provider's side calls the PBX's number 7000; the provider sends it to
    // the registered customer; the PBX rings its desk phone.
    let desk = uas_thread(&sipp_bin, s.phone_port);
    let caller = uac(&sipp_bin, s.provider_port, s.caller_port, "7000");
    let desk = desk.join().expect("desk phone");
    let logs = format!(
        "provider:\n{}\npbx:\n{}",
        s.provider.stderr_text(),
        s.pbx.stderr_text()
    );
    assert_eq!(caller.code, Some(0), "caller: {caller:?}\n{logs}");
    assert_eq!(desk.code, Some(0), "desk: {desk:?}\n{logs}");
}
