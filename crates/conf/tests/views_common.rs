// Shared helpers for the views_* tests.
#![allow(dead_code)]
use tandem_conf::views::{RtpConf, SipConf};
use tandem_conf::{load, MemSource};

pub fn sip(text: &str) -> (SipConf, Vec<String>) {
    let l = load(&MemSource::new().with("sip.conf", text), "sip.conf");
    assert!(l.diagnostics.is_empty(), "parser: {:?}", l.diagnostics);
    let (c, d) = SipConf::from_config(&l.config);
    (c, d.iter().map(|d| d.to_string()).collect())
}

pub fn sip_ok(text: &str) -> SipConf {
    let (c, d) = sip(text);
    assert!(d.is_empty(), "unexpected messages: {d:#?}");
    c
}

pub fn rtp(text: &str) -> (RtpConf, Vec<String>) {
    let l = load(&MemSource::new().with("rtp.conf", text), "rtp.conf");
    assert!(l.diagnostics.is_empty(), "parser: {:?}", l.diagnostics);
    let (c, d) = RtpConf::from_config(&l.config);
    (c, d.iter().map(|d| d.to_string()).collect())
}
