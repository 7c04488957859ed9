//! The dialplan: what `extensions.conf` says, as Asterisk understands it.
//!
//! Pure: no I/O, no clock, no async. Time comes in as a [`LocalTime`], the channel and the
//! store are reached through the [`Env`] trait that the core implements.
//!
//! - [`pattern`]: extension patterns (`_X.`, `_[2-9]XX`, `!`) and Asterisk's match order.
//! - [`model`]: contexts, extensions, priorities, includes, hints (a loaded [`Dialplan`]).
//! - [`load`]: `extensions.conf` ([`tandem_conf::Config`]) to a [`Dialplan`], with diagnostics.
//! - [`show`]: the `dialplan show` layout.
//! - [`timespec`]: `times|weekdays|mdays|months[|tz]` conditions (includes, GotoIfTime, IFTIME).
//! - [`subst`]: `${VAR}`, `${VAR:o:l}`, `${FUNC(args)}`, `$[expr]` substitution.
//! - [`expr`]: the `$[ ... ]` expression language.
//! - [`args`]: splitting application and function arguments as Asterisk does.
//! - [`functions`]: dialplan functions, one file each.

pub mod args;
pub mod cscan;
pub mod env;
pub mod expr;
pub mod functions;
pub mod load;
pub mod lookup;
pub mod model;
pub mod pattern;
pub mod show;
pub mod subst;
pub mod timespec;

pub use env::{Env, LocalTime};
pub use model::{Context, Dialplan, Extension, General, Include, Priority};
