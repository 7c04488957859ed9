//! The actions the server carries out once the session has checked login and permission:
//! their answers as Asterisk 22 writes them (main/manager.c `action_command`,
//! `action_coreshowchannels`, `action_corestatus`, `action_coresettings`, `action_reload`; main/db.c `manager_dbget/put/del`; chan_sip's
//! `manager_sip_show_peers`/`manager_sip_show_peer`).

use std::sync::Arc;

use tandem_ami::{Event, Message, Reply, Run};

use super::Ami;

/// CLI commands the Command action refuses (`command_blacklist`).
const BLACKLIST: &[&str] = &["module load", "module unload", "restart gracefully"];

pub async fn run(ami: &Arc<Ami>, run: Run) -> String {
    let id = run.action_id.as_deref();
    let m = &run.message;
    match run.spec.name {
        "Command" => command(ami, id, m).await,
        "CoreSettings" => core_settings(ami, id),
        "CoreStatus" => core_status(ami, id),
        "CoreShowChannels" => core_show_channels(ami, id),
        "DBGet" | "DBPut" | "DBDel" => {
            let ami = ami.clone();
            let name = run.spec.name;
            let m = m.clone();
            let id = run.action_id.clone();
            tokio::task::spawn_blocking(move || db(&ami, name, id.as_deref(), &m))
                .await
                .unwrap_or_else(|e| Reply::error(None, &format!("internal error: {e}")))
        }
        "Status" => status(ami, id, m),
        "Hangup" => hangup(ami, id, m),
        "Getvar" => super::vars::getvar(ami, id, m),
        "Setvar" => super::vars::setvar(ami, id, m),
        "SIPpeers" => sip_peers(ami, id),
        "SIPshowpeer" => sip_show_peer(ami, id, m),
        "Reload" => reload(ami, id).await,
        "Originate" => super::originate::run(ami, id, m).await,
        "Redirect" => super::redirect::run(ami, id, m),
        "IAXpeers" => super::iax::peers(ami, id),
        other => Reply::error(id, &format!("Invalid/unknown command: {other}.")),
    }
}

/// The CLI, through the control socket's dispatcher.
async fn cli(ami: &Arc<Ami>, line: String) -> String {
    let daemon = ami.daemon.clone();
    tokio::task::spawn_blocking(move || crate::control::handle(&daemon, &line))
        .await
        .unwrap_or_else(|e| format!("internal error: {e}\n"))
}

/// `Command`: `Message: Command output follows`, then one `Output:` line per line of output
/// (empty lines dropped, as `strtok` drops them); `Response: Error` for an unknown command.
async fn command(ami: &Arc<Ami>, id: Option<&str>, m: &Message) -> String {
    let cmd = m.get("Command").trim().to_string();
    if cmd.is_empty() {
        return Reply::error(id, "No command provided");
    }
    let lower = cmd.to_ascii_lowercase();
    if BLACKLIST.iter().any(|b| lower.starts_with(b)) {
        return Reply::error(id, "Command blacklisted");
    }
    let out = cli(ami, cmd).await;
    let kind = if out.starts_with("No such command") {
        "Error"
    } else {
        "Success"
    };
    let mut reply = Reply::new(kind, id).header("Message", "Command output follows");
    for line in out.split('\n').filter(|l| !l.is_empty()) {
        reply = reply.header("Output", line);
    }
    reply.end()
}

fn core_settings(_ami: &Ami, id: Option<&str>) -> String {
    Reply::new("Success", id)
        .header("AMIversion", "9.0.0")
        .header(
            "AsteriskVersion",
            &format!("tandem {}", env!("CARGO_PKG_VERSION")),
        )
        .header("SystemName", "")
        .header("CoreMaxCalls", "0")
        .header("CoreMaxLoadAvg", "0.000000")
        .header("CoreRunUser", "")
        .header("CoreRunGroup", "")
        .header("CoreMaxFilehandles", "0")
        .header("CoreRealTimeEnabled", "No")
        .header("CoreCDRenabled", "No")
        .header("CoreHTTPenabled", "No")
        .header("SoundsSearchCustomDir", "No")
        .end()
}

fn core_status(ami: &Ami, id: Option<&str>) -> String {
    use chrono::TimeZone;
    let fmt = |unix: i64| match chrono::Local.timestamp_opt(unix, 0) {
        chrono::LocalResult::Single(t) => (
            t.format("%Y-%m-%d").to_string(),
            t.format("%H:%M:%S").to_string(),
        ),
        _ => (String::new(), String::new()),
    };
    let (start_date, start_time) = fmt(ami.started_unix);
    let reload_unix = ami.world.ami.last_reload().map_or(ami.started_unix, |t| {
        chrono::Local::now().timestamp() - t.elapsed().as_secs() as i64
    });
    let (reload_date, reload_time) = fmt(reload_unix);
    let (calls, processed) = ami.world.channels.call_counts();
    Reply::new("Success", id)
        .header("CoreStartupDate", &start_date)
        .header("CoreStartupTime", &start_time)
        .header("CoreReloadDate", &reload_date)
        .header("CoreReloadTime", &reload_time)
        .header("CoreCurrentCalls", &calls.to_string())
        .header("CoreProcessedCalls", &processed.to_string())
        .end()
}

