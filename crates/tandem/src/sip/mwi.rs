//! Message waiting indication (RFC 3842) as chan_sip sends it: an unsolicited NOTIFY
//! `Event: message-summary` to every peer whose `mailbox=` names a mailbox that changed
//! (new message, heard, deleted), and to a peer with `mailbox=` when it registers
//! (`sip_send_mwi_to_peer` after `register_verify`). No SUBSCRIBE is needed.
//!
//! `mailbox=100` means `100@default`; several are `100,101@sales`. The body is
//! [`tandem_sip::event::mwi::message_summary`] with the Message-Account
//! `sip:VMEXTEN@OURHOST` (chan_sip's `vmexten`, default `asterisk`).

use std::net::SocketAddr;
use std::time::Instant;

use tandem_sip::message::{Method, Request, Uri};
use tokio::sync::{broadcast, mpsc};

use super::calls::EndpointCmd;
use super::endpoint::Endpoint;
use crate::apps::vm_spool::{self, MailboxChange};

/// Forward mailbox changes to the endpoint task (until it is gone).
pub fn spawn_forwarder(commands: mpsc::Sender<EndpointCmd>) {
    let mut rx = vm_spool::subscribe();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(change) => {
                    if commands.send(EndpointCmd::Mwi(change)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!("SIP MWI: {n} mailbox changes were missed");
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

/// `100` / `100@ctx` as (mailbox, context).
pub fn mailbox_key(spec: &str) -> (&str, &str) {
    match spec.split_once('@') {
        Some((m, c)) if !c.is_empty() => (m, c),
        Some((m, _)) => (m, "default"),
        None => (spec, "default"),
    }
}

/// Does a peer's `mailbox=` list name this mailbox?
pub fn names_mailbox(mailboxes: &[String], mailbox: &str, context: &str) -> bool {
    mailboxes
        .iter()
        .any(|m| mailbox_key(m) == (mailbox, context))
}

impl Endpoint {
    /// A mailbox changed: NOTIFY each peer that watches it.
    pub(super) fn mwi_changed(&mut self, now: Instant, change: &MailboxChange) {
        let peers: Vec<String> = self
            .conf
            .peers
            .iter()
            .filter(|p| names_mailbox(&p.mailboxes, &change.mailbox, &change.context))
            .map(|p| p.name.clone())
            .collect();
        for peer in peers {
            self.send_mwi(now, &peer, change.new, change.old);
        }
    }

    /// A peer registered: tell it the state of its mailboxes (the sum over them, as chan_sip's
    /// `ast_app_inboxcount` over a mailbox list).
    pub(super) fn mwi_on_register(&mut self, now: Instant, peer: &str) {
        let Some(p) = self.conf.peer(peer) else {
            return;
        };
        if p.mailboxes.is_empty() {
            return;
        }
        let (mut new, mut old) = (0u32, 0u32);
        for m in &p.mailboxes {
            let (mailbox, context) = mailbox_key(m);
            let store = &self.world.shared.store;
            new = new.saturating_add(
                store
                    .vm_count(context, mailbox, vm_spool::INBOX)
                    .unwrap_or(0),
            );
            old = old.saturating_add(store.vm_count(context, mailbox, vm_spool::OLD).unwrap_or(0));
        }
        let name = p.name.clone();
        self.send_mwi(now, &name, new, old);
    }

    /// One NOTIFY to where the peer is (registered source or static host).
    fn send_mwi(&mut self, now: Instant, peer: &str, new: u32, old: u32) {
        let (addr, contact) = {
            let state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match state
                .peers
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(peer))
            {
                Some(row) => (row.addr, row.contact.clone()),
                None => (None, String::new()),
            }
        };
        let Some(dest) = addr else {
            tracing::debug!("SIP MWI: peer {peer} is not reachable; no NOTIFY");
            return;
        };
        let vmexten = self
            .conf
            .peer(peer)
            .map_or_else(|| self.conf.general.vmexten.clone(), |p| p.vmexten.clone());
        let local = self.ua.config().local;
        let tag = self.ua.new_token();
        let call_id = format!("{}@{}", self.ua.new_token(), host_of(local));
        let Some(req) = notify(
            peer,
            dest,
            &contact,
            local,
            &vmexten,
            &tag,
            &call_id,
            new,
            old,
            &self.conf.general.useragent,
        ) else {
            tracing::warn!("SIP MWI: peer {peer}: no URI to send a NOTIFY to");
            return;
        };
        match self.ua.send_request(now, req, dest) {
            Ok(_) => tracing::info!("SIP MWI: NOTIFY to {peer} at {dest}: {new} new, {old} old"),
            Err(e) => tracing::warn!("SIP MWI: NOTIFY to {peer}: {e}"),
        }
    }
}

fn host_of(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    }
}

fn host_port(addr: SocketAddr) -> String {
    if addr.port() == 5060 {
        host_of(addr)
    } else {
        format!("{}:{}", host_of(addr), addr.port())
    }
}

/// chan_sip's `transmit_notify_with_mwi`, out of dialog. No Via: the UA adds it.
#[allow(clippy::too_many_arguments)]
pub fn notify(
    peer: &str,
    dest: SocketAddr,
    contact: &str,
    local: SocketAddr,
    vmexten: &str,
    tag: &str,
    call_id: &str,
    new: u32,
    old: u32,
    user_agent: &str,
) -> Option<Request> {
    let target = Uri::parse(contact)
        .ok()
        .or_else(|| Uri::parse(&format!("sip:{peer}@{}", host_port(dest))).ok())?;
    let to = format!("<{target}>");
    let mut req = Request::new(Method::Notify, target);
    req.headers.push("Max-Forwards", "70");
    req.headers.push(
        "From",
        format!(
            "\"{vmexten}\" <sip:{vmexten}@{}>;tag={tag}",
            host_port(local)
        ),
    );
    req.headers.push("To", to);
    req.headers
        .push("Contact", format!("<sip:{vmexten}@{}>", host_port(local)));
    req.headers.push("Call-ID", call_id);
    req.headers.push("CSeq", "102 NOTIFY");
    if !user_agent.is_empty() {
        req.headers.push("User-Agent", user_agent);
    }
    req.headers.push("Event", "message-summary");
    req.headers
        .push("Content-Type", "application/simple-message-summary");
    let account = format!("sip:{vmexten}@{}", host_port(local));
    req.body = tandem_sip::event::mwi::message_summary(new, old, &account, false).into_bytes();
    Some(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_without_context_is_in_default() {
        assert_eq!(mailbox_key("100"), ("100", "default"));
        assert_eq!(mailbox_key("100@sales"), ("100", "sales"));
        let list = vec!["100".to_string(), "200@sales".to_string()];
        assert!(names_mailbox(&list, "100", "default"));
        assert!(names_mailbox(&list, "200", "sales"));
        assert!(!names_mailbox(&list, "200", "default"));
        assert!(!names_mailbox(&list, "100", "sales"));
    }

    #[test]
    fn the_notify_carries_a_message_summary_for_the_peer() {
        let dest: SocketAddr = "192.0.2.7:5062".parse().unwrap_or_else(|e| panic!("{e}"));
        let local: SocketAddr = "192.0.2.1:5060".parse().unwrap_or_else(|e| panic!("{e}"));
        let req = notify(
            "bob", dest, "", local, "asterisk", "t1", "c1@x", 2, 1, "tandem",
        );
        let text =
            String::from_utf8(req.map(|r| r.to_bytes()).unwrap_or_default()).unwrap_or_default();
        assert!(
            text.starts_with("NOTIFY sip:bob@192.0.2.7:5062 SIP/2.0\r\n"),
            "{text}"
        );
        assert!(text.contains("Event: message-summary\r\n"));
        assert!(text.contains("Content-Type: application/simple-message-summary\r\n"));
        assert!(text.contains(
            "Messages-Waiting: yes\r\nMessage-Account: sip:asterisk@192.0.2.1\r\nVoice-Message: 2/1 (0/0)\r\n"
        ));
        let req = notify(
            "bob",
            dest,
            "sip:bob@10.0.0.9:5070",
            local,
            "*97",
            "t",
            "c",
            0,
            3,
            "",
        );
        let text =
            String::from_utf8(req.map(|r| r.to_bytes()).unwrap_or_default()).unwrap_or_default();
        assert!(
            text.starts_with("NOTIFY sip:bob@10.0.0.9:5070 SIP/2.0\r\n"),
            "{text}"
        );
        assert!(text.contains("Messages-Waiting: no\r\n"));
    }
}
