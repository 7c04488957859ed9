//! `Originate` (main/manager.c `action_originate`, `fast_originate`): an outbound leg from
//! the channel driver, called; once it answers it runs the dialplan at
//! `Context`/`Exten`/`Priority` like an inbound call, or, with `Application`, that one
//! application with `Data` and then hangs up (`ast_pbx_outgoing_app`). `Async: true` answers at once and
//! reports the result in an `OriginateResponse` event; otherwise the answer waits for it.
//!
//! Reasons (`AST_CONTROL_*`, as OriginateResponse reports them): 4 answered, 5 busy,
//! 3 no answer, 8 congestion, 1 hung up, 0 the channel could not be created.

use std::sync::Arc;
use std::time::Duration;

use tandem_ami::{perm, Event, Message, Reply};
use tandem_core::{cause, CallerId, Channel, ChannelCommand, ChannelEvent, ChannelState};

use super::Ami;
use crate::channels::{self, OutboundRequest};

/// Asterisk's default Originate timeout.
const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// tandem's bound on `Timeout:`.
const MAX_TIMEOUT_MS: u64 = 3_600_000;

struct Request {
    channel: String,
    tech: String,
    resource: String,
    context: String,
    exten: String,
    priority: u32,
    timeout: Duration,
    cid_name: String,
    cid_num: String,
    vars: Vec<(String, String)>,
    /// `Application`/`Data`: run this instead of the dialplan.
    app: Option<(String, String)>,
    /// `Context`/`Exten` as given (OriginateResponse repeats them).
    given: (String, String),
}

pub async fn run(ami: &Arc<Ami>, id: Option<&str>, m: &Message) -> String {
    let channel = m.get("Channel").trim();
    if channel.is_empty() {
        return Reply::error(id, "Channel not specified");
    }
    let Some((tech, resource)) = channel
        .split_once('/')
        .filter(|(t, r)| !t.is_empty() && !r.is_empty())
    else {
        return Reply::error(id, "Invalid channel");
    };
    let application = m.get("Application").trim();
    let app =
        (!application.is_empty()).then(|| (application.to_string(), m.get("Data").to_string()));
    let priority = match m.get("Priority").trim() {
        "" => 1,
        p => match p.parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => return Reply::error(id, "Invalid priority"),
        },
    };
    let timeout = match m.get("Timeout").trim() {
        "" => DEFAULT_TIMEOUT_MS,
        t => match t.parse::<u64>() {
            Ok(ms) => ms.min(MAX_TIMEOUT_MS),
            Err(_) => return Reply::error(id, "Invalid timeout"),
        },
    };
    let (cid_name, cid_num) = CallerId::parse_all(m.get("CallerID"));
    let vars = m
        .get_all("Variable")
        .flat_map(|v| v.split(','))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect();
    let req = Request {
        channel: channel.to_string(),
        tech: tech.to_string(),
        resource: resource.to_string(),
        context: non_empty(m.get("Context"), "default"),
        exten: non_empty(m.get("Exten"), "s"),
        priority,
        timeout: Duration::from_millis(timeout),
        cid_name,
        cid_num,
        vars,
        app,
        given: (
            m.get("Context").trim().to_string(),
            m.get("Exten").trim().to_string(),
        ),
    };
    if tandem_conf::ast_true(m.get("Async")) {
        let ami = ami.clone();
        let owned_id = id.map(str::to_string);
        tokio::spawn(async move {
            let (reason, chan) = originate(&ami, &req).await;
            respond(&ami, owned_id.as_deref(), &req, reason, chan.as_ref());
        });
        return Reply::ack(id, "Originate successfully queued");
    }
    match originate(ami, &req).await {
        (4, _) => Reply::ack(id, "Originate successfully queued"),
        _ => Reply::error(id, "Originate failed"),
    }
}

fn non_empty(v: &str, default: &str) -> String {
    if v.trim().is_empty() {
        default.to_string()
    } else {
        v.trim().to_string()
    }
}

