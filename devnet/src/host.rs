//! The Stylus host ABI (`vm_hooks`, and the debug `console` module) over the [`World`], and the
//! frame runner that instantiates a program per call.

use std::{collections::HashMap, rc::Rc};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_contracts::{ecdsa::ECRECOVER, signing::ecrecover};
use wasmi::{Caller, Engine, Error, Extern, Linker, Memory, Store};

use crate::{world::Log, Shared, Status, MAX_CALL_DEPTH};

/// The host-side state of one call frame (the wasmi store's data).
pub(crate) struct Frame {
    shared: Rc<Shared>,
    request: CallRequest,
    output: Vec<u8>,
    return_data: Vec<u8>,
    /// The per-frame storage cache: slot → (value, dirty).
    cache: HashMap<U256, (B256, bool)>,
    console: Vec<String>,
}

/// What a frame is asked to run.
#[derive(Debug, Clone)]
pub(crate) struct CallRequest {
    /// `msg.sender`.
    pub(crate) caller: Address,
    /// `tx.origin`.
    pub(crate) origin: Address,
    /// The storage and `contract_address` context.
    pub(crate) address: Address,
    /// Whose program runs (differs from `address` under `delegate_call`).
    pub(crate) code_address: Address,
    /// `msg.value`.
    pub(crate) value: U256,
    /// Wei moved from `caller` to `address` on entry (zero under `delegate_call`).
    pub(crate) transfer: U256,
    /// No writes allowed.
    pub(crate) is_static: bool,
    /// 0 for the transaction's frame.
    pub(crate) depth: usize,
    /// The calldata.
    pub(crate) calldata: Vec<u8>,
    /// The gas budget (reported by `evm_gas_left`; metering is not implemented yet).
    pub(crate) gas: u64,
}

/// How a frame ended.
pub(crate) struct FrameResult {
    pub(crate) status: Status,
    pub(crate) output: Vec<u8>,
    pub(crate) failure: String,
    pub(crate) console: Vec<String>,
}

impl FrameResult {
    fn failure(reason: impl Into<String>) -> Self {
        Self {
            status: Status::Failure,
            output: Vec::new(),
            failure: reason.into(),
            console: vec![],
        }
    }
}

/// Runs one call frame: moves the value, runs the program (or succeeds empty for an account
/// without one), and undoes everything unless it succeeds.
pub(crate) fn run(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    if request.depth > MAX_CALL_DEPTH {
        return FrameResult::failure(format!("call depth over {MAX_CALL_DEPTH}"));
    }
    let checkpoint = shared.world.borrow().checkpoint();
    let moved =
        shared
            .world
            .borrow_mut()
            .transfer(request.caller, request.address, request.transfer);
    if !moved {
        return FrameResult::failure(format!(
            "{} cannot send {} wei",
            request.caller, request.transfer
        ));
    }
    if request.code_address == ECRECOVER {
        return FrameResult {
            status: Status::Success,
            output: ecrecover(&request.calldata),
            failure: String::new(),
            console: Vec::new(),
        };
    }
    let Some(program) = shared.world.borrow().program(request.code_address) else {
        // An account without a program: plain value transfer, empty success.
        return FrameResult {
            status: Status::Success,
            output: Vec::new(),
            failure: String::new(),
            console: Vec::new(),
        };
    };
    shared.world.borrow_mut().frames.push(request.address);
    let mut store = Store::new(
        &shared.engine,
        Frame {
            shared: shared.clone(),
            request: request.clone(),
            output: Vec::new(),
            return_data: Vec::new(),
            cache: HashMap::new(),
            console: Vec::new(),
        },
    );
    let ran = shared
        .linker
        .instantiate_and_start(&mut store, &program.module)
        .and_then(|instance| instance.get_typed_func::<i32, i32>(&store, "user_entrypoint"))
        .and_then(|entry| {
            let len = i32::try_from(request.calldata.len())
                .map_err(|_| Error::new("calldata over 2 GiB"))?;
            entry.call(&mut store, len)
        });
    shared.world.borrow_mut().frames.pop();
    let status = match ran {
        Ok(0) => Ok(Status::Success),
        Ok(1) => Ok(Status::Revert),
        Ok(other) => Err(format!("user_entrypoint returned status {other}")),
        Err(e) => match e.i32_exit_status() {
            Some(0) => Ok(Status::Success),
            Some(1) => Ok(Status::Revert),
            Some(other) => Err(format!("exit_early with status {other}")),
            None => Err(e.to_string()),
        },
    };
    let frame = store.into_data();
    let mut result = match status {
        Ok(status) => FrameResult {
            status,
            output: frame.output,
            failure: String::new(),
            console: frame.console,
        },
        Err(reason) => FrameResult {
            console: frame.console,
            ..FrameResult::failure(reason)
        },
    };
    if result.status == Status::Success {
        // Writes the program cached but never flushed are kept, as at a successful return.
        let dirty: Vec<(U256, B256)> = frame
            .cache
            .iter()
            .filter(|(_, (_, d))| *d)
            .map(|(k, (v, _))| (*k, *v))
            .collect();
        if !dirty.is_empty() && request.is_static {
            result = FrameResult::failure("storage write in a static call");
        } else {
            let mut world = shared.world.borrow_mut();
            for (key, value) in dirty {
                world.set_storage(request.address, key, value);
            }
        }
    }
    if result.status != Status::Success {
        shared.world.borrow_mut().revert_to(checkpoint);
        if result.status == Status::Failure {
            result.output.clear();
        }
    }
    result
}

