//! What the talking applications (Record, VoiceMail, VoiceMailMain) do with a channel:
//! answer it, play prompts that chosen digits interrupt (`ast_stream_and_wait` with escape
//! digits), wait for a digit (`ast_waitfordigit`), read a string of digits ended by `#`
//! (`ast_readstring`), and record.

use std::path::PathBuf;
use std::time::Duration;

use tandem_core::{ChannelCommand, ChannelEvent, ChannelState};

use super::AppCx;
use crate::media::player::{PlayEnd, Player};
use crate::media::recorder::{self, RecordEnd, RecordSpec};
use crate::media::{sounds, wav};

/// How playing a list of prompts ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// All played (missing ones skipped with a warning).
    Done,
    /// One of the escape digits.
    Digit(char),
    HungUp,
}

/// Answer the channel if it is not up yet (`ast_answer`); false if it hung up.
pub async fn answer(cx: &mut AppCx<'_>) -> bool {
    if cx.chan.state == ChannelState::Up {
        return true;
    }
    if cx.link.commands.send(ChannelCommand::Answer).await.is_err() {
        return false;
    }
    cx.chan.state = ChannelState::Up;
    cx.world.channels.update(&cx.link.name, |r| r.state = "Up");
    true
}

/// Play `files` in turn; a digit in `escape` stops them and is returned, other digits are
/// dropped. A file that is a path (absolute) is played from there.
pub async fn play(cx: &mut AppCx<'_>, files: &[String], escape: &str) -> Heard {
    let media = cx.link.media.clone();
    let Some(format) = media.format() else {
        tracing::warn!(
            "{}: cannot play {files:?}: no codec tandem can encode",
            cx.chan.name
        );
        return Heard::Done;
    };
    let Some(mut player) = Player::new(&media) else {
        return Heard::Done;
    };
    let dirs = sounds::search_dirs();
    for name in files.iter().filter(|f| !f.is_empty()) {
        let pcm = match load(name, &cx.chan.language, format.codec, &dirs).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("{}: {e}", cx.chan.name);
                continue;
            }
        };
        tracing::info!(
            "{}: <{}> Playing '{name}' ({:.2} s)",
            cx.chan.name,
            cx.chan.name,
            pcm.seconds()
        );
        // In pieces of 200 ms, so a digit that is not an escape digit (dropped, as
        // `ast_waitstream` drops it) costs at most a piece played again.
        let piece = (pcm.rate as usize / 5).max(1);
        for chunk in pcm.samples.chunks(piece) {
            let part = wav::Pcm {
                rate: pcm.rate,
                samples: chunk.to_vec(),
            };
            loop {
                match player
                    .play(&media, &part, &mut cx.link.events, !escape.is_empty())
                    .await
                {
                    PlayEnd::Finished => break,
                    PlayEnd::HungUp => return Heard::HungUp,
                    PlayEnd::Redirect(to) => {
                        cx.link.redirect = Some(to);
                        return Heard::HungUp;
                    }
                    PlayEnd::Digit(d) if escape.contains(d) => return Heard::Digit(d),
                    PlayEnd::Digit(_) => continue,
                }
            }
        }
    }
    Heard::Done
}

/// Wait up to `timeout` for one digit (`ast_waitfordigit`): `Ok(None)` on timeout, `Err(())`
/// on hangup. The caller's audio is read meanwhile (RFC 4733 digits in it become events).
pub async fn wait_digit(cx: &mut AppCx<'_>, timeout: Duration) -> Result<Option<char>, ()> {
    let media = cx.link.media.clone();
    let sleep = tokio::time::sleep(timeout);
    tokio::pin!(sleep);
    let mut buf = [0u8; 2048];
    loop {
        tokio::select! {
            () = &mut sleep => return Ok(None),
            _ = media.recv_inbound(&mut buf) => {}
            ev = cx.link.events.recv() => match ev {
                None | Some(ChannelEvent::Hangup { .. }) => return Err(()),
                Some(ChannelEvent::Redirect(to)) => {
                    cx.link.redirect = Some(to);
                    return Err(());
                }
                Some(ChannelEvent::Digit(d)) => return Ok(Some(d)),
                Some(_) => {}
            },
        }
    }
}

