//! Cutting the panic paths out of a linked module, and the data only they used.
//!
//! Nitro charges every entry of a program 0.75 gas per byte of its data segments, cached or
//! not, and in rustc's modules more than half of those bytes serve panics only: their messages,
//! the `Location` of every bounds check and `unwrap`, the source paths those name, the
//! formatting tables and vtables that render them. A panic in a Stylus program traps, and a trap
//! reverts the call with no output, so none of those bytes can ever reach anyone.
//!
//! [`cut`] works on the linker's output while its relocations are still in it (wasm-ld
//! `--emit-relocs`, one data segment per input section with `--no-merge-data-segments`):
//!
//! 1. **Diverging functions.** A defined function whose body has no `return`, no branch to its
//!    own label, no call of the host, and ends in `unreachable` never returns (core's panic
//!    entry points, and whatever only calls them).
//! 2. **Calls to them become `unreachable`**, which traps at the same point. The constant and
//!    local arguments pushed right before such a call (a `Location`, a message) are dropped with
//!    it; whatever else precedes the trap stays, and traps with it.
//! 3. **Mark.** From the exported functions, the relocations of live code and live data are
//!    followed: calls, function pointers (table indices) and data addresses, each naming the
//!    symbol it refers to, so an address the compiler folded (`&TABLE[i - 1]`) still names
//!    `TABLE`. What the dropped calls and arguments referred to is not followed.
//! 4. **Sweep.** A function nothing live refers to keeps its index with an `unreachable` body;
//!    a data segment nothing live refers to is dropped (its memory stays zero). The relocation
//!    and linking sections, stale after the rewrite, go with every other custom section.
//!
//! Every address the program can compute reaches its data through a symbol, and every symbol
//! reference is a relocation, so nothing a live path reads is dropped. The end-to-end tests run
//! against the cut modules.

use std::{collections::HashSet, fmt, ops::Range};

use crate::wasm::{data_section, leb128, with_sections};

use wasmparser::{
    BinaryReaderError, KnownCustom, Linking, Operator, Parser, Payload, RelocationType, SymbolInfo,
    TypeRef,
};

/// Why a module could not be cut.
#[derive(Debug)]
#[non_exhaustive]
pub enum CutError {
    /// The module does not parse.
    Parse(BinaryReaderError),
    /// The module carries no symbol table or no code relocations (not linked with
    /// `--emit-relocs`, or stripped).
    NoRelocations,
    /// A data segment is passive or not at a constant offset of memory 0.
    UnsupportedSegment(u32),
    /// Two data segments overlap (which the linker never writes), so their order would matter.
    OverlappingSegments,
}

impl fmt::Display for CutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "the module does not parse: {e}"),
            Self::NoRelocations => f.write_str(
                "the module has no symbol table or code relocations: link with \
                 --emit-relocs and without --strip-all",
            ),
            Self::UnsupportedSegment(i) => {
                write!(f, "data segment {i} is passive or not at a constant offset")
            }
            Self::OverlappingSegments => f.write_str("two data segments overlap"),
        }
    }
}

impl std::error::Error for CutError {}

impl From<BinaryReaderError> for CutError {
    fn from(e: BinaryReaderError) -> Self {
        Self::Parse(e)
    }
}

/// What [`cut`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cut {
    /// Defined functions found never to return.
    pub diverging: usize,
    /// Calls to them replaced by `unreachable`.
    pub calls: usize,
    /// Functions left with an `unreachable` body.
    pub dead_functions: usize,
    /// Data segments dropped.
    pub dead_segments: usize,
    /// Their bytes.
    pub dead_bytes: usize,
}

/// One defined function's body.
struct Body {
    /// The whole body (after its size), absolute in the module.
    range: Range<usize>,
    /// Where its operators start (after the locals).
    ops_start: usize,
}

/// One active data segment.
struct Segment<'a> {
    offset: i32,
    bytes: &'a [u8],
    /// Its bytes, relative to the data section's contents (what `reloc.DATA` offsets count).
    in_section: Range<usize>,
}

