//! The dialplan executor: Asterisk's `__ast_pbx_run` for one channel.
//!
//! Run the priority the channel is at; go on at the next; when an extension runs out, fall
//! through (autofallthrough=yes) or wait for digits; send invalid extensions to `i` and
//! timeouts to `t`; when the call ends, run `h`. A bound on executed priorities stops
//! runaway loops.

use tandem_dialplan::model::Target;
use tandem_dialplan::subst::substitute;
use tandem_dialplan::Dialplan;

use crate::apps::{self, AppCx, Flow};
use crate::cause;
use crate::channel::Channel;
use crate::command::Indication;
use crate::env::ChanEnv;
use crate::host::{Host, Request};
use crate::shared::Shared;

/// Why the dialplan stopped running for a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// An application hung up (Hangup, Busy, a Dial whose call ended, ...).
    Hangup,
    /// The extension ran out of priorities with autofallthrough=yes.
    Fallthrough,
    /// The extension does not exist (and no `i` took the call).
    NoMatch,
    /// The bound on executed priorities was reached.
    Limit,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Hangup => "hangup",
            EndReason::Fallthrough => "fallthrough",
            EndReason::NoMatch => "no-match",
            EndReason::Limit => "limit",
        }
    }
}

/// One executed priority, as `dialplan run` prints it: `C,E,P: App(data)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine<'a> {
    pub context: &'a str,
    pub exten: &'a str,
    pub priority: u32,
    pub app: &'a str,
    /// The arguments after substitution.
    pub data: &'a str,
}

impl std::fmt::Display for TraceLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{},{},{}: {}({})",
            self.context, self.exten, self.priority, self.app, self.data
        )
    }
}

