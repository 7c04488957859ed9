//! Host access lists: Asterisk's `ast_append_ha` / `ast_apply_ha` (main/acl.c).
//!
//! Behaviour pinned by tests:
//! - rules are kept in the order written; for an address, the **last** matching rule decides;
//!   when no rule matches the address is allowed (`ast_apply_ha` "starts optimistic");
//! - one value may hold several entries separated by `,`; an entry `!addr` inverts the sense;
//! - the sense comes from the first letter of the option name: `p...` permits, anything else
//!   denies (so `localnet`, added with sense `"d"`, builds deny rules);
//! - `addr`, `addr/bits` (0..=32 or 0..=128, read with `%d`), `addr/dotted-mask` or
//!   `addr/v6-mask`; a single address means /32 or /128; the address is masked when stored,
//!   so `10.1.2.3/8` is the network `10.0.0.0/8`;
//! - IPv4-mapped IPv6 addresses in a rule are turned into IPv4 rules; IPv4 rules apply to
//!   IPv4-mapped source addresses; IPv4 rules never match other IPv6 sources and IPv6 rules
//!   never match IPv4 sources;
//! - an address and mask of different families, a bad address or a bad mask is an error; a
//!   port is not allowed (PARSE_PORT_FORBID).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::util::leading_int;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    Permit,
    Deny,
}

impl Sense {
    /// `strncasecmp(sense, "p", 1)`: names starting with `p`/`P` permit, all others deny.
    pub fn from_option_name(name: &str) -> Sense {
        match name.as_bytes().first() {
            Some(b'p') | Some(b'P') => Sense::Permit,
            _ => Sense::Deny,
        }
    }

    fn inverted(self) -> Sense {
        match self {
            Sense::Permit => Sense::Deny,
            Sense::Deny => Sense::Permit,
        }
    }
}

/// One rule: `sense` applies to addresses `a` with `a & mask == network`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclRule {
    pub sense: Sense,
    /// Already masked.
    pub network: IpAddr,
    pub mask: IpAddr,
}

impl AclRule {
    fn matches(&self, addr: IpAddr) -> bool {
        let addr = match (self.network, addr) {
            (IpAddr::V4(_), IpAddr::V4(a)) => IpAddr::V4(a),
            (IpAddr::V4(_), IpAddr::V6(a)) => match a.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (IpAddr::V6(_), IpAddr::V6(a)) if a.to_ipv4_mapped().is_none() => IpAddr::V6(a),
            _ => return false,
        };
        apply_mask(addr, self.mask) == Some(self.network)
    }
}

/// Why an ACL entry was refused (the message of a `file:line` error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclError(pub String);

impl fmt::Display for AclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ordered list of permit/deny rules (an `ast_ha` chain).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acl {
    rules: Vec<AclRule>,
}

/// A bound of ours on rules per list.
pub const MAX_ACL_RULES: usize = 4096;

impl Acl {
    pub fn new() -> Self {
        Acl::default()
    }

    pub fn rules(&self) -> &[AclRule] {
        &self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// `ast_append_ha(sense, value, ...)`: append every `,`-separated entry of `value`.
    /// On an error, the entries before the bad one stay appended (as in Asterisk) and the
    /// error is returned.
    pub fn append(&mut self, sense: Sense, value: &str) -> Result<(), AclError> {
        for entry in value.split(',') {
            if self.rules.len() >= MAX_ACL_RULES {
                return Err(AclError(format!(
                    "too many ACL rules (more than {MAX_ACL_RULES})"
                )));
            }
            self.rules.push(parse_entry(sense, entry)?);
        }
        Ok(())
    }

    /// `ast_apply_ha(...) == AST_SENSE_ALLOW`: the last matching rule wins; no match allows.
    pub fn allows(&self, addr: IpAddr) -> bool {
        self.sense_for(addr) == Sense::Permit
    }

    /// The sense of the last rule matching `addr`, or `Permit` when none does.
    pub fn sense_for(&self, addr: IpAddr) -> Sense {
        self.rules
            .iter()
            .rev()
            .find(|r| r.matches(addr))
            .map_or(Sense::Permit, |r| r.sense)
    }
}

fn parse_entry(sense: Sense, entry: &str) -> Result<AclRule, AclError> {
    let (address, mask) = match entry.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (entry, None),
    };
    let (sense, address) = match address.strip_prefix('!') {
        Some(rest) => (sense.inverted(), rest),
        None => (sense, address),
    };
    let addr =
        parse_ip(address).ok_or_else(|| AclError(format!("invalid IP address '{address}'")))?;
    let addr = unmap(addr);
    let mask = match mask {
        None => cidr(addr.is_ipv4(), if addr.is_ipv4() { 32 } else { 128 }),
        Some(m) if m.contains(':') || m.contains('.') => {
            let m_ip = parse_ip(m).ok_or_else(|| AclError(format!("invalid netmask '{m}'")))?;
            let m_ip = unmap(m_ip);
            if m_ip.is_ipv4() != addr.is_ipv4() {
                return Err(AclError(format!(
                    "address '{address}' and netmask '{m}' are not of the same address family"
                )));
            }
            m_ip
        }
        Some(m) => {
            let bits =
                leading_int(m).ok_or_else(|| AclError(format!("invalid CIDR netmask '{m}'")))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            if !(0..=max).contains(&bits) {
                return Err(AclError(format!("invalid CIDR netmask '{m}'")));
            }
            cidr(addr.is_ipv4(), bits as u32)
        }
    };
    let network = apply_mask(addr, mask)
        .ok_or_else(|| AclError(format!("invalid netmask for '{address}'")))?;
    Ok(AclRule {
        sense,
        network,
        mask,
    })
}

/// A numeric address, bracketed IPv6 allowed; no port.
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let inner = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    inner.parse().ok()
}

fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn cidr(v4: bool, bits: u32) -> IpAddr {
    if v4 {
        let m = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        IpAddr::V4(Ipv4Addr::from(m))
    } else {
        let m = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        IpAddr::V6(Ipv6Addr::from(m))
    }
}

fn apply_mask(addr: IpAddr, mask: IpAddr) -> Option<IpAddr> {
    match (addr, mask) {
        (IpAddr::V4(a), IpAddr::V4(m)) => {
            Some(IpAddr::V4(Ipv4Addr::from(u32::from(a) & u32::from(m))))
        }
        (IpAddr::V6(a), IpAddr::V6(m)) => {
            Some(IpAddr::V6(Ipv6Addr::from(u128::from(a) & u128::from(m))))
        }
        _ => None,
    }
}
