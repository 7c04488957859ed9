//! Just enough SIP for a load run against static peers (no auth): the caller side sends
//! INVITE / ACK / BYE, the callee side answers INVITE and BYE with 200 OK. Text in, text out.

/// The value of the first header `name` (case-insensitive; compact forms given by the caller).
pub fn header<'a>(msg: &'a str, names: &[&str]) -> Option<&'a str> {
    msg.split("\r\n")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            names
                .iter()
                .any(|n| k.trim().eq_ignore_ascii_case(n))
                .then(|| v.trim())
        })
}

/// Every header line `name` (Via may come several times), whole.
pub fn header_lines<'a>(msg: &'a str, names: &[&str]) -> Vec<&'a str> {
    msg.split("\r\n")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| {
            l.split_once(':')
                .is_some_and(|(k, _)| names.iter().any(|n| k.trim().eq_ignore_ascii_case(n)))
        })
        .collect()
}

/// The status code of a response, None for a request.
pub fn status(msg: &str) -> Option<u16> {
    let first = msg.split("\r\n").next()?;
    let rest = first.strip_prefix("SIP/2.0 ")?;
    rest.get(..3)?.parse().ok()
}

/// The method of a request.
pub fn method(msg: &str) -> Option<&str> {
    let first = msg.split("\r\n").next()?;
    if first.starts_with("SIP/2.0") {
        return None;
    }
    first.split(' ').next()
}

pub fn body(msg: &str) -> &str {
    msg.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// The audio port of an SDP body.
pub fn sdp_audio_port(sdp: &str) -> Option<u16> {
    sdp.lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|r| r.split(' ').next())
        .and_then(|p| p.trim().parse().ok())
}

/// The URI inside `<...>` of a Contact value.
pub fn contact_uri(v: &str) -> Option<&str> {
    let start = v.find('<')? + 1;
    let end = v[start..].find('>')? + start;
    v.get(start..end)
}

/// The dynamic payload type rtpload gives Opus.
pub const OPUS_PT: u8 = 111;

/// An SDP offering one codec: payload type 0 (PCMU), 8 (PCMA), 9 (G.722) or [`OPUS_PT`].
pub fn sdp(rtp_port: u16, id: u64, pt: u8) -> String {
    let name = match pt {
        8 => "PCMA/8000",
        9 => "G722/8000",
        OPUS_PT => "opus/48000/2",
        _ => "PCMU/8000",
    };
    format!(
        "v=0\r\no=rtpload {id} {id} IN IP4 127.0.0.1\r\ns=rtpload\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {rtp_port} RTP/AVP {pt}\r\na=rtpmap:{pt} {name}\r\na=ptime:20\r\na=sendrecv\r\n"
    )
}

/// A request from the caller side.
#[allow(clippy::too_many_arguments)]
pub fn request(
    method: &str,
    uri: &str,
    local_port: u16,
    branch: &str,
    call_id: &str,
    from_tag: &str,
    to: &str,
    cseq: u32,
    body: &str,
) -> String {
    let ctype = if body.is_empty() {
        String::new()
    } else {
        "Content-Type: application/sdp\r\n".to_string()
    };
    format!(
        "{method} {uri} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:uac@127.0.0.1:{local_port}>;tag={from_tag}\r\n\
         To: {to}\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: {cseq} {method}\r\n\
         Contact: <sip:uac@127.0.0.1:{local_port}>\r\n\
         {ctype}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A 200 OK to `req` from the callee side (with `to_tag` added to To when it has none).
pub fn ok(req: &str, to_tag: &str, local_port: u16, body: &str) -> String {
    let mut out = String::from("SIP/2.0 200 OK\r\n");
    for v in header_lines(req, &["via", "v"]) {
        out.push_str(v);
        out.push_str("\r\n");
    }
    for (names, canon) in [
        (&["from", "f"][..], "From"),
        (&["call-id", "i"][..], "Call-ID"),
        (&["cseq"][..], "CSeq"),
    ] {
        if let Some(v) = header(req, names) {
            out.push_str(&format!("{canon}: {v}\r\n"));
        }
    }
    if let Some(to) = header(req, &["to", "t"]) {
        if to.contains(";tag=") {
            out.push_str(&format!("To: {to}\r\n"));
        } else {
            out.push_str(&format!("To: {to};tag={to_tag}\r\n"));
        }
    }
    out.push_str(&format!("Contact: <sip:uas@127.0.0.1:{local_port}>\r\n"));
    if !body.is_empty() {
        out.push_str("Content-Type: application/sdp\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:uas@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa\r\nv: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:uas@127.0.0.1>\r\ni: abc\r\nCSeq: 102 INVITE\r\nContent-Length: 10\r\n\r\nv=0\r\nm=audio 20002 RTP/AVP 0\r\n";

    #[test]
    fn a_200_copies_the_vias_and_tags_the_to() {
        let r = ok(INVITE, "t9", 5070, "");
        assert!(r.contains(
            "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa\r\nv: SIP/2.0/UDP 10.0.0.1"
        ));
        assert!(r.contains("To: <sip:uas@127.0.0.1>;tag=t9\r\n"));
        assert!(r.contains("Call-ID: abc\r\n"));
        assert!(r.contains("CSeq: 102 INVITE\r\n"));
    }

    #[test]
    fn the_sdp_port_and_method_are_read() {
        assert_eq!(sdp_audio_port(body(INVITE)), Some(20002));
        assert_eq!(method(INVITE), Some("INVITE"));
        assert_eq!(status("SIP/2.0 180 Ringing\r\n\r\n"), Some(180));
        assert_eq!(contact_uri("<sip:a@b:5>;x"), Some("sip:a@b:5"));
    }

    #[test]
    fn the_callee_codec_is_offered_with_its_static_payload_type() {
        let alaw = sdp(4000, 1, 8);
        assert!(alaw.contains("m=audio 4000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"));
        // G.722's RTP clock is 8000 Hz (RFC 3551), though it samples at 16 kHz.
        assert!(sdp(4000, 1, 9).contains("a=rtpmap:9 G722/8000\r\n"));
        assert!(sdp(4000, 1, 0).contains("a=rtpmap:0 PCMU/8000\r\n"));
        assert!(sdp(4000, 1, OPUS_PT).contains("RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n"));
    }
}
