//! The Stylus host ABI (`vm_hooks`, and the debug `console` module) over the [`World`], with
//! Nitro's prices ([`crate::pricing`]), and the frame runner that instantiates a program per call.
//!
//! Each host function charges exactly what Nitro's `user-host-trait` charges: its host-I/O ink,
//! the byte costs of what it copies, and the EVM gas of what it does (storage, logs, accounts,
//! calls, pages), in the same order and with the same "gas must be available" checks.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_contracts::{ecdsa::ECRECOVER, signing::ecrecover};
use wasmi::{Caller, Engine, Error, Extern, Global, Instance, Linker, Memory, Store, Val};

use crate::{
    instrument::{INK_LEFT, INK_STATUS},
    pricing::{self as p, HOSTIO_INK, INK_PRICE, PTR_INK},
    world::Log,
    Shared, Status, MAX_CALL_DEPTH,
};

/// Gas spent across a transaction's frames, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Spent {
    /// Program entry (memory model for the footprint + init costs).
    pub(crate) entry_gas: u64,
    /// Host-I/O ink (base costs and byte copies).
    pub(crate) hostio_ink: u64,
    /// EVM gas: storage, logs, account access, call base costs, pages, precompiles.
    pub(crate) evm_gas: u64,
    /// Ink of the instrumented code itself.
    pub(crate) compute_ink: u64,
}

/// One storage-cache slot: the value the program sees, and the value in the world if known.
#[derive(Debug, Clone, Copy)]
struct Slot {
    value: B256,
    known: Option<B256>,
}

/// The host-side state of one call frame (the wasmi store's data).
pub(crate) struct Frame {
    shared: Rc<Shared>,
    request: CallRequest,
    output: Vec<u8>,
    return_data: Vec<u8>,
    cache: HashMap<U256, Slot>,
    reads: u64,
    writes: u64,
    console: Vec<String>,
    /// Ink this frame bought through host functions (everything not compute).
    bought_ink: u64,
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
    /// The gas budget.
    pub(crate) gas: u64,
}

/// How a frame ended.
pub(crate) struct FrameResult {
    pub(crate) status: Status,
    pub(crate) output: Vec<u8>,
    pub(crate) failure: String,
    pub(crate) console: Vec<String>,
    /// Gas used, callees included (all of it on failure).
    pub(crate) gas_used: u64,
}

impl FrameResult {
    fn failure(reason: impl Into<String>, gas_used: u64) -> Self {
        Self {
            status: Status::Failure,
            output: Vec::new(),
            failure: reason.into(),
            console: vec![],
            gas_used,
        }
    }

    fn success(output: Vec<u8>, gas_used: u64) -> Self {
        Self {
            status: Status::Success,
            output,
            failure: String::new(),
            console: vec![],
            gas_used,
        }
    }
}

fn instance_global(instance: Instance, store: &Store<Frame>, name: &str) -> Result<Global, Error> {
    instance
        .get_global(store, name)
        .ok_or_else(|| Error::new(format!("the program was not instrumented ({name})")))
}

fn wasm_error(e: impl std::fmt::Display) -> Error {
    Error::new(e.to_string())
}

