//! `RAND([min][,max])` (func_rand.c): an integer from min to max inclusive. Defaults: 0 and
//! RAND_MAX (2147483647); a bound that is not a number takes its default; swapped bounds are
//! put in order.

use crate::env::Env;

const RAND_MAX: i64 = 2_147_483_647;

pub(super) fn read(args: &str, env: &mut dyn Env) -> String {
    let parts = crate::args::split(args, ',');
    let mut min = parts
        .first()
        .and_then(|s| crate::cscan::scan_int(s))
        .map(|(v, _)| i64::from(v))
        .unwrap_or(0);
    let mut max = parts
        .get(1)
        .and_then(|s| crate::cscan::scan_int(s))
        .map(|(v, _)| i64::from(v))
        .unwrap_or(RAND_MAX);
    if max < min {
        std::mem::swap(&mut min, &mut max);
    }
    let range = (max - min + 1) as u64;
    let r = (env.random() % range) as i64;
    (min + r).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::testenv::TestEnv;

    fn with(values: &[u64]) -> TestEnv {
        let mut e = TestEnv::new();
        e.random_values = values.to_vec();
        e
    }

    #[test]
    fn inclusive_range() {
        assert_eq!(read("1,6", &mut with(&[5])), "6");
        assert_eq!(read("1,6", &mut with(&[6])), "1");
        assert_eq!(read("10,20", &mut with(&[0])), "10");
    }

    #[test]
    fn defaults_and_swapped_bounds() {
        assert_eq!(read("", &mut with(&[123])), "123");
        assert_eq!(read("x,y", &mut with(&[2_147_483_648])), "0");
        assert_eq!(read("6,1", &mut with(&[5])), "6");
        assert_eq!(read("-5,-1", &mut with(&[0])), "-5");
    }
}
