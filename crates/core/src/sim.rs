//! A host that answers every request at once: `tandem dialplan run` executes the dialplan on
//! a simulated channel with it. Dial ends with the status it is given; digit collection times
//! out with no digits (so Read sets its variable empty and READSTATUS=TIMEOUT); prompts
//! "play" instantly (Playback, Background, SayDigits, SayNumber, SayAlpha).

use crate::channel::{Channel, ChannelState};
use crate::host::{DialStatus, Host, Reply, Request};

#[derive(Clone, Debug)]
pub struct SimHost {
    /// What every Dial ends with.
    pub dial_status: DialStatus,
    /// Requests in order, for tests.
    pub log: Vec<Request>,
    /// Digits the simulated caller presses, one per wait for a digit (and one interrupting
    /// an interruptible prompt); empty: every wait times out.
    pub keys: std::collections::VecDeque<char>,
}

impl SimHost {
    pub fn new(dial_status: DialStatus) -> Self {
        SimHost {
            dial_status,
            log: Vec::new(),
            keys: std::collections::VecDeque::new(),
        }
    }
}

impl Host for SimHost {
    fn request(
        &mut self,
        chan: &mut Channel,
        request: Request,
    ) -> impl std::future::Future<Output = Reply> + Send {
        let reply = match &request {
            Request::Answer { .. } => {
                chan.state = ChannelState::Up;
                Reply::Done
            }
            Request::Dial(_) => Reply::Dial {
                status: self.dial_status,
                caller_hung_up: false,
                transfer: None,
            },
            Request::CollectDigits { .. } => {
                Reply::Digits(self.keys.pop_front().map(String::from).unwrap_or_default())
            }
            Request::Play {
                interrupt: true, ..
            } if !self.keys.is_empty() => {
                Reply::Digits(self.keys.pop_front().map(String::from).unwrap_or_default())
            }
            Request::ReadDigits { .. } => Reply::Digits(String::new()),
            Request::IndicateAndWait { .. } | Request::Hangup { .. } => Reply::HungUp,
            _ => Reply::Done,
        };
        self.log.push(request);
        std::future::ready(reply)
    }
}

/// Drive a future that never waits (the simulated host's) to completion.
///
/// Returns `None` if it would block, which a future over [`SimHost`] never does.
pub fn block_on<F: std::future::Future>(fut: F) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}
