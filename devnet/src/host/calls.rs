//! Calls and creations from a program: `call_contract` and its delegate and static forms,
//! `create1`/`create2`, and the return data.

use super::{
    buy_gas, buy_ink, gas_left, guest_len, hostio, in_static, keccak256, len64, offset, out_of_ink,
    p, read, read_address, read_u256, read_word, run_on_stack, write, write_u32, Address,
    CallRequest, Ctx, Error, Frame, Linker, Status, HOSTIO_INK, INK_PRICE, PTR_INK, U256,
};

/// Which kind of call a host function makes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CallKind {
    Call,
    Delegate,
    Static,
}

/// The host ABI's call arguments.
pub(super) struct CallArgs {
    pub(super) kind: CallKind,
    pub(super) contract: i32,
    pub(super) calldata: i32,
    pub(super) calldata_len: i32,
    pub(super) value: Option<i32>,
    pub(super) gas: i64,
    pub(super) return_data_len: i32,
}

/// `call_contract` / `delegate_call_contract` / `static_call_contract`, priced as Nitro's
/// `do_call` and go-ethereum's `WasmCallCost`: access (2,600 cold / 100 warm), value (9,000, and
/// 25,000 to an empty account), 63/64 of what is left after that, the 2,300 stipend with value,
/// and the callee's gas. Returns 0 on success, 2 otherwise (Nitro's `UserOutcomeKind`).
pub(super) fn nested_call(caller: &mut Ctx<'_>, args: &CallArgs) -> Result<i32, Error> {
    hostio(caller, HOSTIO_INK + 3 * PTR_INK + p::EVM_API_INK)?;
    hostio(caller, 2 * p::read_ink(len64(args.calldata_len)))?;
    let gas_left = gas_left(caller)?;
    let gas_req = args.gas.cast_unsigned().min(gas_left);
    let target = read_address(caller, args.contract)?;
    let data = read(caller, args.calldata, offset(args.calldata_len))?;
    let value = match args.value {
        Some(ptr) => read_u256(caller, ptr)?,
        None => U256::ZERO,
    };
    let frame = &caller.data().request;
    if frame.is_static && !value.is_zero() {
        caller.data_mut().return_data.clear();
        write_u32(caller, args.return_data_len, 0)?;
        return Ok(2);
    }
    let shared = caller.data().shared.clone();
    let base = {
        let mut world = shared.world.borrow_mut();
        let mut base = world.access_account(target);
        if !value.is_zero() {
            base += p::CALL_VALUE_GAS;
            if world.is_empty(target) {
                base += p::NEW_ACCOUNT_GAS;
            }
        }
        base
    };
    if base > gas_left {
        buy_gas(caller, gas_left)?;
        caller.data_mut().return_data.clear();
        write_u32(caller, args.return_data_len, 0)?;
        return Ok(2);
    }
    let gas = p::call_gas(gas_left, base, gas_req, !value.is_zero());
    let frame = &caller.data().request;
    let request = match args.kind {
        CallKind::Call | CallKind::Static => CallRequest {
            caller: frame.address,
            origin: frame.origin,
            address: target,
            code_address: target,
            value,
            transfer: value,
            is_static: frame.is_static || args.kind == CallKind::Static,
            depth: frame.depth + 1,
            calldata: data,
            gas,
        },
        CallKind::Delegate => CallRequest {
            caller: frame.caller,
            origin: frame.origin,
            address: frame.address,
            code_address: target,
            value: frame.value,
            transfer: U256::ZERO,
            is_static: frame.is_static,
            depth: frame.depth + 1,
            calldata: data,
            gas,
        },
    };
    // Each nested frame recurses on the native stack (host function → new instance); grow it on
    // the heap when it runs low, so 1024 frames never overflow whatever thread runs the chain.
    let result = run_on_stack(&shared, &request);
    shared.spent.borrow_mut().evm_gas += base;
    // The callee's own costs are already in `spent`: charge the caller without counting twice.
    buy_ink(caller, (base + result.gas_used).saturating_mul(INK_PRICE))?;
    let status = if result.status == Status::Success { 0 } else { 2 };
    caller.data_mut().console.extend(result.console);
    caller.data_mut().return_data = result.output;
    let len = caller.data().return_data.len();
    write_u32(caller, args.return_data_len, len)?;
    Ok(status)
}