/// Place the call; on answer start its dialplan. The reason, and the channel's name and
/// uniqueid when it existed.
async fn originate(ami: &Arc<Ami>, req: &Request) -> (u8, Option<(String, String)>) {
    let world = &ami.world;
    let mut placeholder = Channel::new(
        format!("Originate/{}", req.channel),
        String::new(),
        &req.context,
        &req.exten,
    );
    placeholder.caller.num = req.cid_num.clone();
    placeholder.caller.name = req.cid_name.clone();
    let link = {
        let registry = world
            .registry
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(driver) = registry.get(&req.tech) else {
            tracing::warn!("Originate: no channel technology '{}'", req.tech);
            return (0, None);
        };
        match driver.request(&OutboundRequest {
            resource: &req.resource,
            caller: &placeholder,
        }) {
            Ok(link) => link,
            Err(c) => {
                tracing::info!(
                    "Originate {}: cannot create the channel (cause {c})",
                    req.channel
                );
                return (0, None);
            }
        }
    };
    let (_, uniqueid) = world.shared.new_uniqueid();
    let named = Some((link.name.clone(), uniqueid.clone()));
    let mut link = link;
    let timeout_ms = req.timeout.as_millis() as u64;
    if link
        .commands
        .send(ChannelCommand::Call {
            timeout_ms: Some(timeout_ms),
        })
        .await
        .is_err()
    {
        return (0, named);
    }
    tracing::info!("Originate: calling {}", link.name);
    let deadline = tokio::time::sleep(req.timeout);
    tokio::pin!(deadline);
    let reason = loop {
        tokio::select! {
            () = &mut deadline => break 3,
            ev = link.events.recv() => match ev {
                Some(ChannelEvent::Answered) => break 4,
                Some(ChannelEvent::Hangup { cause: c }) => break match c {
                    cause::USER_BUSY => 5,
                    cause::NO_ANSWER | cause::NO_USER_RESPONSE => 3,
                    cause::NORMAL_CIRCUIT_CONGESTION | cause::SWITCH_CONGESTION => 8,
                    _ => 1,
                },
                None => break 1,
                Some(_) => {}
            },
        }
    };
    if reason != 4 {
        let _ = link
            .commands
            .send(ChannelCommand::Hangup {
                cause: cause::NORMAL_CLEARING,
            })
            .await;
        return (reason, named);
    }
    let mut chan = Channel::new(link.name.clone(), uniqueid, &req.context, &req.exten);
    chan.priority = req.priority;
    chan.state = ChannelState::Up;
    chan.caller.num = req.cid_num.clone();
    chan.caller.name = req.cid_name.clone();
    for (k, v) in &req.vars {
        chan.set_var(k, v);
    }
    match &req.app {
        Some((app, data)) => {
            channels::spawn_app(world.clone(), chan, link, app.clone(), data.clone())
        }
        None => channels::spawn_pbx(world.clone(), chan, link),
    }
    (4, named)
}

fn respond(
    ami: &Ami,
    id: Option<&str>,
    req: &Request,
    reason: u8,
    chan: Option<&(String, String)>,
) {
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "<unknown>".to_string()
        } else {
            s.to_string()
        }
    };
    ami.world.ami.emit(|| {
        let mut ev = Event::new("OriginateResponse", perm::CALL);
        if let Some(id) = id.filter(|i| !i.is_empty()) {
            ev = ev.header("ActionID", id);
        }
        ev.header("Response", if reason == 4 { "Success" } else { "Failure" })
            .header(
                "Channel",
                chan.map_or(req.channel.as_str(), |c| c.0.as_str()),
            )
            .header("Context", &req.given.0)
            .header("Exten", &req.given.1)
            .header("Application", req.app.as_ref().map_or("", |a| a.0.as_str()))
            .header("Data", req.app.as_ref().map_or("", |a| a.1.as_str()))
            .header("Reason", &reason.to_string())
            .header("Uniqueid", chan.map_or("<null>", |c| c.1.as_str()))
            .header("CallerIDNum", &or_unknown(&req.cid_num))
            .header("CallerIDName", &or_unknown(&req.cid_name))
    });
}
