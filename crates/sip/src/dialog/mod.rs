//! Dialogs (RFC 3261 sec. 12): the state two user agents share for the life of a call, and
//! the in-dialog requests built from it.
//!
//! A [`Dialog`] is created from the INVITE and a response carrying a To tag, on either side:
//! [`Dialog::uas`] (we answered) or [`Dialog::uac`] (we called). It keeps the Call-ID, both
//! tags, both URIs, our next CSeq, the remote CSeq last seen, the remote target (Contact) and
//! the route set (Record-Route, reversed for the UAC).
//!
//! **Via is left out** of the requests built here: the dialog does not know which transport
//! and local address a request leaves from. The user agent ([`crate::ua`]) adds the top Via
//! (`SIP/2.0/UDP local;rport`) and the transaction layer fills in the branch; for the 2xx ACK,
//! which is sent outside any transaction, the UA draws a fresh branch itself.

use crate::message::{CSeq, HeaderError, Method, NameAddr, Request, Response, Uri};

/// CSeq of the first request a UAS sends in a dialog: chan_sip starts its own sequence at
/// `INITIAL_CSEQ` (101) and increments before each request.
pub const UAS_FIRST_CSEQ: u32 = 102;

/// Why a dialog could not be formed, or a request is refused by it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogError {
    #[error("bad {0} header")]
    Header(&'static str),
    #[error("response has no To tag")]
    NoToTag,
    #[error("CSeq {got} lower than {last} already seen")]
    CSeqOutOfOrder { got: u32, last: u32 },
}

impl From<HeaderError> for DialogError {
    fn from(e: HeaderError) -> Self {
        DialogError::Header(e.header())
    }
}

/// Early (a 1xx with a tag) or confirmed (a 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    Early,
    Confirmed,
}

/// One dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    /// Empty for an RFC 2543 peer that sent no From tag.
    pub remote_tag: String,
    /// Our address of record with our tag (the From of our requests).
    pub local: NameAddr,
    /// Theirs with their tag (the To of our requests).
    pub remote: NameAddr,
    /// The CSeq number of our next request.
    pub local_cseq: u32,
    /// The highest CSeq number seen from the remote side.
    pub remote_cseq: Option<u32>,
    /// Where in-dialog requests go: the remote Contact.
    pub remote_target: Uri,
    /// Route set in the order our requests carry it.
    pub route_set: Vec<NameAddr>,
    pub state: DialogState,
    /// True when we are the UAS of the INVITE that created the dialog.
    pub is_uas: bool,
}

fn first_contact_uri(h: &crate::message::Headers) -> Option<Uri> {
    match h.contacts().ok()?.into_iter().next()? {
        crate::message::Contact::Addr(na) => Some(na.uri),
        crate::message::Contact::Star => None,
    }
}

fn state_of(status: u16) -> DialogState {
    if (200..300).contains(&status) {
        DialogState::Confirmed
    } else {
        DialogState::Early
    }
}

impl Dialog {
    /// The dialog a UAS forms by sending `response` (1xx with a To tag, or 2xx) to `invite`
    /// (RFC 3261 12.1.1): route set = the INVITE's Record-Route in order, remote target = its
    /// Contact (the From URI when it has none), remote CSeq = the INVITE's.
    pub fn uas(invite: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let call_id = invite.headers.call_id()?.to_string();
        let remote = invite.headers.from_hdr()?;
        let local = response.headers.to_hdr()?;
        let local_tag = local.tag().ok_or(DialogError::NoToTag)?.to_string();
        let cseq = invite.headers.cseq()?;
        let remote_target =
            first_contact_uri(&invite.headers).unwrap_or_else(|| remote.uri.clone());
        Ok(Dialog {
            call_id,
            local_tag,
            remote_tag: remote.tag().unwrap_or("").to_string(),
            local,
            remote,
            local_cseq: UAS_FIRST_CSEQ,
            remote_cseq: Some(cseq.seq),
            remote_target,
            route_set: invite.headers.record_routes()?,
            state: state_of(response.status),
            is_uas: true,
        })
    }

    /// The dialog a UAC forms on receiving `response` (1xx with a To tag, or 2xx) to its
    /// `invite` (RFC 3261 12.1.2): route set = the response's Record-Route reversed, remote
    /// target = its Contact (the INVITE's Request-URI when it has none), our next CSeq = the
    /// INVITE's plus one.
    pub fn uac(invite: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let call_id = invite.headers.call_id()?.to_string();
        let local = invite.headers.from_hdr()?;
        let remote = response.headers.to_hdr()?;
        let remote_tag = remote.tag().ok_or(DialogError::NoToTag)?.to_string();
        let cseq = invite.headers.cseq()?;
        let remote_target =
            first_contact_uri(&response.headers).unwrap_or_else(|| invite.uri.clone());
        let mut route_set = response.headers.record_routes()?;
        route_set.reverse();
        Ok(Dialog {
            call_id,
            local_tag: local.tag().unwrap_or("").to_string(),
            remote_tag,
            local,
            remote,
            local_cseq: cseq.seq.saturating_add(1),
            remote_cseq: None,
            remote_target,
            route_set,
            state: state_of(response.status),
            is_uas: false,
        })
    }