/// The host function for a call that carries no value (`delegate_call_contract`,
/// `static_call_contract`).
pub(super) fn no_value_call(
    kind: CallKind,
) -> impl Fn(Ctx<'_>, i32, i32, i32, i64, i32) -> Result<i32, Error> + Send + Sync + 'static {
    move |mut c, contract, calldata, calldata_len, gas, return_data_len| {
        let args =
            CallArgs { kind, contract, calldata, calldata_len, value: None, gas, return_data_len };
        nested_call(&mut c, &args)
    }
}

/// The host ABI's creation arguments.
pub(super) struct CreateArgs {
    pub(super) code: i32,
    pub(super) len: i32,
    pub(super) endowment: i32,
    pub(super) salt: Option<i32>,
    pub(super) out: i32,
    pub(super) revert_len: i32,
}

/// `create1` / `create2`: the code argument is the new program's code itself (see the crate
/// docs: no EVM runs here). Priced as Nitro's `do_create` and go-ethereum's `gasCreate` /
/// `gasCreate2` with init code that returns at once. Writes the new address, or zero on failure.
pub(super) fn create(c: &mut Ctx<'_>, args: &CreateArgs) -> Result<(), Error> {
    let pointers = if args.salt.is_some() { 4 } else { 3 };
    let len = len64(args.len);
    hostio(c, HOSTIO_INK + pointers * PTR_INK + p::EVM_API_INK + 2 * p::read_ink(len))?;
    in_static(c, "contract creation")?;
    let code = read(c, args.code, offset(args.len))?;
    let endowment = read_u256(c, args.endowment)?;
    let salt = args.salt.map(|ptr| read_word(c, ptr)).transpose()?;
    let mut base = p::CREATE_GAS;
    if salt.is_some() {
        base += p::KECCAK_WORD_GAS * len.div_ceil(32);
    }
    if gas_left(c)? < base {
        return Err(out_of_ink(c));
    }
    buy_gas(c, base)?;
    c.data_mut().return_data.clear();
    write_u32(c, args.revert_len, 0)?;
    let shared = c.data().shared.clone();
    let creator = c.data().request.address;
    let address = {
        let program = crate::wasm_from_code(&code).and_then(|wasm| shared.compile(&wasm).ok());
        let mut world = shared.world.borrow_mut();
        let address = match salt {
            None => crate::create_address(creator, world.nonce(creator)),
            Some(salt) => crate::create2_address(creator, salt, keccak256(&code)),
        };
        world.bump_nonce(creator);
        match program {
            Some(program) if world.code_hash(address).is_none() => {
                let checkpoint = world.checkpoint();
                if world.transfer(creator, address, endowment) {
                    world.set_program(address, program);
                    world.bump_nonce(address);
                    address
                } else {
                    world.revert_to(checkpoint);
                    Address::ZERO
                }
            }
            _ => Address::ZERO,
        }
    };
    write(c, args.out, address.as_slice())
}

/// Links this capability's host functions.
pub(super) fn link(l: &mut Linker<Frame>) {
    let h = "vm_hooks";
    let ok = "should define each host function once";
    l.func_wrap(
        h,
        "call_contract",
        |mut c: Ctx<'_>, contract: i32, calldata: i32, len: i32, value: i32, gas: i64, ret: i32| {
            let args = CallArgs {
                kind: CallKind::Call,
                contract,
                calldata,
                calldata_len: len,
                value: Some(value),
                gas,
                return_data_len: ret,
            };
            nested_call(&mut c, &args)
        },
    )
    .expect(ok);
    l.func_wrap(h, "delegate_call_contract", no_value_call(CallKind::Delegate)).expect(ok);
    l.func_wrap(h, "static_call_contract", no_value_call(CallKind::Static)).expect(ok);
    l.func_wrap(
        h,
        "create1",
        |mut c: Ctx<'_>, code: i32, len: i32, endowment: i32, out: i32, revert_len: i32| {
            let args = CreateArgs { code, len, endowment, salt: None, out, revert_len };
            create(&mut c, &args)
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "create2",
        |mut c: Ctx<'_>,
         code: i32,
         len: i32,
         endowment: i32,
         salt: i32,
         out: i32,
         revert_len: i32| {
            let args = CreateArgs { code, len, endowment, salt: Some(salt), out, revert_len };
            create(&mut c, &args)
        },
    )
    .expect(ok);
    l.func_wrap(h, "read_return_data", |mut c: Ctx<'_>, dest: i32, off: i32, size: i32| {
        hostio(&mut c, HOSTIO_INK + p::EVM_API_INK)?;
        let available = c.data().return_data.len().saturating_sub(offset(off));
        hostio(&mut c, p::write_ink(offset(size).min(available) as u64))?;
        let data = &c.data().return_data;
        let start = offset(off).min(data.len());
        let end = start.saturating_add(offset(size)).min(data.len());
        let slice = data[start..end].to_vec();
        if !slice.is_empty() {
            write(&mut c, dest, &slice)?;
        }
        guest_len(slice.len())
    })
    .expect(ok);
    l.func_wrap(h, "return_data_size", |mut c: Ctx<'_>| {
        hostio(&mut c, HOSTIO_INK)?;
        guest_len(c.data().return_data.len())
    })
    .expect(ok);
}
