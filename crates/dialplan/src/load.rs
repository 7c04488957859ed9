//! extensions.conf to a Dialplan (owned by the patterns work).
use crate::env::LocalTime;
use crate::model::{Dialplan, Found, MatchMode, Target};

pub(crate) fn find<'a>(
    _dp: &'a Dialplan,
    _context: &str,
    _exten: &str,
    _target: Target<'_>,
    _callerid: Option<&str>,
    _now: LocalTime,
    _mode: MatchMode,
) -> Option<Found<'a>> {
    todo!()
}
