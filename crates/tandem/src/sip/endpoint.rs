//! The SIP endpoint task: one UDP socket, every datagram parsed by `tandem-sip`, answered or
//! handed to the transaction layer; timers driven from the layer's next deadline.

use std::net::SocketAddr;
use std::sync::Arc;

use tandem_conf::views::SipConf;
use tandem_core::Shared;
use tandem_sip::message::{self, Message, Method, Policy, Request, Response};
use tokio::net::UdpSocket;

/// What other parts of the daemon (the CLI) know of the running driver.
#[derive(Clone, Debug)]
pub struct SipHandle {
    pub local: SocketAddr,
}

/// Methods chan_sip lists in Allow.
const ALLOW: &str = "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE";

/// Bind the socket of `[general] bindaddr/bindport` and start serving.
pub async fn start(conf: Arc<SipConf>, shared: Arc<Shared>) -> std::io::Result<SipHandle> {
    let socket = UdpSocket::bind(conf.general.bindaddr).await?;
    let local = socket.local_addr()?;
    tracing::info!("SIP listening on udp {local}");
    let endpoint = Endpoint { socket, conf, _shared: shared, tag_seq: 0 };
    tokio::spawn(endpoint.run());
    Ok(SipHandle { local })
}

struct Endpoint {
    socket: UdpSocket,
    conf: Arc<SipConf>,
    _shared: Arc<Shared>,
    tag_seq: u64,
}

impl Endpoint {
    async fn run(mut self) {
        let mut buf = vec![0u8; message::MAX_MESSAGE_SIZE + 1];
        loop {
            let (n, source) = match self.socket.recv_from(&mut buf).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("SIP socket: {e}");
                    continue;
                }
            };
            let datagram = &buf[..n];
            if datagram.iter().all(|b| b.is_ascii_whitespace()) {
                continue; // CRLF keep-alive
            }
            if n > message::MAX_MESSAGE_SIZE {
                tracing::info!("SIP: dropped a datagram over {} bytes from {source}", message::MAX_MESSAGE_SIZE);
                continue;
            }
            self.handle_datagram(datagram, source).await;
        }
    }

    async fn handle_datagram(&mut self, datagram: &[u8], source: SocketAddr) {
        match message::parse(datagram) {
            Err(e) => {
                tracing::info!("SIP: bad message from {source}: {e}");
                if let Some(resp) = message::bad_request_response(datagram, &e) {
                    self.send(&Message::Response(resp), source).await;
                }
            }
            Ok(Message::Response(_)) => {
                tracing::debug!("SIP: stray response from {source}");
            }
            Ok(Message::Request(req)) => {
                if let Err(rejection) = message::validate_request_with(&req, &Policy::DEFAULT) {
                    if req.method != Method::Ack {
                        let resp = rejection.to_response(&req);
                        self.send(&Message::Response(resp), source).await;
                    }
                    return;
                }
                if let Some(resp) = self.handle_request(&req) {
                    self.send(&Message::Response(resp), source).await;
                }
            }
        }
    }

    fn handle_request(&mut self, req: &Request) -> Option<Response> {
        match req.method {
            Method::Ack => None,
            Method::Options => {
                let resp = self
                    .reply(req, 200, "OK")
                    .with_header("Allow", ALLOW)
                    .with_header("Supported", "replaces, timer")
                    .with_header("Accept", "application/sdp")
                    .with_header("Content-Length", "0");
                Some(resp)
            }
            _ => Some(self.reply(req, 501, "Not Implemented").with_header("Content-Length", "0")),
        }
    }

    /// A response with tandem's To tag and Server header.
    fn reply(&mut self, req: &Request, status: u16, reason: &str) -> Response {
        let mut resp = Response::from_request(req, status, reason);
        self.tag_seq += 1;
        resp.set_to_tag(&format!("tdm{:x}", self.tag_seq));
        resp.with_header("Server", self.conf.general.useragent.as_str())
    }

    async fn send(&self, msg: &Message, dest: SocketAddr) {
        if let Err(e) = self.socket.send_to(&msg.to_bytes(), dest).await {
            tracing::warn!("SIP: send to {dest}: {e}");
        }
    }
}