    /// A later response of the same dialog (12.1.2 / 12.2.1.2): a 2xx confirms an early
    /// dialog, re-reads the route set (only while early) and takes the new remote target.
    pub fn update_from_response(&mut self, response: &Response) {
        if self.state == DialogState::Early && (200..300).contains(&response.status) {
            if !self.is_uas {
                if let Ok(mut rr) = response.headers.record_routes() {
                    rr.reverse();
                    self.route_set = rr;
                }
            }
            self.state = DialogState::Confirmed;
        }
        if let Some(t) = first_contact_uri(&response.headers) {
            self.remote_target = t;
        }
    }

    /// A target refresh request from the remote side (re-INVITE, UPDATE) moves the remote
    /// target to its Contact (12.2.2).
    pub fn refresh_target(&mut self, request: &Request) {
        if let Some(t) = first_contact_uri(&request.headers) {
            self.remote_target = t;
        }
    }

    /// True when `req` belongs to this dialog as a request from the remote side: same
    /// Call-ID, To tag = our tag, From tag = theirs.
    pub fn matches_request(&self, req: &Request) -> bool {
        let Ok(cid) = req.headers.call_id() else {
            return false;
        };
        let to_tag = req
            .headers
            .to_hdr()
            .ok()
            .and_then(|t| t.tag().map(str::to_string));
        let from_tag = req
            .headers
            .from_hdr()
            .ok()
            .and_then(|f| f.tag().map(str::to_string));
        cid == self.call_id
            && to_tag.as_deref() == Some(self.local_tag.as_str())
            && from_tag.as_deref().unwrap_or("") == self.remote_tag
    }

    /// The Request-URI and Route values of an in-dialog request (12.2.1.1): with an empty
    /// route set or a loose-routing first hop (`;lr`), the remote target and the route set as
    /// is; with a strict router first, its URI becomes the Request-URI and the remote target
    /// is appended as the last Route.
    pub fn request_uri_and_routes(&self) -> (Uri, Vec<String>) {
        let Some(first) = self.route_set.first() else {
            return (self.remote_target.clone(), Vec::new());
        };
        let loose = first.uri.as_sip().is_some_and(|u| u.params.has("lr"));
        if loose {
            return (
                self.remote_target.clone(),
                self.route_set.iter().map(|r| r.to_string()).collect(),
            );
        }
        let mut uri = first.uri.clone();
        if let Uri::Sip(s) = &mut uri {
            // 12.2.1.1: parameters not allowed in a Request-URI are stripped (19.1.1 table)
            s.params.remove("method");
            s.headers.clear();
        }
        let mut routes: Vec<String> = self
            .route_set
            .iter()
            .skip(1)
            .map(|r| r.to_string())
            .collect();
        routes.push(format!("<{}>", self.remote_target));
        (uri, routes)
    }

    /// The URI that names the next hop: the first Route, or the Request-URI.
    pub fn next_hop(&self) -> Uri {
        match self.route_set.first() {
            Some(r) => r.uri.clone(),
            None => self.remote_target.clone(),
        }
    }

    fn base(&self, method: Method, seq: u32) -> Request {
        let (uri, routes) = self.request_uri_and_routes();
        let cseq_method = method.clone();
        let mut req = Request::new(method, uri);
        for r in routes {
            req.headers.push("Route", r);
        }
        req.headers.push("Max-Forwards", "70");
        req.headers.push("From", self.local.to_string());
        req.headers.push("To", self.remote.to_string());
        req.headers.push("Call-ID", self.call_id.clone());
        req.headers
            .push("CSeq", CSeq::new(seq, cseq_method).to_string());
        req
    }

    /// A new in-dialog request (BYE, re-INVITE, INFO, UPDATE, REFER, NOTIFY, ...) with the next
    /// local CSeq, Route set, From/To with tags, Call-ID and Max-Forwards 70. No Via (see the
    /// module docs). ACK and CANCEL do not take a new CSeq: use [`Self::ack_for_2xx`] and the
    /// transaction layer's CANCEL.
    pub fn request(&mut self, method: Method) -> Request {
        let seq = self.local_cseq;
        self.local_cseq = self.local_cseq.saturating_add(1);
        self.base(method, seq)
    }

    /// The ACK for a 2xx to the INVITE (or re-INVITE) with CSeq number `invite_cseq`: end to
    /// end, same CSeq number, method ACK, built like any in-dialog request (13.2.2.4). It
    /// needs a fresh branch, which the UA adds with its Via.
    pub fn ack_for_2xx(&self, invite_cseq: u32) -> Request {
        self.base(Method::Ack, invite_cseq)
    }

    /// Checks a request from the remote side against the remote CSeq (12.2.2): a number lower
    /// than the last one seen is out of order (the UAS answers `500`, chan_sip's
    /// "500 Server error"); ACK and CANCEL carry their INVITE's number and are let through.
    /// Otherwise the remote CSeq moves up to the request's.
    pub fn check_remote_cseq(&mut self, req: &Request) -> Result<(), DialogError> {
        let cseq = req.headers.cseq()?;
        if matches!(req.method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        if let Some(last) = self.remote_cseq {
            if cseq.seq < last {
                return Err(DialogError::CSeqOutOfOrder {
                    got: cseq.seq,
                    last,
                });
            }
        }
        self.remote_cseq = Some(cseq.seq);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
