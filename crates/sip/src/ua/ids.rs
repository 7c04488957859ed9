//! Tags, Call-IDs and cnonces from a seed and a counter (no randomness inside the crate).

#[derive(Debug)]
pub(crate) struct Ids {
    seed: u64,
    counter: u64,
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Ids {
    pub fn new(seed: u64) -> Ids {
        // kept apart from the transaction layer's branch sequence, which mixes the same seed
        Ids {
            seed: splitmix64(seed ^ 0x7461_6e64_656d_5541),
            counter: 0,
        }
    }

    fn next(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        splitmix64(self.seed ^ splitmix64(self.counter))
    }

    /// 16 hex digits, unique per counter value.
    pub fn tag(&mut self) -> String {
        format!("{:016x}", self.next())
    }

    /// `hex@host`.
    pub fn call_id(&mut self, host: &str) -> String {
        format!("{:016x}{:x}@{host}", self.next(), self.counter)
    }

    /// 1..=10, for Retry-After (chan_sip draws a random one).
    pub fn small(&mut self) -> u64 {
        self.next() % 10 + 1
    }
}
