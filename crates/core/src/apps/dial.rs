//! Dial(Tech/resource[&Tech2/resource2...][,timeout[,options[,URL]]]): call one or more
//! destinations at once; the first to answer is bridged to the caller. Sets DIALSTATUS.
//! After an answered call the caller is hung up, unless the `g` option says go on.

use std::time::Duration;

use tandem_dialplan::args;

use super::{AppCx, Flow};
use crate::host::{DialRequest, DialStatus, DialTarget, Host, Reply, Request};

/// Option letters with an optional parenthesised argument (`ast_app_parse_options`).
fn parse_options(text: &str) -> Vec<(char, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut arg = None;
        if chars.peek() == Some(&'(') {
            chars.next();
            let mut depth = 1;
            let mut s = String::new();
            for ch in chars.by_ref() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                s.push(ch);
            }
            arg = Some(s);
        }
        out.push((c, arg));
    }
    out
}

/// Parse Dial's arguments. `Err` carries the warning Asterisk would log.
pub fn parse_dial(data: &str) -> Result<DialRequest, String> {
    let parts = args::split(data, ',');
    let peers = parts.first().map(String::as_str).unwrap_or_default();
    if peers.trim().is_empty() {
        return Err("Dial requires an argument (technology/resource)".to_string());
    }
    let mut targets = Vec::new();
    for peer in peers.split('&').filter(|p| !p.is_empty()) {
        let Some((tech, resource)) = peer.split_once('/') else {
            return Err(format!(
                "Dial argument takes format (technology/resource): '{peer}'"
            ));
        };
        targets.push(DialTarget {
            tech: tech.trim().to_string(),
            resource: resource.to_string(),
        });
    }
    let timeout = parts
        .get(1)
        .and_then(|t| crate::goto::scan_int(t))
        .filter(|s| *s > 0)
        .map(|s| Duration::from_secs(s.unsigned_abs()));
    let options = parts.get(2).map(|o| parse_options(o)).unwrap_or_default();
    Ok(DialRequest {
        targets,
        timeout,
        options,
        inherit: Vec::new(),
    })
}

pub(super) async fn exec<H: Host>(cx: &mut AppCx<'_, H>, data: &str) -> Flow {
    let mut request = match parse_dial(data) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!("{e}");
            cx.chan
                .set_var("DIALSTATUS", DialStatus::InvalidArgs.as_str());
            return Flow::Next;
        }
    };
    request.inherit = cx.chan.inherited_vars();
    let go_on = request.has_option('g');
    let reply = cx.host.request(cx.chan, Request::Dial(request)).await;
    match reply {
        Reply::Dial {
            status,
            caller_hung_up,
            transfer,
        } => {
            cx.chan.set_var("DIALSTATUS", status.as_str());
            if let Some((context, exten)) = transfer {
                // Blind transfer (REFER) by the callee: the caller goes on at the target.
                tracing::info!("{}: transferred to {exten}@{context}", cx.chan.name);
                cx.chan.context = context;
                cx.chan.exten = exten;
                cx.chan.priority = 1;
                return Flow::Jump;
            }
            if caller_hung_up || (status == DialStatus::Answer && !go_on) {
                Flow::Hangup
            } else {
                Flow::Next
            }
        }
        Reply::HungUp => {
            cx.chan.set_var("DIALSTATUS", DialStatus::Cancel.as_str());
            Flow::Hangup
        }
        _ => {
            cx.chan
                .set_var("DIALSTATUS", DialStatus::ChanUnavail.as_str());
            Flow::Next
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dial_arguments_parse() {
        let r = parse_dial("SIP/Grandstream1&SIP/Xlite1,20,rtT").unwrap();
        assert_eq!(r.targets.len(), 2);
        assert_eq!(
            r.targets[1],
            DialTarget {
                tech: "SIP".into(),
                resource: "Xlite1".into()
            }
        );
        assert_eq!(r.timeout, Some(Duration::from_secs(20)));
        assert!(r.has_option('r') && r.has_option('t') && r.has_option('T'));
        let r = parse_dial("IAX2/JaneDoe,,rm").unwrap();
        assert_eq!(r.timeout, None);
        assert!(r.has_option('m'));
        let r = parse_dial("SIP/5551234@mysipprovider-out,30,rL(60000:30000)g").unwrap();
        assert_eq!(r.targets[0].resource, "5551234@mysipprovider-out");
        assert_eq!(
            r.options,
            vec![('r', None), ('L', Some("60000:30000".into())), ('g', None)]
        );
        assert!(parse_dial("").is_err());
        assert!(parse_dial("nobody").is_err());
    }
}
