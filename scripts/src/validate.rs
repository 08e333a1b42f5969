//! Stylus activation rules that can be checked offline, one [`Rule`] each.
//!
//! Sources: Nitro's validator (`crates/prover/src/binary.rs`, `programs/heap.rs`) as summarised
//! in `shared/reference/stylus-vm.md` §2 and `stylus-toolchain.md` §4, pinned to `ArbOS` 60+
//! (multi-value rejected). Where a limit's exact counting is not published, the stricter count
//! is used (function limit counts imports too; the locals limit counts parameters too).

use std::fmt;

use wasmparser::{
    ExternalKind, FuncType, Operator, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

/// Largest decompressed module Stylus activates.
pub const MAX_WASM_BYTES: usize = 128 * 1024;
/// Largest brotli-compressed contract that fits one fragment (24 KiB).
pub const MAX_BROTLI_BYTES: usize = 24 * 1024;
/// Largest initial memory, in 64 KiB pages.
pub const MAX_MEMORY_PAGES: u64 = 128;
/// Most functions (imported and defined) in a module.
pub const MAX_FUNCTIONS: usize = 4096;
/// Most locals (parameters included) in a function.
pub const MAX_LOCALS: u64 = 348;
/// Most operators in a function body.
pub const MAX_OPS_PER_FUNCTION: usize = 65_536;
/// Most data segments.
pub const MAX_DATA_SEGMENTS: usize = 128;
/// Most table entries (initial size, summed over tables).
pub const MAX_TABLE_ENTRIES: u64 = 4096;
/// The only module imports may come from.
pub const HOST_MODULE: &str = "vm_hooks";

use ValType::{I32, I64};

/// Every host function Nitro links into a Stylus program (module [`HOST_MODULE`]), with its
/// WASM signature `(name, params, results)`.
pub const HOSTIOS: &[(&str, &[ValType], &[ValType])] = &[
    ("read_args", &[I32], &[]),
    ("write_result", &[I32, I32], &[]),
    ("exit_early", &[I32], &[]),
    ("storage_load_bytes32", &[I32, I32], &[]),
    ("storage_cache_bytes32", &[I32, I32], &[]),
    ("storage_flush_cache", &[I32], &[]),
    ("transient_load_bytes32", &[I32, I32], &[]),
    ("transient_store_bytes32", &[I32, I32], &[]),
    ("call_contract", &[I32, I32, I32, I32, I64, I32], &[I32]),
    ("delegate_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
    ("static_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
    ("create1", &[I32, I32, I32, I32, I32], &[]),
    ("create2", &[I32, I32, I32, I32, I32, I32], &[]),
    ("read_return_data", &[I32, I32, I32], &[I32]),
    ("return_data_size", &[], &[I32]),
    ("emit_log", &[I32, I32, I32], &[]),
    ("account_balance", &[I32, I32], &[]),
    ("account_code", &[I32, I32, I32, I32], &[I32]),
    ("account_code_size", &[I32], &[I32]),
    ("account_codehash", &[I32, I32], &[]),
    ("block_basefee", &[I32], &[]),
    ("block_coinbase", &[I32], &[]),
    ("block_gas_limit", &[], &[I64]),
    ("block_number", &[], &[I64]),
    ("block_timestamp", &[], &[I64]),
    ("chainid", &[], &[I64]),
    ("contract_address", &[I32], &[]),
    ("evm_gas_left", &[], &[I64]),
    ("evm_ink_left", &[], &[I64]),
    ("math_div", &[I32, I32], &[]),
    ("math_mod", &[I32, I32], &[]),
    ("math_pow", &[I32, I32], &[]),
    ("math_add_mod", &[I32, I32, I32], &[]),
    ("math_mul_mod", &[I32, I32, I32], &[]),
    ("msg_reentrant", &[], &[I32]),
    ("msg_sender", &[I32], &[]),
    ("msg_value", &[I32], &[]),
    ("native_keccak256", &[I32, I32, I32], &[]),
    ("tx_gas_price", &[I32], &[]),
    ("tx_ink_price", &[], &[I32]),
    ("tx_origin", &[I32], &[]),
    ("pay_for_memory_grow", &[I32], &[]),
];

/// The WASM features Stylus accepts (`ArbOS` 60+): the MVP with floats' encoding, mutable globals,
/// saturating float-to-int, sign extension and bulk memory. Reference types (and with them the
/// overlong `call_indirect` encoding), multi-value, SIMD, threads, tail calls, exceptions,
/// multi-memory, memory64 and the GC proposal are off.
#[must_use]
pub fn stylus_features() -> WasmFeatures {
    WasmFeatures::WASM1
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::BULK_MEMORY
}

/// An activation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Decodes and validates with Stylus's feature set ([`stylus_features`]).
    Features,
    /// No floating-point instructions or types (Nitro prices them as unusable).
    Floats,
    /// No `memory.init` / `data.drop` (bulk-memory ops Nitro does not support).
    BulkMemoryOps,
    /// No start function.
    StartFunction,
    /// Exports `memory` and `user_entrypoint: (i32) -> i32`; no export name starts with the
    /// reserved `stylus`, and no export re-exports an import. Anything else may be exported, as
    /// Nitro allows (`prover/src/binary.rs`); the build tool strips extra exports on its own.
    Exports,
    /// Imports only known host functions of [`HOST_MODULE`], with their exact signatures.
    Imports,
    /// Exactly one memory of at most [`MAX_MEMORY_PAGES`] initial pages.
    Memory,
    /// At most [`MAX_WASM_BYTES`] decompressed.
    WasmSize,
    /// At most [`MAX_BROTLI_BYTES`] compressed.
    CompressedSize,
    /// At most [`MAX_FUNCTIONS`] functions.
    Functions,
    /// At most [`MAX_LOCALS`] locals per function.
    Locals,
    /// At most [`MAX_OPS_PER_FUNCTION`] operators per function.
    OpsPerFunction,
    /// At most [`MAX_DATA_SEGMENTS`] data segments.
    DataSegments,
    /// Every active data segment lies inside the initial memory at a constant offset (otherwise
    /// instantiation traps).
    DataBounds,
    /// At most [`MAX_TABLE_ENTRIES`] table entries.
    TableEntries,
}

impl Rule {
    /// The rule's stable name, as printed in reports and errors.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Features => "wasm-features",
            Self::Floats => "no-floats",
            Self::BulkMemoryOps => "no-memory-init-data-drop",
            Self::StartFunction => "no-start-function",
            Self::Exports => "exports",
            Self::Imports => "imports",
            Self::Memory => "memory",
            Self::WasmSize => "wasm-size",
            Self::CompressedSize => "compressed-size",
            Self::Functions => "function-count",
            Self::Locals => "locals-per-function",
            Self::OpsPerFunction => "ops-per-function",
            Self::DataSegments => "data-segments",
            Self::DataBounds => "data-in-bounds",
            Self::TableEntries => "table-entries",
        }
    }
}