/// An operator of a body: its byte range and what [`cut`] needs to know of it.
struct Op {
    range: Range<usize>,
    kind: OpKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OpKind {
    /// Pushes one value and pops none.
    Push,
    /// A direct call of this function index.
    Call(u32),
    /// Anything else.
    Other,
}

/// A parsed module: what the cut reads.
struct Module<'a> {
    bytes: &'a [u8],
    imported_funcs: u32,
    /// Parameter count of each type.
    type_params: Vec<usize>,
    /// Type index of each defined function.
    func_types: Vec<u32>,
    exported_funcs: Vec<u32>,
    start: Option<u32>,
    /// The code section's contents (after its size).
    code: Range<usize>,
    bodies: Vec<Body>,
    segments: Vec<Segment<'a>>,
    symbols: Vec<SymbolInfo<'a>>,
    /// The relocations of the code and of the data section.
    code_relocs: Vec<Reloc>,
    data_relocs: Vec<Reloc>,
}

/// A relocation: its offset in its section's contents, its type and the symbol it refers to.
type Reloc = (usize, RelocationType, u32);

fn to_usize(n: u64) -> usize {
    usize::try_from(n).expect("should fit: wasm32 modules are smaller than usize::MAX")
}

impl<'a> Module<'a> {
    /// A module of `bytes` with nothing read from them yet.
    fn empty(bytes: &'a [u8]) -> Self {
        Module {
            bytes,
            imported_funcs: 0,
            type_params: Vec::new(),
            func_types: Vec::new(),
            exported_funcs: Vec::new(),
            start: None,
            code: 0..0,
            bodies: Vec::new(),
            segments: Vec::new(),
            symbols: Vec::new(),
            code_relocs: Vec::new(),
            data_relocs: Vec::new(),
        }
    }

    fn parse(bytes: &'a [u8]) -> Result<Self, CutError> {
        let mut m = Self::empty(bytes);
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for ty in reader.into_iter_err_on_gc_types() {
                        m.type_params.push(ty?.params().len());
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        if matches!(import?.ty, TypeRef::Func(_)) {
                            m.imported_funcs += 1;
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        m.func_types.push(ty?);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == wasmparser::ExternalKind::Func {
                            m.exported_funcs.push(export.index);
                        }
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(func),
                Payload::CodeSectionStart { unchecked_range, .. } => {
                    m.code = to_usize(unchecked_range.start)..to_usize(unchecked_range.end);
                }
                Payload::CodeSectionEntry(body) => {
                    let range = to_usize(body.range().start)..to_usize(body.range().end);
                    let ops_start = to_usize(body.get_operators_reader()?.original_position());
                    m.bodies.push(Body { range, ops_start });
                }
                Payload::DataSection(reader) => m.segments = segments(reader)?,
                Payload::CustomSection(reader) => m.read_custom(&reader)?,
                _ => {}
            }
        }
        if m.symbols.is_empty() || m.code_relocs.is_empty() {
            return Err(CutError::NoRelocations);
        }
        m.code_relocs.sort_unstable_by_key(|r| r.0);
        m.data_relocs.sort_unstable_by_key(|r| r.0);
        Ok(m)
    }

