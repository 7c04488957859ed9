//! What substitution and functions need from the world: the channel, globals, the astdb and
//! the time. The core implements [`Env`] for a real or simulated channel; tests use a map.

/// A moment in local time: seconds since the Unix epoch and the local UTC offset in seconds.
/// Broken-down fields (hour, weekday, ...) are derived from these two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub epoch: i64,
    pub utc_offset: i32,
}

impl LocalTime {
    pub fn new(epoch: i64, utc_offset: i32) -> Self {
        LocalTime { epoch, utc_offset }
    }

    /// The broken-down local time.
    pub fn datetime(&self) -> chrono::DateTime<chrono::FixedOffset> {
        let off = chrono::FixedOffset::east_opt(self.utc_offset)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset is valid"));
        chrono::DateTime::from_timestamp(self.epoch, 0)
            .unwrap_or_default()
            .with_timezone(&off)
    }
}

/// The channel and its surroundings, as seen from `${...}` and dialplan functions.
///
/// Variable names are case-sensitive, as in Asterisk; function names are not.
pub trait Env {
    /// A variable as `${NAME}` reads it: the innermost Gosub `LOCAL()` scope, then channel
    /// variables (including built-ins such as EXTEN, CONTEXT, UNIQUEID, EPOCH), then globals.
    fn get_var(&self, name: &str) -> Option<String>;
    /// `Set(NAME=value)`: a leading `_` or `__` marks it inheritable (kept in the name as
    /// Asterisk does); an empty value is still a value.
    fn set_var(&mut self, name: &str, value: &str);
    /// Remove a channel variable (`Set(NAME=)` does not remove; this is for `LOCAL` cleanup
    /// and the like).
    fn unset_var(&mut self, name: &str);

    fn get_global(&self, name: &str) -> Option<String>;
    fn set_global(&mut self, name: &str, value: &str);

    /// `LOCAL(name)=value`: set in the innermost Gosub frame (a plain channel variable when
    /// not inside a Gosub, as Asterisk does).
    fn set_local(&mut self, name: &str, value: &str);

    /// The current local time.
    fn now(&self) -> LocalTime;
    /// A uniformly distributed random number.
    fn random(&mut self) -> u64;

    /// The astdb (`DB(family/key)`).
    fn db_get(&self, family: &str, key: &str) -> Option<String>;
    fn db_put(&mut self, family: &str, key: &str, value: &str) -> bool;
    /// Deletes and returns the old value.
    fn db_delete(&mut self, family: &str, key: &str) -> Option<String>;

    /// CALLERID(field) on this channel: `num`, `name`, `all`, `ani`, `dnid`, `rdnis`, ...
    fn callerid(&self, field: &str) -> Option<String>;
    fn set_callerid(&mut self, field: &str, value: &str);

    /// CHANNEL(item): `name`, `state`, `uniqueid`, `language`, `musicclass`, ...
    fn channel(&self, item: &str) -> Option<String>;
    fn set_channel(&mut self, item: &str, value: &str) -> bool;

    /// A warning for the log (bad function arguments, unknown functions at run time).
    fn warn(&mut self, message: &str);

    /// CDR(field[,options]) on this channel's live record (func_cdr.c): a field or a custom
    /// variable; `raw` (option `u`) gives times as epoch seconds and amaflags as a number,
    /// `float` (option `f`) gives times, duration and billsec with microseconds. None when
    /// the channel has no record or the name is unknown.
    fn cdr(&self, field: &str, raw: bool, float: bool) -> Option<String> {
        let _ = (field, raw, float);
        None
    }
    /// `Set(CDR(field)=value)`: userfield, accountcode, amaflags or a custom variable.
    /// Err with Asterisk's reason for read-only fields or when the channel has no record.
    fn set_cdr(&mut self, field: &str, value: &str) -> Result<(), String> {
        let _ = (field, value);
        Err("Unable to set CDR: no CDR on this channel".to_string())
    }
}
