//! `Getvar` and `Setvar` (main/manager.c `action_getvar`, `action_setvar`): a variable or a
//! dialplan function (`CALLERID(num)`, `CDR(userfield)`, `LEN(abc)`), on a channel or, without
//! `Channel:`, global.
//!
//! A channel's state belongs to the task that runs its dialplan, so the AMI works on its
//! copy of the channel (the bus keeps it as the dialplan leaves it before each priority,
//! with every variable set since) through the dialplan's own code: Getvar reads as
//! `${CALLERID(num)}` would (`pbx_retrieve_variable`: the channel's built-ins, its
//! variables, then the globals; `ast_func_read` for a function), Setvar writes as `Set()`
//! does, on the copy at once (so Getvar sees it) and, through the channel's pending list, on
//! the channel before its next priority.
//!
//! Without a channel, a function is read on an empty channel as Asterisk reads it on
//! `ast_dummy_channel_alloc()` (`LEN()`, `DB()`, `GLOBAL()` work, `CALLERID()` is empty), and
//! written with none (`DB()`, `GLOBAL()` work; the functions that need a channel fail with
//! `Variable not set`).

use tandem_ami::{Event, Message, Reply};
use tandem_core::env::ChanEnv;
use tandem_core::Channel;
use tandem_dialplan::functions::{self, Func};
use tandem_dialplan::subst::func_args;
use tandem_dialplan::Env;

use super::Ami;

pub fn getvar(ami: &Ami, id: Option<&str>, m: &Message) -> String {
    let var = m.get("Variable");
    if var.is_empty() {
        return Reply::error(id, "No variable specified");
    }
    let channel = m.get("Channel").trim();
    let shared = &ami.world.shared;
    let value = if channel.is_empty() {
        if var.ends_with(')') {
            read(&mut dummy(), shared, var)
        } else {
            shared.global(var).unwrap_or_default()
        }
    } else {
        let Some(mut chan) = ami.world.ami.channel_copy(channel) else {
            return Reply::error(id, "No such channel");
        };
        if var.ends_with(')') {
            read(&mut chan, shared, var)
        } else {
            ChanEnv::new(&mut chan, shared)
                .get_var(var)
                .unwrap_or_default()
        }
    };
    Reply::new("Success", id)
        .header("Variable", var)
        .header("Value", &value)
        .end()
}

pub fn setvar(ami: &Ami, id: Option<&str>, m: &Message) -> String {
    let var = m.get("Variable");
    if var.is_empty() {
        return Reply::error(id, "No variable specified");
    }
    let value = m.get("Value");
    let channel = m.get("Channel").trim();
    let shared = &ami.world.shared;
    let is_function = var.ends_with(')');
    let ok = if !channel.is_empty() {
        if ami.world.ami.find(channel).is_none() {
            return Reply::error(id, "No such channel");
        }
        // A function that only touches shared state needs no copy of the channel.
        if is_function && !needs_channel(var) {
            write(&mut dummy(), shared, var, value)
        } else {
            let done = ami.world.ami.set_on_channel(channel, var, value, |chan| {
                if is_function {
                    write(chan, shared, var, value)
                } else {
                    chan.set_var(var, value);
                    true
                }
            });
            match done {
                Some(ok) => ok,
                None => return Reply::error(id, "No such channel"),
            }
        }
    } else if is_function {
        // `ast_func_write(NULL, ...)`: the write callbacks that need a channel refuse.
        !needs_channel(var) && write(&mut dummy(), shared, var, value)
    } else {
        shared.set_global(var, value);
        // A global: VarSet without a channel (`varset_to_ami` with no snapshot).
        ami.world.ami.emit(|| {
            Event::new("VarSet", tandem_ami::perm::DIALPLAN)
                .header("Channel", "none")
                .header("Uniqueid", "none")
                .header("Variable", var)
                .header("Value", value)
        });
        true
    };
    if ok {
        Reply::ack(id, "Variable Set")
    } else {
        Reply::error(id, "Variable not set")
    }
}

/// `ast_func_read` on `chan`: empty when the function is unknown or fails (action_getvar
/// ignores the result and answers what the workspace holds).
fn read(chan: &mut Channel, shared: &tandem_core::Shared, var: &str) -> String {
    let (name, args) = func_args(var);
    functions::read(name, args, &mut ChanEnv::new(chan, shared)).unwrap_or_default()
}

fn write(chan: &mut Channel, shared: &tandem_core::Shared, var: &str, value: &str) -> bool {
    tandem_core::apps::write_function(&mut ChanEnv::new(chan, shared), var, value)
}

/// Whether writing the function changes the channel itself (CALLERID, CHANNEL, CDR, LOCAL:
/// their write callbacks fail without a channel), rather than the astdb or the globals.
fn needs_channel(var: &str) -> bool {
    !matches!(
        Func::from_name(func_args(var).0),
        Some(Func::Db | Func::Global)
    )
}

/// `ast_dummy_channel_alloc()`: no name, no caller, no variables.
fn dummy() -> Channel {
    Channel::new("", "", "", "")
}
