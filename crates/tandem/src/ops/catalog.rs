//! `core show applications` (main/pbx_app.c) and `core show functions` (main/pbx_functions.c):
//! the applications the core and the binary run, the dialplan functions, with Asterisk's
//! synopses. Both lists are checked against the dialplan's own name lookups by the tests, so
//! a name listed here is one `tandem check` accepts.

/// (name, synopsis), sorted as Asterisk keeps its list (case-insensitively by name).
pub const APPLICATIONS: &[(&str, &str)] = &[
    ("Answer", "Answer a channel if ringing."),
    (
        "BackGround",
        "Play an audio file while waiting for digits of an extension to go to.",
    ),
    ("Bridge", "Bridge two channels."),
    ("Busy", "Indicate the Busy condition."),
    ("ConfBridge", "Conference bridge application."),
    ("Congestion", "Indicate the Congestion condition."),
    ("ContinueWhile", "Restart a While loop."),
    (
        "Dial",
        "Attempt to connect to another device or endpoint and bridge the call.",
    ),
    ("Directory", "Provide directory of voicemail extensions."),
    ("Echo", "Echo media, DTMF back to the calling party"),
    ("EndWhile", "End a while loop."),
    ("ExecIf", "Executes dialplan application, conditionally."),
    ("ExitWhile", "End a While loop."),
    ("Gosub", "Jump to label, saving return address."),
    (
        "GosubIf",
        "Conditionally jump to label, saving return address.",
    ),
    (
        "Goto",
        "Jump to a particular priority, extension, or context.",
    ),
    ("GotoIf", "Conditional goto."),
    ("GotoIfTime", "Conditional Goto based on the current time."),
    ("Hangup", "Hang up the calling channel."),
    ("Log", "Send arbitrary text to a selected log level."),
    (
        "Milliwatt",
        "Generates a 1004 Hz test tone at 0dbm (mu-law).",
    ),
    (
        "MixMonitor",
        "Record a call and mix the audio during the recording.",
    ),
    ("MSet", "Set channel variable(s) or function value(s)."),
    ("MusicOnHold", "Play Music On Hold indefinitely."),
    (
        "NoCDR",
        "Tell Asterisk to not maintain a CDR for this call.",
    ),
    ("NoOp", "Do Nothing (No Operation)."),
    ("Playback", "Play a file."),
    ("PlayTones", "Play a tone list."),
    ("Progress", "Indicate progress."),
    ("Queue", "Queue a call for a call queue."),
    ("Read", "Read a variable."),
    ("Record", "Record to a file."),
    ("ResetCDR", "Resets the Call Data Record."),
    ("Return", "Return from gosub routine."),
    ("Ringing", "Indicate ringing tone."),
    ("SayAlpha", "Say Alpha."),
    ("SayDigits", "Say Digits."),
    ("SayNumber", "Say Number."),
    ("SayUnixTime", "Says a specified time in a custom format."),
    ("SendDTMF", "Sends arbitrary DTMF digits"),
    ("Set", "Set channel variable or function value."),
    ("StartMusicOnHold", "Play Music On Hold."),
    ("StopMusicOnHold", "Stop playing Music On Hold."),
    ("StopPlayTones", "Stop playing a tone list."),
    ("Transfer", "Transfer caller to remote extension."),
    ("Verbose", "Send arbitrary text to verbose output."),
    ("VoiceMail", "Leave a Voicemail message."),
    ("VoiceMailMain", "Check Voicemail messages."),
    ("Wait", "Waits for some time."),
    ("WaitExten", "Waits for an extension to be entered."),
    ("While", "Start a while loop."),
];

