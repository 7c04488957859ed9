//! The .conf parser (crates/conf) and its typed views. The input is split at the first NUL:
//! the first part is `fuzz.conf`, the rest `b.conf` (reachable by `#include b.conf`).
//! Invariants: no panic; parsing is deterministic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tandem_conf::views::{
    FeaturesConf, HttpConf, IaxConf, Indications, ManagerConf, MohConf, RtpConf, SipConf,
    VoicemailConf,
};
use tandem_conf::{load, MemSource};

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&c| c == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let src = MemSource::new().with("fuzz.conf", &a).with("b.conf", &b);
    let loaded = load(&src, "fuzz.conf");
    let again = load(&src, "fuzz.conf");
    assert_eq!(loaded.config, again.config, "parsing is deterministic");
    let cfg = &loaded.config;
    let _ = SipConf::from_config(cfg);
    let _ = IaxConf::from_config(cfg);
    let _ = RtpConf::from_config(cfg);
    let _ = ManagerConf::from_config(cfg);
    let _ = FeaturesConf::from_config(cfg);
    let _ = HttpConf::from_config(cfg);
    let _ = Indications::from_config(cfg);
    let _ = MohConf::from_config(cfg);
    let _ = VoicemailConf::from_config(cfg);
});