/// Runs one call frame: moves the value, prices the entry, runs the program (or answers for a
/// precompile or an account without a program), and undoes everything unless it succeeds.
// One sequential procedure (entry, execution, outcome, write-back); splitting it would scatter
// the frame's invariants.
#[allow(clippy::too_many_lines)]
pub(crate) fn run(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    if request.depth > MAX_CALL_DEPTH {
        return FrameResult::failure(format!("call depth over {MAX_CALL_DEPTH}"), request.gas);
    }
    let checkpoint = shared.world.borrow().checkpoint();
    let moved =
        shared
            .world
            .borrow_mut()
            .transfer(request.caller, request.address, request.transfer);
    if !moved {
        return FrameResult::failure(
            format!("{} cannot send {} wei", request.caller, request.transfer),
            request.gas,
        );
    }
    if request.code_address == ECRECOVER {
        if request.gas < p::ECRECOVER_GAS {
            shared.world.borrow_mut().revert_to(checkpoint);
            return FrameResult::failure("out of gas", request.gas);
        }
        shared.spent.borrow_mut().evm_gas += p::ECRECOVER_GAS;
        return FrameResult::success(ecrecover(&request.calldata), p::ECRECOVER_GAS);
    }
    let Some(program) = shared.world.borrow().program(request.code_address) else {
        // An account without a program: plain value transfer, empty success.
        return FrameResult::success(Vec::new(), 0);
    };

    // Entry: the memory model for the footprint, then the init costs.
    let (entry_gas, pages_before) = {
        let mut world = shared.world.borrow_mut();
        let footprint = program.shape.footprint;
        let (open, ever) = (world.tx.pages_open, world.tx.pages_ever);
        let memory = p::memory_gas(footprint, open, ever);
        world.tx.pages_open = open.saturating_add(footprint);
        world.tx.pages_ever = ever.max(world.tx.pages_open);
        let cached = world.cached.contains(&request.code_address);
        (memory.saturating_add(program.shape.entry_gas(cached)), open)
    };
    let restore_pages = || shared.world.borrow_mut().tx.pages_open = pages_before;
    if entry_gas > request.gas {
        restore_pages();
        shared.world.borrow_mut().revert_to(checkpoint);
        return FrameResult::failure("out of gas at entry", request.gas);
    }
    shared.spent.borrow_mut().entry_gas += entry_gas;

    shared.world.borrow_mut().frames.push(request.address);
    let mut store = Store::new(
        &shared.engine,
        Frame {
            shared: shared.clone(),
            request: request.clone(),
            output: Vec::new(),
            return_data: Vec::new(),
            cache: HashMap::new(),
            reads: 0,
            writes: 0,
            console: Vec::new(),
            bought_ink: 0,
        },
    );
    let budget_ink = (request.gas - entry_gas).saturating_mul(INK_PRICE);
    let mut meter: Option<(Global, Global)> = None;
    let ran = shared
        .linker
        .instantiate_and_start(&mut store, &program.module)
        .and_then(|instance| {
            let ink = instance_global(instance, &store, INK_LEFT)?;
            let status = instance_global(instance, &store, INK_STATUS)?;
            ink.set(&mut store, Val::I64(budget_ink.cast_signed()))
                .map_err(wasm_error)?;
            meter = Some((ink, status));
            let entry = instance.get_typed_func::<i32, i32>(&store, "user_entrypoint")?;
            let len = i32::try_from(request.calldata.len())
                .map_err(|_| Error::new("calldata over 2 GiB"))?;
            entry.call(&mut store, len)
        });
    shared.world.borrow_mut().frames.pop();
    restore_pages();

    let (ink_left, out_of_ink) = meter.map_or((budget_ink, false), |(ink, status)| {
        (
            ink.get(&store).i64().map_or(0, i64::cast_unsigned),
            status.get(&store).i32() == Some(1),
        )
    });
    let outcome = match ran {
        _ if out_of_ink => Err("out of ink".to_owned()),
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
    let burned = if outcome.is_ok() {
        budget_ink.saturating_sub(ink_left)
    } else {
        budget_ink
    };
    shared.spent.borrow_mut().compute_ink += burned.saturating_sub(frame.bought_ink);
    let mut result = match outcome {
        Ok(status) => {
            // Gas left is what the ink left buys, capped so that returned data costs at least
            // its EVM memory expansion.
            let used = request.gas - ink_left / INK_PRICE;
            let floor = p::evm_memory_gas(frame.output.len() as u64);
            FrameResult {
                status,
                gas_used: used.max(floor).min(request.gas),
                output: frame.output,
                failure: String::new(),
                console: frame.console,
            }
        }
        // Traps and running out consume the whole budget, as the EVM's exceptional halts do.
        Err(reason) => FrameResult {
            console: frame.console,
            ..FrameResult::failure(reason, request.gas)
        },
    };
    if result.status == Status::Success {
        // Writes the program cached but never flushed are kept, as at a successful return.
        let dirty: Vec<(U256, B256)> = frame
            .cache
            .iter()
            .filter(|(_, s)| s.known != Some(s.value))
            .map(|(k, s)| (*k, s.value))
            .collect();
        if !dirty.is_empty() && request.is_static {
            result = FrameResult::failure("storage write in a static call", request.gas);
        } else {
            let mut world = shared.world.borrow_mut();
            for (key, value) in dirty {
                world.set_storage(request.address, key, value);
            }
        }
    }
    if result.status != Status::Success {
        shared.world.borrow_mut().revert_to(checkpoint);
    }
    result
}

type Ctx<'a> = Caller<'a, Frame>;

fn meter_global(caller: &Ctx<'_>, name: &str) -> Result<Global, Error> {
    caller
        .get_export(name)
        .and_then(Extern::into_global)
        .ok_or_else(|| Error::new(format!("the program was not instrumented ({name})")))
}

fn ink_left(caller: &Ctx<'_>) -> Result<u64, Error> {
    Ok(meter_global(caller, INK_LEFT)?
        .get(caller)
        .i64()
        .map_or(0, i64::cast_unsigned))
}

fn gas_left(caller: &Ctx<'_>) -> Result<u64, Error> {
    Ok(ink_left(caller)? / INK_PRICE)
}

fn out_of_ink(caller: &mut Ctx<'_>) -> Error {
    if let Ok(status) = meter_global(caller, INK_STATUS) {
        let _ = status.set(&mut *caller, Val::I32(1));
    }
    Error::new("out of ink")
}

/// Charges `ink`, or marks the frame out of ink and traps.
fn buy_ink(caller: &mut Ctx<'_>, ink: u64) -> Result<(), Error> {
    let left = ink_left(caller)?;
    if left < ink {
        return Err(out_of_ink(caller));
    }
    caller.data_mut().bought_ink += ink;
    meter_global(caller, INK_LEFT)?
        .set(caller, Val::I64((left - ink).cast_signed()))
        .map_err(wasm_error)
}

/// Host-I/O ink.
fn hostio(caller: &mut Ctx<'_>, ink: u64) -> Result<(), Error> {
    buy_ink(caller, ink)?;
    caller.data().shared.spent.borrow_mut().hostio_ink += ink;
    Ok(())
}

/// EVM gas.
fn buy_gas(caller: &mut Ctx<'_>, gas: u64) -> Result<(), Error> {
    buy_ink(caller, gas.saturating_mul(INK_PRICE))?;
    caller.data().shared.spent.borrow_mut().evm_gas += gas;
    Ok(())
}

/// Checks that `gas` is available without spending it.
fn require_gas(caller: &mut Ctx<'_>, gas: u64) -> Result<(), Error> {
    if ink_left(caller)? < gas.saturating_mul(INK_PRICE) {
        return Err(out_of_ink(caller));
    }
    Ok(())
}

fn memory(caller: &Ctx<'_>) -> Result<Memory, Error> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::new("the program exports no memory"))
}

fn offset(ptr: i32) -> usize {
    ptr.cast_unsigned() as usize
}

fn len64(len: i32) -> u64 {
    u64::from(len.cast_unsigned())
}

fn read(caller: &Ctx<'_>, ptr: i32, len: usize) -> Result<Vec<u8>, Error> {
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

fn read_word(caller: &Ctx<'_>, ptr: i32) -> Result<B256, Error> {
    Ok(B256::from_slice(&read(caller, ptr, 32)?))
}

fn read_u256(caller: &Ctx<'_>, ptr: i32) -> Result<U256, Error> {
    Ok(U256::from_be_bytes(read_word(caller, ptr)?.0))
}

fn read_address(caller: &Ctx<'_>, ptr: i32) -> Result<Address, Error> {
    Ok(Address::from_slice(&read(caller, ptr, 20)?))
}

fn write(caller: &mut Ctx<'_>, ptr: i32, bytes: &[u8]) -> Result<(), Error> {
    memory(caller)?
        .write(caller, offset(ptr), bytes)
        .map_err(|_| Error::new("write out of bounds"))
}

fn write_u32(caller: &mut Ctx<'_>, ptr: i32, n: usize) -> Result<(), Error> {
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
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Call,
    Delegate,
    Static,
}

/// The host ABI's call arguments.
struct CallArgs {
    kind: CallKind,
    contract: i32,
    calldata: i32,
    calldata_len: i32,
    value: Option<i32>,
    gas: i64,
    return_data_len: i32,
}

/// `call_contract` / `delegate_call_contract` / `static_call_contract`, priced as Nitro's
/// `do_call` and go-ethereum's `WasmCallCost`: access (2,600 cold / 100 warm), value (9,000, and
/// 25,000 to an empty account), 63/64 of what is left after that, the 2,300 stipend with value,
/// and the callee's gas. Returns 0 on success, 2 otherwise (Nitro's `UserOutcomeKind`).
fn nested_call(caller: &mut Ctx<'_>, args: &CallArgs) -> Result<i32, Error> {
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
    let status = if result.status == Status::Success {
        0
    } else {
        2
    };
    caller.data_mut().console.extend(result.console);
    caller.data_mut().return_data = result.output;
    let len = caller.data().return_data.len();
    write_u32(caller, args.return_data_len, len)?;
    Ok(status)
}

/// The host function for a call that carries no value (`delegate_call_contract`,
/// `static_call_contract`).
fn no_value_call(
    kind: CallKind,
) -> impl Fn(Ctx<'_>, i32, i32, i32, i64, i32) -> Result<i32, Error> + Send + Sync + 'static {
    move |mut c, contract, calldata, calldata_len, gas, return_data_len| {
        let args = CallArgs {
            kind,
            contract,
            calldata,
            calldata_len,
            value: None,
            gas,
            return_data_len,
        };
        nested_call(&mut c, &args)
    }
}

/// The host ABI's creation arguments.
struct CreateArgs {
    code: i32,
    len: i32,
    endowment: i32,
    salt: Option<i32>,
    out: i32,
    revert_len: i32,
}

/// `create1` / `create2`: the code argument is the new program's code itself (see the crate
/// docs: no EVM runs here). Priced as Nitro's `do_create` and go-ethereum's `gasCreate` /
/// `gasCreate2` with init code that returns at once. Writes the new address, or zero on failure.
fn create(c: &mut Ctx<'_>, args: &CreateArgs) -> Result<(), Error> {
    let pointers = if args.salt.is_some() { 4 } else { 3 };
    let len = len64(args.len);
    hostio(
        c,
        HOSTIO_INK + pointers * PTR_INK + p::EVM_API_INK + 2 * p::read_ink(len),
    )?;
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
            Some(program) if world.program(address).is_none() => {
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

/// [`run`] with at least [`STACK_RED_ZONE`] of native stack: every frame, the outermost too, runs
/// on a fresh heap-allocated segment when the current stack runs low, so whatever thread runs
/// the chain (a 2 MiB test thread, unoptimised) never overflows.
pub(crate) fn run_on_stack(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || run(shared, request))
}

/// Native stack left below which a nested call gets a fresh stack segment.
const STACK_RED_ZONE: usize = 1024 * 1024;
/// Size of each fresh stack segment.
const STACK_SEGMENT: usize = 8 * 1024 * 1024;

fn math(
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

fn write_word_from<F>(mut c: Ctx<'_>, dest: i32, f: F) -> Result<(), Error>
where
    F: FnOnce(&Frame) -> [u8; 32],
{
    hostio(&mut c, HOSTIO_INK + PTR_INK)?;
    let word = f(c.data());
    write(&mut c, dest, &word)
}

fn write_address_from<F>(mut c: Ctx<'_>, dest: i32, f: F) -> Result<(), Error>
where
    F: FnOnce(&Frame) -> Address,
{
    hostio(&mut c, HOSTIO_INK + PTR_INK)?;
    let address = f(c.data());
    write(&mut c, dest, address.as_slice())
}

fn block_u64(mut c: Ctx<'_>, f: impl Fn(&crate::Block) -> u64) -> Result<i64, Error> {
    hostio(&mut c, HOSTIO_INK)?;
    Ok(f(&c.data().shared.world.borrow().block).cast_signed())
}

fn code(c: &Ctx<'_>, who: Address) -> Vec<u8> {
    c.data()
        .shared
        .world
        .borrow()
        .program(who)
        .map(|p| p.code.clone())
        .unwrap_or_default()
}

/// Account access (balance, code hash, code): host ink, the 2,600 that must be available, and
/// the EIP-2929 access cost.
fn touch_account(c: &mut Ctx<'_>, ink: u64, who: Address) -> Result<(), Error> {
    hostio(c, ink)?;
    require_gas(c, p::COLD_ACCOUNT_GAS)?;
    let cost = c.data().shared.world.borrow_mut().access_account(who);
    buy_gas(c, cost)
}

/// The linker with every `vm_hooks` import Nitro provides and the debug `console` module.
#[allow(clippy::too_many_lines)]
pub(crate) fn linker(engine: &Engine) -> Linker<Frame> {
    let mut l = Linker::<Frame>::new(engine);
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
            hostio(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
            require_gas(
                &mut c,
                p::COLD_SLOAD_GAS + p::REQUIRED_ACCESS_GAS + p::EVM_API_GAS,
            )?;
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
                frame.cache.insert(
                    key,
                    Slot {
                        value,
                        known: Some(value),
                    },
                );
                value
            };
            buy_gas(&mut c, cost)?;
            write(&mut c, dest, value.as_slice())
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "storage_cache_bytes32",
        |mut c: Ctx<'_>, key: i32, value: i32| {
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
        },
    )
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
    l.func_wrap(
        h,
        "transient_load_bytes32",
        |mut c: Ctx<'_>, key: i32, dest: i32| {
            hostio(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK)?;
            buy_gas(&mut c, p::TRANSIENT_GAS)?;
            let key = read_u256(&c, key)?;
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
        |mut c: Ctx<'_>, key: i32, value: i32| {
            hostio(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK)?;
            buy_gas(&mut c, p::TRANSIENT_GAS)?;
            let key = read_u256(&c, key)?;
            let value = read_word(&c, value)?;
            in_static(&c, "transient storage write")?;
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
    l.func_wrap(
        h,
        "delegate_call_contract",
        no_value_call(CallKind::Delegate),
    )
    .expect(ok);
    l.func_wrap(h, "static_call_contract", no_value_call(CallKind::Static))
        .expect(ok);
    l.func_wrap(
        h,
        "create1",
        |mut c: Ctx<'_>, code: i32, len: i32, endowment: i32, out: i32, revert_len: i32| {
            let args = CreateArgs {
                code,
                len,
                endowment,
                salt: None,
                out,
                revert_len,
            };
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
            let args = CreateArgs {
                code,
                len,
                endowment,
                salt: Some(salt),
                out,
                revert_len,
            };
            create(&mut c, &args)
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "read_return_data",
        |mut c: Ctx<'_>, dest: i32, off: i32, size: i32| {
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
        },
    )
    .expect(ok);
    l.func_wrap(h, "return_data_size", |mut c: Ctx<'_>| {
        hostio(&mut c, HOSTIO_INK)?;
        guest_len(c.data().return_data.len())
    })
    .expect(ok);

    l.func_wrap(
        h,
        "emit_log",
        |mut c: Ctx<'_>, data: i32, len: i32, topics: i32| {
            hostio(&mut c, HOSTIO_INK + p::EVM_API_INK)?;
            let (topics, len) = (len64(topics), len64(len));
            if topics > 4 || len < topics * 32 {
                return Err(Error::new("bad topic data"));
            }
            hostio(&mut c, p::read_ink(len))?;
            buy_gas(
                &mut c,
                p::LOG_TOPIC_GAS * (1 + topics) + p::LOG_DATA_GAS * (len - topics * 32),
            )?;
            let bytes = read(
                &c,
                data,
                usize::try_from(len).expect("should fit in memory"),
            )?;
            in_static(&c, "log")?;
            let split = usize::try_from(topics * 32).expect("should be at most 128");
            let frame = c.data();
            frame.shared.world.borrow_mut().push_log(Log {
                address: frame.request.address,
                topics: bytes[..split].chunks(32).map(B256::from_slice).collect(),
                data: bytes[split..].to_vec(),
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
            touch_account(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK, who)?;
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
            touch_account(&mut c, HOSTIO_INK + 2 * PTR_INK + p::EVM_API_INK, who)?;
            let code = code(&c, who);
            let empty = c.data().shared.world.borrow().is_empty(who);
            let hash = if empty { B256::ZERO } else { keccak256(&code) };
            write(&mut c, dest, hash.as_slice())
        },
    )
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
        write_word_from(c, dest, |f| {
            f.shared.world.borrow().block.basefee.to_be_bytes()
        })
    })
    .expect(ok);
    l.func_wrap(h, "block_coinbase", |c: Ctx<'_>, dest: i32| {
        write_address_from(c, dest, |f| f.shared.world.borrow().block.coinbase)
    })
    .expect(ok);
    l.func_wrap(h, "tx_gas_price", |c: Ctx<'_>, dest: i32| {
        write_word_from(c, dest, |f| {
            f.shared.world.borrow().block.gas_price.to_be_bytes()
        })
    })
    .expect(ok);
    l.func_wrap(h, "block_gas_limit", |c: Ctx<'_>| {
        block_u64(c, |b| b.gas_limit)
    })
    .expect(ok);
    l.func_wrap(h, "block_number", |c: Ctx<'_>| block_u64(c, |b| b.number))
        .expect(ok);
    l.func_wrap(h, "block_timestamp", |c: Ctx<'_>| {
        block_u64(c, |b| b.timestamp)
    })
    .expect(ok);
    l.func_wrap(h, "chainid", |c: Ctx<'_>| block_u64(c, |b| b.chain_id))
        .expect(ok);

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

    l.func_wrap(
        h,
        "native_keccak256",
        |mut c: Ctx<'_>, data: i32, len: i32, out: i32| {
            hostio(&mut c, p::keccak_ink(len64(len)))?;
            let bytes = read(&c, data, offset(len))?;
            write(&mut c, out, keccak256(bytes).as_slice())
        },
    )
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

    let div = HOSTIO_INK + 3 * PTR_INK + p::DIV_INK;
    l.func_wrap(h, "math_div", move |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, div, &[a, b], |v| {
            v[0].checked_div(v[1]).unwrap_or_default()
        })
    })
    .expect(ok);
    l.func_wrap(h, "math_mod", move |mut c: Ctx<'_>, a: i32, b: i32| {
        math(&mut c, div, &[a, b], |v| {
            v[0].checked_rem(v[1]).unwrap_or_default()
        })
    })
    .expect(ok);
    l.func_wrap(h, "math_pow", |mut c: Ctx<'_>, a: i32, b: i32| {
        let exponent = read_u256(&c, b)?;
        let bytes = u64::try_from(exponent.bit_len().div_ceil(8)).unwrap_or(32);
        let ink = HOSTIO_INK + 3 * PTR_INK + p::POW_BASE_INK + p::POW_BYTE_INK * bytes;
        math(&mut c, ink, &[a, b], |v| v[0].wrapping_pow(v[1]))
    })
    .expect(ok);
    l.func_wrap(
        h,
        "math_add_mod",
        |mut c: Ctx<'_>, a: i32, b: i32, m: i32| {
            math(
                &mut c,
                HOSTIO_INK + 4 * PTR_INK + p::ADD_MOD_INK,
                &[a, b, m],
                |v| v[0].add_mod(v[1], v[2]),
            )
        },
    )
    .expect(ok);
    l.func_wrap(
        h,
        "math_mul_mod",
        |mut c: Ctx<'_>, a: i32, b: i32, m: i32| {
            math(
                &mut c,
                HOSTIO_INK + 4 * PTR_INK + p::MUL_MOD_INK,
                &[a, b, m],
                |v| v[0].mul_mod(v[1], v[2]),
            )
        },
    )
    .expect(ok);

    // Debug builds only (the validator refuses them for deployment); free.
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
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l.func_wrap("console", "log_i64", |mut c: Ctx<'_>, v: i64| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l.func_wrap("console", "log_f32", |mut c: Ctx<'_>, v: f32| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l.func_wrap("console", "log_f64", |mut c: Ctx<'_>, v: f64| {
        c.data_mut().console.push(v.to_string());
    })
    .expect(ok);
    l
}

/// The gas spent so far in the current transaction, by kind, shared by every frame.
pub(crate) type SpentCell = RefCell<Spent>;
