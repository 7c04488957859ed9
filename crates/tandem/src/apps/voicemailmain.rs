//! VoiceMailMain([mailbox][@context][,options]), as app_voicemail's `vm_execmain`:
//! `vm-login` asks for the mailbox when none is given, `vm-password` for the password (not
//! with option `s`), digits ended by `#`; a wrong login says `vm-incorrect` and asks again,
//! `maxlogins` (3) times, then `vm-goodbye` and a hangup. Logged in: "you have N new and M
//! old messages", then the menu of [`super::vm_menu`] over INBOX (Old when INBOX is empty).
//! Leaving with `#` says `vm-goodbye` and hangs up, as `vm_execmain` returns -1.

use std::sync::Arc;
use std::time::Duration;

use tandem_conf::views::voicemail::Mailbox;
use tandem_core::host::Reply;
use tandem_store::VoicemailRow;

use super::prompt::{self, Heard};
use super::vm_menu::{intro, Action, Menu};
use super::vm_spool::{self, Spool, INBOX, OLD};
use super::AppCx;

/// How long to wait for a key in the menu.
const MENU_TIMEOUT: Duration = Duration::from_secs(5);
/// Between the digits of a mailbox or password.
const DIGIT_TIMEOUT: Duration = Duration::from_secs(5);

fn goodbye() -> Vec<String> {
    vec!["vm-goodbye".to_string()]
}

pub async fn exec(mut cx: AppCx<'_>, data: &str) -> Reply {
    let mut parts = data.splitn(2, ',');
    let given = parts.next().unwrap_or_default().trim().to_string();
    let options = parts.next().unwrap_or_default().to_string();
    let (mut mailbox, context) = if given.is_empty() {
        (String::new(), "default".to_string())
    } else {
        super::voicemail::split_box(&given)
    };
    if !prompt::answer(&mut cx).await {
        return Reply::HungUp;
    }
    let conf = &cx.world.apps.voicemail;
    let maxlogins = conf.general.maxlogins.max(1);
    let maxmsg = conf.general.maxmsg;
    let mut user: Option<Mailbox> = None;
    let mut asked_box = mailbox.is_empty();
    for _ in 0..maxlogins {
        if asked_box {
            match prompt::read_digits(&mut cx, &["vm-login".to_string()], 80, DIGIT_TIMEOUT).await {
                None => return Reply::HungUp,
                Some(b) => mailbox = b,
            }
        }
        let found = cx.world.apps.voicemail.find(&context, &mailbox).cloned();
        if options.contains('s') {
            if let Some(m) = found {
                user = Some(m);
                break;
            }
        } else {
            let Some(password) =
                prompt::read_digits(&mut cx, &["vm-password".to_string()], 80, DIGIT_TIMEOUT).await
            else {
                return Reply::HungUp;
            };
            if let Some(m) = found.filter(|m| m.password == password) {
                user = Some(m);
                break;
            }
        }
        tracing::info!(
            "{}: VoiceMailMain: incorrect login to mailbox {mailbox}@{context}",
            cx.chan.name
        );
        if prompt::play(&mut cx, &["vm-incorrect".to_string()], "").await == Heard::HungUp {
            return Reply::HungUp;
        }
        // A wrong mailbox given as the argument is asked for again (`vm-incorrect-mailbox`).
        asked_box = true;
    }
    let Some(user) = user else {
        let _ = prompt::play(&mut cx, &goodbye(), "").await;
        return Reply::HungUp;
    };
    if !vm_spool::safe_component(&user.mailbox) || !vm_spool::safe_component(&user.context) {
        return Reply::HungUp;
    }
    tracing::info!(
        "{}: VoiceMailMain: {}@{} logged in",
        cx.chan.name,
        user.mailbox,
        user.context
    );
    let spool = Spool::new(vm_spool::spool_root(), Arc::clone(&cx.world.shared.store));
    let (new, old) = spool.counts(&user.context, &user.mailbox);
    let folder = if new > 0 { INBOX } else { OLD };
    let mut messages: Vec<VoicemailRow> = cx
        .world
        .shared
        .store
        .vm_list(&user.context, &user.mailbox, folder)
        .unwrap_or_default();
    let mut menu = Menu::new(messages.len(), folder == INBOX);
    let mut actions = vec![
        Action::Say(intro(new, old)),
        Action::Say(menu.main_prompts()),
    ];
    loop {
        let mut pressed = None;
        for action in actions.drain(..) {
            match action {
                Action::Say(files) => match prompt::play(&mut cx, &files, "0123456789*#").await {
                    Heard::HungUp => return Reply::HungUp,
                    Heard::Digit(d) => {
                        pressed = Some(d);
                        break;
                    }
                    Heard::Done => {}
                },
                Action::PlayMessage(n) => {
                    let Some(row) = messages.get(n) else { continue };
                    let path = spool.message_base(row).to_string_lossy().to_string();
                    tracing::info!("{}: VoiceMailMain: playing message {path}", cx.chan.name);
                    match prompt::play(&mut cx, &[path], "0123456789*#").await {
                        Heard::HungUp => return Reply::HungUp,
                        Heard::Digit(d) => pressed = Some(d),
                        Heard::Done => {}
                    }
                    // The rest (MarkHeard) still runs when a digit cut the message short.
                }
                Action::MarkHeard(n) | Action::Save(n) => {
                    if let Some(row) = messages.get_mut(n) {
                        match spool.move_to(row, OLD, maxmsg) {
                            Ok(moved) => *row = moved,
                            Err(e) => tracing::warn!("{}: VoiceMailMain: {e}", cx.chan.name),
                        }
                    }
                }
                Action::Delete(n) => {
                    if let Some(row) = messages.get(n) {
                        if let Err(e) = spool.delete(row) {
                            tracing::warn!("{}: VoiceMailMain: {e}", cx.chan.name);
                        }
                    }
                }
                Action::Exit => {
                    let _ = prompt::play(&mut cx, &goodbye(), "").await;
                    return Reply::HungUp;
                }
            }
        }
        let digit = match pressed {
            Some(d) => Some(d),
            None => match prompt::wait_digit(&mut cx, MENU_TIMEOUT).await {
                Err(()) => return Reply::HungUp,
                Ok(d) => d,
            },
        };
        actions = match digit {
            Some(d) => {
                tracing::info!("{}: VoiceMailMain: key {d}", cx.chan.name);
                menu.on_digit(d)
            }
            None => menu.on_timeout(),
        };
    }
}
