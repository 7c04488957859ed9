//! `sip reload`: the endpoint takes a new, already checked sip.conf. Peers, their settings
//! and the registrar's view of them serve new calls and registrations from now on; calls in
//! progress keep the settings their legs were made with. The listening sockets, outbound
//! registrations (`register =>`) and the security settings stay as they were started (a
//! restart applies those), and the reply says so when they differ.

use std::sync::{Arc, PoisonError};

use tandem_conf::views::SipConf;

use super::calls::SipDriver;
use super::endpoint::Endpoint;
use super::peers;
use super::state::SipState;

impl Endpoint {
    pub(super) fn reload_conf(
        &mut self,
        conf: Arc<SipConf>,
        reply: tokio::sync::oneshot::Sender<String>,
    ) {
        let mut out = String::new();
        if conf.general.bindaddr != self.conf.general.bindaddr {
            out.push_str("bindaddr/bindport changed: takes effect at the next restart\n");
        }
        if conf.registrations != self.conf.registrations {
            out.push_str("register => lines changed: take effect at the next restart\n");
        }
        self.registrar.set_config(peers::registrar_config(&conf));
        self.world
            .registry
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .add(Arc::new(SipDriver {
                conf: conf.clone(),
                per_peer: self.legs.per_peer.clone(),
                state: self.state.clone(),
                commands: self.cmd_tx.clone(),
                ports: self.ports.clone(),
                media_ip: self.media_ip,
                next_key: self.next_key.clone(),
            }));
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let registry = std::mem::take(&mut state.registry);
            *state = SipState::new(&conf);
            state.registry = registry;
            state.update_bindings(&self.registrar);
        }
        let peers = conf.peers.len();
        self.conf = conf;
        tracing::info!("SIP reloaded: {peers} peers and users");
        out.push_str(&format!("SIP reloaded: {peers} peers and users.\n"));
        let _ = reply.send(out);
    }
}
