//! Permission classes (`EVENT_FLAG_*` of include/asterisk/manager.h) and their names, as
//! `get_perm`, `strings_to_mask` and `authority_to_str` of main/manager.c read and print them.

pub const SYSTEM: u32 = 1 << 0;
pub const CALL: u32 = 1 << 1;
pub const LOG: u32 = 1 << 2;
pub const VERBOSE: u32 = 1 << 3;
pub const COMMAND: u32 = 1 << 4;
pub const AGENT: u32 = 1 << 5;
pub const USER: u32 = 1 << 6;
pub const CONFIG: u32 = 1 << 7;
pub const DTMF: u32 = 1 << 8;
pub const REPORTING: u32 = 1 << 9;
pub const CDR: u32 = 1 << 10;
pub const DIALPLAN: u32 = 1 << 11;
pub const ORIGINATE: u32 = 1 << 12;
pub const AGI: u32 = 1 << 13;
pub const CC: u32 = 1 << 15;
pub const AOC: u32 = 1 << 16;
pub const TEST: u32 = 1 << 17;
pub const SECURITY: u32 = 1 << 18;
pub const MESSAGE: u32 = 1 << 30;
/// `INT_MAX` in Asterisk's table: every class.
pub const ALL: u32 = i32::MAX as u32;

/// Asterisk's `perms[]` table, in its order (the order `Privilege:` lists classes in).
pub const NAMES: &[(u32, &str)] = &[
    (SYSTEM, "system"),
    (CALL, "call"),
    (LOG, "log"),
    (VERBOSE, "verbose"),
    (COMMAND, "command"),
    (AGENT, "agent"),
    (USER, "user"),
    (CONFIG, "config"),
    (DTMF, "dtmf"),
    (REPORTING, "reporting"),
    (CDR, "cdr"),
    (DIALPLAN, "dialplan"),
    (ORIGINATE, "originate"),
    (AGI, "agi"),
    (CC, "cc"),
    (AOC, "aoc"),
    (TEST, "test"),
    (SECURITY, "security"),
    (MESSAGE, "message"),
    (ALL, "all"),
];

/// `get_perm`: the classes named in a `,`-separated list (`read = system,call`); unknown
/// names add nothing, `all` adds every class.
pub fn get_perm(list: &str) -> u32 {
    list.split(',')
        .map(str::trim)
        .filter_map(|w| {
            NAMES
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(w))
                .map(|(n, _)| *n)
        })
        .fold(0, |acc, n| acc | n)
}

/// The names in `list` that are not permission classes (for warnings).
pub fn unknown_names(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|w| {
            !w.is_empty()
                && !w.eq_ignore_ascii_case("none")
                && !NAMES.iter().any(|(_, n)| n.eq_ignore_ascii_case(w))
        })
        .collect()
}

/// `strings_to_mask`, for the `Events:` header of Login and the `EventMask:` of Events: a
/// number is itself, a false word (`off`, `no`) is 0, a true word (`on`, `yes`) is every
/// class, anything else the classes it names. `None` for an empty value (Asterisk's -1).
pub fn strings_to_mask(value: &str) -> Option<u32> {
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // atoi; tandem saturates where C would overflow.
        return Some(value.parse::<u32>().unwrap_or(u32::MAX));
    }
    if tandem_conf::ast_false(value) {
        return Some(0);
    }
    if tandem_conf::ast_true(value) {
        return Some(ALL);
    }
    Some(get_perm(value))
}

/// `authority_to_str`: the class names of `authority`, `,`-separated; `all` always ends a
/// non-empty list (its bit pattern matches everything), `<none>` when nothing matches.
pub fn authority_to_str(authority: u32) -> String {
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(n, _)| authority & n != 0)
        .map(|(_, name)| *name)
        .collect();
    if names.is_empty() {
        "<none>".to_string()
    } else {
        names.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_of_a_call_event_is_call_all() {
        assert_eq!(authority_to_str(CALL), "call,all");
        assert_eq!(authority_to_str(SYSTEM), "system,all");
        assert_eq!(authority_to_str(SYSTEM | REPORTING), "system,reporting,all");
        assert_eq!(authority_to_str(0), "<none>");
    }

    #[test]
    fn get_perm_reads_a_list_and_all_means_everything() {
        assert_eq!(get_perm("system,call"), SYSTEM | CALL);
        assert_eq!(get_perm("all"), ALL);
        assert_eq!(get_perm("bogus"), 0);
        assert_eq!(get_perm(""), 0);
    }

    #[test]
    fn strings_to_mask_reads_numbers_true_false_and_lists() {
        assert_eq!(strings_to_mask("on"), Some(ALL));
        assert_eq!(strings_to_mask("yes"), Some(ALL));
        assert_eq!(strings_to_mask("off"), Some(0));
        assert_eq!(strings_to_mask("3"), Some(SYSTEM | CALL));
        assert_eq!(strings_to_mask("call,dialplan"), Some(CALL | DIALPLAN));
        assert_eq!(strings_to_mask(""), None);
    }

    #[test]
    fn unknown_class_names_are_reported() {
        assert_eq!(unknown_names("system, bogus,call,none"), ["bogus"]);
    }
}
