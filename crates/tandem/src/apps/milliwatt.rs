//! Milliwatt([o]): as Asterisk's `app_milliwatt.c`. By default it plays the tone list
//! `1004/1000` at level 23255 (a 1004 Hz tone at 0 dBm0) through PlayTones, without answering,
//! and waits until the caller hangs up. With `o` (the old behaviour) it answers the channel if
//! it is not up and plays the digital milliwatt: the eight mu-law bytes
//! `1e 0b 0b 1e 9e 8b 8b 9e` over and over, a 1000 Hz tone. Either way the application ends
//! only with a hangup.

use tandem_codec::tones::MILLIWATT_VOLUME;
use tandem_core::host::Reply;

use super::{background, playtones, AppCx};
use crate::media::generator::{self, Source, FRAME};

/// The digital milliwatt sequence (G.711 mu-law).
const DIGITAL_MILLIWATT: [u8; 8] = [0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e];

/// The old milliwatt: the mu-law pattern, decoded.
#[derive(Default)]
struct DigitalMilliwatt {
    index: usize,
}

impl Source for DigitalMilliwatt {
    fn fill(&mut self, frame: &mut [i16; FRAME]) -> bool {
        for s in frame.iter_mut() {
            let code = DIGITAL_MILLIWATT.get(self.index).copied().unwrap_or(0xff);
            *s = tandem_codec::ulaw::decode_sample(code);
            self.index = (self.index + 1) & 7;
        }
        true
    }
}

pub async fn exec(mut cx: AppCx<'_>, args: &str) -> Reply {
    if args.contains('o') {
        background::answer(&mut cx).await;
        generator::start(
            &cx.link.media,
            "milliwatt",
            Box::<DigitalMilliwatt>::default(),
        );
    } else if !playtones::start(&cx, "1004/1000", MILLIWATT_VOLUME) {
        return Reply::HungUp;
    }
    background::sleep(&mut cx, None).await;
    generator::stop(&cx.link.media);
    Reply::HungUp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digital_milliwatt_is_a_1000_hz_tone_of_eight_samples() {
        let mut m = DigitalMilliwatt::default();
        let mut f = [0i16; FRAME];
        m.fill(&mut f);
        assert_eq!(f[0..8], f[8..16]);
        // Symmetric: the second half is the first negated.
        assert_eq!(
            f[0..4].iter().map(|s| -s).collect::<Vec<_>>(),
            f[4..8].to_vec()
        );
        let peak = f.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0);
        // 0 dBm0: the 0x0b code is +20860 (its sine peak is about 22500, between samples).
        assert_eq!(peak, 20860);
    }
}
