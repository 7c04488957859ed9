//! SIP INFO on a call and digits sent to a SIP leg, as chan_sip does.
//!
//! Receiving (`handle_request_info`): `application/dtmf-relay` and
//! `application/vnd.nortelnetworks.digits` carry `Signal=5` (or `d=5`) and `Duration=160`
//! lines, `application/dtmf` the bare signal; the signal is a key (`*`, `#`, `A`-`D`, `!` for
//! flash) or an event number (`10` is `*`). A digit becomes [`ChannelEvent::Digit`]; every
//! DTMF INFO is answered 200 even when it says nothing usable. `media_control+xml`, an
//! `X-ClientCode` or `Record` header and an empty INFO (keep-alive) get 200 too; any other
//! body gets 415, whatever the leg's `dtmfmode`.
//!
//! Sending (`sip_senddigit_end`): per the leg's `dtmfmode`, INFO with `Signal=5\r\nDuration=N`
//! (`info`), INFO `application/dtmf` with the event number (`shortinfo`), RFC 4733 events
//! (`rfc2833`, or `auto` with telephone-event), or tones in the audio (`inband`, or `auto`
//! without).

use std::time::Instant;

use tandem_conf::views::sip::DtmfMode;
use tandem_core::ChannelEvent;
use tandem_rtp::dtmf::digit_to_event;
use tandem_sip::message::Request;
use tandem_sip::ua::{CallId, TxnId};

use super::super::calls::LegKey;
use super::super::endpoint::Endpoint;

/// What an INFO asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InfoOutcome {
    /// A digit and its length in ms (100 when the INFO gives none).
    Digit(char, u32),
    /// Hook flash (`Signal=!` or 16).
    Flash,
    /// Answer 200, nothing to do.
    Ok,
    /// Answer 415 Unsupported media type.
    Unsupported,
}

/// Asterisk's default digit length (`AST_DEFAULT_EMULATE_DTMF_DURATION`), ms.
pub const DEFAULT_DURATION_MS: u32 = 100;

/// chan_sip's `get_content_line(req, name, '=')`: a body line starting with `name` (any case)
/// directly followed by `=`; the value with leading blanks skipped.
fn content_line<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.lines().find_map(|line| {
        let head = line.get(..name.len())?;
        let rest = line.get(name.len()..)?;
        (head.eq_ignore_ascii_case(name) && rest.starts_with('=')).then(|| {
            rest.get(1..)
                .unwrap_or_default()
                .trim_start_matches([' ', '\t'])
        })
    })
}

/// A leading unsigned number, as `sscanf("%u")`.
fn leading_number(s: &str) -> Option<u32> {
    let s = s.trim_start();
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.get(..end).filter(|d| !d.is_empty())?.parse().ok()
}

/// What to do with an INFO: its `Content-Type`, whether it has an `X-ClientCode` or `Record`
/// header, its `Content-Length` header and its body.
pub fn classify(
    content_type: Option<&str>,
    client_code_or_record: bool,
    content_length: Option<&str>,
    body: &[u8],
) -> InfoOutcome {
    let ct = content_type.unwrap_or("").trim();
    let text = String::from_utf8_lossy(body);
    let is = |t: &str| ct.eq_ignore_ascii_case(t);
    if is("application/dtmf-relay")
        || is("application/vnd.nortelnetworks.digits")
        || is("application/dtmf")
    {
        let (signal, duration) = if is("application/dtmf") {
            (
                text.trim_end_matches(['\r', '\n']).trim_start().to_string(),
                0,
            )
        } else {
            let Some(signal) = content_line(&text, "Signal").or_else(|| content_line(&text, "d"))
            else {
                tracing::warn!("Unable to retrieve SIGNAL from INFO message");
                return InfoOutcome::Ok;
            };
            let duration = content_line(&text, "Duration")
                .and_then(leading_number)
                .unwrap_or(0);
            (signal.trim_end().to_string(), duration)
        };
        let Some(first) = signal.chars().next() else {
            return InfoOutcome::Ok;
        };
        let duration = if duration == 0 {
            DEFAULT_DURATION_MS
        } else {
            duration
        };
        let event = match first {
            '*' => 10,
            '#' => 11,
            '!' => 16,
            'A'..='D' => 12 + (first as u32 - 'A' as u32),
            'a'..='d' => 12 + (first as u32 - 'a' as u32),
            _ => match leading_number(&signal) {
                Some(e) if e <= 16 => e,
                _ => {
                    tracing::warn!("Unable to convert DTMF event signal code to a valid value");
                    return InfoOutcome::Ok;
                }
            },
        };
        return match event {
            16 => InfoOutcome::Flash,
            0..=9 => InfoOutcome::Digit(char::from(b'0' + event as u8), duration),
            10 => InfoOutcome::Digit('*', duration),
            11 => InfoOutcome::Digit('#', duration),
            e => InfoOutcome::Digit(char::from(b'A' + (e - 12) as u8), duration),
        };
    }
    if is("application/media_control+xml") || client_code_or_record {
        return InfoOutcome::Ok;
    }
    match content_length.map(str::trim) {
        None | Some("0") => InfoOutcome::Ok,
        Some(_) => InfoOutcome::Unsupported,
    }
}