/// Play `prompt` (any digit interrupts it and is the first one read), then read up to `max`
/// digits until `#` (not kept) or a pause of `timeout` (`ast_readstring` after
/// `ast_streamfile`). `None` on hangup.
pub async fn read_digits(
    cx: &mut AppCx<'_>,
    prompt: &[String],
    max: usize,
    timeout: Duration,
) -> Option<String> {
    let mut digits = String::new();
    match play(cx, prompt, "0123456789*#").await {
        Heard::HungUp => return None,
        Heard::Digit('#') => return Some(digits),
        Heard::Digit(d) => digits.push(d),
        Heard::Done => {}
    }
    while digits.chars().count() < max {
        match wait_digit(cx, timeout).await {
            Err(()) => return None,
            Ok(None) | Ok(Some('#')) => break,
            Ok(Some(d)) => digits.push(d),
        }
    }
    Some(digits)
}

/// Record the caller (see [`recorder::record`]); `None` when the channel has no codec
/// tandem decodes.
pub async fn record(cx: &mut AppCx<'_>, spec: &RecordSpec) -> Option<(RecordEnd, Vec<i16>)> {
    let media = cx.link.media.clone();
    recorder::record(&media, &mut cx.link.events, spec).await
}

/// Find and decode a sound for a channel in `codec`.
pub async fn load(
    name: &str,
    language: &str,
    codec: tandem_codec::CodecKind,
    dirs: &[PathBuf],
) -> Result<wav::Pcm, String> {
    let Some((path, format)) = sounds::find(name, language, codec, dirs) else {
        return Err(format!("File {name} does not exist in any format"));
    };
    let size = tokio::fs::metadata(&path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if size > wav::MAX_FILE_BYTES as u64 {
        return Err(format!(
            "{}: {size} bytes is too large to play",
            path.display()
        ));
    }
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    wav::decode(format, &bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The prompts that say `n` in English (`ast_say_number`), for counts of messages.
pub fn number_files(n: u32) -> Vec<String> {
    let mut out = Vec::new();
    say_under_million(n.min(999_999), &mut out);
    out
}

fn say_under_million(n: u32, out: &mut Vec<String>) {
    if n >= 1000 {
        say_under_thousand(n / 1000, out);
        out.push("digits/thousand".into());
        if n.is_multiple_of(1000) {
            return;
        }
    }
    say_under_thousand(n % 1000, out);
}

fn say_under_thousand(n: u32, out: &mut Vec<String>) {
    let mut n = n;
    if n >= 100 {
        out.push(format!("digits/{}", n / 100));
        out.push("digits/hundred".into());
        n %= 100;
        if n == 0 {
            return;
        }
    }
    if n < 20 {
        out.push(format!("digits/{n}"));
    } else {
        out.push(format!("digits/{}", n / 10 * 10));
        if !n.is_multiple_of(10) {
            out.push(format!("digits/{}", n % 10));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_said_as_say_number_says_them() {
        assert_eq!(number_files(0), vec!["digits/0"]);
        assert_eq!(number_files(7), vec!["digits/7"]);
        assert_eq!(number_files(15), vec!["digits/15"]);
        assert_eq!(number_files(42), vec!["digits/40", "digits/2"]);
        assert_eq!(number_files(100), vec!["digits/1", "digits/hundred"]);
        assert_eq!(
            number_files(1203),
            vec![
                "digits/1",
                "digits/thousand",
                "digits/2",
                "digits/hundred",
                "digits/3"
            ]
        );
        assert_eq!(number_files(2000), vec!["digits/2", "digits/thousand"]);
    }
}
