//! The simulator's only source of randomness: a small seeded PRNG.
//!
//! xoshiro256** (Blackman and Vigna) seeded through splitmix64, written here so that a
//! run is a pure function of its seed on every platform and toolchain, with no
//! dependency whose output could change under us.

/// splitmix64's finaliser: a good 64-bit mixer, used to expand seeds and to derive
/// independent streams.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed for a sub-stream named by `parts` (for example a node id and incarnation),
/// so that streams do not shift when an unrelated part of the run draws more or less.
pub fn derive(seed: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(mix64(seed), |acc, &p| mix64(acc ^ mix64(p)))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 fills the state; it never yields four zeros in a row.
        let mut x = seed;
        let mut s = [0u64; 4];
        for w in s.iter_mut() {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *w = mix64(x.wrapping_sub(0x9E37_79B9_7F4A_7C15));
        }
        Rng { s }
    }

    /// An independent generator for a named sub-stream of this seed.
    pub fn stream(seed: u64, name: u64) -> Rng {
        Rng::new(derive(seed, &[name]))
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1), 53 bits of precision.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n); n must be positive. Rejection sampling: no modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0)");
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform in [lo, hi); the range must not be empty.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo < hi, "Rng::range({lo}, {hi}) is empty");
        lo + self.below(hi - lo)
    }

    /// Uniform in [lo, hi] (both ends included).
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "Rng::between({lo}, {hi}) is empty");
        if hi - lo == u64::MAX {
            return self.next_u64();
        }
        lo + self.below(hi - lo + 1)
    }

    /// Uniform float in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// True with probability p (p <= 0 never draws true, p >= 1 always).
    pub fn bernoulli(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        self.f64() < p
    }

    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        assert!(!items.is_empty(), "Rng::choose on an empty slice");
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index drawn with probability proportional to its weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        assert!(total > 0, "Rng::weighted with no positive weight");
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        unreachable!()
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// An exponentially distributed interval of the given mean (Poisson arrivals).
    pub fn exponential(&mut self, mean: f64) -> f64 {
        // 1 - f64() is in (0, 1]: ln never sees 0.
        -mean * (1.0 - self.f64()).ln()
    }
}