/// A broken rule and what broke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// What was found.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule.name(), self.detail)
    }
}

impl std::error::Error for Violation {}

/// What a valid module contains, for reports and the devnet's entry-cost model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Decompressed size in bytes.
    pub wasm_bytes: usize,
    /// Brotli (11, 22) size in bytes.
    pub brotli_bytes: usize,
    /// Defined functions.
    pub functions: usize,
    /// Imported host functions, by name.
    pub imports: Vec<String>,
    /// Initial memory pages.
    pub memory_pages: u64,
    /// Bytes of data segments.
    pub data_bytes: usize,
    /// Globals.
    pub globals: usize,
    /// Σ (params + results) over the type section's function types.
    pub type_len: usize,
}

fn violation(rule: Rule, detail: impl Into<String>) -> Violation {
    Violation { rule, detail: detail.into() }
}

/// Checks a deployable module against every offline activation rule, in a fixed order (the first
/// broken rule is reported), including the compressed-size gate.
///
/// # Errors
/// The first [`Violation`] found.
pub fn validate(module: &[u8]) -> Result<Summary, Violation> {
    validate_compressed(module, &crate::wasm::brotli(module))
}

/// [`validate`] for a module already compressed (`compressed` is [`crate::wasm::brotli`] of
/// `module`), so a caller that keeps the compressed bytes compresses once.
///
/// # Errors
/// The first [`Violation`] found.
pub fn validate_compressed(module: &[u8], compressed: &[u8]) -> Result<Summary, Violation> {
    let mut summary = validate_structure(module)?;
    summary.brotli_bytes = compressed.len();
    if summary.brotli_bytes > MAX_BROTLI_BYTES {
        return Err(violation(
            Rule::CompressedSize,
            format!("{} bytes compressed, over {MAX_BROTLI_BYTES}", summary.brotli_bytes),
        ));
    }
    Ok(summary)
}