/// The INFO body chan_sip sends for a digit: `dtmf-relay` with the key and its length, or
/// (`shortinfo`) `application/dtmf` with the event number.
pub fn info_body(digit: char, duration_ms: u32, short: bool) -> Option<(&'static str, Vec<u8>)> {
    let event = digit_to_event(digit)?;
    Some(if short {
        ("application/dtmf", format!("{event}\r\n").into_bytes())
    } else {
        (
            "application/dtmf-relay",
            format!("Signal={digit}\r\nDuration={duration_ms}\r\n").into_bytes(),
        )
    })
}

impl Endpoint {
    /// An INFO in the call of leg `key`: answer it and tell the channel of a digit.
    pub(super) fn info(&mut self, now: Instant, key: LegKey, txn: TxnId, req: &Request) {
        let h = &req.headers;
        let outcome = classify(
            h.get("Content-Type"),
            h.get("X-ClientCode").is_some() || h.get("Record").is_some(),
            h.get("Content-Length"),
            &req.body,
        );
        let Some(leg) = self.legs.legs.get(&key) else {
            return;
        };
        let resp = match outcome {
            InfoOutcome::Digit(d, ms) => {
                tracing::debug!("{}: DTMF-relay event received: {d} ({ms} ms)", leg.name);
                // chan_sip queues the digit's begin and its end (with the INFO's Duration).
                // Both before the channel hears of the digit: a dialplan that ends on it must
                // not hang the channel up between the two (its DTMFEnd would be lost).
                let duration = std::time::Duration::from_millis(u64::from(ms));
                crate::ami::events::dtmf(&self.world, &leg.name, d, None);
                crate::ami::events::dtmf(&self.world, &leg.name, d, Some(duration));
                leg.emit(ChannelEvent::Digit(d));
                self.reply(req, 200, "OK")
            }
            InfoOutcome::Flash => {
                tracing::debug!("{}: DTMF-relay event received: FLASH", leg.name);
                self.reply(req, 200, "OK")
            }
            InfoOutcome::Ok => self.reply(req, 200, "OK"),
            InfoOutcome::Unsupported => {
                tracing::warn!(
                    "Unable to parse INFO message from {}. Content {}",
                    leg.name,
                    h.get("Content-Type").unwrap_or("")
                );
                self.reply(req, 415, "Unsupported media type")
            }
        };
        if let Err(e) = self.ua.respond(now, txn, resp) {
            tracing::warn!("SIP: {e}");
        }
    }

