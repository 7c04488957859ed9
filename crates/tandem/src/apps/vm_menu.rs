//! VoiceMailMain's menu as a pure state machine driven by digits and timeouts (no I/O): it
//! answers each input with the actions the application carries out. The keys are
//! app_voicemail's: in the main menu `1` plays the folder's messages (`vm-first`
//! `vm-message` then the message), `*` is help, `#` exits; while at a message `4` previous,
//! `5` repeat, `6` next, `7` delete, `9` save (to Old), `*` help (the message options),
//! `#` exits. A new message that is played is heard: it moves to Old. Three timeouts in a
//! row end the session, as `vm_execmain`'s repeat counter.

use super::prompt::number_files;

/// What the application does next, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Play these prompts (any digit interrupts them and is the next input).
    Say(Vec<String>),
    /// Play message `n` of the list (any digit interrupts it).
    PlayMessage(usize),
    /// Message `n` was played: a new one becomes old.
    MarkHeard(usize),
    /// Save message `n` to Old.
    Save(usize),
    /// Delete message `n`.
    Delete(usize),
    /// Say goodbye and end.
    Exit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Main,
    Message(usize),
}

/// The session over a snapshot of one folder's messages.
#[derive(Debug, Clone)]
pub struct Menu {
    count: usize,
    deleted: Vec<bool>,
    at: Where,
    timeouts: u32,
    /// The folder played is INBOX (new messages): playing marks them heard.
    new_folder: bool,
}

fn say(names: &[&str]) -> Action {
    Action::Say(names.iter().map(|s| s.to_string()).collect())
}

/// "You have N new messages [and M old messages]" (`vm_intro_en`).
pub fn intro(new: u32, old: u32) -> Vec<String> {
    let mut out = vec!["vm-youhave".to_string()];
    let count = |n: u32, folder: &str, out: &mut Vec<String>| {
        out.extend(number_files(n));
        out.push(folder.to_string());
        out.push(if n == 1 { "vm-message" } else { "vm-messages" }.to_string());
    };
    if new == 0 && old == 0 {
        out.push("vm-no".into());
        out.push("vm-messages".into());
        return out;
    }
    if new > 0 {
        count(new, "vm-INBOX", &mut out);
        if old > 0 {
            out.push("vm-and".into());
        }
    }
    if old > 0 {
        count(old, "vm-Old", &mut out);
    }
    out
}

impl Menu {
    /// A session over `count` messages of INBOX (`new_folder`) or Old.
    pub fn new(count: usize, new_folder: bool) -> Menu {
        Menu {
            count,
            deleted: vec![false; count],
            at: Where::Main,
            timeouts: 0,
            new_folder,
        }
    }