    /// Reads the symbol table and the code and data relocations; other custom sections are
    /// ignored.
    fn read_custom(
        &mut self,
        reader: &wasmparser::CustomSectionReader<'a>,
    ) -> Result<(), CutError> {
        match reader.as_known() {
            KnownCustom::Linking(linking) => {
                for sub in linking {
                    if let Linking::SymbolTable(map) = sub? {
                        for symbol in map {
                            self.symbols.push(symbol?);
                        }
                    }
                }
            }
            KnownCustom::Reloc(reloc) => {
                let mut entries = Vec::new();
                for entry in reloc.entries() {
                    let entry = entry?;
                    entries.push((to_usize(u64::from(entry.offset)), entry.ty, entry.index));
                }
                match reader.name() {
                    "reloc.CODE" => self.code_relocs = entries,
                    "reloc.DATA" => self.data_relocs = entries,
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The operators of defined function `i`, with their byte ranges.
    fn ops(&self, i: usize) -> Result<Vec<(Operator<'a>, Range<usize>)>, CutError> {
        let body = &self.bodies[i];
        let reader = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
            &self.bytes[body.range.clone()],
            body.range.start as u64,
        ));
        let mut ops = reader.get_operators_reader()?;
        let mut out: Vec<(Operator<'a>, Range<usize>)> = Vec::new();
        while !ops.eof() {
            let (op, at) = ops.read_with_offset()?;
            let at = to_usize(at);
            if let Some(last) = out.last_mut() {
                last.1.end = at;
            }
            out.push((op, at..body.range.end));
        }
        Ok(out)
    }

    fn params_of(&self, func: u32) -> usize {
        let Some(defined) = func.checked_sub(self.imported_funcs) else {
            return usize::MAX;
        };
        self.func_types
            .get(defined as usize)
            .and_then(|ty| self.type_params.get(*ty as usize))
            .copied()
            .unwrap_or(0)
    }
}

/// The active data segments of a data section.
fn segments(reader: wasmparser::DataSectionReader<'_>) -> Result<Vec<Segment<'_>>, CutError> {
    let base = to_usize(reader.range().start);
    let mut out = Vec::new();
    for (i, data) in reader.into_iter().enumerate() {
        let data = data?;
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let wasmparser::DataKind::Active { memory_index: 0, offset_expr } = data.kind else {
            return Err(CutError::UnsupportedSegment(index));
        };
        let mut ops = offset_expr.get_operators_reader();
        let (Operator::I32Const { value }, Operator::End) = (ops.read()?, ops.read()?) else {
            return Err(CutError::UnsupportedSegment(index));
        };
        let start = to_usize(data.range.end) - data.data.len() - base;
        out.push(Segment {
            offset: value,
            bytes: data.data,
            in_section: start..start + data.data.len(),
        });
    }
    Ok(out)
}

/// Whether a body (its operators) can never return: no `return`, no branch to the function's
/// own label, and its last instruction before the closing `end` is `unreachable`. A body that
/// calls the host (an imported function, below `imported_funcs`) never counts: the host may act
/// before the trap (`exit_early` after `write_result` reverts with data).
fn diverges(ops: &[(Operator<'_>, Range<usize>)], imported_funcs: u32) -> bool {
    let mut depth = 0u32;
    for (op, _) in ops {
        let exits = match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                depth += 1;
                false
            }
            Operator::End => {
                depth = depth.saturating_sub(1);
                false
            }
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                *relative_depth == depth
            }
            Operator::BrTable { targets } => {
                targets.default() == depth
                    || targets.targets().any(|t| t.map_or(true, |t| t == depth))
            }
            Operator::Call { function_index } => *function_index < imported_funcs,
            // Returns, tail calls, and control this pass does not follow: assume they exit.
            Operator::Return
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. }
            | Operator::Delegate { .. }
            | Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. }
            | Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. } => true,
            _ => false,
        };
        if exits {
            return false;
        }
    }
    ops.len() >= 2 && matches!(ops[ops.len() - 2].0, Operator::Unreachable)
}

fn kind(op: &Operator<'_>) -> OpKind {
    match op {
        Operator::LocalGet { .. }
        | Operator::GlobalGet { .. }
        | Operator::I32Const { .. }
        | Operator::I64Const { .. }
        | Operator::F32Const { .. }
        | Operator::F64Const { .. } => OpKind::Push,
        Operator::Call { function_index } => OpKind::Call(*function_index),
        _ => OpKind::Other,
    }
}

/// What the cut decided, body by body.
struct Plan {
    /// Each body's operators.
    ops: Vec<Vec<Op>>,
    /// Each body's calls of diverging functions (byte ranges), to become `unreachable`.
    calls: Vec<Vec<Range<usize>>>,
    /// Each body's arguments of those calls, dropped.
    dropped: Vec<Vec<Range<usize>>>,
    live_funcs: HashSet<u32>,
    live_segments: HashSet<u32>,
}

impl Plan {
    fn index(defined: usize) -> u32 {
        u32::try_from(defined).unwrap_or(u32::MAX)
    }

