//! PTI amounts in storage: every amount the suite stores fits 96 bits (the whole supply,
//! 21 × 10²⁴ < 2⁸⁵, does).

use alloy_primitives::{Uint, U256};

/// A 96-bit unsigned integer: a stored PTI amount.
pub type U96 = Uint<96, 2>;

/// `value` as a 96-bit integer, or `None` when it does not fit.
#[must_use]
#[inline]
pub fn to_u96(value: U256) -> Option<U96> {
    if value.bit_len() > 96 {
        return None;
    }
    let limbs = value.as_limbs();
    Some(U96::from_limbs([limbs[0], limbs[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_u96_keeps_values_that_fit_and_refuses_the_rest() {
        let max = U256::from(U96::MAX);
        assert_eq!(to_u96(U256::ZERO), Some(U96::ZERO));
        assert_eq!(to_u96(max), Some(U96::MAX));
        assert_eq!(to_u96(U256::from(12_345u64)), Some(U96::from(12_345u64)));
        assert_eq!(to_u96(max + U256::from(1)), None);
        assert_eq!(to_u96(U256::MAX), None);
    }
}