pub type Tracer<'a> = &'a mut (dyn FnMut(&TraceLine<'_>) + Send);

/// The response timeout (`TIMEOUT(response)`) Asterisk waits for digits when
/// autofallthrough=no: 10 s.
pub const RESPONSE_TIMEOUT_SECS: u64 = 10;

pub struct Pbx<'a, H: Host> {
    shared: &'a Shared,
    host: &'a mut H,
    trace: Option<Tracer<'a>>,
    executed: u64,
}

impl<'a, H: Host + Send> Pbx<'a, H> {
    pub fn new(shared: &'a Shared, host: &'a mut H) -> Self {
        Pbx {
            shared,
            host,
            trace: None,
            executed: 0,
        }
    }

    /// Report every executed priority to `trace`.
    pub fn with_trace(mut self, trace: Tracer<'a>) -> Self {
        self.trace = Some(trace);
        self
    }

    /// How many priorities have run.
    pub fn executed(&self) -> u64 {
        self.executed
    }

    /// Run the dialplan on `chan` from its context, exten and priority until it ends; then
    /// the `h` extension, if the context has one.
    pub async fn run(&mut self, chan: &mut Channel) -> EndReason {
        let dialplan = self.shared.dialplan();
        start_fallback(&dialplan, self.shared, chan);
        let reason = self.main_loop(&dialplan, chan).await;
        if reason != EndReason::Limit {
            self.run_h(&dialplan, chan).await;
        }
        reason
    }

    /// Run one application on `chan` with `data` as it is (an Originate to an application,
    /// `ast_pbx_run_app`): no dialplan around it, and no `h` extension after it.
    pub async fn run_app(&mut self, chan: &mut Channel, app: &str, data: &str) -> EndReason {
        let dialplan = self.shared.dialplan();
        self.executed += 1;
        if let Some(trace) = self.trace.as_mut() {
            trace(&TraceLine {
                context: &chan.context,
                exten: &chan.exten,
                priority: chan.priority,
                app,
                data,
            });
        }
        let mut cx = AppCx {
            chan,
            shared: self.shared,
            dialplan: &dialplan,
            host: &mut *self.host,
        };
        apps::exec(&mut cx, app, data).await;
        EndReason::Hangup
    }

    async fn main_loop(&mut self, dialplan: &Dialplan, chan: &mut Channel) -> EndReason {
        loop {
            if self.executed >= self.shared.max_priorities {
                tracing::error!(
                    "Channel '{}' executed {} priorities without ending, stopped at {},{},{} (runaway loop?)",
                    chan.name,
                    self.executed,
                    chan.context,
                    chan.exten,
                    chan.priority
                );
                return EndReason::Limit;
            }
            match self.step(dialplan, chan).await {
                Some(Flow::Next) => chan.priority = chan.priority.saturating_add(1),
                Some(Flow::Jump) => {}
                Some(Flow::Hangup) => return EndReason::Hangup,
                None => {
                    // No such priority: an invalid extension, or the end of a valid one.
                    let (context, exten) = (chan.context.clone(), chan.exten.clone());
                    if !exists(dialplan, self.shared, chan, &context, &exten) {
                        match invalid_extension(dialplan, self.shared, chan, &exten) {
                            Flow::Hangup => return EndReason::NoMatch,
                            _ => continue,
                        }
                    }
                    if dialplan.general.autofallthrough {
                        let status = chan.var("DIALSTATUS").unwrap_or("UNKNOWN").to_string();
                        tracing::info!(
                            "Auto fallthrough, channel '{}' status is '{status}'",
                            chan.name
                        );
                        // The caller hears why: busy, or congestion for CONGESTION/CHANUNAVAIL.
                        let indication = match status.to_ascii_uppercase().as_str() {
                            "BUSY" => Some((Indication::Busy, cause::USER_BUSY)),
                            "CONGESTION" | "CHANUNAVAIL" => {
                                Some((Indication::Congestion, cause::NORMAL_CIRCUIT_CONGESTION))
                            }
                            _ => None,
                        };
                        if let Some((indication, c)) = indication {
                            chan.hangupcause = c;
                            let timeout = Some(std::time::Duration::from_secs(10));
                            self.host
                                .request(
                                    chan,
                                    Request::IndicateAndWait {
                                        indication,
                                        timeout,
                                    },
                                )
                                .await;
                        }
                        return EndReason::Fallthrough;
                    }
                    // `collect_digits` with `rtimeout` for the first digit, while any
                    // extension can still match.
                    let timeout = std::time::Duration::from_secs(RESPONSE_TIMEOUT_SECS);
                    let collected = crate::digits::collect(
                        &mut *self.host,
                        dialplan,
                        self.shared,
                        chan,
                        String::new(),
                        timeout,
                    )
                    .await;
                    let Some(digits) = collected else {
                        if self.redirected(chan).is_some() {
                            continue;
                        }
                        return EndReason::Hangup;
                    };
                    match after_digits(dialplan, self.shared, chan, &digits) {
                        Flow::Hangup => return EndReason::Hangup,
                        _ => continue,
                    }
                }
            }
        }
    }

    /// Run the priority the channel is at. `None` when it does not exist.
    async fn step(&mut self, dialplan: &Dialplan, chan: &mut Channel) -> Option<Flow> {
        for (name, value) in chan.apply_pending_vars() {
            apps::write_function(&mut ChanEnv::new(chan, self.shared), &name, &value);
        }
        chan.sync_watch();
        let cid = caller_num(chan);
        let now = self.shared.now();
        let found = dialplan.find(
            &chan.context,
            &chan.exten,
            Target::Priority(chan.priority),
            cid.as_deref(),
            now,
        )?;
        let app = found.priority.app.clone();
        let raw = found.priority.data.clone();
        self.executed += 1;
        let data = substitute(&raw, &mut ChanEnv::new(chan, self.shared));
        if let Some(trace) = self.trace.as_mut() {
            trace(&TraceLine {
                context: &chan.context,
                exten: &chan.exten,
                priority: chan.priority,
                app: &app,
                data: &data,
            });
        }
        let mut cx = AppCx {
            chan,
            shared: self.shared,
            dialplan,
            host: &mut *self.host,
        };
        let flow = apps::exec(&mut cx, &app, &data).await;
        Some(self.redirected(chan).unwrap_or(flow))
    }

    /// A redirect that interrupted the priority: the channel goes there (`ast_async_goto`
    /// clears the soft hangup it used, so the call is not over).
    fn redirected(&mut self, chan: &mut Channel) -> Option<Flow> {
        let to = self.host.take_redirect()?;
        tracing::info!(
            "{}: redirected to {},{},{}",
            chan.name,
            to.context,
            to.exten,
            to.priority
        );
        chan.context = to.context;
        chan.exten = to.exten;
        chan.priority = to.priority;
        chan.hangupcause = 0;
        Some(Flow::Jump)
    }

    /// `ast_pbx_h_exten_run`: the `h` extension of the current context, priorities 1, 2, ...
    /// until one is missing or hangs up.
    async fn run_h(&mut self, dialplan: &Dialplan, chan: &mut Channel) {
        let context = chan.context.clone();
        if !exists(dialplan, self.shared, chan, &context, "h") {
            return;
        }
        chan.exten = "h".to_string();
        chan.priority = 1;
        while self.executed < self.shared.max_priorities {
            match self.step(dialplan, chan).await {
                Some(Flow::Next) => chan.priority = chan.priority.saturating_add(1),
                Some(Flow::Jump) => {}
                Some(Flow::Hangup) | None => break,
            }
        }
    }
}

/// `__ast_pbx_run`: a start at an extension that does not exist falls back to `s`, and if
/// that does not exist either, to context `default` (where the missing-extension handling
/// of the loop takes over).
fn start_fallback(dialplan: &Dialplan, shared: &Shared, chan: &mut Channel) {
    let (context, exten) = (chan.context.clone(), chan.exten.clone());
    if exists(dialplan, shared, chan, &context, &exten) {
        return;
    }
    tracing::info!(
        "Starting {} at {context},{exten},{} failed so falling back to exten 's'",
        chan.name,
        chan.priority
    );
    set_position(chan, "s", 1);
    if !exists(dialplan, shared, chan, &context, "s") {
        tracing::info!(
            "Starting {} at {context},s,1 still failed so falling back to context 'default'",
            chan.name
        );
        chan.context = "default".to_string();
    }
}

fn caller_num(chan: &Channel) -> Option<String> {
    Some(chan.caller.num.clone()).filter(|n| !n.is_empty())
}

/// `ast_exists_extension(context, exten, 1, callerid)`.
pub fn exists(
    dialplan: &Dialplan,
    shared: &Shared,
    chan: &Channel,
    context: &str,
    exten: &str,
) -> bool {
    dialplan.exists(context, exten, caller_num(chan).as_deref(), shared.now())
}

fn set_position(chan: &mut Channel, exten: &str, priority: u32) {
    chan.exten = exten.to_string();
    chan.priority = priority;
}

/// The channel is at an extension that does not exist: `i`, else `e`, else hang up.
fn invalid_extension(
    dialplan: &Dialplan,
    shared: &Shared,
    chan: &mut Channel,
    exten: &str,
) -> Flow {
    let context = chan.context.clone();
    if exists(dialplan, shared, chan, &context, "i") {
        tracing::info!(
            "Channel '{}' sent to invalid extension '{exten}' in context '{context}'",
            chan.name
        );
        chan.set_var("INVALID_EXTEN", exten);
        set_position(chan, "i", 1);
        Flow::Jump
    } else if exists(dialplan, shared, chan, &context, "e") {
        chan.set_var("EXCEPTION", "INVALID");
        set_position(chan, "e", 1);
        Flow::Jump
    } else {
        tracing::warn!(
            "Channel '{}' sent to invalid extension but no invalid handler: context,exten,priority={context},{exten},{}",
            chan.name,
            chan.priority
        );
        Flow::Hangup
    }
}

/// After collecting digits (WaitExten, Background, autofallthrough=no): go to the dialled
/// extension, to `i` when it does not exist, to `t` when nothing was dialled.
pub fn after_digits(
    dialplan: &Dialplan,
    shared: &Shared,
    chan: &mut Channel,
    digits: &str,
) -> Flow {
    let context = chan.context.clone();
    if !digits.is_empty() {
        if exists(dialplan, shared, chan, &context, digits) {
            set_position(chan, digits, 1);
            return Flow::Jump;
        }
        return invalid_extension(dialplan, shared, chan, digits);
    }
    if exists(dialplan, shared, chan, &context, "t") {
        tracing::info!("Timeout on {}", chan.name);
        set_position(chan, "t", 1);
        Flow::Jump
    } else if exists(dialplan, shared, chan, &context, "e") {
        chan.set_var("EXCEPTION", "RESPONSETIMEOUT");
        set_position(chan, "e", 1);
        Flow::Jump
    } else {
        tracing::warn!("Timeout, but no rule 't' or 'e' in context '{context}'");
        Flow::Hangup
    }
}
