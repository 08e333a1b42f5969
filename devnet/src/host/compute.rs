//! Native computation: `keccak256` and the 256-bit math helpers.

use super::{
    hostio, keccak256, len64, offset, p, read, read_u256, write, Ctx, Error, Frame, Linker,
    HOSTIO_INK, PTR_INK, U256,
};

pub(super) fn math(
    caller: &mut Ctx<'_>,
    ink: u64,
    ptrs: &[i32],
    f: impl Fn(&[U256]) -> U256,
) -> Result<(), Error> {
    hostio(caller, ink)?;
    let mut values = Vec::with_capacity(ptrs.len());
    for &ptr in ptrs {
        values.push(read_u256(caller, ptr)?);
    }
    write(caller, ptrs[0], &f(&values).to_be_bytes::<32>())
}

/// Links this capability's host functions.
pub(super) fn link(l: &mut Linker<Frame>) {
    let h = "vm_hooks";
    let ok = "should define each host function once";
    l.func_wrap(h, "native_keccak256", |mut c: Ctx<'_>, data: i32, len: i32, out: i32| {
        hostio(&mut c, p::keccak_ink(len64(len)))?;
        let bytes = read(&c, data, offset(len))?;
        write(&mut c, out, keccak256(bytes).as_slice())
    })
    .expect(ok);
    let div = HOSTIO_INK + 3 * PTR_INK + p::DIV_INK;
    l.func_wrap(h, "math_div", move |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, div, &[a, b], |v| v[0].checked_div(v[1]).unwrap_or_default())
    })
    .expect(ok);
    l.func_wrap(h, "math_mod", move |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, div, &[a, b], |v| v[0].checked_rem(v[1]).unwrap_or_default())
    })
    .expect(ok);
    l.func_wrap(h, "math_pow", |mut c: Ctx<'_>, a: i32, b: i32| {
        let exponent = read_u256(&c, b)?;
        let bytes = u64::try_from(exponent.bit_len().div_ceil(8)).unwrap_or(32);
        let ink = HOSTIO_INK + 3 * PTR_INK + p::POW_BASE_INK + p::POW_BYTE_INK * bytes;
        math(&mut c, ink, &[a, b], |v| v[0].wrapping_pow(v[1]))
    })
    .expect(ok);
    l.func_wrap(h, "math_add_mod", |mut c: Ctx<'_>, a: i32, b: i32, m: i32| {
        math(&mut c, HOSTIO_INK + 4 * PTR_INK + p::ADD_MOD_INK, &[a, b, m], |v| {
            v[0].add_mod(v[1], v[2])
        })
    })
    .expect(ok);
    l.func_wrap(h, "math_mul_mod", |mut c: Ctx<'_>, a: i32, b: i32, m: i32| {
        math(&mut c, HOSTIO_INK + 4 * PTR_INK + p::MUL_MOD_INK, &[a, b, m], |v| {
            v[0].mul_mod(v[1], v[2])
        })
    })
    .expect(ok);
}
