//! A line-oriented AMI client over a raw socket, and the manager.conf the AMI tests use.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Two users: `admin` (everything) and `watcher` (reads calls, writes system).
pub fn manager_conf(port: u16) -> String {
    format!(
        "[general]\nenabled = yes\nport = {port}\nbindaddr = 127.0.0.1\n\n\
         [admin]\nsecret = amisecret\nread = all\nwrite = all\n\n\
         [watcher]\nsecret = w\nread = call\nwrite = system\n"
    )
}

pub struct Raw {
    stream: BufReader<TcpStream>,
    /// Events read while looking for something else, oldest first.
    backlog: Vec<String>,
}

impl Raw {
    pub fn connect(port: u16) -> (Raw, String) {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to AMI");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut raw = Raw {
            stream: BufReader::new(stream),
            backlog: Vec::new(),
        };
        let mut banner = String::new();
        raw.stream.read_line(&mut banner).expect("banner");
        (raw, banner)
    }

    /// Connect and log in as admin; `events` is the Login's `Events:` (`on`, `off`, ...).
    pub fn admin(port: u16, events: &str) -> Raw {
        let (mut raw, _) = Raw::connect(port);
        raw.send(&[
            "Action: Login",
            "Username: admin",
            "Secret: amisecret",
            &format!("Events: {events}"),
        ]);
        let r = raw.response();
        assert!(r.contains("Authentication accepted"), "{r}");
        raw
    }

    pub fn send(&mut self, lines: &[&str]) {
        let mut text = lines.join("\r\n");
        text.push_str("\r\n\r\n");
        self.stream.get_mut().write_all(text.as_bytes()).unwrap();
    }

    /// The next message (headers up to the blank line), `None` at EOF (or after 10 s).
    pub fn message(&mut self) -> Option<String> {
        let mut msg = String::new();
        loop {
            let mut line = String::new();
            let n = self.stream.read_line(&mut line).ok()?;
            if n == 0 {
                return if msg.is_empty() { None } else { Some(msg) };
            }
            if line == "\r\n" {
                if msg.is_empty() {
                    continue;
                }
                return Some(msg);
            }
            msg.push_str(&line);
        }
    }

    /// The next response; events read meanwhile are kept for [`Raw::event`].
    pub fn response(&mut self) -> String {
        loop {
            let m = self.message().expect("a response before EOF");
            if m.starts_with("Response:") {
                return m;
            }
            self.backlog.push(m);
        }
    }

    /// Send an action and return its response.
    pub fn action(&mut self, lines: &[&str]) -> String {
        self.send(lines);
        self.response()
    }

    /// The first event (kept or new) for which `what` holds, within `timeout`; the events
    /// before it that do not match stay kept.
    pub fn event(&mut self, what: impl Fn(&str) -> bool, timeout: Duration) -> String {
        if let Some(i) = self.backlog.iter().position(|m| what(m)) {
            return self.backlog.remove(i);
        }
        let start = Instant::now();
        while start.elapsed() < timeout {
            let Some(m) = self.message() else { continue };
            if m.starts_with("Event:") && what(&m) {
                return m;
            }
            self.backlog.push(m);
        }
        panic!(
            "no such event within {timeout:?}; seen:\n{}",
            self.backlog.join("\n")
        );
    }

    /// How many of the events read and kept so far match `what`.
    pub fn kept(&self, what: impl Fn(&str) -> bool) -> usize {
        self.backlog.iter().filter(|m| what(m)).count()
    }

    pub fn at_eof(&mut self) -> bool {
        let mut rest = Vec::new();
        self.stream.read_to_end(&mut rest).is_ok() && rest.is_empty()
    }
}

/// The value of header `name` in a message.
pub fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        .map(str::trim_end)
}
