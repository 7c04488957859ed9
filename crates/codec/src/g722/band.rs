//! The ADPCM band state shared by G.722's encoder and decoder (ITU-T G.722 blocks 3 and 4:
//! scale factor adaptation and the pole/zero predictor).

#[inline]
pub(crate) fn saturate(amp: i32) -> i32 {
    amp.clamp(i16::MIN as i32, i16::MAX as i32)
}

/// `ILB`: the inverse log table of block 3 (scale factor from the log scale factor).
const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
    2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];

/// Predictor and scale factor state of one sub-band.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Band {
    /// Signal estimate (`s`), its pole (`sp`) and zero (`sz`) parts.
    pub s: i32,
    sp: i32,
    sz: i32,
    /// Reconstructed signal history.
    r: [i32; 3],
    /// Pole coefficients and their updates.
    a: [i32; 3],
    ap: [i32; 3],
    /// Partial reconstructed signal history.
    p: [i32; 3],
    /// Quantised difference history.
    d: [i32; 7],
    /// Zero coefficients and their updates.
    b: [i32; 7],
    bp: [i32; 7],
    /// Log scale factor (`nb`) and scale factor (`det`).
    pub nb: i32,
    pub det: i32,
}

impl Band {
    /// The reset state of G.722 (clause 6.2): everything zero but the scale factors, 32 for the
    /// lower band and 8 for the higher.
    pub fn new(det: i32) -> Self {
        Band {
            det,
            ..Band::default()
        }
    }

    /// Block 3L/3H: adapt the log scale factor by `weight`, clamp it to `nb_max`, and derive the
    /// linear scale factor (`shift` is 8 for the lower band, 10 for the higher).
    #[inline]
    pub fn scale(&mut self, weight: i32, nb_max: i32, shift: i32) {
        let nb = ((self.nb * 127) >> 7) + weight;
        self.nb = nb.clamp(0, nb_max);
        let index = ((self.nb >> 6) & 31) as usize;
        let wd2 = shift - (self.nb >> 11);
        let wd3 = if wd2 < 0 {
            ILB[index] << -wd2
        } else {
            ILB[index] >> wd2
        };
        self.det = wd3 << 2;
    }

    /// Block 4: reconstruct, adapt the pole and zero predictors, predict the next sample.
    pub fn predict(&mut self, d: i32) {
        // RECONS, PARREC
        self.d[0] = d;
        self.r[0] = saturate(self.s + d);
        self.p[0] = saturate(self.sz + d);

        // UPPOL2
        let sg0 = self.p[0] >> 15;
        let sg1 = self.p[1] >> 15;
        let sg2 = self.p[2] >> 15;
        let wd1 = saturate(self.a[1] << 2);
        let wd2 = (if sg0 == sg1 { -wd1 } else { wd1 }).min(32767);
        let mut wd3 = if sg0 == sg2 { 128 } else { -128 };
        wd3 += wd2 >> 7;
        wd3 += (self.a[2] * 32512) >> 15;
        self.ap[2] = wd3.clamp(-12288, 12288);

        // UPPOL1
        let wd1 = if sg0 == sg1 { 192 } else { -192 };
        let wd2 = (self.a[1] * 32640) >> 15;
        let limit = saturate(15360 - self.ap[2]);
        let ap1 = saturate(wd1 + wd2);
        self.ap[1] = if ap1 > limit {
            limit
        } else if ap1 < -limit {
            -limit
        } else {
            ap1
        };

        // UPZERO
        let step = if d == 0 { 0 } else { 128 };
        let sg0 = d >> 15;
        for i in 1..7 {
            let wd2 = if (self.d[i] >> 15) == sg0 {
                step
            } else {
                -step
            };
            let wd3 = (self.b[i] * 32640) >> 15;
            self.bp[i] = saturate(wd2 + wd3);
        }

        // DELAYA
        for i in (1..7).rev() {
            self.d[i] = self.d[i - 1];
            self.b[i] = self.bp[i];
        }
        for i in (1..3).rev() {
            self.r[i] = self.r[i - 1];
            self.p[i] = self.p[i - 1];
            self.a[i] = self.ap[i];
        }

        // FILTEP
        let wd1 = (self.a[1] * saturate(self.r[1] + self.r[1])) >> 15;
        let wd2 = (self.a[2] * saturate(self.r[2] + self.r[2])) >> 15;
        self.sp = saturate(wd1 + wd2);

        // FILTEZ
        let mut sz = 0;
        for i in (1..7).rev() {
            sz += (self.b[i] * saturate(self.d[i] + self.d[i])) >> 15;
        }
        self.sz = saturate(sz);

        // PREDIC
        self.s = saturate(self.sp + self.sz);
    }
}