    /// Steps 1 and 2: the diverging functions, the calls of them and their pushed arguments.
    fn new(m: &Module<'_>, report: &mut Cut) -> Result<Self, CutError> {
        let mut ops: Vec<Vec<Op>> = Vec::with_capacity(m.bodies.len());
        let mut diverging: HashSet<u32> = HashSet::new();
        for i in 0..m.bodies.len() {
            let parsed = m.ops(i)?;
            if diverges(&parsed, m.imported_funcs) {
                diverging.insert(m.imported_funcs + Self::index(i));
            }
            ops.push(parsed.into_iter().map(|(op, range)| Op { kind: kind(&op), range }).collect());
        }
        report.diverging = diverging.len();
        let mut calls = vec![Vec::new(); ops.len()];
        let mut dropped = vec![Vec::new(); ops.len()];
        for (f, body) in ops.iter().enumerate() {
            for (i, op) in body.iter().enumerate() {
                let OpKind::Call(callee) = op.kind else { continue };
                if !diverging.contains(&callee) {
                    continue;
                }
                calls[f].push(op.range.clone());
                // The last arguments, when pushed right before the call, are its own.
                let pushed = body[..i].iter().rev().take(m.params_of(callee));
                dropped[f].extend(
                    pushed.take_while(|arg| arg.kind == OpKind::Push).map(|arg| arg.range.clone()),
                );
            }
            report.calls += calls[f].len();
        }
        Ok(Self { ops, calls, dropped, live_funcs: HashSet::new(), live_segments: HashSet::new() })
    }

    /// Step 3: marks what the exported functions reach through relocations, skipping the cut
    /// calls and dropped arguments.
    fn mark(&mut self, m: &Module<'_>) {
        let body_of = |at: usize| m.bodies.partition_point(|b| b.range.end <= at);
        let mut body_relocs: Vec<Vec<(usize, u32)>> = vec![Vec::new(); m.bodies.len()];
        for &(offset, ty, symbol) in &m.code_relocs {
            let at = m.code.start + offset;
            if let (true, Some(relocs)) = (refers(ty), body_relocs.get_mut(body_of(at))) {
                relocs.push((at, symbol));
            }
        }
        let mut funcs: Vec<u32> = m.exported_funcs.iter().copied().chain(m.start).collect();
        let mut segments: Vec<u32> = Vec::new();
        let follow = |symbol: u32, funcs: &mut Vec<u32>, segments: &mut Vec<u32>| match m
            .symbols
            .get(symbol as usize)
        {
            Some(SymbolInfo::Func { index, .. }) => funcs.push(*index),
            Some(SymbolInfo::Data { symbol: Some(def), .. }) => segments.push(def.index),
            _ => {}
        };
        loop {
            if let Some(func) = funcs.pop() {
                if func < m.imported_funcs || !self.live_funcs.insert(func) {
                    continue;
                }
                let f = (func - m.imported_funcs) as usize;
                let cut = |at: usize| {
                    self.calls[f].iter().chain(&self.dropped[f]).any(|r| r.contains(&at))
                };
                for &(at, symbol) in body_relocs.get(f).map_or(&[][..], Vec::as_slice) {
                    if !cut(at) {
                        follow(symbol, &mut funcs, &mut segments);
                    }
                }
            } else if let Some(segment) = segments.pop() {
                if !self.live_segments.insert(segment) {
                    continue;
                }
                let Some(s) = m.segments.get(segment as usize) else { continue };
                let from = m.data_relocs.partition_point(|r| r.0 < s.in_section.start);
                for &(_, ty, symbol) in
                    m.data_relocs[from..].iter().take_while(|r| r.0 < s.in_section.end)
                {
                    if refers(ty) {
                        follow(symbol, &mut funcs, &mut segments);
                    }
                }
            } else {
                break;
            }
        }
    }

    /// Step 4 for code: the new code section's contents.
    fn code(&self, m: &Module<'_>, report: &mut Cut) -> Vec<u8> {
        let mut code = Vec::new();
        leb128(&mut code, m.bodies.len());
        for (f, body) in m.bodies.iter().enumerate() {
            let mut out = Vec::new();
            if self.live_funcs.contains(&(m.imported_funcs + Self::index(f))) {
                out.extend_from_slice(&m.bytes[body.range.start..body.ops_start]);
                for op in &self.ops[f] {
                    if self.calls[f].contains(&op.range) {
                        out.push(0x00); // unreachable
                    } else if !self.dropped[f].contains(&op.range) {
                        out.extend_from_slice(&m.bytes[op.range.clone()]);
                    }
                }
            } else {
                report.dead_functions += 1;
                out.extend_from_slice(&[0x00, 0x00, 0x0b]); // no locals; unreachable; end
            }
            leb128(&mut code, out.len());
            code.extend_from_slice(&out);
        }
        code
    }