/// [`validate`] without the compressed-size gate (for modules measured elsewhere).
///
/// # Errors
/// The first [`Violation`] found.
#[allow(clippy::too_many_lines)]
pub fn validate_structure(module: &[u8]) -> Result<Summary, Violation> {
    if module.len() > MAX_WASM_BYTES {
        return Err(violation(
            Rule::WasmSize,
            format!("{} bytes, over {MAX_WASM_BYTES}", module.len()),
        ));
    }
    Validator::new_with_features(stylus_features())
        .validate_all(module)
        .map_err(|e| violation(Rule::Features, e.to_string()))?;
    // Floats decode under Stylus's features but Nitro prices every float op as unusable: refuse
    // any float type or instruction by validating again without them.
    Validator::new_with_features(stylus_features() - WasmFeatures::FLOATS)
        .validate_all(module)
        .map_err(|e| violation(Rule::Floats, e.to_string()))?;

    let mut summary = Summary { wasm_bytes: module.len(), ..Summary::default() };
    let mut types: Vec<FuncType> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new(); // type index of each function, imports first
    let mut imported_funcs = 0usize;
    let mut memories: Vec<u64> = Vec::new();
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut table_entries = 0u64;
    let mut data_segments = 0usize;
    let mut spans: Vec<(u64, u64)> = Vec::new();
    let mut body_index = 0usize;

    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| violation(Rule::Features, e.to_string()))?;
        match payload {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    summary.type_len += ty.params().len() + ty.results().len();
                    types.push(ty);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    let TypeRef::Func(ty) = import.ty else {
                        return Err(violation(
                            Rule::Imports,
                            format!("{}.{} is not a function", import.module, import.name),
                        ));
                    };
                    check_import(import.module, import.name, &types[ty as usize])?;
                    func_types.push(ty);
                    imported_funcs += 1;
                    summary.imports.push(import.name.to_owned());
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty.map_err(|e| violation(Rule::Features, e.to_string()))?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    table_entries += table.ty.initial;
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    memories.push(memory.initial);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    global.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    summary.globals += 1;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    exports.push((export.name.to_owned(), export.kind, export.index));
                }
            }
            Payload::StartSection { func, .. } => {
                return Err(violation(Rule::StartFunction, format!("start function {func}")));
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(|e| violation(Rule::Features, e.to_string()))?;
                    data_segments += 1;
                    summary.data_bytes += data.data.len();
                    spans.push(data_span(&data)?);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = imported_funcs + body_index;
                body_index += 1;
                check_body(index, &body, &types[func_types[index] as usize])?;
            }
            _ => {}
        }
    }

    summary.functions = func_types.len() - imported_funcs;
    if func_types.len() > MAX_FUNCTIONS {
        return Err(violation(
            Rule::Functions,
            format!("{} functions, over {MAX_FUNCTIONS}", func_types.len()),
        ));
    }
    if data_segments > MAX_DATA_SEGMENTS {
        return Err(violation(
            Rule::DataSegments,
            format!("{data_segments} data segments, over {MAX_DATA_SEGMENTS}"),
        ));
    }
    if table_entries > MAX_TABLE_ENTRIES {
        return Err(violation(
            Rule::TableEntries,
            format!("{table_entries} table entries, over {MAX_TABLE_ENTRIES}"),
        ));
    }
    match memories.as_slice() {
        [pages] if *pages <= MAX_MEMORY_PAGES => {
            summary.memory_pages = *pages;
            let size = pages * 65_536;
            if let Some((at, len)) = spans.iter().find(|(at, len)| at + len > size) {
                return Err(violation(
                    Rule::DataBounds,
                    format!("data segment at {at} of {len} bytes, past the {size}-byte memory"),
                ));
            }
        }
        [pages] => {
            return Err(violation(
                Rule::Memory,
                format!("{pages} initial pages, over {MAX_MEMORY_PAGES}"),
            ))
        }
        other => {
            return Err(violation(
                Rule::Memory,
                format!("{} memories, need exactly 1", other.len()),
            ))
        }
    }
    check_exports(&exports, &func_types, imported_funcs, &types)?;
    Ok(summary)
}

