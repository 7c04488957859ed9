//! Echo(): what the phone sends comes back to it, packet by packet (payload untouched), through
//! the leg's outbound rewriter. As Asterisk's `app_echo.c`: media and DTMF are echoed, a `#`
//! ends the application (the dialplan goes on), a hangup ends the call.

use tandem_core::ChannelEvent;
use tokio::sync::mpsc;

use super::player::send;
use super::MediaLeg;

/// How Echo ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoEnd {
    /// The caller pressed `#`.
    Pound,
    HungUp,
}

/// Echo the leg's inbound RTP back to its far end until `#` or a hangup.
pub async fn echo(leg: &MediaLeg, events: &mut mpsc::Receiver<ChannelEvent>) -> EchoEnd {
    super::generator::stop(leg);
    leg.switch_source();
    let mut buf = [0u8; 2048];
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => return EchoEnd::HungUp,
                Some(ChannelEvent::Digit('#')) => return EchoEnd::Pound,
                Some(_) => {}
            },
            got = leg.recv_inbound(&mut buf) => {
                if let Some(n) = got {
                    send(leg, buf.get_mut(..n).unwrap_or_default()).await;
                }
            }
        }
    }
}
