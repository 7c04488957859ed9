//! RFC 4733 digits from sipp (its bundled telephone-event captures, payload type 101) are
//! read by Read() into a variable, with READSTATUS, after its prompt; SayNumber and
//! SayDigits then play the shipped prompts.

mod common;

const EXTENSIONS: &str = "[public]\n\
    exten => 700,1,Answer()\n same => n,Read(NUM,beep,1)\n\
    same => n,Verbose(1,got ${NUM} ${READSTATUS})\n\
    same => n,Read(NUM2,,1)\n\
    same => n,Verbose(1,then ${NUM2} ${READSTATUS})\n\
    same => n,SayNumber(${NUM}${NUM2})\n same => n,SayDigits(*)\n same => n,Hangup()\n";

#[test]
fn rfc4733_digits_from_sipp_are_read_into_variables_by_read() {
    let Some(call) = common::digits::call_with_digits(
        EXTENSIONS,
        (64500, 64549),
        "Playing 'digits/star'",
        |_| {},
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
        log.contains("got 1 OK"),
        "Read(NUM,beep,1) took the digit 1:\n{log}"
    );
    assert!(
        log.contains("then 2 OK"),
        "Read(NUM2,,1) took the digit 2:\n{log}"
    );
    // The Say applications play the shipped prompts: 12 is one word.
    for said in ["Playing 'digits/12'", "Playing 'digits/star'"] {
        assert!(log.contains(said), "{said:?} in:\n{log}");
    }
    // No timeout was waited for: each Read ended on its digit, READSTATUS OK (asserted
    // above; no timing asserted: the machine may be slow).
}
