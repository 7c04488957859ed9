//! sip.conf peers as the sans-IO stack needs them, and registrations to and from the store.

use std::net::IpAddr;

use tandem_conf::views::sip::Peer;
use tandem_conf::views::SipConf;
use tandem_sip::auth::Secret;
use tandem_sip::registrar::{RegisterPeer, RegistrarConfig, StoredBinding};
use tandem_store::RegistrationRow;

/// The registrar settings of `[general]`.
pub fn registrar_config(conf: &SipConf) -> RegistrarConfig {
    let g = &conf.general;
    RegistrarConfig {
        minexpiry: g.minexpiry,
        maxexpiry: g.maxexpiry,
        defaultexpiry: g.defaultexpiry,
        alwaysauthreject: g.alwaysauthreject,
        ..RegistrarConfig::default()
    }
}

/// A peer's credentials: `md5secret` (HA1) wins over `secret`, as in chan_sip.
pub fn secret(peer: &Peer) -> Option<Secret> {
    if !peer.md5secret.is_empty() {
        Some(Secret::md5secret(&peer.md5secret))
    } else if !peer.secret.is_empty() {
        Some(Secret::password(&peer.secret))
    } else {
        None
    }
}

/// What the registrar needs of the peer a REGISTER names, seen from `source`.
pub fn register_peer(conf: &SipConf, name: &str, source: IpAddr) -> Option<RegisterPeer> {
    let peer = conf.peer(name).filter(|p| p.kind.is_peer())?;
    let nat = &peer.common.nat;
    Some(RegisterPeer {
        name: peer.name.clone(),
        dynamic: peer.is_dynamic(),
        secret: secret(peer),
        acl_allows: peer.acl_allows(source),
        force_rport: nat.force_rport,
        auto_force_rport: nat.auto_force_rport,
    })
}

pub fn stored_to_row(s: &StoredBinding) -> RegistrationRow {
    RegistrationRow {
        aor: s.aor.clone(),
        contact: s.contact.clone(),
        expires_epoch: s.expires_epoch,
        call_id: s.call_id.clone(),
        cseq: s.cseq,
        source: s.source.clone(),
        transport: s.transport.clone(),
        user_agent: s.user_agent.clone(),
        path: s.path.clone(),
        instance: s.instance.clone(),
        route_to_source: s.route_to_source,
    }
}

pub fn row_to_stored(r: RegistrationRow) -> StoredBinding {
    StoredBinding {
        aor: r.aor,
        contact: r.contact,
        expires_epoch: r.expires_epoch,
        call_id: r.call_id,
        cseq: r.cseq,
        source: r.source,
        transport: r.transport,
        user_agent: r.user_agent,
        path: r.path,
        instance: r.instance,
        route_to_source: r.route_to_source,
    }
}
