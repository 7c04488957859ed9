//! `IAXpeers` (chan_iax2.c `manager_iax2_show_peers`, the manager side of
//! `__iax2_show_peers`): one `PeerEntry` per peer of iax.conf, then `PeerlistComplete`.

use tandem_ami::{Event, Reply};

use super::Ami;

pub fn peers(ami: &Ami, id: Option<&str>) -> String {
    let mut out = Reply::list_start(id, "Peer status list will follow");
    let mut n = 0;
    if let Some(iax) = &ami.daemon.iax {
        let state = iax
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for p in &state.peers {
            let mut ev = Event::list_item("PeerEntry", id)
                .header("Channeltype", "IAX")
                .header("ObjectName", &p.name);
            if !p.username.is_empty() {
                ev = ev.header("ObjectUsername", &p.username);
            }
            let host = p
                .addr
                .map_or("(Unspecified)".to_string(), |a| a.ip().to_string());
            let port = p.addr.map_or(0, |a| a.port());
            let yes = |b: bool| if b { "yes" } else { "no" };
            out.push_str(
                &ev.header("ChanObjectType", "peer")
                    .header("IPaddress", &host)
                    .header("Mask", "255.255.255.255")
                    .header("Port", &port.to_string())
                    .header("Dynamic", yes(p.dynamic))
                    .header("Trunk", yes(p.trunk))
                    .header("Encryption", "no")
                    .header("Status", &crate::iax2::state::status_text(p))
                    .header("Description", "")
                    .render(),
            );
            n += 1;
        }
    }
    out.push_str(&Event::list_complete("PeerlistComplete", id, n));
    out
}
