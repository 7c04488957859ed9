//! `sip reload` and `core reload`. A file with an error is reported with its `file:line` and
//! the running configuration stays in force; calls in progress keep what they started with
//! (each leg holds its own settings), new calls and registrations get the new file.

use std::sync::Arc;

use tandem_conf::views::{IaxConf, SipConf};
use tandem_conf::{FsSource, Severity};

use crate::control::Daemon;

/// `sip reload`.
pub fn sip(daemon: &Daemon) -> String {
    let Some(dir) = &daemon.config_dir else {
        return "The built-in demo configuration has nothing to reload.\n".to_string();
    };
    let Some(handle) = &daemon.sip else {
        return "SIP is not configured (no sip.conf).\n".to_string();
    };
    let source = FsSource::new(dir);
    let Some(loaded) = tandem_conf::load_optional(&source, "sip.conf") else {
        return "sip.conf: cannot be read; the running SIP configuration stays in force.\n"
            .to_string();
    };
    let (mut view, more) = SipConf::from_config(&loaded.config);
    let mut diags = loaded.diagnostics;
    diags.extend(more);
    diags.extend(tandem_conf::views::acl_conf::resolve_sip(
        &mut view, &source,
    ));
    let mut out = String::new();
    for d in &diags {
        out.push_str(&format!("{d}\n"));
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        tracing::error!("sip reload failed; the running SIP configuration stays in force");
        out.push_str("SIP not reloaded: the running SIP configuration stays in force.\n");
        return out;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    if handle
        .commands
        .blocking_send(crate::sip::EndpointCmd::Reload(Arc::new(view), tx))
        .is_err()
    {
        out.push_str("SIP endpoint is not running\n");
        return out;
    }
    match rx.blocking_recv() {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("SIP endpoint did not answer\n"),
    }
    daemon.ops.reloaded();
    out
}

/// `iax2 reload`: iax.conf (with acl.conf's names) checked, then in force for new calls and
/// registrations; an error keeps the running configuration.
pub fn iax2(daemon: &Daemon) -> String {
    let Some(dir) = &daemon.config_dir else {
        return "The built-in demo configuration has nothing to reload.\n".to_string();
    };
    let Some(handle) = &daemon.iax else {
        return "IAX2 is not configured (no iax.conf).\n".to_string();
    };
    let source = FsSource::new(dir);
    let Some(loaded) = tandem_conf::load_optional(&source, "iax.conf") else {
        return "iax.conf: cannot be read; the running IAX2 configuration stays in force.\n"
            .to_string();
    };
    let (mut view, more) = IaxConf::from_config(&loaded.config);
    let mut diags = loaded.diagnostics;
    diags.extend(more);
    let (named, acl_diags) = tandem_conf::views::acl_conf::load_named(&source);
    diags.extend(acl_diags);
    diags.extend(tandem_conf::views::acl_conf::resolve_iax(&mut view, &named));
    diags.sort_by(|a, b| {
        (a.span.file.as_ref(), a.span.line).cmp(&(b.span.file.as_ref(), b.span.line))
    });
    let mut out = String::new();
    for d in &diags {
        out.push_str(&format!("{d}\n"));
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        tracing::error!("iax2 reload failed; the running IAX2 configuration stays in force");
        out.push_str("IAX2 not reloaded: the running IAX2 configuration stays in force.\n");
        return out;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    if handle
        .commands
        .blocking_send(crate::iax2::Cmd::Reload(Arc::new(view), tx))
        .is_err()
    {
        out.push_str("IAX2 endpoint is not running\n");
        return out;
    }
    match rx.blocking_recv() {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("IAX2 endpoint did not answer\n"),
    }
    daemon.ops.reloaded();
    out
}

/// `core reload`: the dialplan, then sip.conf and iax.conf (each module that has a reload
/// hook).
pub fn core(daemon: &Daemon) -> String {
    let mut out = crate::control::reload_dialplan(daemon);
    if daemon.sip.is_some() {
        out.push_str(&sip(daemon));
    }
    if daemon.iax.is_some() {
        out.push_str(&iax2(daemon));
    }
    if let Some(world) = &daemon.world {
        world.ami.reloaded();
    }
    daemon.ops.reloaded();
    out
}
