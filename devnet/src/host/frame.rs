//! The frame runner: one call frame from entry pricing to outcome, on a stack that never
//! overflows.

use crate::world::Callee;

use super::{
    ecrecover, p, CallRequest, Error, Frame, FrameResult, Global, HashMap, Instance, Rc, Shared,
    Status, Store, Val, B256, ECRECOVER, INK_LEFT, INK_PRICE, INK_STATUS, MAX_CALL_DEPTH, U256,
};

pub(super) fn instance_global(
    instance: Instance,
    store: &Store<Frame>,
    name: &str,
) -> Result<Global, Error> {
    instance
        .get_global(store, name)
        .ok_or_else(|| Error::new(format!("the program was not instrumented ({name})")))
}

pub(super) fn wasm_error(e: impl std::fmt::Display) -> Error {
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
        shared.world.borrow_mut().transfer(request.caller, request.address, request.transfer);
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
    if let Some(result) = crate::arbos::answer(shared, request) {
        if result.status != Status::Success {
            shared.world.borrow_mut().revert_to(checkpoint);
        }
        return result;
    }
    let callee = shared.world.borrow().callee(request.code_address);
    let (program, cached) = match callee {
        // An account without code: plain value transfer, empty success.
        Callee::Empty => return FrameResult::success(Vec::new(), 0),
        Callee::Program(program, cached) => (program, cached),
        Callee::NotActivated => {
            shared.world.borrow_mut().revert_to(checkpoint);
            let error = crate::arbos::ArbWasm::ProgramNotActivated {};
            return FrameResult::revert(alloy_sol_types::SolError::abi_encode(&error), 0);
        }
        Callee::Foreign => {
            shared.world.borrow_mut().revert_to(checkpoint);
            return FrameResult::failure(
                format!(
                    "{} holds EVM bytecode: this chain runs no EVM interpreter (only Stylus programs)",
                    request.code_address
                ),
                request.gas,
            );
        }
    };

    // Entry: the memory model for the footprint, then the init costs.
    let (entry_gas, pages_before) = {
        let mut world = shared.world.borrow_mut();
        let footprint = program.shape.footprint;
        let (open, ever) = (world.tx.pages_open, world.tx.pages_ever);
        let memory = p::memory_gas(footprint, open, ever);
        world.tx.pages_open = open.saturating_add(footprint);
        world.tx.pages_ever = ever.max(world.tx.pages_open);
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
    let ran =
        shared.linker.instantiate_and_start(&mut store, &program.module).and_then(|instance| {
            let ink = instance_global(instance, &store, INK_LEFT)?;
            let status = instance_global(instance, &store, INK_STATUS)?;
            ink.set(&mut store, Val::I64(budget_ink.cast_signed())).map_err(wasm_error)?;
            meter = Some((ink, status));
            let entry = instance.get_typed_func::<i32, i32>(&store, "user_entrypoint")?;
            let len = i32::try_from(request.calldata.len())
                .map_err(|_| Error::new("calldata over 2 GiB"))?;
            entry.call(&mut store, len)
        });
    shared.world.borrow_mut().frames.pop();
    restore_pages();

    let (ink_left, out_of_ink) = meter.map_or((budget_ink, false), |(ink, status)| {
        (ink.get(&store).i64().map_or(0, i64::cast_unsigned), status.get(&store).i32() == Some(1))
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
    let burned = if outcome.is_ok() { budget_ink.saturating_sub(ink_left) } else { budget_ink };
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
        Err(reason) => {
            FrameResult { console: frame.console, ..FrameResult::failure(reason, request.gas) }
        }
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

/// [`run`] with at least [`STACK_RED_ZONE`] of native stack: every frame, the outermost too, runs
/// on a fresh heap-allocated segment when the current stack runs low, so whatever thread runs
/// the chain (a 2 MiB test thread, unoptimised) never overflows.
pub(crate) fn run_on_stack(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || run(shared, request))
}

/// Native stack left below which a nested call gets a fresh stack segment.
pub(super) const STACK_RED_ZONE: usize = 1024 * 1024;
/// Size of each fresh stack segment.
pub(super) const STACK_SEGMENT: usize = 8 * 1024 * 1024;
