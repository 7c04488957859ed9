//! ITU-T G.722 at 64 kbit/s: 16 kHz PCM in, one byte per two samples out (two sub-bands, a
//! 24-tap QMF, ADPCM with 6 bits in the lower band and 2 in the higher).
//!
//! Written from the ITU-T G.722 reference algorithm; its arithmetic matches the spandsp code
//! that Asterisk ships in `codecs/g722/`, so our output is bit-exact with Asterisk's `lin16tog722`
//! and `g722tolin16`, with one deliberate difference: the decoder's QMF output is saturated to
//! 16 bits where Asterisk's copy casts (and so wraps around on overload, a loud click).
//!
//! [`Rate::Narrow`] is Asterisk's direct 8 kHz mode (`G722_SAMPLE_RATE_8000`, used by its
//! `lintog722`/`g722tolin` translators): the QMF is skipped, the encoder codes one 8 kHz
//! sample per byte into the lower band with a fixed higher band, and the decoder outputs the
//! lower band only. Asterisk prefers that path between 8 kHz codecs and G.722 (see
//! `crate::transcode`).

mod band;

use band::{saturate, Band};

/// Which PCM side a G.722 state speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rate {
    /// 16 kHz PCM through the QMF: two samples per byte (the normal mode).
    Wide,
    /// 8 kHz PCM straight into (out of) the lower band: one sample per byte.
    Narrow,
}

impl Rate {
    /// PCM samples per payload byte.
    pub fn samples_per_byte(self) -> usize {
        match self {
            Rate::Wide => 2,
            Rate::Narrow => 1,
        }
    }
}

/// The QMF coefficients (G.722 table 11), folded: the 24 taps are symmetric.
const QMF: [i32; 12] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];
/// Lower band quantiser decision levels (QUANTL), scaled.
const Q6: [i32; 32] = [
    0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940,
    1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
];
/// Lower band codes for negative (ILN) and positive (ILP) differences.
const ILN: [i32; 32] = [
    0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
    10, 9, 8, 7, 6, 5, 4, 0,
];
const ILP: [i32; 32] = [
    0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39,
    38, 37, 36, 35, 34, 33, 32, 0,
];
/// Log scale factor weights, lower band (WL) and the 4-bit code to WL index map (RL42).
const WL: [i32; 8] = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const RL42: [i32; 16] = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
/// Inverse quantisers: 4-bit lower band (QM4), 6-bit lower band (QM6), 2-bit higher band (QM2).
const QM4: [i32; 16] = [
    0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584,
    1200, 0,
];
const QM6: [i32; 64] = [
    -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232,
    -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776,
    -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280,
    11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776,
    2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];
const QM2: [i32; 4] = [-7408, -1616, 7408, 1616];
/// Higher band codes and log scale factor weights.
const IHN: [i32; 3] = [0, 1, 0];
const IHP: [i32; 3] = [0, 3, 2];
const WH: [i32; 3] = [0, -214, 798];
const RH2: [i32; 4] = [2, 1, 2, 1];

/// Largest log scale factors (block 3L and 3H).
const NB_MAX_LOW: i32 = 18432;
const NB_MAX_HIGH: i32 = 22528;

/// G.722 encoder state for one stream.
#[derive(Clone, Debug)]
pub struct Encoder {
    rate: Rate,
    /// QMF history, oldest first.
    x: [i32; 24],
    low: Band,
    high: Band,
}

impl Encoder {
    /// A fresh encoder in the G.722 reset state.
    pub fn new(rate: Rate) -> Self {
        Encoder {
            rate,
            x: [0; 24],
            low: Band::new(32),
            high: Band::new(8),
        }
    }