    /// The main menu's instructions: press 1 for the folder's messages, star for help,
    /// pound to exit.
    pub fn main_prompts(&self) -> Vec<String> {
        let folder = if self.new_folder {
            "vm-INBOX"
        } else {
            "vm-Old"
        };
        ["vm-onefor", folder, "vm-messages", "vm-helpexit"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// The message options (`vm_instructions` at a message).
    pub fn message_prompts(&self) -> Vec<String> {
        [
            "vm-prev",
            "vm-repeat",
            "vm-next",
            "vm-delete",
            "vm-savemessage",
            "vm-helpexit",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The message the caller is at, if any.
    #[cfg(test)]
    pub fn current(&self) -> Option<usize> {
        match self.at {
            Where::Message(n) => Some(n),
            Where::Main => None,
        }
    }

    /// Announce and play message `n`.
    fn play(&mut self, n: usize) -> Vec<Action> {
        self.at = Where::Message(n);
        let mut label = if n == 0 {
            vec!["vm-first".to_string(), "vm-message".to_string()]
        } else if n + 1 == self.count {
            vec!["vm-last".to_string(), "vm-message".to_string()]
        } else {
            let mut v = vec!["vm-message".to_string()];
            v.extend(number_files(u32::try_from(n + 1).unwrap_or(u32::MAX)));
            v
        };
        if self.deleted.get(n).copied().unwrap_or(true) {
            label.push("vm-deleted".into());
            return vec![Action::Say(label)];
        }
        let mut out = vec![Action::Say(label), Action::PlayMessage(n)];
        if self.new_folder {
            out.push(Action::MarkHeard(n));
        }
        out
    }

    /// A digit.
    pub fn on_digit(&mut self, d: char) -> Vec<Action> {
        self.timeouts = 0;
        match (self.at, d) {
            (_, '#') => vec![Action::Exit],
            (Where::Main, '1') => {
                if self.count == 0 {
                    vec![
                        say(&["vm-no", "vm-messages"]),
                        Action::Say(self.main_prompts()),
                    ]
                } else {
                    self.play(0)
                }
            }
            (Where::Main, '*') => vec![Action::Say(self.main_prompts())],
            (Where::Main, _) => vec![Action::Say(self.main_prompts())],
            (Where::Message(_), '*') => vec![Action::Say(self.message_prompts())],
            (Where::Message(n), '4') => {
                if n == 0 {
                    vec![say(&["vm-nomore"])]
                } else {
                    self.play(n - 1)
                }
            }
            (Where::Message(n), '5') => self.play(n),
            (Where::Message(n), '6') => {
                if n + 1 >= self.count {
                    vec![say(&["vm-nomore"])]
                } else {
                    self.play(n + 1)
                }
            }
            (Where::Message(n), '7') => {
                if self.deleted.get(n).copied().unwrap_or(true) {
                    return vec![say(&["vm-deleted"])];
                }
                if let Some(flag) = self.deleted.get_mut(n) {
                    *flag = true;
                }
                vec![Action::Delete(n), say(&["vm-message", "vm-deleted"])]
            }
            (Where::Message(n), '9') => {
                if self.deleted.get(n).copied().unwrap_or(true) {
                    return vec![say(&["vm-deleted"])];
                }
                vec![Action::Save(n), say(&["vm-message", "vm-msgsaved"])]
            }
            (Where::Message(_), _) => vec![Action::Say(self.message_prompts())],
        }
    }

    /// No digit for a while: the instructions again; the third time in a row, the end.
    pub fn on_timeout(&mut self) -> Vec<Action> {
        self.timeouts += 1;
        if self.timeouts >= 3 {
            return vec![Action::Exit];
        }
        match self.at {
            Where::Main => vec![Action::Say(self.main_prompts())],
            Where::Message(_) => vec![Action::Say(self.message_prompts())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn says(a: &Action) -> Vec<String> {
        match a {
            Action::Say(v) => v.clone(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_intro_counts_new_and_old_messages() {
        assert_eq!(
            intro(1, 0),
            vec!["vm-youhave", "digits/1", "vm-INBOX", "vm-message"]
        );
        assert_eq!(
            intro(2, 3),
            vec![
                "vm-youhave",
                "digits/2",
                "vm-INBOX",
                "vm-messages",
                "vm-and",
                "digits/3",
                "vm-Old",
                "vm-messages"
            ]
        );
        assert_eq!(intro(0, 0), vec!["vm-youhave", "vm-no", "vm-messages"]);
        assert_eq!(
            intro(0, 1),
            vec!["vm-youhave", "digits/1", "vm-Old", "vm-message"]
        );
    }

    #[test]
    fn one_plays_the_first_new_message_and_marks_it_heard() {
        let mut m = Menu::new(2, true);
        let a = m.on_digit('1');
        assert_eq!(says(&a[0]), vec!["vm-first", "vm-message"]);
        assert_eq!(&a[1..], &[Action::PlayMessage(0), Action::MarkHeard(0)]);
        assert_eq!(m.current(), Some(0));
    }

    #[test]
    fn old_messages_are_played_without_moving_them() {
        let mut m = Menu::new(1, false);
        let a = m.on_digit('1');
        assert_eq!(&a[1..], &[Action::PlayMessage(0)]);
    }

    #[test]
    fn next_previous_repeat_and_the_ends_of_the_list() {
        let mut m = Menu::new(3, false);
        m.on_digit('1');
        assert_eq!(says(&m.on_digit('4')[0]), vec!["vm-nomore"]);
        let a = m.on_digit('6');
        assert_eq!(says(&a[0]), vec!["vm-message", "digits/2"]);
        assert_eq!(a[1], Action::PlayMessage(1));
        let a = m.on_digit('6');
        assert_eq!(says(&a[0]), vec!["vm-last", "vm-message"]);
        assert_eq!(says(&m.on_digit('6')[0]), vec!["vm-nomore"]);
        assert_eq!(m.on_digit('5')[1], Action::PlayMessage(2));
        assert_eq!(m.on_digit('4')[1], Action::PlayMessage(1));
    }

    #[test]
    fn seven_deletes_once_and_nine_saves() {
        let mut m = Menu::new(2, true);
        m.on_digit('1');
        let a = m.on_digit('7');
        assert_eq!(a[0], Action::Delete(0));
        assert_eq!(says(&a[1]), vec!["vm-message", "vm-deleted"]);
        assert_eq!(
            m.on_digit('7'),
            vec![Action::Say(vec!["vm-deleted".into()])]
        );
        assert_eq!(
            m.on_digit('9'),
            vec![Action::Say(vec!["vm-deleted".into()])]
        );
        // A deleted message is not played again.
        assert_eq!(
            says(&m.on_digit('5')[0]),
            vec!["vm-first", "vm-message", "vm-deleted"]
        );
        m.on_digit('6');
        assert_eq!(m.on_digit('9')[0], Action::Save(1));
    }

    #[test]
    fn pound_exits_from_anywhere_and_star_is_help() {
        let mut m = Menu::new(1, true);
        assert_eq!(says(&m.on_digit('*')[0]), m.main_prompts());
        assert_eq!(m.on_digit('#'), vec![Action::Exit]);
        m.on_digit('1');
        assert_eq!(says(&m.on_digit('*')[0]), m.message_prompts());
        assert_eq!(m.on_digit('#'), vec![Action::Exit]);
    }

    #[test]
    fn an_empty_folder_says_no_messages() {
        let mut m = Menu::new(0, true);
        let a = m.on_digit('1');
        assert_eq!(says(&a[0]), vec!["vm-no", "vm-messages"]);
        assert_eq!(m.current(), None);
    }

    #[test]
    fn three_timeouts_in_a_row_end_the_session() {
        let mut m = Menu::new(1, true);
        assert_eq!(says(&m.on_timeout()[0]), m.main_prompts());
        assert_eq!(says(&m.on_timeout()[0]), m.main_prompts());
        m.on_digit('*');
        m.on_timeout();
        m.on_timeout();
        assert_eq!(m.on_timeout(), vec![Action::Exit]);
    }
}
