//! `[general]` autoban and blockscanners options of sip.conf (tandem's own, docs/security.md).
mod views_common;
use views_common::*;

#[test]
fn autoban_defaults_are_on() {
    let c = sip_ok("[general]\n");
    let a = &c.general.autoban;
    assert!(a.enabled && a.blockscanners);
    assert_eq!((a.failures, a.window, a.rate, a.time), (5, 60, 500, 600));
    assert!(a.exempt.is_empty());
    assert!(c.general.alwaysauthreject && !c.general.allowguest);
}

#[test]
fn autoban_values() {
    let c = sip_ok(
        "[general]\nautoban = no\nautoban_failures = 3\nautoban_window = 120\nautoban_rate = 0\n\
         autoban_time = 3600\nautoban_exempt = 10.0.0.0/8, 192.0.2.7\nautoban_exempt = !10.9.9.9\nblockscanners = no\n",
    );
    let a = &c.general.autoban;
    assert!(!a.enabled && !a.blockscanners);
    assert_eq!((a.failures, a.window, a.rate, a.time), (3, 120, 0, 3600));
    assert_eq!(a.exempt.rules().len(), 3);
    let deny = tandem_conf::views::Sense::Deny;
    assert_eq!(a.exempt.sense_for("10.1.1.1".parse().unwrap()), deny);
    assert_eq!(a.exempt.sense_for("192.0.2.7".parse().unwrap()), deny);
    assert_ne!(a.exempt.sense_for("10.9.9.9".parse().unwrap()), deny);
}

#[test]
fn bad_autoban_values_are_errors_with_file_line() {
    let cases = [
        ("autoban = often", "autoban"),
        ("blockscanners = sure", "blockscanners"),
        ("autoban_failures = 0", "autoban_failures"),
        ("autoban_failures = 1001", "autoban_failures"),
        ("autoban_window = -1", "autoban_window"),
        ("autoban_window = 0", "autoban_window"),
        ("autoban_time = 10m", "autoban_time"),
        ("autoban_rate = fast", "autoban_rate"),
        ("autoban_exempt = 10.0.0.0/40", "autoban_exempt"),
        ("autoban_exempt = host.example.com", "autoban_exempt"),
    ];
    for (line, key) in cases {
        let (c, d) = sip(&format!("[general]\n{line}\n"));
        assert_eq!(d.len(), 1, "{line}: {d:?}");
        assert!(
            d[0].starts_with("sip.conf:2: error: invalid value"),
            "{line}: {d:?}"
        );
        assert!(
            d[0].contains(&format!("for '{key}' in [general]")),
            "{line}: {d:?}"
        );
        assert_eq!(c.general.autoban.failures, 5, "the default stays");
    }
}
