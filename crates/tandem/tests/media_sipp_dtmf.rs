//! RFC 4733 digits from sipp (its bundled telephone-event captures, payload type 101) drive
//! Background() and WaitExten() to the right extensions.

mod common;

use tandem_testkit::wav;

const EXTENSIONS: &str = "[public]\n\
    exten => 700,1,Answer()\n same => n,Background(media-test/long)\n\
    same => n,Verbose(1,background was not interrupted)\n same => n,Hangup()\n\
    exten => 1,1,Verbose(1,reached extension 1)\n same => n,WaitExten(10)\n\
    exten => 2,1,Verbose(1,reached extension 2)\n same => n,Hangup()\n\
    exten => i,1,Verbose(1,invalid ${INVALID_EXTEN})\n same => n,Hangup()\n\
    exten => t,1,Verbose(1,timeout)\n same => n,Hangup()\n";

#[test]
fn rfc4733_digits_from_sipp_interrupt_background_then_drive_waitexten() {
    let Some(call) = common::digits::call_with_digits(
        EXTENSIONS,
        (64200, 64299),
        "reached extension 2",
        |data| {
            // A 10 s prompt: the digit must cut it short.
            let sounds = data.join("sounds/media-test");
            std::fs::create_dir_all(&sounds).unwrap_or_else(|e| panic!("{e}"));
            wav::write_wav(
                &sounds.join("long.wav"),
                8000,
                &wav::sine(8000, 440.0, 10.0, 4000),
            );
        },
    ) else {
        return;
    };
    let (run, log) = (call.run, call.log);
    assert_eq!(
        run.code,
        Some(0),
        "sipp failed: {run:?}\n--- tandem:\n{log}"
    );
    assert!(
        log.contains("reached extension 1"),
        "Background took the digit 1:\n{log}"
    );
    assert!(
        log.contains("reached extension 2"),
        "WaitExten took the digit 2:\n{log}"
    );
    // The 10 s prompt was cut short: Background() went on to extension 1, never to the
    // priority after it (no timing asserted: the machine may be slow).
    for bad in ["background was not interrupted", "invalid", ": timeout"] {
        assert!(!log.contains(bad), "{bad:?} in:\n{log}");
    }
}
