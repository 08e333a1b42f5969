//! The execution context: accounts, the block, the transaction, the message and the meters.

use super::{
    buy_gas, gas_left, guest_len, hostio, ink_left, keccak256, offset, p, read_address,
    require_gas, write, Address, Ctx, Error, Frame, Linker, B256, HOSTIO_INK, INK_PRICE, PTR_INK,
};

pub(super) fn write_word_from<F>(mut c: Ctx<'_>, dest: i32, f: F) -> Result<(), Error>
where
    F: FnOnce(&Frame) -> [u8; 32],
{
    hostio(&mut c, HOSTIO_INK + PTR_INK)?;
    let word = f(c.data());
    write(&mut c, dest, &word)
}

pub(super) fn write_address_from<F>(mut c: Ctx<'_>, dest: i32, f: F) -> Result<(), Error>
where
    F: FnOnce(&Frame) -> Address,
{
    hostio(&mut c, HOSTIO_INK + PTR_INK)?;
    let address = f(c.data());
    write(&mut c, dest, address.as_slice())
}

pub(super) fn block_u64(mut c: Ctx<'_>, f: impl Fn(&crate::Block) -> u64) -> Result<i64, Error> {
    hostio(&mut c, HOSTIO_INK)?;
    Ok(f(&c.data().shared.world.borrow().block).cast_signed())
}

pub(super) fn code(c: &Ctx<'_>, who: Address) -> Vec<u8> {
    c.data().shared.world.borrow().code(who).to_vec()
}

/// Account access (balance, code hash, code): host ink, the 2,600 that must be available, and
/// the EIP-2929 access cost.
pub(super) fn touch_account(c: &mut Ctx<'_>, ink: u64, who: Address) -> Result<(), Error> {
    hostio(c, ink)?;
    require_gas(c, p::COLD_ACCOUNT_GAS)?;
    let cost = c.data().shared.world.borrow_mut().access_account(who);
    buy_gas(c, cost)
}

/// Links this capability's host functions.
// One registration per host function, each a short closure in Nitro's order of charges.
#[allow(clippy::too_many_lines)]
pub(super) fn link(l: &mut Linker<Frame>) {
    let h = "vm_hooks";
    let ok = "should define each host function once";
    l.func_wrap(h, "account_balance", |mut c: Ctx<'_>, address: i32, dest: i32| {
        let who = read_address(&c, address)?;
        touch_account(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK, who)?;
        let balance = c.data().shared.world.borrow().balance(who);
        write(&mut c, dest, &balance.to_be_bytes::<32>())
    })
    .expect(ok);
    l.func_wrap(h, "account_codehash", |mut c: Ctx<'_>, address: i32, dest: i32| {
        let who = read_address(&c, address)?;
        touch_account(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK, who)?;
        let code = code(&c, who);
        let empty = c.data().shared.world.borrow().is_empty(who);
        let hash = if empty { B256::ZERO } else { keccak256(&code) };
        write(&mut c, dest, hash.as_slice())
    })
    .expect(ok);
    l.func_wrap(
        h,
        "account_code",
        |mut c: Ctx<'_>, address: i32, off: i32, size: i32, dest: i32| {
            let who = read_address(&c, address)?;
            touch_account(&mut c, HOSTIO_INK + p::EVM_API_INK, who)?;
            let code = code(&c, who);
            hostio(&mut c, p::write_ink(code.len() as u64))?;
            let start = offset(off).min(code.len());
            let end = start.saturating_add(offset(size)).min(code.len());
            write(&mut c, dest, &code[start..end])?;
            guest_len(end - start)
        },
    )
    .expect(ok);
    l.func_wrap(h, "account_code_size", |mut c: Ctx<'_>, address: i32| {
        let who = read_address(&c, address)?;
        touch_account(&mut c, HOSTIO_INK + p::EVM_API_INK, who)?;
        guest_len(code(&c, who).len())
    })
    .expect(ok);
    l.func_wrap(h, "block_basefee", |c: Ctx<'_>, dest: i32| {
        write_word_from(c, dest, |f| f.shared.world.borrow().block.basefee.to_be_bytes())
    })
    .expect(ok);
    l.func_wrap(h, "block_coinbase", |c: Ctx<'_>, dest: i32| {
        write_address_from(c, dest, |f| f.shared.world.borrow().block.coinbase)
    })
    .expect(ok);
    l.func_wrap(h, "tx_gas_price", |c: Ctx<'_>, dest: i32| {
        write_word_from(c, dest, |f| f.shared.world.borrow().block.gas_price.to_be_bytes())
    })
    .expect(ok);
    l.func_wrap(h, "block_gas_limit", |c: Ctx<'_>| block_u64(c, |b| b.gas_limit)).expect(ok);
    l.func_wrap(h, "block_number", |c: Ctx<'_>| block_u64(c, |b| b.number)).expect(ok);
    l.func_wrap(h, "block_timestamp", |c: Ctx<'_>| block_u64(c, |b| b.timestamp)).expect(ok);
    l.func_wrap(h, "chainid", |c: Ctx<'_>| block_u64(c, |b| b.chain_id)).expect(ok);
    l.func_wrap(h, "contract_address", |c: Ctx<'_>, dest: i32| {
        write_address_from(c, dest, |f| f.request.address)
    })
    .expect(ok);
    l.func_wrap(h, "msg_sender", |c: Ctx<'_>, dest: i32| {
        write_address_from(c, dest, |f| f.request.caller)
    })
    .expect(ok);
    l.func_wrap(h, "tx_origin", |c: Ctx<'_>, dest: i32| {
        write_address_from(c, dest, |f| f.request.origin)
    })
    .expect(ok);
    l.func_wrap(h, "msg_value", |c: Ctx<'_>, dest: i32| {
        write_word_from(c, dest, |f| f.request.value.to_be_bytes())
    })
    .expect(ok);
    l.func_wrap(h, "msg_reentrant", |mut c: Ctx<'_>| {
        hostio(&mut c, HOSTIO_INK)?;
        let frame = c.data();
        let open = frame
            .shared
            .world
            .borrow()
            .frames
            .iter()
            .filter(|a| **a == frame.request.address)
            .count();
        Ok(i32::from(open > 1))
    })
    .expect(ok);
    l.func_wrap(h, "evm_gas_left", |mut c: Ctx<'_>| {
        hostio(&mut c, HOSTIO_INK)?;
        Ok(gas_left(&c)?.cast_signed())
    })
    .expect(ok);
    l.func_wrap(h, "evm_ink_left", |mut c: Ctx<'_>| {
        hostio(&mut c, HOSTIO_INK)?;
        Ok(ink_left(&c)?.cast_signed())
    })
    .expect(ok);
    l.func_wrap(h, "tx_ink_price", |mut c: Ctx<'_>| {
        hostio(&mut c, HOSTIO_INK)?;
        Ok(i32::try_from(INK_PRICE).expect("should fit"))
    })
    .expect(ok);
}
