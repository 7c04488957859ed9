//! rtp.conf as res_rtp_asterisk's rtp_reload (tandem reports what Asterisk repairs).
mod views_common;
use tandem_conf::views::rtp::StrictRtp;
use views_common::*;

#[test]
fn defaults() {
    let (c, d) = rtp("");
    assert!(d.is_empty());
    assert_eq!((c.rtpstart, c.rtpend), (10000, 20000));
    assert!(c.checksums);
    assert_eq!(
        (c.dtmftimeout, c.probation, c.strictrtp),
        (1200, 4, StrictRtp::Yes)
    );
}

#[test]
fn typed_values_and_last_value_wins() {
    let (c, d) = rtp("[general]\nrtpstart = 12000\nrtpend = 12100\nrtpend = 12200\nrtpchecksums = no\ndtmftimeout = 3000\nstrictrtp = seqno\nprobation = 8\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!((c.rtpstart, c.rtpend), (12000, 12200));
    assert!(!c.checksums);
    assert_eq!(
        (c.dtmftimeout, c.strictrtp, c.probation),
        (3000, StrictRtp::Seqno, 8)
    );
    assert_eq!(
        rtp("[general]\nstrictrtp = no\n").0.strictrtp,
        StrictRtp::No
    );
}

#[test]
fn odd_start_rounds_up_to_even() {
    let (c, _) = rtp("[general]\nrtpstart = 10001\nrtpend = 10011\n");
    assert_eq!((c.first_port(), c.last_port()), (10002, 10010));
}

#[test]
fn start_not_below_end_is_an_error_and_defaults_apply() {
    let (c, d) = rtp("[general]\nrtpstart = 20000\nrtpend = 20000\n");
    assert_eq!((c.rtpstart, c.rtpend), (10000, 20000));
    assert_eq!(
        d,
        vec!["rtp.conf:3: error: rtpstart (20000) must be lower than rtpend (20000)"]
    );
}

#[test]
fn out_of_range_and_bad_values_are_errors() {
    for (line, key) in [
        ("rtpstart = 80", "rtpstart"),
        ("rtpend = 70000", "rtpend"),
        ("rtpstart = x", "rtpstart"),
        ("dtmftimeout = 64001", "dtmftimeout"),
        ("strictrtp = maybe", "strictrtp"),
        ("probation = 0", "probation"),
        ("rtpchecksums = sometimes", "rtpchecksums"),
    ] {
        let (_, d) = rtp(&format!("[general]\n{line}\n"));
        assert_eq!(d.len(), 1, "{line}: {d:?}");
        assert!(
            d[0].starts_with("rtp.conf:2: error: invalid value")
                && d[0].contains(&format!("for '{key}'")),
            "{d:?}"
        );
    }
}

#[test]
fn unsupported_and_unknown_options_and_sections_warn() {
    let (_, d) = rtp(
        "[general]\nicesupport = yes\nfoo = 1\n[ice_host_candidates]\n192.168.1.10 => 1.2.3.4\n",
    );
    assert_eq!(
        d,
        vec![
            "rtp.conf:2: warning: unsupported option 'icesupport' in [general]",
            "rtp.conf:3: warning: unknown option 'foo' in [general]",
            "rtp.conf:4: warning: section [ice_host_candidates] is not supported in rtp.conf and is ignored",
        ]
    );
}
