//! `grab_transfer` on in-memory channel links with real loopback media legs: digits are
//! injected as driver events, the dialplan decides when the target is complete.

use std::sync::Arc;
use std::time::Duration;

use tandem_conf::views::FeaturesConf;
use tandem_core::ChannelEvent;

use super::{grab, Grab};
use crate::channels::{link, ChannelLink, DriverLink, World};
use crate::media::PortRange;

const PLAN: &str =
    "[internal]\nexten => 300,1,NoOp()\nexten => 3001,1,NoOp()\nexten => 42,1,NoOp()\n";

fn world() -> Arc<World> {
    crate::channels::test_world(PLAN)
}

fn party(ports: &PortRange, name: &str) -> (ChannelLink, DriverLink) {
    let media = ports
        .allocate_now(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
        .expect("port");
    // No codec: the prompts are skipped, the digit logic is what is tested.
    link(name.to_string(), media)
}

fn conf() -> FeaturesConf {
    FeaturesConf {
        transferdigittimeout_s: 1,
        ..FeaturesConf::default()
    }
}

async fn send(d: &DriverLink, digits: &str) {
    for c in digits.chars() {
        d.events.send(ChannelEvent::Digit(c)).await.expect("send");
    }
}

#[tokio::test]
async fn digits_stop_when_no_longer_extension_can_match() {
    let world = world();
    let ports = PortRange::new(64600, 64699);
    let (mut x, dx) = party(&ports, "SIP/b-1");
    let (mut y, _dy) = party(&ports, "SIP/a-1");
    // `42` cannot grow: the transfer goes at once, without waiting for the digit timeout.
    send(&dx, "42").await;
    let start = tokio::time::Instant::now();
    let got = grab(&world, &conf(), &mut x, &mut y, "internal", None).await;
    assert_eq!(got, Grab::Exten("42".into()));
    assert!(start.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn a_target_that_could_grow_waits_for_the_digit_timeout_or_pound() {
    let world = world();
    let ports = PortRange::new(64700, 64799);
    let (mut x, dx) = party(&ports, "SIP/b-2");
    let (mut y, _dy) = party(&ports, "SIP/a-2");
    send(&dx, "300").await;
    let start = tokio::time::Instant::now();
    let got = grab(&world, &conf(), &mut x, &mut y, "internal", None).await;
    assert_eq!(got, Grab::Exten("300".into()));
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "3001 could follow"
    );
    send(&dx, "300#").await;
    let start = tokio::time::Instant::now();
    let got = grab(&world, &conf(), &mut x, &mut y, "internal", None).await;
    assert_eq!(got, Grab::Exten("300".into()));
    assert!(
        start.elapsed() < Duration::from_millis(900),
        "# ends the number"
    );
}

#[tokio::test]
async fn the_transferee_hanging_up_ends_the_grab() {
    let world = world();
    let ports = PortRange::new(64800, 64899);
    let (mut x, _dx) = party(&ports, "SIP/b-3");
    let (mut y, dy) = party(&ports, "SIP/a-3");
    dy.events
        .send(ChannelEvent::Hangup { cause: 16 })
        .await
        .expect("send");
    let got = grab(&world, &conf(), &mut x, &mut y, "internal", None).await;
    assert_eq!(got, Grab::TransfereeGone);
}

#[tokio::test]
async fn the_transferer_hanging_up_ends_the_grab() {
    let world = world();
    let ports = PortRange::new(64900, 64999);
    let (mut x, dx) = party(&ports, "SIP/b-4");
    let (mut y, _dy) = party(&ports, "SIP/a-4");
    send(&dx, "3").await;
    dx.events
        .send(ChannelEvent::Hangup { cause: 16 })
        .await
        .expect("send");
    let got = grab(&world, &conf(), &mut x, &mut y, "internal", None).await;
    assert_eq!(got, Grab::TransfererGone);
}

#[tokio::test]
async fn an_unknown_target_is_tried_three_times_then_given_up() {
    let world = world();
    let ports = PortRange::new(65000, 65099);
    let (mut x, dx) = party(&ports, "SIP/b-5");
    let (mut y, _dy) = party(&ports, "SIP/a-5");
    // 9 matches nothing (ends at once); then two attempts time out with nothing dialled.
    send(&dx, "9").await;
    let start = tokio::time::Instant::now();
    let got = grab(&world, &conf(), &mut x, &mut y, "internal", None).await;
    assert_eq!(got, Grab::Invalid);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(5),
        "two digit timeouts: {took:?}"
    );
}