/// (name, syntax, synopsis), sorted by name.
pub const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "CALLERID",
        "CALLERID(datatype[,CID])",
        "Gets or sets Caller*ID data on the channel.",
    ),
    ("CDR", "CDR(name[,options])", "Gets or sets a CDR variable."),
    (
        "CHANNEL",
        "CHANNEL(item)",
        "Gets/sets various pieces of information about the channel.",
    ),
    (
        "CUT",
        "CUT(varname,char-delim,range-spec)",
        "Slices and dices strings, based upon a named delimiter.",
    ),
    (
        "DB",
        "DB(family/key)",
        "Read from or write to the Asterisk database.",
    ),
    (
        "DB_DELETE",
        "DB_DELETE(family/key)",
        "Return a value from the database and delete it.",
    ),
    (
        "DB_EXISTS",
        "DB_EXISTS(family/key)",
        "Check to see if a key exists in the Asterisk database.",
    ),
    ("EXISTS", "EXISTS(data)", "Test the existence of a value."),
    (
        "FIELDNUM",
        "FIELDNUM(varname,delim,value)",
        "Return the 1-based offset of a field in a list",
    ),
    (
        "FIELDQTY",
        "FIELDQTY(varname,delim)",
        "Count the fields with an arbitrary delimiter",
    ),
    (
        "GLOBAL",
        "GLOBAL(varname)",
        "Gets or sets the global variable specified.",
    ),
    (
        "IF",
        "IF(expression?[true][:false])",
        "Check for an expression.",
    ),
    (
        "IFTIME",
        "IFTIME(timespec?[true][:false])",
        "Temporal Conditional.",
    ),
    ("ISNULL", "ISNULL(data)", "Check if a value is NULL."),
    (
        "LEN",
        "LEN(string)",
        "Return the length of the string given.",
    ),
    (
        "LOCAL",
        "LOCAL(varname)",
        "Manage variables local to the gosub stack frame.",
    ),
    (
        "POP",
        "POP(varname[,delimiter])",
        "Removes and returns the last item off of a variable containing delimited text",
    ),
    (
        "RAND",
        "RAND([min][,max])",
        "Choose a random number in a range.",
    ),
    (
        "REGEX",
        "REGEX(\"regular expression\" string)",
        "Check string against a regular expression.",
    ),
    (
        "SET",
        "SET(varname=[value])",
        "SET assigns a value to a channel variable.",
    ),
    (
        "SHIFT",
        "SHIFT(varname[,delimiter])",
        "Removes and returns the first item off of a variable containing delimited text",
    ),
    (
        "STRFTIME",
        "STRFTIME([epoch][,timezone][,format])",
        "Returns the current date/time in the specified format.",
    ),
    (
        "TOLOWER",
        "TOLOWER(string)",
        "Convert string to all lowercase letters.",
    ),
    (
        "TOUPPER",
        "TOUPPER(string)",
        "Convert string to all uppercase letters.",
    ),
];

/// `core show applications`.
pub fn show_applications() -> String {
    let mut out = String::from("    -= Registered Asterisk Applications =-\n");
    for (name, synopsis) in APPLICATIONS {
        out.push_str(&format!("  {name:>20}: {synopsis}\n"));
    }
    out.push_str(&format!(
        "    -= {} Applications Registered =-\n",
        APPLICATIONS.len()
    ));
    out
}

/// `core show functions`.
pub fn show_functions() -> String {
    let mut out = String::from(
        "Installed Custom Functions:\n\
         --------------------------------------------------------------------------------\n",
    );
    for (name, syntax, synopsis) in FUNCTIONS {
        let name: String = name.chars().take(20).collect();
        let syntax: String = syntax.chars().take(35).collect();
        out.push_str(&format!("{name:<20}  {syntax:<35}  {synopsis}\n"));
    }
    out.push_str(&format!(
        "{} custom functions installed.\n",
        FUNCTIONS.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_application_is_one_the_dialplan_accepts() {
        for (name, _) in APPLICATIONS {
            assert!(tandem_core::apps::is_known(name), "{name}");
        }
    }

    #[test]
    fn every_listed_function_is_one_the_dialplan_accepts() {
        for (name, _, _) in FUNCTIONS {
            assert!(tandem_dialplan::functions::is_known(name), "{name}");
        }
    }

    #[test]
    fn lists_are_sorted_case_insensitively() {
        let apps: Vec<String> = APPLICATIONS.iter().map(|a| a.0.to_lowercase()).collect();
        let mut sorted = apps.clone();
        sorted.sort();
        assert_eq!(apps, sorted);
        let funcs: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
        let mut sorted = funcs.clone();
        sorted.sort();
        assert_eq!(funcs, sorted);
    }

    #[test]
    fn applications_layout_right_aligns_names_to_twenty() {
        let out = show_applications();
        assert!(out.starts_with("    -= Registered Asterisk Applications =-\n"));
        assert!(out.contains("\n                Answer: Answer a channel if ringing.\n"));
        assert!(out.ends_with(&format!(
            "    -= {} Applications Registered =-\n",
            APPLICATIONS.len()
        )));
    }

    #[test]
    fn functions_layout_and_count_line() {
        let out = show_functions();
        assert!(out.contains(
            "\nLEN                   LEN(string)                          Return the length"
        ));
        assert!(out.ends_with(&format!(
            "{} custom functions installed.\n",
            FUNCTIONS.len()
        )));
    }
}