/// An active segment's (offset, length); passive segments and non-constant offsets break
/// [`Rule::DataBounds`].
fn data_span(data: &wasmparser::Data<'_>) -> Result<(u64, u64), Violation> {
    let refuse = |detail: &str| Err(violation(Rule::DataBounds, detail));
    let wasmparser::DataKind::Active { offset_expr, .. } = &data.kind else {
        return refuse("passive data segment");
    };
    let mut ops = offset_expr.get_operators_reader();
    match (ops.read(), ops.read()) {
        (Ok(wasmparser::Operator::I32Const { value }), Ok(wasmparser::Operator::End)) => {
            Ok((u64::from(value.cast_unsigned()), data.data.len() as u64))
        }
        _ => refuse("data segment offset is not a constant"),
    }
}

fn check_import(module: &str, name: &str, ty: &FuncType) -> Result<(), Violation> {
    if module != HOST_MODULE {
        return Err(violation(
            Rule::Imports,
            format!("{module}.{name}: only {HOST_MODULE} imports are linked"),
        ));
    }
    let Some((_, params, results)) = HOSTIOS.iter().find(|(n, _, _)| *n == name) else {
        return Err(violation(Rule::Imports, format!("{module}.{name}: no such host function")));
    };
    if ty.params() != *params || ty.results() != *results {
        return Err(violation(
            Rule::Imports,
            format!("{module}.{name}: signature {ty}, host has {params:?} -> {results:?}"),
        ));
    }
    Ok(())
}

fn check_body(
    index: usize,
    body: &wasmparser::FunctionBody<'_>,
    ty: &FuncType,
) -> Result<(), Violation> {
    let mut locals = ty.params().len() as u64;
    for local in body.get_locals_reader().map_err(|e| violation(Rule::Features, e.to_string()))? {
        let (count, _) = local.map_err(|e| violation(Rule::Features, e.to_string()))?;
        locals += u64::from(count);
    }
    if locals > MAX_LOCALS {
        return Err(violation(
            Rule::Locals,
            format!("function {index}: {locals} locals, over {MAX_LOCALS}"),
        ));
    }
    let mut ops = 0usize;
    let mut reader =
        body.get_operators_reader().map_err(|e| violation(Rule::Features, e.to_string()))?;
    while !reader.eof() {
        let op = reader.read().map_err(|e| violation(Rule::Features, e.to_string()))?;
        ops += 1;
        match op {
            Operator::MemoryInit { .. } | Operator::DataDrop { .. } => {
                return Err(violation(Rule::BulkMemoryOps, format!("function {index}: {op:?}")));
            }
            _ => {}
        }
    }
    if ops > MAX_OPS_PER_FUNCTION {
        return Err(violation(
            Rule::OpsPerFunction,
            format!("function {index}: {ops} operators, over {MAX_OPS_PER_FUNCTION}"),
        ));
    }
    Ok(())
}

fn check_exports(
    exports: &[(String, ExternalKind, u32)],
    func_types: &[u32],
    imported_funcs: usize,
    types: &[FuncType],
) -> Result<(), Violation> {
    let mut memory = false;
    let mut entrypoint = false;
    for (name, kind, index) in exports {
        if name.starts_with("stylus") {
            return Err(violation(
                Rule::Exports,
                format!("export {name:?} uses the reserved prefix \"stylus\""),
            ));
        }
        if *kind == ExternalKind::Func && (*index as usize) < imported_funcs {
            return Err(violation(
                Rule::Exports,
                format!("export {name:?} re-exports imported function {index}"),
            ));
        }
        match (name.as_str(), kind) {
            ("memory", ExternalKind::Memory) => memory = true,
            ("user_entrypoint", ExternalKind::Func) => {
                let ty = &types[func_types[*index as usize] as usize];
                if ty.params() != [I32] || ty.results() != [I32] {
                    return Err(violation(
                        Rule::Exports,
                        format!("user_entrypoint has type {ty}, need (i32) -> i32"),
                    ));
                }
                entrypoint = true;
            }
            _ => {}
        }
    }
    if !memory {
        return Err(violation(Rule::Exports, "no exported memory"));
    }
    if !entrypoint {
        return Err(violation(Rule::Exports, "no user_entrypoint export"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
