//! Persistent storage through the per-frame cache, and transient storage.

use super::{
    buy_gas, gas_left, hostio, in_static, out_of_ink, p, read_u256, read_word, require_gas, write,
    Ctx, Error, Frame, Linker, Slot, B256, HOSTIO_INK, PTR_INK, U256,
};

/// Links this capability's host functions.
// One registration per host function, each a short closure in Nitro's order of charges.
#[allow(clippy::too_many_lines)]
pub(super) fn link(l: &mut Linker<Frame>) {
    let h = "vm_hooks";
    let ok = "should define each host function once";
    l.func_wrap(h, "storage_load_bytes32", |mut c: Ctx<'_>, key: i32, dest: i32| {
        hostio(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
        require_gas(&mut c, p::COLD_SLOAD_GAS + p::REQUIRED_ACCESS_GAS + p::EVM_API_GAS)?;
        let key = read_u256(&c, key)?;
        let frame = c.data_mut();
        frame.reads += 1;
        let mut cost = p::cache_read_gas(frame.reads);
        let value = if let Some(slot) = frame.cache.get(&key) {
            slot.value
        } else {
            let address = frame.request.address;
            let mut world = frame.shared.world.borrow_mut();
            cost += world.load_cost(address, key) + p::EVM_API_GAS;
            let value = world.storage(address, key);
            drop(world);
            frame.cache.insert(key, Slot { value, known: Some(value) });
            value
        };
        buy_gas(&mut c, cost)?;
        write(&mut c, dest, value.as_slice())
    })
    .expect(ok);
    l.func_wrap(h, "storage_cache_bytes32", |mut c: Ctx<'_>, key: i32, value: i32| {
        hostio(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
        require_gas(&mut c, p::SSTORE_SENTRY_GAS + p::REQUIRED_ACCESS_GAS)?;
        let key = read_u256(&c, key)?;
        let value = read_word(&c, value)?;
        let frame = c.data_mut();
        frame.writes += 1;
        let cost = p::cache_write_gas(frame.writes);
        frame
            .cache
            .entry(key)
            .and_modify(|s| s.value = value)
            .or_insert(Slot { value, known: None });
        buy_gas(&mut c, cost)
    })
    .expect(ok);
    l.func_wrap(h, "storage_flush_cache", |mut c: Ctx<'_>, clear: i32| {
        hostio(&mut c, HOSTIO_INK + p::EVM_API_INK)?;
        require_gas(&mut c, p::SSTORE_SENTRY_GAS)?;
        let mut gas_left = gas_left(&c)?;
        let frame = c.data_mut();
        let mut dirty: Vec<(U256, B256)> = frame
            .cache
            .iter()
            .filter(|(_, s)| s.known != Some(s.value))
            .map(|(k, s)| (*k, s.value))
            .collect();
        dirty.sort_unstable_by_key(|(k, _)| *k);
        if !dirty.is_empty() && frame.request.is_static {
            return Err(Error::new("storage write in a static call"));
        }
        let address = frame.request.address;
        let mut total = 0u64;
        {
            let mut world = frame.shared.world.borrow_mut();
            for (key, value) in &dirty {
                let cost = world.store_cost(address, *key, *value);
                if cost > gas_left {
                    drop(world);
                    return Err(out_of_ink(&mut c));
                }
                gas_left -= cost;
                total += cost;
                world.set_storage(address, *key, *value);
            }
        }
        let frame = c.data_mut();
        for slot in frame.cache.values_mut() {
            slot.known = Some(slot.value);
        }
        if clear != 0 {
            frame.cache.clear();
        }
        buy_gas(&mut c, total)
    })
    .expect(ok);
    l.func_wrap(h, "transient_load_bytes32", |mut c: Ctx<'_>, key: i32, dest: i32| {
        hostio(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK)?;
        buy_gas(&mut c, p::TRANSIENT_GAS)?;
        let key = read_u256(&c, key)?;
        let frame = c.data();
        let value = frame.shared.world.borrow().transient(frame.request.address, key);
        write(&mut c, dest, value.as_slice())
    })
    .expect(ok);
    l.func_wrap(h, "transient_store_bytes32", |mut c: Ctx<'_>, key: i32, value: i32| {
        hostio(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK)?;
        buy_gas(&mut c, p::TRANSIENT_GAS)?;
        let key = read_u256(&c, key)?;
        let value = read_word(&c, value)?;
        in_static(&c, "transient storage write")?;
        let frame = c.data();
        frame.shared.world.borrow_mut().set_transient(frame.request.address, key, value);
        Ok(())
    })
    .expect(ok);
}