    /// Step 4 for data: the live segments, neighbours closer than [`MERGE_GAP`] merged, as
    /// (offset, bytes).
    fn data(&self, m: &Module<'_>, report: &mut Cut) -> Result<Vec<(i32, Vec<u8>)>, CutError> {
        let mut live: Vec<&Segment<'_>> = Vec::new();
        for (i, s) in m.segments.iter().enumerate() {
            if self.live_segments.contains(&Self::index(i)) {
                live.push(s);
            } else {
                report.dead_segments += 1;
                report.dead_bytes += s.bytes.len();
            }
        }
        live.sort_unstable_by_key(|s| s.offset);
        let end = |s: &Segment<'_>| {
            i64::from(s.offset) + i64::try_from(s.bytes.len()).unwrap_or(i64::MAX)
        };
        if live.windows(2).any(|w| end(w[0]) > i64::from(w[1].offset)) {
            return Err(CutError::OverlappingSegments);
        }
        let mut merged: Vec<(i32, Vec<u8>)> = Vec::new();
        for s in live {
            let gap = merged.last().map(|(at, bytes)| {
                i64::from(s.offset)
                    - i64::from(*at)
                    - i64::try_from(bytes.len()).unwrap_or(i64::MAX)
            });
            match (gap.and_then(|g| usize::try_from(g).ok()), merged.last_mut()) {
                (Some(gap), Some((_, bytes))) if gap < MERGE_GAP => {
                    bytes.extend(std::iter::repeat_n(0, gap));
                    bytes.extend_from_slice(s.bytes);
                }
                _ => merged.push((s.offset, s.bytes.to_vec())),
            }
        }
        Ok(merged)
    }
}

/// Whether a relocation type refers to a function or data (not a type, global or table).
fn refers(ty: RelocationType) -> bool {
    !matches!(
        ty,
        RelocationType::TypeIndexLeb
            | RelocationType::GlobalIndexLeb
            | RelocationType::TableNumberLeb
    )
}

/// Cuts the panic paths out of `module` and drops the functions and data segments only they
/// used (the module doc says how); returns the new module and what went.
///
/// # Errors
/// [`CutError`] when the module does not parse, carries no relocations, or has data segments
/// this pass does not handle.
pub fn cut(module: &[u8]) -> Result<(Vec<u8>, Cut), CutError> {
    let m = Module::parse(module)?;
    let mut report = Cut::default();
    let mut plan = Plan::new(&m, &mut report)?;
    plan.mark(&m);
    let code = plan.code(&m, &mut report);
    let segments = plan.data(&m, &mut report)?;
    let data = data_section(segments.iter().map(|(offset, bytes)| (*offset, &bytes[..])));
    let mut count = Vec::new();
    leb128(&mut count, segments.len());
    let out = with_sections(module, false, |id| match id {
        10 => Some(&code[..]),
        11 => Some(&data[..]),
        12 => Some(&count[..]),
        _ => None,
    })?;
    Ok((out, report))
}