type Ctx<'a> = Caller<'a, Frame>;

fn memory(caller: &Ctx<'_>) -> Result<Memory, Error> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::new("the program exports no memory"))
}

fn offset(ptr: i32) -> usize {
    // Guest pointers are unsigned 32-bit.
    ptr.cast_unsigned() as usize
}

fn read(caller: &Ctx<'_>, ptr: i32, len: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; len];
    memory(caller)?
        .read(caller, offset(ptr), &mut buf)
        .map_err(|_| Error::new("read out of bounds"))?;
    Ok(buf)
}

fn read_word(caller: &Ctx<'_>, ptr: i32) -> Result<B256, Error> {
    Ok(B256::from_slice(&read(caller, ptr, 32)?))
}

fn read_address(caller: &Ctx<'_>, ptr: i32) -> Result<Address, Error> {
    Ok(Address::from_slice(&read(caller, ptr, 20)?))
}

fn write(caller: &mut Ctx<'_>, ptr: i32, bytes: &[u8]) -> Result<(), Error> {
    memory(caller)?
        .write(caller, offset(ptr), bytes)
        .map_err(|_| Error::new("write out of bounds"))
}

fn write_usize(caller: &mut Ctx<'_>, ptr: i32, n: usize) -> Result<(), Error> {
    let n = u32::try_from(n).map_err(|_| Error::new("length over 4 GiB"))?;
    write(caller, ptr, &n.to_le_bytes())
}

fn guest_len(n: usize) -> Result<i32, Error> {
    i32::try_from(n).map_err(|_| Error::new("length over 2 GiB"))
}

fn in_static(caller: &Ctx<'_>, what: &str) -> Result<(), Error> {
    if caller.data().request.is_static {
        return Err(Error::new(format!("{what} in a static call")));
    }
    Ok(())
}

/// Which kind of call a host function makes.
#[derive(Clone, Copy)]
enum CallKind {
    Call,
    Delegate,
    Static,
}

