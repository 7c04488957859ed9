//! `Redirect` (main/manager.c `action_redirect`): send a channel, and optionally a second
//! one (`ExtraChannel`, with `ExtraContext`/`ExtraExten`/`ExtraPriority`), elsewhere in the
//! dialplan, as `ast_async_goto` does. What the channel is doing stops: an application
//! returns, a Dial that rings is cancelled; a channel in a two-party bridge leaves it and the
//! bridge dissolves, hanging its peer up, unless the peer is the ExtraChannel, which then goes
//! to its own place. A dialled channel without a dialplan of its own gets one.

use tandem_ami::{Message, Reply};
use tandem_core::Goto;

use super::Ami;

pub fn run(ami: &Ami, id: Option<&str>, m: &Message) -> String {
    let name = m.get("Channel").trim();
    let name2 = m.get("ExtraChannel").trim();
    if name.is_empty() {
        return Reply::error(id, "Channel not specified");
    }
    let context = m.get("Context").trim();
    let exten = m.get("Exten").trim();
    let priority = m.get("Priority").trim();
    if context.is_empty() {
        return Reply::error(id, "Context not specified");
    }
    if exten.is_empty() {
        return Reply::error(id, "Exten not specified");
    }
    if priority.is_empty() {
        return Reply::error(id, "Priority not specified");
    }
    let Some(to) = goto(ami, context, exten, priority) else {
        return Reply::error(id, "Priority is invalid");
    };
    let bus = &ami.world.ami;
    let Some(chan) = bus.find(name) else {
        return Reply::error(id, &format!("Channel does not exist: {name}"));
    };
    if name2.is_empty() {
        return if bus.redirect(&chan, to) {
            Reply::ack(id, "Redirect successful")
        } else {
            Reply::error(id, "Redirect failed")
        };
    }
    let Some(chan2) = bus.find(name2) else {
        return Reply::error(id, &format!("ExtraChannel does not exist: {name2}"));
    };
    // The second place: the Extra* headers, each defaulting to the first one's.
    let or = |header: &str, default: &str| {
        let v = m.get(header).trim();
        if v.is_empty() {
            default.to_string()
        } else {
            v.to_string()
        }
    };
    let (context2, exten2) = (or("ExtraContext", context), or("ExtraExten", exten));
    let Some(to2) = goto(ami, &context2, &exten2, &or("ExtraPriority", priority)) else {
        return Reply::error(id, "Priority is invalid");
    };
    if bus.peer(&chan).as_deref() == Some(chan2.as_str()) {
        // Bridged together: the bridge sends the second on when the first leaves.
        bus.set_peer_redirect(&chan2, to2);
        if !bus.redirect(&chan, to) {
            bus.take_peer_redirect(&chan2);
            return Reply::error(id, "Redirect failed");
        }
        return Reply::ack(id, "Dual Redirect successful");
    }
    if !bus.redirect(&chan, to) {
        return Reply::error(id, "Redirect failed");
    }
    if bus.redirect(&chan2, to2) {
        Reply::ack(id, "Dual Redirect successful")
    } else {
        Reply::error(id, "Secondary redirect failed")
    }
}

/// The place: a numeric priority, or a label of the extension (`ast_findlabel_extension`).
fn goto(ami: &Ami, context: &str, exten: &str, priority: &str) -> Option<Goto> {
    let number = match leading_int(priority) {
        Some(n) => n,
        None => {
            let shared = &ami.world.shared;
            let dp = shared.dialplan();
            let found = dp.label_priority(context, exten, priority, None, shared.now())?;
            i64::from(found)
        }
    };
    let priority = u32::try_from(number).ok().filter(|p| *p >= 1)?;
    Some(Goto {
        context: context.to_string(),
        exten: exten.to_string(),
        priority,
    })
}

/// `sscanf("%30d")`: an optional sign and the digits that start the text.
fn leading_int(text: &str) -> Option<i64> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(18)
        .collect();
    digits.parse::<i64>().ok().map(|n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::leading_int;

    #[test]
    fn a_priority_is_read_as_sscanf_reads_it() {
        assert_eq!(leading_int("1"), Some(1));
        assert_eq!(leading_int("3abc"), Some(3));
        assert_eq!(leading_int("-2"), Some(-2));
        assert_eq!(leading_int("label"), None);
    }
}
