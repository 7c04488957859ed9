//! The Local channel (Asterisk's `core_local.c`): `Dial(Local/EXT@CONTEXT[/n])` makes a pair
//! of channels. `Local/EXT@CONTEXT-XXXXXXXX;1` is the outbound leg Dial sees; when Dial calls
//! it, `;2` starts the dialplan at EXT@CONTEXT like an inbound call, and what each half does
//! reaches the other ([`pair`]): answering `;2` answers `;1`, ringing and progress go up,
//! hangups go both ways with their cause, digits and hold cross.
//!
//! Media: each half has a media leg on 127.0.0.1 from the rtp.conf range and the two legs send
//! to each other, so the bridges, relays and players of other channels work on a Local half
//! unchanged (one extra hop through loopback). tandem never optimises a Local pair away: every
//! call behaves as with `/n`.

mod pair;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, PoisonError, Weak};

use tandem_core::cause;

use crate::channels::{self, ChannelLink, Driver, OutboundRequest, World};
use crate::media::PortRange;

/// `EXT@CONTEXT/OPTIONS` once parsed (`local_alloc`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub exten: String,
    pub context: String,
    /// `/n`: no optimisation (tandem never optimises, so it changes nothing).
    pub no_optimization: bool,
}

/// Parse a Local resource as `local_alloc`: options after the first `/` (`n`, `j`, `m`), the
/// context after the first `@` of what is left, `default` when there is none.
pub fn parse(resource: &str) -> Target {
    let (spec, opts) = match resource.split_once('/') {
        Some((s, o)) => (s, o),
        None => (resource, ""),
    };
    if opts.contains('j') && !opts.contains('n') {
        tracing::error!(
            "You must use the 'n' option with the 'j' option to enable the jitter buffer"
        );
    }
    let (exten, context) = match spec.split_once('@') {
        Some((e, c)) => (e, c),
        None => (spec, ""),
    };
    Target {
        exten: exten.to_string(),
        context: if context.is_empty() {
            "default".to_string()
        } else {
            context.to_string()
        },
        no_optimization: opts.contains('n'),
    }
}

/// The two channel names of a pair: `Local/EXT@CONTEXT-0000002a;1` and `;2`.
pub fn names(target: &Target, seq: u32) -> (String, String) {
    let base = format!("Local/{}@{}-{seq:08x}", target.exten, target.context);
    (format!("{base};1"), format!("{base};2"))
}

/// The Local technology in the driver registry.
pub struct LocalDriver {
    world: Weak<World>,
    ports: Arc<PortRange>,
    sequence: AtomicU32,
}

/// Register the Local driver; its media legs come from `[start, end]` on loopback.
pub fn register(world: &Arc<World>, start: u16, end: u16) {
    let driver = LocalDriver {
        world: Arc::downgrade(world),
        ports: Arc::new(PortRange::new(start, end)),
        sequence: AtomicU32::new(0),
    };
    world
        .registry
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .add(Arc::new(driver));
}

impl Driver for LocalDriver {
    fn tech(&self) -> &'static str {
        "Local"
    }

    fn request(&self, request: &OutboundRequest<'_>) -> Result<ChannelLink, u16> {
        let world = self
            .world
            .upgrade()
            .ok_or(cause::NORMAL_TEMPORARY_FAILURE)?;
        let target = parse(request.resource);
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed);
        let (name1, name2) = names(&target, seq);
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let alloc = || {
            self.ports.allocate_now(loopback).map_err(|e| {
                tracing::warn!("Local: no RTP port: {e}");
                cause::NORMAL_CIRCUIT_CONGESTION
            })
        };
        let media1 = alloc()?;
        let media2 = alloc()?;
        media1.set_remote(media2.local);
        media2.set_remote(media1.local);
        // Both halves talk the caller's format when tandem codes it, so a bridge on either
        // side relays without transcoding; mu-law otherwise.
        let (pt, codec) = match request.caller.format.as_deref() {
            Some("alaw") => (8, "alaw"),
            Some("g722") => (9, "g722"),
            _ => (0, "ulaw"),
        };
        for m in [&media1, &media2] {
            m.set_format(pt, Some(codec), Some(101));
        }
        let (link1, driver1) = channels::link(name1.clone(), media1);
        let half2 = pair::Half2 {
            name: name2,
            target,
            caller: request.caller.caller.clone(),
            language: request.caller.language.clone(),
            musicclass: request.caller.musicclass.clone(),
            accountcode: request.caller.accountcode.clone(),
            format: Some(codec.to_string()),
            vars: request.caller.inherited_vars(),
            media: media2,
        };
        tokio::spawn(pair::run(world, name1, driver1, half2));
        Ok(link1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_resource_without_context_goes_to_default() {
        let t = parse("200");
        assert_eq!(t.exten, "200");
        assert_eq!(t.context, "default");
        assert!(!t.no_optimization);
    }

    #[test]
    fn local_options_follow_the_first_slash() {
        let t = parse("200@internal/n");
        assert_eq!(t.exten, "200");
        assert_eq!(t.context, "internal");
        assert!(t.no_optimization);
    }

    #[test]
    fn local_empty_context_is_default() {
        assert_eq!(parse("s@").context, "default");
    }

    #[test]
    fn local_channel_names_carry_exten_context_sequence_and_half() {
        let (a, b) = names(&parse("200@internal/n"), 0x2a);
        assert_eq!(a, "Local/200@internal-0000002a;1");
        assert_eq!(b, "Local/200@internal-0000002a;2");
    }
}
