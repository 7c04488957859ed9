//! One manager session: login (plain and MD5 challenge), the session's own actions (Logoff,
//! Ping, Challenge, Events, ListCommands), the permission check of the others, and which
//! events the session receives. Sans-IO: the server feeds messages with the time as data and
//! carries out what comes back.
//!
//! Asterisk behaviours kept (main/manager.c `process_message`, `action_login`,
//! `authenticate`, `action_challenge`, `action_events`, `process_events`):
//! - before login only Login, Logoff and Challenge are allowed; others get
//!   `Permission denied`;
//! - a failed login answers `Authentication failed` after a one-second pause and closes
//!   the session; an unknown user, a wrong secret, an address the user's ACL denies and a
//!   user without a secret all fail the same way;
//! - the MD5 key is the lower-case hex md5 of the challenge followed by the secret,
//!   compared exactly;
//! - a successful login answers `Authentication accepted` then a `FullyBooted` event;
//! - an event reaches the session when the user's `read` classes and the session's event
//!   mask both hold every class of the event.

use std::net::IpAddr;

use md5::{Digest, Md5};
use tandem_conf::views::ManagerConf;

use crate::actions::{self, ActionSpec};
use crate::frame::Message;
use crate::perm;
use crate::render::{Event, Reply};

/// The time, as data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    /// Seconds since the Unix epoch.
    pub unix_secs: i64,
    /// Microseconds within the second.
    pub micros: u32,
    /// Seconds since the daemon started.
    pub uptime: u64,
    /// Seconds since the last reload.
    pub last_reload: u64,
}

/// What the server does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Send this text.
    Send(String),
    /// Send this text, then close the connection (Logoff).
    Close(String),
    /// Wait a second, send this text, then close (a failed login).
    Refuse(String),
    /// Carry out this action (login and permission already checked) and send its answer.
    Run(Run),
}

/// An action for the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub spec: &'static ActionSpec,
    pub action_id: Option<String>,
    pub message: Message,
}

/// The logged-in user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedIn {
    pub username: String,
    pub read: u32,
    pub write: u32,
    pub displayconnects: bool,
}

/// Why a login failed, as manager.c reports it in a security event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// `report_invalid_user`: no such user (or no Username).
    UnknownUser { username: String },
    /// `report_failed_acl`: the user's permit/deny refuses the address.
    Acl { username: String },
    /// `report_inval_password`: a wrong plain secret (or a user without one).
    Password { username: String },
    /// `report_failed_challenge_response`: a wrong MD5 key.
    Challenge {
        username: String,
        challenge: String,
        response: String,
        expected: String,
    },
}

pub struct Session {
    peer: IpAddr,
    failure: Option<AuthFailure>,
    user: Option<LoggedIn>,
    challenge: Option<String>,
    /// The event mask (`Events:` of Login, `EventMask:` of Events); all by default.
    send_events: u32,
    rng: u64,
}

impl Session {
    /// A session for a client at `peer`; `seed` drives the challenges.
    pub fn new(peer: IpAddr, seed: u64) -> Session {
        Session {
            peer,
            failure: None,
            user: None,
            challenge: None,
            send_events: u32::MAX,
            rng: seed | 1,
        }
    }

    pub fn user(&self) -> Option<&LoggedIn> {
        self.user.as_ref()
    }

    pub fn peer(&self) -> IpAddr {
        self.peer
    }

    /// Why the last login failed (taken once).
    pub fn take_failure(&mut self) -> Option<AuthFailure> {
        self.failure.take()
    }

    /// Whether an event of `category` goes to this session.
    pub fn wants(&self, category: u32) -> bool {
        match &self.user {
            Some(u) => u.read & category == category && self.send_events & category == category,
            None => false,
        }
    }

