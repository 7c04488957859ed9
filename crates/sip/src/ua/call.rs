//! The state the UA keeps for one call.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::session_timer::SessionTimer;
use crate::auth::{DigestClient, Secret};
use crate::dialog::Dialog;
use crate::message::{Message, Method, Request, Transport};
use crate::transaction::TxnId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallState {
    /// UAS: IncomingCall given to the TU, no final response yet.
    Offered,
    /// UAC: INVITE sent, no provisional yet.
    Calling,
    /// UAC: a provisional arrived.
    Early,
    /// UAS: 2xx sent, waiting for the ACK.
    WaitAck,
    Confirmed,
    /// BYE sent; waiting for its answer.
    Terminating,
}

/// A 2xx the UA core retransmits itself until the ACK (RFC 3261 13.3.1.4).
#[derive(Debug, Clone)]
pub(crate) struct Retrans {
    pub msg: Message,
    pub dest: SocketAddr,
    /// CSeq number of the INVITE it answers (the ACK carries it).
    pub cseq: u32,
    pub next: Instant,
    pub interval: Duration,
    pub give_up: Instant,
    /// Answers the initial INVITE (its ACK confirms the call).
    pub initial: bool,
}

#[derive(Debug)]
pub(crate) struct Call {
    pub is_uas: bool,
    pub state: CallState,
    /// Where in-dialog requests go.
    pub peer: SocketAddr,
    pub transport: Transport,
    /// The INVITE received (UAS) or the latest one sent (UAC).
    pub invite: Request,
    pub invite_txn: Option<TxnId>,
    pub local_tag: String,
    pub dialog: Option<Dialog>,
    /// UAS: our 2xx (to the INVITE or a re-INVITE) awaiting its ACK.
    pub pending_2xx: Option<Retrans>,
    /// UAC: the ACK we sent for the 2xx of CSeq `.1`, resent when the 2xx is.
    pub ack: Option<(Message, u32)>,
    /// The TU is done with the call: no more events.
    pub hung_up: bool,
    /// UAC: hangup before any provisional; CANCEL as soon as one arrives.
    pub cancel_pending: bool,
    /// UAS: hangup after our 2xx, before its ACK: BYE once the ACK comes.
    pub bye_after_ack: bool,
    pub credentials: Option<(String, Secret)>,
    pub digest: DigestClient,
    pub auth_retried: bool,
    /// A re-INVITE from the remote side waiting for the TU.
    pub reinvite_in: Option<(TxnId, Request)>,
    /// Our re-INVITE in progress (its transaction).
    pub reinvite_out: Option<TxnId>,
    /// Forget the call at this instant whatever happens (after CANCEL or BYE).
    pub expire_at: Option<Instant>,
    /// RFC 4028 session timer (negotiated; running once `active`).
    pub session: Option<SessionTimer>,
    /// The peer said `timer` in Supported/Require of its INVITE (or Session-Expires in its 2xx).
    pub peer_timer: bool,
    /// Min-SE for this call: ours, raised by a 422.
    pub st_min_se: u32,
    /// UAC: the INVITE was re-sent once after a 422.
    pub st_422_retried: bool,
    /// The peer's Allow lists UPDATE (refresh with UPDATE then).
    pub peer_allows_update: bool,
    /// The last SDP we sent (offer or answer): a refresh re-INVITE carries it again.
    pub local_sdp: Vec<u8>,
    /// The `o=` line of the last SDP the peer sent: an offer with the same one is a refresh.
    pub remote_origin: Option<String>,
    /// Our session refresh (re-INVITE or UPDATE) in flight.
    pub refresh_out: Option<(TxnId, Method)>,
    /// An UPDATE with an SDP offer waiting for the TU ([`super::UserAgent::answer_update`]).
    pub update_in: Option<(TxnId, Request)>,
}

impl Call {
    pub fn new(
        is_uas: bool,
        state: CallState,
        peer: SocketAddr,
        transport: Transport,
        invite: Request,
        local_tag: String,
    ) -> Call {
        Call {
            is_uas,
            state,
            peer,
            transport,
            invite,
            invite_txn: None,
            local_tag,
            dialog: None,
            pending_2xx: None,
            ack: None,
            hung_up: false,
            cancel_pending: false,
            bye_after_ack: false,
            credentials: None,
            digest: DigestClient::new(),
            auth_retried: false,
            reinvite_in: None,
            reinvite_out: None,
            expire_at: None,
            session: None,
            peer_timer: false,
            st_min_se: super::session_timer::DEFAULT_MIN_SE,
            st_422_retried: false,
            peer_allows_update: false,
            local_sdp: Vec::new(),
            remote_origin: None,
            refresh_out: None,
            update_in: None,
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        let retrans = self.pending_2xx.as_ref().map(|p| p.next.min(p.give_up));
        let session = self
            .session
            .as_ref()
            .filter(|s| s.active && !self.hung_up)
            .and_then(|s| s.deadline);
        [retrans, self.expire_at, session]
            .into_iter()
            .flatten()
            .min()
    }

    /// The session timer is due.
    pub fn session_due(&self, now: Instant) -> bool {
        !self.hung_up
            && self
                .session
                .as_ref()
                .is_some_and(|s| s.active && s.deadline.is_some_and(|d| d <= now))
    }
}
