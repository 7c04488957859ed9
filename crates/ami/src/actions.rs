//! The actions tandem knows, with the permission each needs (the `authority` Asterisk
//! registers them with) and the synopsis `ListCommands` prints.

use crate::perm::{CALL, COMMAND, CONFIG, ORIGINATE, REPORTING, SYSTEM};

/// One action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    /// As Asterisk spells it (`CoreShowChannels`).
    pub name: &'static str,
    /// Write classes of which the user needs one; 0: anyone logged in.
    pub authority: u32,
    pub synopsis: &'static str,
}

const fn a(name: &'static str, authority: u32, synopsis: &'static str) -> ActionSpec {
    ActionSpec {
        name,
        authority,
        synopsis,
    }
}

/// In the order `ListCommands` prints them.
pub const ACTIONS: &[ActionSpec] = &[
    a("Ping", 0, "Keepalive command."),
    a("Events", 0, "Control Event Flow."),
    a("Logoff", 0, "Logoff Manager."),
    a("Login", 0, "Login Manager."),
    a("Challenge", 0, "Generate Challenge for MD5 Auth."),
    a("ListCommands", 0, "List available manager commands."),
    a(
        "CoreSettings",
        SYSTEM | REPORTING,
        "Show PBX core settings (version etc).",
    ),
    a(
        "CoreStatus",
        SYSTEM | REPORTING,
        "Show PBX core status variables.",
    ),
    a(
        "CoreShowChannels",
        SYSTEM | REPORTING,
        "List currently active channels.",
    ),
    a("Command", COMMAND, "Execute Asterisk CLI Command."),
    a("Status", SYSTEM | CALL | REPORTING, "List channel status."),
    a("Hangup", SYSTEM | CALL, "Hangup channel."),
    a("DBGet", SYSTEM | REPORTING, "Get DB Entry."),
    a("DBPut", SYSTEM, "Put DB entry."),
    a("DBDel", SYSTEM, "Delete DB entry."),
    a(
        "Getvar",
        CALL | REPORTING,
        "Gets a channel variable or function value.",
    ),
    a("Setvar", CALL, "Sets a channel variable or function value."),
    a(
        "SIPpeers",
        SYSTEM | REPORTING,
        "List SIP peers (text format).",
    ),
    a(
        "SIPshowpeer",
        SYSTEM | REPORTING,
        "show SIP peer (text format).",
    ),
    a("Reload", SYSTEM | CONFIG, "Send a reload event."),
    a("Originate", ORIGINATE, "Originate a call."),
    a("Redirect", CALL, "Redirect (transfer) a call."),
    a("IAXpeers", SYSTEM | REPORTING, "List IAX peers."),
];

/// The action called `name` (case-insensitive, as `strcasecmp`).
pub fn find(name: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_found_whatever_the_case() {
        assert_eq!(
            find("coreshowchannels").map(|a| a.name),
            Some("CoreShowChannels")
        );
        assert_eq!(find("COMMAND").map(|a| a.authority), Some(COMMAND));
        assert!(find("NoSuchThing").is_none());
    }
}