fn core_show_channels(ami: &Ami, id: Option<&str>) -> String {
    let rows = ami.world.channels.rows();
    let live = ami.world.ami.live();
    let mut out = Reply::list_start(id, "Channels will follow");
    let mut n = 0;
    for (name, row) in &rows {
        let Some((snap, age)) = live.iter().find(|(s, _)| &s.name == name) else {
            continue;
        };
        let (app, data) = match row.application.split_once('(') {
            Some((a, d)) => (a.to_string(), d.strip_suffix(')').unwrap_or(d).to_string()),
            None => (row.application.clone(), String::new()),
        };
        let secs = age.as_secs();
        let duration = format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        );
        out.push_str(
            &Event::list_item("CoreShowChannel", id)
                .channel("", snap)
                .header("Application", &app)
                .header("ApplicationData", &data)
                .header("Duration", &duration)
                .header("BridgeId", "")
                .render(),
        );
        n += 1;
    }
    out.push_str(&Event::list_complete("CoreShowChannelsComplete", id, n));
    out
}

/// `Status`: one `Status` event per channel (or the one named), then `StatusComplete`.
fn status(ami: &Ami, id: Option<&str>, m: &Message) -> String {
    let wanted = m.get("Channel").trim();
    let live = ami.world.ami.live();
    let rows = ami.world.channels.rows();
    let chosen: Vec<_> = live
        .iter()
        .filter(|(s, _)| wanted.is_empty() || s.name.eq_ignore_ascii_case(wanted))
        .collect();
    if !wanted.is_empty() && chosen.is_empty() {
        return Reply::error(id, "No such channel");
    }
    let mut out = Reply::list_start(id, "Channel status will follow");
    for (snap, age) in &chosen {
        let app = rows
            .iter()
            .find(|(n, _)| n == &snap.name)
            .map(|(_, r)| r.application.clone())
            .unwrap_or_default();
        let (app, data) = match app.split_once('(') {
            Some((a, d)) => (a.to_string(), d.strip_suffix(')').unwrap_or(d).to_string()),
            None => (app, String::new()),
        };
        let tech = snap.name.split('/').next().unwrap_or_default();
        out.push_str(
            &Event::list_item("Status", id)
                .header("Privilege", "Call")
                .channel("", snap)
                .header("Type", tech)
                .header("DNID", "")
                .header("EffectiveConnectedLineNum", "<unknown>")
                .header("EffectiveConnectedLineName", "<unknown>")
                .header("TimeToHangup", "0")
                .header("BridgeID", "")
                .header("Application", &app)
                .header("Data", &data)
                .header("Seconds", &age.as_secs().to_string())
                .render(),
        );
    }
    let complete = Event::list_complete("StatusComplete", id, chosen.len());
    // Asterisk adds `Items:` before the end of the complete event.
    let complete = complete.trim_end_matches("\r\n");
    out.push_str(&format!("{complete}\r\nItems: {}\r\n\r\n", chosen.len()));
    out
}

/// `Hangup` (`ast_manager_hangup_helper`): ask the channel's driver to hang it up (`Cause:`
/// 1..127, else normal clearing). `Channel: /regex/` hangs up every channel whose name the
/// POSIX extended expression matches anywhere, answering with a list: `ChannelHungup` per
/// channel, then `ChannelsHungupListComplete`.
fn hangup(ami: &Ami, id: Option<&str>, m: &Message) -> String {
    let name = m.get("Channel").trim();
    if name.is_empty() {
        return Reply::error(id, "No channel specified");
    }
    let cause = match m.get("Cause").trim().parse::<u16>() {
        Ok(c) if (1..=127).contains(&c) => c,
        _ => tandem_core::cause::NORMAL_CLEARING,
    };
    if !name.starts_with('/') {
        return if ami.world.ami.hangup(name, cause) {
            Reply::ack(id, "Channel Hungup")
        } else {
            Reply::error(id, "No such channel")
        };
    }
    // `ast_regex_string_to_regex_pattern`: "/regex/" (two slashes at least) into "regex".
    let Some(pattern) = name.strip_prefix('/').and_then(|p| p.strip_suffix('/')) else {
        return Reply::error(id, "Regex format invalid, Channel param should be /regex/");
    };
    let Ok(re) = tandem_dialplan::expr::posix::compile(pattern) else {
        return Reply::error(id, &format!("Regex compile failed on: {name}"));
    };
    let mut out = Reply::list_start(id, "Channels hung up will follow");
    let mut n = 0;
    for chan in ami.world.ami.names() {
        if !re.is_match(&chan) || !ami.world.ami.hangup(&chan, cause) {
            continue;
        }
        tracing::info!("Manager hanging up channel: {chan}");
        n += 1;
        // Asterisk writes the ActionID after the channel here.
        let mut item = format!("Event: ChannelHungup\r\nChannel: {chan}\r\n");
        if let Some(id) = id.filter(|i| !i.is_empty()) {
            item.push_str(&format!("ActionID: {id}\r\n"));
        }
        item.push_str("\r\n");
        out.push_str(&item);
    }
    out.push_str(&Event::list_complete("ChannelsHungupListComplete", id, n));
    out
}

