//! Channels at run time: the link between a channel's dialplan task and its driver, the
//! registry of drivers that Dial asks for outbound legs, and the task that runs the dialplan
//! for an inbound call.

mod bridged;
mod dial_io;
pub mod features;
mod host;
mod replay;
mod table;
mod transfer;

use std::collections::HashMap;
use std::sync::Arc;

use tandem_core::{Channel, ChannelCommand, ChannelEvent, Pbx, Shared};
use tokio::sync::mpsc;

use crate::media::MediaLeg;

pub use host::RealHost;
pub use table::{ChannelRow, ChannelTable};

/// How many commands or events may wait on one channel before the sender waits.
pub const LINK_QUEUE: usize = 64;

/// The core's end of a channel: commands go to the driver, events come back, and the media
/// leg is what a bridge relays.
pub struct ChannelLink {
    pub name: String,
    pub commands: mpsc::Sender<ChannelCommand>,
    pub events: mpsc::Receiver<ChannelEvent>,
    pub media: Arc<MediaLeg>,
    /// A redirect (the AMI's Redirect) that interrupted what the channel was doing: where its
    /// dialplan goes on.
    pub redirect: Option<tandem_core::Goto>,
}

/// The driver's end of the same channel.
pub struct DriverLink {
    pub commands: mpsc::Receiver<ChannelCommand>,
    pub events: mpsc::Sender<ChannelEvent>,
}

/// A connected pair of ends.
pub fn link(name: String, media: Arc<MediaLeg>) -> (ChannelLink, DriverLink) {
    let (ctx, crx) = mpsc::channel(LINK_QUEUE);
    let (etx, erx) = mpsc::channel(LINK_QUEUE);
    // RFC 4733 digits the media leg sees are this channel's events.
    media.set_event_sink(&etx);
    (
        ChannelLink {
            name,
            commands: ctx,
            events: erx,
            media,
            redirect: None,
        },
        DriverLink {
            commands: crx,
            events: etx,
        },
    )
}

/// What Dial needs to create an outbound leg.
pub struct OutboundRequest<'a> {
    pub resource: &'a str,
    pub caller: &'a Channel,
}

/// A channel technology (`SIP`, `IAX2`, `Local`).
pub trait Driver: Send + Sync {
    fn tech(&self) -> &'static str;
    /// Create an outbound leg for `Dial(TECH/resource)`; `Err(cause)` when it cannot exist.
    /// The call is placed when the core sends [`ChannelCommand::Call`].
    fn request(&self, request: &OutboundRequest<'_>) -> Result<ChannelLink, u16>;
}

/// The drivers by technology name (case-insensitive, as Asterisk).
#[derive(Default)]
pub struct Registry {
    drivers: HashMap<String, Arc<dyn Driver>>,
}

impl Registry {
    pub fn add(&mut self, driver: Arc<dyn Driver>) {
        self.drivers
            .insert(driver.tech().to_ascii_uppercase(), driver);
    }

    pub fn get(&self, tech: &str) -> Option<&Arc<dyn Driver>> {
        self.drivers.get(&tech.to_ascii_uppercase())
    }
}

/// Everything a channel task needs besides its own link.
pub struct World {
    pub shared: Arc<Shared>,
    pub registry: std::sync::RwLock<Registry>,
    pub channels: ChannelTable,
    /// voicemail.conf, musiconhold.conf, features.conf, indications.conf.
    pub apps: crate::apps::Confs,
    /// AMI events (and the live channels as AMI shows them).
    pub ami: crate::ami::Bus,
}

/// A world for unit tests: `plan` as extensions.conf, an in-memory store, no drivers.
#[cfg(test)]
pub fn test_world(plan: &str) -> Arc<World> {
    let source = tandem_conf::MemSource::new().with("extensions.conf", plan);
    let loaded = crate::config::load_dialplan(&source);
    let store = Arc::new(tandem_store::SqliteStore::open_in_memory().expect("store"));
    let clock: tandem_core::shared::Clock = Box::new(crate::localtime::now);
    Arc::new(World {
        shared: Arc::new(tandem_core::Shared::new(loaded.dialplan, store, clock, 7)),
        registry: Default::default(),
        channels: Default::default(),
        apps: Default::default(),
        ami: Default::default(),
    })
}

/// Run the dialplan for an inbound call, then hang the channel up.
pub fn spawn_pbx(world: Arc<World>, chan: Channel, link: ChannelLink) {
    spawn(world, chan, link, None);
}

/// Run one application (`app`, `data`) on an answered channel, then hang it up (an
/// Originate to an application).
pub fn spawn_app(world: Arc<World>, chan: Channel, link: ChannelLink, app: String, data: String) {
    spawn(world, chan, link, Some((app, data)));
}

fn spawn(world: Arc<World>, mut chan: Channel, link: ChannelLink, app: Option<(String, String)>) {
    if crate::ops::refusing_calls() {
        // `core stop gracefully`: no new calls (Asterisk refuses new channels while it shuts down).
        let _ = link.commands.try_send(ChannelCommand::Hangup {
            cause: tandem_core::cause::SWITCH_CONGESTION,
        });
        return;
    }
    let name = chan.name.clone();
    world.channels.add(
        &name,
        ChannelRow {
            location: format!("{}@{}:1", chan.exten, chan.context),
            state: "Ring",
            application: String::new(),
            outbound: false,
        },
    );
    tracing::info!(uniqueid = %chan.uniqueid, linkedid = %chan.uniqueid, "{name}: call start");
    let media = link.media.clone();
    crate::ami::events::pbx_started(&world, &chan, &link.commands, &link.media);
    crate::ami::bus::ChannelVars::install(&world, &mut chan);
    crate::ami::events::watch_dtmf(&world, &name, &link.media);
    crate::cdr::start(&chan);
    tokio::spawn(async move {
        let mut host = RealHost::new(world.clone(), link);
        let end = {
            let table = &world.channels;
            let chan_name = name.clone();
            let mut ami_trace = crate::ami::events::ExtenTrace::new(&chan);
            let ami_world = &world;
            let cdr = chan.cdr.clone();
            let mut trace = move |line: &tandem_core::TraceLine<'_>| {
                crate::cdr::app(&cdr, line);
                let mut state = "";
                table.update(&chan_name, |row| {
                    row.location = format!("{}@{}:{}", line.exten, line.context, line.priority);
                    row.application = format!("{}({})", line.app, line.data);
                    state = row.state;
                });
                ami_trace.line(ami_world, line, state);
            };
            let mut pbx = Pbx::new(&world.shared, &mut host).with_trace(&mut trace);
            match &app {
                None => pbx.run(&mut chan).await,
                Some((name, data)) => pbx.run_app(&mut chan, name, data).await,
            }
        };
        tracing::info!("{}: dialplan ended ({})", chan.name, end.as_str());
        host.finish(&chan).await;
        crate::metrics::rtp_leg_ended(&media.stats());
        tracing::info!(uniqueid = %chan.uniqueid, linkedid = %chan.uniqueid, cause = chan.hangupcause, "{}: call end", chan.name);
        for record in crate::cdr::hangup(&chan).await {
            world.ami.emit(|| crate::cdr::manager_event(&record));
        }
        crate::ami::events::pbx_ended(&world, &chan);
        world.channels.remove(&name);
    });
}