fn nested_call(
    caller: &mut Ctx<'_>,
    kind: CallKind,
    contract: i32,
    calldata: i32,
    calldata_len: i32,
    value: Option<i32>,
    gas: i64,
    return_data_len: i32,
) -> Result<i32, Error> {
    let target = read_address(caller, contract)?;
    let data = read(caller, calldata, offset(calldata_len))?;
    let value = match value {
        Some(ptr) => U256::from_be_bytes(read_word(caller, ptr)?.0),
        None => U256::ZERO,
    };
    let frame = &caller.data().request;
    if !value.is_zero() && frame.is_static {
        return Err(Error::new("value transfer in a static call"));
    }
    let gas = u64::try_from(gas).unwrap_or(0).min(frame.gas);
    let request = match kind {
        CallKind::Call | CallKind::Static => CallRequest {
            caller: frame.address,
            origin: frame.origin,
            address: target,
            code_address: target,
            value,
            transfer: value,
            is_static: frame.is_static || matches!(kind, CallKind::Static),
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
    let shared = caller.data().shared.clone();
    // Each nested frame recurses on the native stack (host function → new instance); grow it on
    // the heap when it runs low, so 1024 frames never overflow whatever thread runs the chain.
    let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || run(&shared, &request));
    let status = i32::from(result.status != Status::Success);
    caller.data_mut().console.extend(result.console);
    caller.data_mut().return_data = result.output;
    let len = caller.data().return_data.len();
    write_usize(caller, return_data_len, len)?;
    Ok(status)
}

fn math(caller: &mut Ctx<'_>, ptrs: &[i32], f: impl Fn(&[U256]) -> U256) -> Result<(), Error> {
    let mut values = Vec::with_capacity(ptrs.len());
    for &p in ptrs {
        values.push(U256::from_be_bytes(read_word(caller, p)?.0));
    }
    write(caller, ptrs[0], &f(&values).to_be_bytes::<32>())
}

/// The linker with every `vm_hooks` import Nitro provides and the debug `console` module.
#[allow(clippy::too_many_lines)]
pub(crate) fn linker(engine: &Engine) -> Linker<Frame> {
    let mut l = Linker::<Frame>::new(engine);
    let h = "vm_hooks";
    let ok = "should define each host function once";

    l.func_wrap(h, "read_args", |mut c: Ctx<'_>, dest: i32| {
        let args = c.data().request.calldata.clone();
        write(&mut c, dest, &args)
    })
    .expect(ok);
    l.func_wrap(h, "write_result", |mut c: Ctx<'_>, ptr: i32, len: i32| {
        let out = read(&c, ptr, offset(len))?;
        c.data_mut().output = out;
        Ok(())
    })
    .expect(ok);
    l.func_wrap(
        h,
        "exit_early",
        |_: Ctx<'_>, status: i32| -> Result<(), Error> { Err(Error::i32_exit(status)) },
    )
    .expect(ok);

    l.func_wrap(
        h,
        "storage_load_bytes32",
        |mut c: Ctx<'_>, key: i32, dest: i32| {
            let key = U256::from_be_bytes(read_word(&c, key)?.0);
            let value = match c.data().cache.get(&key) {
                Some((value, _)) => *value,
                None => {
                    let frame = c.data();
                    let value = frame
                        .shared
                        .world
                        .borrow()
                        .storage(frame.request.address, key);
                    c.data_mut().cache.insert(key, (value, false));
                    value
                }
            };
            write(&mut c, dest, value.as_slice())
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "storage_cache_bytes32",
        |mut c: Ctx<'_>, key: i32, value: i32| {
            let key = U256::from_be_bytes(read_word(&c, key)?.0);
            let value = read_word(&c, value)?;
            c.data_mut().cache.insert(key, (value, true));
            Ok(())
        },
    )
    .expect(ok);
    l.func_wrap(h, "storage_flush_cache", |mut c: Ctx<'_>, clear: i32| {
        let frame = c.data_mut();
        let dirty: Vec<(U256, B256)> = frame
            .cache
            .iter()
            .filter(|(_, (_, d))| *d)
            .map(|(k, (v, _))| (*k, *v))
            .collect();
        if !dirty.is_empty() && frame.request.is_static {
            return Err(Error::new("storage write in a static call"));
        }
        {
            let mut world = frame.shared.world.borrow_mut();
            for (key, value) in &dirty {
                world.set_storage(frame.request.address, *key, *value);
            }
        }
        if clear == 0 {
            for entry in frame.cache.values_mut() {
                entry.1 = false;
            }
        } else {
            frame.cache.clear();
        }
        Ok(())
    })
    .expect(ok);
    l.func_wrap(
        h,
        "transient_load_bytes32",
        |mut c: Ctx<'_>, key: i32, dest: i32| {
            let key = U256::from_be_bytes(read_word(&c, key)?.0);
            let frame = c.data();
            let value = frame
                .shared
                .world
                .borrow()
                .transient(frame.request.address, key);
            write(&mut c, dest, value.as_slice())
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "transient_store_bytes32",
        |c: Ctx<'_>, key: i32, value: i32| {
            in_static(&c, "transient storage write")?;
            let key = U256::from_be_bytes(read_word(&c, key)?.0);
            let value = read_word(&c, value)?;
            let frame = c.data();
            frame
                .shared
                .world
                .borrow_mut()
                .set_transient(frame.request.address, key, value);
            Ok(())
        },
    )
    .expect(ok);

    l.func_wrap(
        h,
        "call_contract",
        |mut c: Ctx<'_>, to: i32, data: i32, len: i32, value: i32, gas: i64, ret: i32| {
            nested_call(&mut c, CallKind::Call, to, data, len, Some(value), gas, ret)
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "delegate_call_contract",
        |mut c: Ctx<'_>, to: i32, data: i32, len: i32, gas: i64, ret: i32| {
            nested_call(&mut c, CallKind::Delegate, to, data, len, None, gas, ret)
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "static_call_contract",
        |mut c: Ctx<'_>, to: i32, data: i32, len: i32, gas: i64, ret: i32| {
            nested_call(&mut c, CallKind::Static, to, data, len, None, gas, ret)
        },
    )
    .expect(ok);
    // Stylus deploys from EVM init code, which this chain does not run: creation fails (zero
    // address, no revert data).
    l.func_wrap(
        h,
        "create1",
        |mut c: Ctx<'_>, _code: i32, _len: i32, _endowment: i32, out: i32, revert_len: i32| {
            in_static(&c, "contract creation")?;
            write(&mut c, out, Address::ZERO.as_slice())?;
            write_usize(&mut c, revert_len, 0)
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "create2",
        |mut c: Ctx<'_>,
         _code: i32,
         _len: i32,
         _endowment: i32,
         _salt: i32,
         out: i32,
         revert_len: i32| {
            in_static(&c, "contract creation")?;
            write(&mut c, out, Address::ZERO.as_slice())?;
            write_usize(&mut c, revert_len, 0)
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "read_return_data",
        |mut c: Ctx<'_>, dest: i32, off: i32, size: i32| {
            let data = &c.data().return_data;
            let start = offset(off).min(data.len());
            let end = start.saturating_add(offset(size)).min(data.len());
            let slice = data[start..end].to_vec();
            write(&mut c, dest, &slice)?;
            guest_len(slice.len())
        },
    )
    .expect(ok);
    l.func_wrap(h, "return_data_size", |c: Ctx<'_>| {
        guest_len(c.data().return_data.len())
    })
    .expect(ok);

    l.func_wrap(
        h,
        "emit_log",
        |c: Ctx<'_>, data: i32, len: i32, topics: i32| {
            in_static(&c, "log")?;
            let topics = offset(topics);
            if topics > 4 {
                return Err(Error::new(format!("{topics} log topics, at most 4")));
            }
            let bytes = read(&c, data, offset(len))?;
            if bytes.len() < topics * 32 {
                return Err(Error::new("log shorter than its topics"));
            }
            let frame = c.data();
            frame.shared.world.borrow_mut().push_log(Log {
                address: frame.request.address,
                topics: bytes[..topics * 32]
                    .chunks(32)
                    .map(B256::from_slice)
                    .collect(),
                data: bytes[topics * 32..].to_vec(),
            });
            Ok(())
        },
    )
    .expect(ok);

    l.func_wrap(
        h,
        "account_balance",
        |mut c: Ctx<'_>, address: i32, dest: i32| {
            let who = read_address(&c, address)?;
            let balance = c.data().shared.world.borrow().balance(who);
            write(&mut c, dest, &balance.to_be_bytes::<32>())
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "account_codehash",
        |mut c: Ctx<'_>, address: i32, dest: i32| {
            let who = read_address(&c, address)?;
            let hash = code(&c, who).map_or(B256::ZERO, keccak256);
            write(&mut c, dest, hash.as_slice())
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "account_code",
        |mut c: Ctx<'_>, address: i32, off: i32, size: i32, dest: i32| {
            let who = read_address(&c, address)?;
            let code = code(&c, who).unwrap_or_default();
            let start = offset(off).min(code.len());
            let end = start.saturating_add(offset(size)).min(code.len());
            write(&mut c, dest, &code[start..end])?;
            guest_len(end - start)
        },
    )
    .expect(ok);
    l.func_wrap(h, "account_code_size", |c: Ctx<'_>, address: i32| {
        let who = read_address(&c, address)?;
        guest_len(code(&c, who).map_or(0, |code| code.len()))
    })
    .expect(ok);

    l.func_wrap(h, "block_basefee", |mut c: Ctx<'_>, dest: i32| {
        let fee = c.data().shared.world.borrow().block.basefee;
        write(&mut c, dest, &fee.to_be_bytes::<32>())
    })
    .expect(ok);
    l.func_wrap(h, "block_coinbase", |mut c: Ctx<'_>, dest: i32| {
        let coinbase = c.data().shared.world.borrow().block.coinbase;
        write(&mut c, dest, coinbase.as_slice())
    })
    .expect(ok);
    l.func_wrap(h, "block_gas_limit", |c: Ctx<'_>| {
        block_u64(&c, |b| b.gas_limit)
    })
    .expect(ok);
    l.func_wrap(h, "block_number", |c: Ctx<'_>| block_u64(&c, |b| b.number))
        .expect(ok);
    l.func_wrap(h, "block_timestamp", |c: Ctx<'_>| {
        block_u64(&c, |b| b.timestamp)
    })
    .expect(ok);
    l.func_wrap(h, "chainid", |c: Ctx<'_>| block_u64(&c, |b| b.chain_id))
        .expect(ok);
    l.func_wrap(h, "tx_gas_price", |mut c: Ctx<'_>, dest: i32| {
        let price = c.data().shared.world.borrow().block.gas_price;
        write(&mut c, dest, &price.to_be_bytes::<32>())
    })
    .expect(ok);

    l.func_wrap(h, "contract_address", |mut c: Ctx<'_>, dest: i32| {
        let address = c.data().request.address;
        write(&mut c, dest, address.as_slice())
    })
    .expect(ok);
    l.func_wrap(h, "msg_sender", |mut c: Ctx<'_>, dest: i32| {
        let sender = c.data().request.caller;
        write(&mut c, dest, sender.as_slice())
    })
    .expect(ok);
    l.func_wrap(h, "tx_origin", |mut c: Ctx<'_>, dest: i32| {
        let origin = c.data().request.origin;
        write(&mut c, dest, origin.as_slice())
    })
    .expect(ok);
    l.func_wrap(h, "msg_value", |mut c: Ctx<'_>, dest: i32| {
        let value = c.data().request.value;
        write(&mut c, dest, &value.to_be_bytes::<32>())
    })
    .expect(ok);
    l.func_wrap(h, "msg_reentrant", |c: Ctx<'_>| {
        let frame = c.data();
        let open = frame
            .shared
            .world
            .borrow()
            .frames
            .iter()
            .filter(|a| **a == frame.request.address)
            .count();
        i32::from(open > 1)
    })
    .expect(ok);

    l.func_wrap(
        h,
        "native_keccak256",
        |mut c: Ctx<'_>, data: i32, len: i32, out: i32| {
            let bytes = read(&c, data, offset(len))?;
            write(&mut c, out, keccak256(bytes).as_slice())
        },
    )
    .expect(ok);

    // Gas is not metered yet: both report the frame's budget in its unit.
    l.func_wrap(h, "evm_gas_left", |c: Ctx<'_>| {
        c.data().request.gas.cast_signed()
    })
    .expect(ok);
    l.func_wrap(h, "evm_ink_left", |c: Ctx<'_>| {
        c.data()
            .request
            .gas
            .saturating_mul(u64::from(INK_PRICE))
            .cast_signed()
    })
    .expect(ok);
    l.func_wrap(h, "tx_ink_price", |_: Ctx<'_>| INK_PRICE.cast_signed())
        .expect(ok);
    l.func_wrap(h, "pay_for_memory_grow", |_: Ctx<'_>, _pages: i32| {})
        .expect(ok);

    l.func_wrap(h, "math_div", |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, &[a, b], |v| {
            v[0].checked_div(v[1]).unwrap_or_default()
        })
    })
    .expect(ok);
    l.func_wrap(h, "math_mod", |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, &[a, b], |v| {
            v[0].checked_rem(v[1]).unwrap_or_default()
        })
    })
    .expect(ok);
    l.func_wrap(h, "math_pow", |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, &[a, b], |v| v[0].wrapping_pow(v[1]))
    })
    .expect(ok);
    l.func_wrap(
        h,
        "math_add_mod",
        |mut c: Ctx<'_>, a: i32, b: i32, m: i32| {
            math(&mut c, &[a, b, m], |v| v[0].add_mod(v[1], v[2]))
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "math_mul_mod",
        |mut c: Ctx<'_>, a: i32, b: i32, m: i32| {
            math(&mut c, &[a, b, m], |v| v[0].mul_mod(v[1], v[2]))
        },
    )
    .expect(ok);

    // Debug builds only (the validator refuses them for deployment).
    l.func_wrap(
        "console",
        "log_txt",
        |mut c: Ctx<'_>, ptr: i32, len: i32| {
            let text = String::from_utf8_lossy(&read(&c, ptr, offset(len))?).into_owned();
            c.data_mut().console.push(text);
            Ok(())
        },
    )
    .expect(ok);
    l.func_wrap("console", "log_i32", |mut c: Ctx<'_>, v: i32| {
        c.data_mut().console.push(v.to_string())
    })
    .expect(ok);
    l.func_wrap("console", "log_i64", |mut c: Ctx<'_>, v: i64| {
        c.data_mut().console.push(v.to_string())
    })
    .expect(ok);
    l
}

/// Native stack left below which a nested call gets a fresh stack segment.
const STACK_RED_ZONE: usize = 256 * 1024;
/// Size of each fresh stack segment.
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// Ink per gas (Nitro's default ink price).
pub(crate) const INK_PRICE: u32 = 10_000;

fn block_u64(c: &Ctx<'_>, f: impl Fn(&crate::Block) -> u64) -> i64 {
    f(&c.data().shared.world.borrow().block).cast_signed()
}

fn code(c: &Ctx<'_>, who: Address) -> Option<Vec<u8>> {
    c.data()
        .shared
        .world
        .borrow()
        .program(who)
        .map(|p| p.code.clone())
}