    /// The PCM side of this encoder.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Encodes `pcm` into `out`; returns the number of bytes written. In [`Rate::Wide`] a
    /// trailing odd sample is ignored (G.722 codes pairs). Stops early when `out` is full.
    /// Allocates nothing.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        match self.rate {
            Rate::Wide => {
                let mut n = 0;
                for (pair, o) in pcm.chunks_exact(2).zip(out.iter_mut()) {
                    let (xlow, xhigh) = self.split(pair[0], pair[1]);
                    let ilow = self.encode_low(xlow);
                    let ihigh = self.encode_high(xhigh);
                    *o = ((ihigh << 6) | ilow) as u8;
                    n += 1;
                }
                n
            }
            Rate::Narrow => {
                let mut n = 0;
                for (&s, o) in pcm.iter().zip(out.iter_mut()) {
                    let ilow = self.encode_low((s as i32) >> 1);
                    // The higher band is left at code 3 (0xC0), as Asterisk does.
                    *o = (0xc0 | ilow) as u8;
                    n += 1;
                }
                n
            }
        }
    }

    /// Transmit QMF: two 16 kHz samples in, one lower and one higher band sample out.
    #[inline]
    fn split(&mut self, first: i16, second: i16) -> (i32, i32) {
        self.x.copy_within(2.., 0);
        self.x[22] = first as i32;
        self.x[23] = second as i32;
        let mut sumodd = 0;
        let mut sumeven = 0;
        for i in 0..12 {
            sumodd += self.x[2 * i] * QMF[i];
            sumeven += self.x[2 * i + 1] * QMF[11 - i];
        }
        ((sumeven + sumodd) >> 14, (sumeven - sumodd) >> 14)
    }

    /// Blocks 1L to 4L: returns the 6-bit lower band code.
    #[inline]
    fn encode_low(&mut self, xlow: i32) -> i32 {
        let band = &mut self.low;
        let el = saturate(xlow - band.s);
        let wd = if el >= 0 { el } else { -(el + 1) };
        let mut i = 1;
        while i < 30 && wd >= (Q6[i] * band.det) >> 12 {
            i += 1;
        }
        let ilow = if el < 0 { ILN[i] } else { ILP[i] };
        let ril = (ilow >> 2) as usize;
        let dlow = (band.det * QM4[ril]) >> 15;
        band.scale(WL[RL42[ril] as usize], NB_MAX_LOW, 8);
        band.predict(dlow);
        ilow
    }

    /// Blocks 1H to 4H: returns the 2-bit higher band code.
    #[inline]
    fn encode_high(&mut self, xhigh: i32) -> i32 {
        let band = &mut self.high;
        let eh = saturate(xhigh - band.s);
        let wd = if eh >= 0 { eh } else { -(eh + 1) };
        let mih = if wd >= (564 * band.det) >> 12 { 2 } else { 1 };
        let ihigh = if eh < 0 { IHN[mih] } else { IHP[mih] };
        let dhigh = (band.det * QM2[ihigh as usize]) >> 15;
        band.scale(WH[RH2[ihigh as usize] as usize], NB_MAX_HIGH, 10);
        band.predict(dhigh);
        ihigh
    }
}

/// G.722 decoder state for one stream.
#[derive(Clone, Debug)]
pub struct Decoder {
    rate: Rate,
    x: [i32; 24],
    low: Band,
    high: Band,
}

impl Decoder {
    /// A fresh decoder in the G.722 reset state.
    pub fn new(rate: Rate) -> Self {
        Decoder {
            rate,
            x: [0; 24],
            low: Band::new(32),
            high: Band::new(8),
        }
    }

    /// The PCM side of this decoder.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Decodes `payload` into `pcm`; returns the number of samples written (two per byte in
    /// [`Rate::Wide`], one in [`Rate::Narrow`]). Stops early when `pcm` is full. Allocates
    /// nothing.
    pub fn decode(&mut self, payload: &[u8], pcm: &mut [i16]) -> usize {
        match self.rate {
            Rate::Wide => {
                let mut n = 0;
                for (&code, out) in payload.iter().zip(pcm.chunks_exact_mut(2)) {
                    let rlow = self.decode_low(code);
                    let rhigh = self.decode_high(code);
                    let (a, b) = self.merge(rlow, rhigh);
                    out[0] = a;
                    out[1] = b;
                    n += 2;
                }
                n
            }
            Rate::Narrow => {
                let mut n = 0;
                for (&code, out) in payload.iter().zip(pcm.iter_mut()) {
                    *out = (self.decode_low(code) << 1) as i16;
                    n += 1;
                }
                n
            }
        }
    }

    /// Blocks 5L, 6L, 2L to 4L: returns the reconstructed lower band sample.
    #[inline]
    fn decode_low(&mut self, code: u8) -> i32 {
        let band = &mut self.low;
        let code6 = (code & 0x3f) as usize;
        let rlow = (band.s + ((band.det * QM6[code6]) >> 15)).clamp(-16384, 16383);
        let ril = code6 >> 2;
        let dlow = (band.det * QM4[ril]) >> 15;
        band.scale(WL[RL42[ril] as usize], NB_MAX_LOW, 8);
        band.predict(dlow);
        rlow
    }

    /// Blocks 2H, 5H, 6H, 3H, 4H: returns the reconstructed higher band sample.
    #[inline]
    fn decode_high(&mut self, code: u8) -> i32 {
        let band = &mut self.high;
        let ihigh = ((code >> 6) & 0x03) as usize;
        let dhigh = (band.det * QM2[ihigh]) >> 15;
        let rhigh = (dhigh + band.s).clamp(-16384, 16383);
        band.scale(WH[RH2[ihigh] as usize], NB_MAX_HIGH, 10);
        band.predict(dhigh);
        rhigh
    }

    /// Receive QMF: one lower and one higher band sample in, two 16 kHz samples out.
    #[inline]
    fn merge(&mut self, rlow: i32, rhigh: i32) -> (i16, i16) {
        self.x.copy_within(2.., 0);
        self.x[22] = rlow + rhigh;
        self.x[23] = rlow - rhigh;
        let mut xout1 = 0;
        let mut xout2 = 0;
        for i in 0..12 {
            xout2 += self.x[2 * i] * QMF[i];
            xout1 += self.x[2 * i + 1] * QMF[11 - i];
        }
        (saturate(xout1 >> 11) as i16, saturate(xout2 >> 11) as i16)
    }
}

#[cfg(test)]
mod tests;