    /// Send `digit` to the far end of leg `key` in its `dtmfmode`.
    pub(super) fn send_digit(&mut self, now: Instant, key: LegKey, call: CallId, digit: char) {
        let Some(leg) = self.legs.legs.get(&key) else {
            return;
        };
        let media = leg.media.clone();
        match media.dtmf_mode() {
            mode @ (DtmfMode::Info | DtmfMode::ShortInfo) => {
                let short = mode == DtmfMode::ShortInfo;
                let Some((ct, body)) = info_body(digit, DEFAULT_DURATION_MS, short) else {
                    return;
                };
                tracing::debug!("{}: sending DTMF {digit} in INFO", leg.name);
                let sent = self.ua.send_in_dialog(
                    now,
                    call,
                    tandem_sip::message::Method::Info,
                    Some((ct, body)),
                    &[],
                );
                if let Err(e) = sent {
                    tracing::warn!("SIP: {e}");
                }
            }
            DtmfMode::Inband | DtmfMode::Auto => crate::media::dtmf::send_inband(&media, digit),
            DtmfMode::Rfc2833 => crate::media::dtmf::send_rfc4733(&media, digit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(body: &str) -> InfoOutcome {
        classify(
            Some("application/dtmf-relay"),
            false,
            Some("30"),
            body.as_bytes(),
        )
    }

    #[test]
    fn dtmf_relay_signal_and_duration() {
        assert_eq!(
            relay("Signal=5\r\nDuration=160\r\n"),
            InfoOutcome::Digit('5', 160)
        );
        assert_eq!(relay("signal= #\r\n"), InfoOutcome::Digit('#', 100));
        assert_eq!(relay("d=7\r\n"), InfoOutcome::Digit('7', 100));
        assert_eq!(relay("Signal=b\r\n"), InfoOutcome::Digit('B', 100));
    }

    #[test]
    fn event_numbers_are_keys_and_16_is_flash() {
        assert_eq!(relay("Signal=10\r\n"), InfoOutcome::Digit('*', 100));
        assert_eq!(relay("Signal=11\r\n"), InfoOutcome::Digit('#', 100));
        assert_eq!(relay("Signal=15\r\n"), InfoOutcome::Digit('D', 100));
        assert_eq!(relay("Signal=16\r\n"), InfoOutcome::Flash);
        assert_eq!(relay("Signal=!\r\n"), InfoOutcome::Flash);
    }

    #[test]
    fn unusable_dtmf_info_is_still_answered_200() {
        // chan_sip: no Signal line, an empty one, or a code above 16: a warning and 200.
        assert_eq!(relay("Duration=100\r\n"), InfoOutcome::Ok);
        assert_eq!(relay("Signal=\r\n"), InfoOutcome::Ok);
        assert_eq!(relay("Signal=17\r\n"), InfoOutcome::Ok);
        assert_eq!(relay("Signal=x\r\n"), InfoOutcome::Ok);
        // `Signal = 5`: get_content_line wants '=' right after the name.
        assert_eq!(relay("Signal = 5\r\n"), InfoOutcome::Ok);
    }

    #[test]
    fn application_dtmf_is_the_bare_signal() {
        let c = |b: &str| classify(Some("Application/DTMF"), false, Some("3"), b.as_bytes());
        assert_eq!(c("4\r\n"), InfoOutcome::Digit('4', 100));
        assert_eq!(c("11"), InfoOutcome::Digit('#', 100));
        assert_eq!(c(""), InfoOutcome::Ok);
    }

    #[test]
    fn other_bodies_get_415_but_keepalives_and_known_kinds_200() {
        assert_eq!(
            classify(Some("text/plain"), false, Some("5"), b"hello"),
            InfoOutcome::Unsupported
        );
        assert_eq!(classify(None, false, Some("0"), b""), InfoOutcome::Ok);
        assert_eq!(classify(None, false, None, b""), InfoOutcome::Ok);
        assert_eq!(
            classify(
                Some("application/media_control+xml"),
                false,
                Some("9"),
                b"<x/>"
            ),
            InfoOutcome::Ok
        );
        assert_eq!(
            classify(Some("text/plain"), true, Some("5"), b"hello"),
            InfoOutcome::Ok
        );
        // chan_sip compares the whole Content-Type: parameters make it another type.
        assert_eq!(
            classify(
                Some("application/dtmf-relay;charset=x"),
                false,
                Some("9"),
                b"Signal=1"
            ),
            InfoOutcome::Unsupported
        );
    }

    #[test]
    fn bodies_sent_for_info_and_shortinfo() {
        assert_eq!(
            info_body('5', 100, false),
            Some((
                "application/dtmf-relay",
                b"Signal=5\r\nDuration=100\r\n".to_vec()
            ))
        );
        assert_eq!(
            info_body('*', 100, true),
            Some(("application/dtmf", b"10\r\n".to_vec()))
        );
        assert_eq!(info_body('E', 100, false), None);
    }
}