fn db(ami: &Ami, action: &str, id: Option<&str>, m: &Message) -> String {
    let family = m.get("Family");
    let key = m.get("Key");
    if family.is_empty() {
        return Reply::error(id, "No family specified.");
    }
    if key.is_empty() {
        return Reply::error(id, "No key specified.");
    }
    let store = &ami.world.shared.store;
    match action {
        "DBGet" => match store.db_get(family, key) {
            Ok(Some(val)) => {
                let mut out = Reply::list_start(id, "Result will follow");
                let mut ev = Event::list_item("DBGetResponse", None)
                    .header("Family", family)
                    .header("Key", key)
                    .header("Val", &val);
                if let Some(id) = id.filter(|i| !i.is_empty()) {
                    ev = ev.header("ActionID", id);
                }
                out.push_str(&ev.render());
                out.push_str(&Event::list_complete("DBGetComplete", id, 1));
                out
            }
            _ => Reply::error(id, "Database entry not found"),
        },
        "DBPut" => match store.db_put(family, key, m.get("Val")) {
            Ok(()) => Reply::ack(id, "Updated database successfully"),
            Err(_) => Reply::error(id, "Failed to update entry"),
        },
        _ => match store.db_delete(family, key) {
            Ok(Some(_)) => Reply::ack(id, "Key deleted successfully"),
            _ => Reply::error(id, "Database entry not found"),
        },
    }
}

fn sip_peers(ami: &Ami, id: Option<&str>) -> String {
    let mut out = Reply::list_start(id, "Peer status list will follow");
    let mut n = 0;
    if let Some(sip) = &ami.daemon.sip {
        let state = sip
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for p in &state.peers {
            let (ip, port) = p.addr.map_or(("-none-".to_string(), "0".to_string()), |a| {
                (a.ip().to_string(), a.port().to_string())
            });
            let yes = |b: bool| if b { "yes" } else { "no" };
            out.push_str(
                &Event::list_item("PeerEntry", id)
                    .header("Channeltype", "SIP")
                    .header("ObjectName", &p.name)
                    .header("ChanObjectType", "peer")
                    .header("IPaddress", &ip)
                    .header("IPport", &port)
                    .header("Dynamic", yes(p.dynamic))
                    .header("AutoForcerport", yes(p.force_rport.starts_with("Auto")))
                    .header("Forcerport", yes(p.force_rport.contains("Yes")))
                    .header("AutoComedia", yes(p.comedia.starts_with("Auto")))
                    .header("Comedia", yes(p.comedia.contains("Yes")))
                    .header("VideoSupport", "no")
                    .header("TextSupport", "no")
                    .header("ACL", yes(p.acl))
                    .header("Status", &p.status)
                    .header("RealtimeDevice", "no")
                    .header("Description", "")
                    .header("Accountcode", "")
                    .render(),
            );
            n += 1;
        }
    }
    out.push_str(&Event::list_complete("PeerlistComplete", id, n));
    out
}

fn sip_show_peer(ami: &Ami, id: Option<&str>, m: &Message) -> String {
    let name = m.get("Peer");
    if name.is_empty() {
        return Reply::error(id, "Peer: <name> missing.");
    }
    let Some(sip) = &ami.daemon.sip else {
        return Reply::error(id, &format!("Peer {name} not found."));
    };
    let state = sip
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(p) = state
        .peers
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
    else {
        return Reply::error(id, &format!("Peer {name} not found."));
    };
    let yn = |b: bool| if b { "Y" } else { "N" };
    Reply::new("Success", id)
        .header("Channeltype", "SIP")
        .header("ObjectName", &p.name)
        .header("ChanObjectType", "peer")
        .header("SecretExist", yn(p.secret_set))
        .header("Context", &p.context)
        .header("Dynamic", yn(p.dynamic))
        .header(
            "Address-IP",
            &p.addr.map_or("(null)".to_string(), |a| a.ip().to_string()),
        )
        .header(
            "Address-Port",
            &p.addr.map_or("0".to_string(), |a| a.port().to_string()),
        )
        .header("Status", &p.status)
        .header("SIP-Useragent", &p.useragent)
        .header("Reg-Contact", &p.contact)
        .end()
}

async fn reload(ami: &Arc<Ami>, id: Option<&str>) -> String {
    let out = cli(ami, "core reload".to_string()).await;
    if out.contains("Dialplan reloaded.") {
        ami.world.ami.reloaded();
        Reply::ack(id, "Module Reloaded.")
    } else {
        Reply::error(id, "An unknown error occurred")
    }
}