/// Neighbouring live segments closer than this are written as one (a segment's header costs
/// about as many bytes as it saves).
const MERGE_GAP: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::sleb128;

    /// A LEB128 padded to 5 bytes, as the compiler writes relocated immediates.
    fn padded(n: u32) -> [u8; 5] {
        let mut out = [0u8; 5];
        for (i, byte) in out.iter_mut().enumerate() {
            let bits = u8::try_from((n >> (7 * i)) & 0x7f).expect("should be 7 bits");
            *byte = if i < 4 { bits | 0x80 } else { bits };
        }
        out
    }

    /// The same for a signed immediate (`i32.const`).
    fn padded_signed(n: i32) -> [u8; 5] {
        let mut out = [0u8; 5];
        for (i, byte) in out.iter_mut().enumerate() {
            let bits = u8::try_from((n >> (7 * i)) & 0x7f).expect("should be 7 bits");
            *byte = if i < 4 { bits | 0x80 } else { bits };
        }
        out
    }

    fn section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
        out.push(id);
        leb128(out, body.len());
        out.extend_from_slice(body);
    }

    fn custom(out: &mut Vec<u8>, name: &str, body: &[u8]) {
        let mut content = Vec::new();
        leb128(&mut content, name.len());
        content.extend_from_slice(name.as_bytes());
        content.extend_from_slice(body);
        section(out, 0, &content);
    }

    /// A body under construction: its bytes and its relocations (offset in the body, type,
    /// symbol, addend).
    #[derive(Default)]
    struct Body {
        bytes: Vec<u8>,
        relocs: Vec<(usize, u8, u32, i32)>,
    }

    impl Body {
        fn new() -> Self {
            Self { bytes: vec![0x00], relocs: Vec::new() } // no locals
        }
        fn op(mut self, bytes: &[u8]) -> Self {
            self.bytes.extend_from_slice(bytes);
            self
        }
        /// `i32.const` of a data symbol's address (+ `addend`), relocated.
        fn address(mut self, symbol: u32, address: i32, addend: i32) -> Self {
            self.bytes.push(0x41);
            self.relocs.push((self.bytes.len(), 4, symbol, addend)); // R_WASM_MEMORY_ADDR_SLEB
            self.bytes.extend_from_slice(&padded_signed(address + addend));
            self
        }
        fn call(mut self, symbol: u32, function: u32) -> Self {
            self.bytes.push(0x10);
            self.relocs.push((self.bytes.len(), 0, symbol, 0)); // R_WASM_FUNCTION_INDEX_LEB
            self.bytes.extend_from_slice(&padded(function));
            self
        }
    }

    const B_AT: i32 = 1024; // "panic message!!!", 16 bytes: only the panic uses it
    const A_AT: i32 = 1040; // 8 bytes the entry point reads at A − 4 + 4
    const C_AT: i32 = 2048; // a function pointer (table index 1, to `pointee`)

    /// A linked module with its relocations: `panic(i32)` traps; the exported `entry` reads A
    /// through an address folded to A − 4 (inside B), takes C's address, and calls `panic` with
    /// B; `dead` reads B but nothing calls it; `pointee` is reached only through C's table index.
    fn linked() -> Vec<u8> {
        let bodies = [
            Body::new().op(&[0x00, 0x0b]), // panic: unreachable
            Body::new()
                .address(5, A_AT, -4)
                .op(&[0x28, 0x02, 0x04, 0x1a]) // i32.load offset=4; drop
                .address(6, C_AT, 0)
                .op(&[0x1a]) // drop
                .address(4, B_AT, 0)
                .call(0, 0)
                .op(&[0x0b]),
            Body::new().address(4, B_AT, 0).op(&[0x1a, 0x0b]), // dead
            Body::new().op(&[0x0b]),                           // pointee
        ];
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        section(&mut m, 1, &[2, 0x60, 1, 0x7f, 0, 0x60, 0, 0]); // (i32) -> (), () -> ()
        section(&mut m, 3, &[4, 0, 1, 1, 1]);
        section(&mut m, 5, &[1, 0, 1]); // memory: 1 page
        section(&mut m, 7, &[1, 5, b'e', b'n', b't', b'r', b'y', 0, 1]);
        let mut code = vec![4u8];
        let mut code_relocs = Vec::new();
        for body in &bodies {
            let mut size = Vec::new();
            leb128(&mut size, body.bytes.len());
            let base = code.len() + size.len();
            code.extend_from_slice(&size);
            code.extend_from_slice(&body.bytes);
            code_relocs.extend(body.relocs.iter().map(|r| (base + r.0, r.1, r.2, r.3)));
        }
        section(&mut m, 10, &code);
        let segments: [(i32, &[u8]); 3] =
            [(B_AT, b"panic message!!!"), (A_AT, &[1, 2, 3, 4, 5, 6, 7, 8]), (C_AT, &[1, 0, 0, 0])];
        let mut data = vec![3u8];
        let mut c_offset = 0;
        for (at, bytes) in segments {
            data.extend_from_slice(&[0x00, 0x41]);
            sleb128(&mut data, i64::from(at));
            data.push(0x0b);
            leb128(&mut data, bytes.len());
            if at == C_AT {
                c_offset = data.len();
            }
            data.extend_from_slice(bytes);
        }
        section(&mut m, 11, &data);
        // linking: version 2, symbol table.
        let mut symbols = vec![7u8];
        for (i, name) in ["panic", "entry", "dead", "pointee"].iter().enumerate() {
            symbols.extend_from_slice(&[0, 0, u8::try_from(i).unwrap()]);
            symbols.push(u8::try_from(name.len()).unwrap());
            symbols.extend_from_slice(name.as_bytes());
        }
        for (segment, (name, size)) in [("B", 16u8), ("A", 8), ("C", 4)].iter().enumerate() {
            symbols.extend_from_slice(&[1, 0, 1, name.as_bytes()[0]]);
            symbols.extend_from_slice(&[u8::try_from(segment).unwrap(), 0, *size]);
        }
        let mut linking = vec![2u8, 8];
        leb128(&mut linking, symbols.len());
        linking.extend_from_slice(&symbols);
        custom(&mut m, "linking", &linking);
        let mut reloc_code = vec![4u8]; // the code section's index
        leb128(&mut reloc_code, code_relocs.len());
        for (offset, ty, symbol, addend) in code_relocs {
            reloc_code.push(ty);
            leb128(&mut reloc_code, offset);
            leb128(&mut reloc_code, symbol as usize);
            if ty == 4 {
                sleb128(&mut reloc_code, i64::from(addend));
            }
        }
        custom(&mut m, "reloc.CODE", &reloc_code);
        let mut reloc_data = vec![5u8, 1, 2]; // data section; one R_WASM_TABLE_INDEX_I32
        leb128(&mut reloc_data, c_offset);
        reloc_data.push(3); // `pointee`
        custom(&mut m, "reloc.DATA", &reloc_data);
        wasmparser::validate(&m).expect("the test module should be valid");
        m
    }

    #[test]
    fn cut_drops_panic_data_and_keeps_data_reached_through_folded_addresses() {
        let (out, report) = cut(&linked()).unwrap();
        wasmparser::validate(&out).expect("the cut module should be valid");
        assert_eq!(
            report,
            Cut { diverging: 1, calls: 1, dead_functions: 2, dead_segments: 1, dead_bytes: 16 }
        );
        let memory = crate::wasm::initial_memory(&out).unwrap().unwrap();
        assert!(memory[B_AT as usize..A_AT as usize].iter().all(|b| *b == 0), "B dropped");
        assert_eq!(&memory[A_AT as usize..A_AT as usize + 8], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&memory[C_AT as usize..], &[1]);
        let text = wasmprinter::print_bytes(&out).unwrap();
        assert!(!text.contains("call 0"), "the call to panic is cut:\n{text}");
        assert!(!text.contains(&format!("i32.const {B_AT}")), "its argument too:\n{text}");
        assert!(text.contains(&format!("i32.const {}", A_AT - 4)), "{text}");
        assert!(!text.contains("custom"), "relocations and symbols are gone");
    }

    #[test]
    fn cut_refuses_module_without_relocations() {
        let module = wat::parse_str("(module (func (export \"f\")))").unwrap();
        assert!(matches!(cut(&module), Err(CutError::NoRelocations)));
    }

    #[test]
    fn diverges_only_when_no_path_returns() {
        let ops = |text: &str| {
            let module = wat::parse_str(format!(
                "(module (import \"vm_hooks\" \"exit_early\" (func (param i32))) (func {text}))"
            ))
            .unwrap();
            let m = Module { imported_funcs: 1, ..Module::empty(&module) };
            let mut bodies = Vec::new();
            for payload in Parser::new(0).parse_all(&module) {
                if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                    bodies.push(super::Body {
                        range: to_usize(body.range().start)..to_usize(body.range().end),
                        ops_start: 0,
                    });
                }
            }
            let m = Module { bodies, ..m };
            diverges(&m.ops(0).unwrap(), m.imported_funcs)
        };
        assert!(ops("unreachable"));
        assert!(ops("(block (br 0)) unreachable"));
        assert!(ops("(loop (br 0)) unreachable"));
        assert!(!ops("nop"));
        assert!(!ops("(block (br 1)) unreachable"));
        assert!(!ops("(block (br_if 1 (i32.const 0))) unreachable"));
        assert!(!ops("(block (br_table 0 1 (i32.const 0))) unreachable"));
        assert!(!ops("return unreachable"));
        assert!(!ops("(call 0 (i32.const 1)) unreachable"), "the host may act before the trap");
    }
}