    /// Whether any event at all goes to this session (logged in, `Events:` not off).
    pub fn wants_any(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.read & self.send_events != 0)
    }

    /// Handle one message from the client.
    pub fn handle(&mut self, msg: &Message, conf: &ManagerConf, now: Clock) -> Outcome {
        let action = msg.get("Action");
        let id = msg.get_opt("ActionID").map(str::to_string);
        let id = id.as_deref();
        if action.is_empty() {
            return Outcome::Send(Reply::error(id, "Missing action in request"));
        }
        let lower = action.to_ascii_lowercase();
        if self.user.is_none() && !matches!(lower.as_str(), "login" | "logoff" | "challenge") {
            return Outcome::Send(Reply::error(id, "Permission denied"));
        }
        match lower.as_str() {
            "login" => return self.login(msg, conf, id, now),
            "logoff" => {
                return Outcome::Close(
                    Reply::new("Goodbye", id)
                        .header("Message", "Thanks for all the fish.")
                        .end(),
                )
            }
            "challenge" => return self.challenge(msg, id),
            _ => {}
        }
        let Some(spec) = actions::find(action) else {
            return Outcome::Send(Reply::error(
                id,
                &format!(
                    "Invalid/unknown command: {action}. Use Action: ListCommands to show available commands."
                ),
            ));
        };
        let write = self.user.as_ref().map_or(0, |u| u.write);
        if spec.authority != 0 && write & spec.authority == 0 {
            return Outcome::Send(Reply::error(id, "Permission denied"));
        }
        match spec.name {
            "Ping" => Outcome::Send(
                Reply::new("Success", id)
                    .header("Ping", "Pong")
                    .header("Timestamp", &format!("{}.{:06}", now.unix_secs, now.micros))
                    .end(),
            ),
            "Events" => self.events(msg, id),
            "ListCommands" => Outcome::Send(self.list_commands(id)),
            _ => Outcome::Run(Run {
                spec,
                action_id: id.map(str::to_string),
                message: msg.clone(),
            }),
        }
    }

    fn login(
        &mut self,
        msg: &Message,
        conf: &ManagerConf,
        id: Option<&str>,
        now: Clock,
    ) -> Outcome {
        if self.user.is_some() {
            return Outcome::Send(Reply::ack(id, "Already authenticated"));
        }
        let user = match self.authenticate(msg, conf) {
            Ok(user) => user,
            Err(why) => {
                self.failure = Some(why);
                return Outcome::Refuse(Reply::error(id, "Authentication failed"));
            }
        };
        self.user = Some(user);
        if let Some(mask) = perm::strings_to_mask(msg.get("Events")) {
            self.send_events = mask;
        }
        let booted = Event::new("FullyBooted", perm::SYSTEM)
            .header("Uptime", &now.uptime.to_string())
            .header("LastReload", &now.last_reload.to_string())
            .header("Status", "Fully Booted")
            .render();
        Outcome::Send(format!(
            "{}{booted}",
            Reply::ack(id, "Authentication accepted")
        ))
    }

    fn authenticate(&self, msg: &Message, conf: &ManagerConf) -> Result<LoggedIn, AuthFailure> {
        let name = msg.get("Username");
        let username = name.to_string();
        let Some(user) = conf.user(name).filter(|_| !name.is_empty()) else {
            return Err(AuthFailure::UnknownUser { username });
        };
        if !user.acl_allows(self.peer) {
            return Err(AuthFailure::Acl { username });
        }
        let Some(secret) = user.secret.as_deref() else {
            return Err(AuthFailure::Password { username });
        };
        let key = msg.get("Key");
        if msg.get("AuthType").eq_ignore_ascii_case("md5")
            && !key.is_empty()
            && self.challenge.is_some()
        {
            let challenge = self.challenge.as_deref().unwrap_or_default();
            let expected = md5_hex(challenge, secret);
            if expected != key {
                return Err(AuthFailure::Challenge {
                    username,
                    challenge: challenge.to_string(),
                    response: key.to_string(),
                    expected,
                });
            }
        } else if msg.get("Secret") != secret {
            return Err(AuthFailure::Password { username });
        }
        Ok(LoggedIn {
            username: user.name.clone(),
            read: user.read.as_deref().map_or(perm::ALL, perm::get_perm),
            write: user.write.as_deref().map_or(perm::ALL, perm::get_perm),
            displayconnects: user.displayconnects,
        })
    }

    fn challenge(&mut self, msg: &Message, id: Option<&str>) -> Outcome {
        if !msg.get("AuthType").eq_ignore_ascii_case("md5") {
            return Outcome::Send(Reply::error(id, "Must specify AuthType"));
        }
        if self.challenge.is_none() {
            let n = self.next_random() % 1_000_000_000;
            self.challenge = Some(n.to_string());
        }
        let challenge = self.challenge.clone().unwrap_or_default();
        Outcome::Send(
            Reply::new("Success", id)
                .header("Challenge", &challenge)
                .end(),
        )
    }

    fn events(&mut self, msg: &Message, id: Option<&str>) -> Outcome {
        match perm::strings_to_mask(msg.get("EventMask")) {
            Some(mask) => {
                self.send_events = mask;
                let on = if mask > 0 { "On" } else { "Off" };
                Outcome::Send(Reply::new("Success", id).header("Events", on).end())
            }
            None => Outcome::Send(Reply::error(id, "Invalid event mask")),
        }
    }

    fn list_commands(&self, id: Option<&str>) -> String {
        let write = self.user.as_ref().map_or(0, |u| u.write);
        let mut reply = Reply::new("Success", id);
        for spec in actions::ACTIONS {
            if spec.authority == 0 || write & spec.authority != 0 {
                reply = reply.header(
                    spec.name,
                    &format!(
                        "{} (Priv: {})",
                        spec.synopsis,
                        perm::authority_to_str(spec.authority)
                    ),
                );
            }
        }
        reply.end()
    }

    /// xorshift64*: challenges only need to differ between sessions.
    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33
    }
}

/// The MD5 login key: lower-case hex of md5(challenge + secret).
pub fn md5_hex(challenge: &str, secret: &str) -> String {
    let mut h = Md5::new();
    h.update(challenge.as_bytes());
    h.update(secret.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
