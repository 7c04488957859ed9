//! Time conditions `times,weekdays,mdays,months[,timezone]` (owned by the patterns work).
use crate::env::LocalTime;

#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpec {}

impl TimeSpec {
    pub fn matches(&self, _now: LocalTime) -> bool {
        todo!()
    }
}
