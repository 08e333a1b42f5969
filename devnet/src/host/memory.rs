//! Guest memory: reading and writing it, the program's arguments and result, and paid growth.

use super::{
    buy_gas, hostio, p, Address, Ctx, Error, Extern, Frame, Linker, Memory, B256, HOSTIO_INK, U256,
};

pub(super) fn memory(caller: &Ctx<'_>) -> Result<Memory, Error> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::new("the program exports no memory"))
}

pub(super) fn offset(ptr: i32) -> usize {
    ptr.cast_unsigned() as usize
}

pub(super) fn len64(len: i32) -> u64 {
    u64::from(len.cast_unsigned())
}

pub(super) fn read(caller: &Ctx<'_>, ptr: i32, len: usize) -> Result<Vec<u8>, Error> {
    // Bounds first: a guest must not make the host allocate what its memory cannot hold.
    let size = memory(caller)?.data_size(caller);
    if offset(ptr).checked_add(len).is_none_or(|end| end > size) {
        return Err(Error::new("read out of bounds"));
    }
    let mut buf = vec![0u8; len];
    memory(caller)?
        .read(caller, offset(ptr), &mut buf)
        .map_err(|_| Error::new("read out of bounds"))?;
    Ok(buf)
}

pub(super) fn read_word(caller: &Ctx<'_>, ptr: i32) -> Result<B256, Error> {
    Ok(B256::from_slice(&read(caller, ptr, 32)?))
}

pub(super) fn read_u256(caller: &Ctx<'_>, ptr: i32) -> Result<U256, Error> {
    Ok(U256::from_be_bytes(read_word(caller, ptr)?.0))
}

pub(super) fn read_address(caller: &Ctx<'_>, ptr: i32) -> Result<Address, Error> {
    Ok(Address::from_slice(&read(caller, ptr, 20)?))
}

pub(super) fn write(caller: &mut Ctx<'_>, ptr: i32, bytes: &[u8]) -> Result<(), Error> {
    memory(caller)?.write(caller, offset(ptr), bytes).map_err(|_| Error::new("write out of bounds"))
}

pub(super) fn write_u32(caller: &mut Ctx<'_>, ptr: i32, n: usize) -> Result<(), Error> {
    let n = u32::try_from(n).map_err(|_| Error::new("length over 4 GiB"))?;
    write(caller, ptr, &n.to_le_bytes())
}

pub(super) fn guest_len(n: usize) -> Result<i32, Error> {
    i32::try_from(n).map_err(|_| Error::new("length over 2 GiB"))
}

/// Links this capability's host functions.
pub(super) fn link(l: &mut Linker<Frame>) {
    let h = "vm_hooks";
    let ok = "should define each host function once";
    l.func_wrap(h, "read_args", |mut c: Ctx<'_>, dest: i32| {
        let args = c.data().request.calldata.clone();
        hostio(&mut c, HOSTIO_INK + p::write_ink(args.len() as u64))?;
        write(&mut c, dest, &args)
    })
    .expect(ok);
    l.func_wrap(h, "write_result", |mut c: Ctx<'_>, ptr: i32, len: i32| {
        // Read into the host, and copied again to geth when returned.
        hostio(&mut c, HOSTIO_INK + 2 * p::read_ink(len64(len)))?;
        let out = read(&c, ptr, offset(len))?;
        c.data_mut().output = out;
        Ok(())
    })
    .expect(ok);
    l.func_wrap(h, "exit_early", |_: Ctx<'_>, status: i32| -> Result<(), Error> {
        Err(Error::i32_exit(status))
    })
    .expect(ok);
    l.func_wrap(h, "pay_for_memory_grow", |mut c: Ctx<'_>, pages: i32| {
        let pages = u16::try_from(pages.cast_unsigned()).unwrap_or(u16::MAX);
        if pages == 0 {
            return hostio(&mut c, HOSTIO_INK);
        }
        let cost = {
            let mut world = c.data().shared.world.borrow_mut();
            let (open, ever) = (world.tx.pages_open, world.tx.pages_ever);
            world.tx.pages_open = open.saturating_add(pages);
            world.tx.pages_ever = ever.max(world.tx.pages_open);
            p::memory_gas(pages, open, ever)
        };
        buy_gas(&mut c, cost)
    })
    .expect(ok);
}
