//! Nitro's ink metering, applied to a module before it runs (`crates/prover/src/programs/
//! {meter,dynamic,heap}.rs` in Nitro, pricing v1), so compute costs exactly what it costs there:
//!
//! - **meter**: ops are grouped into basic blocks, each ending at `end`, `else`, `return`, `loop`,
//!   `br`, `br_if`, `br_table`, `if`, `call` or `call_indirect`; before each block a header checks
//!   that `stylus_ink_left` holds the block's ink ([`op_ink`] summed, plus [`HEADER_INK`]) and
//!   subtracts it, or sets `stylus_ink_status` to 1 and traps;
//! - **dynamic**: before `memory.fill` / `memory.copy`, [`MEMORY_BYTE_INK`] per byte (the size
//!   operand), the same out-of-ink rule;
//! - **heap**: before `memory.grow`, a call to the imported `pay_for_memory_grow` with the pages.
//!
//! Code the passes insert is not itself charged (as in Nitro, later passes are not metered).
//! The depth checker (`depth.rs`) is not reproduced: native stack limits are not modelled.

use std::convert::Infallible;

use wasm_encoder::{
    reencode::{Error as ReencodeError, Reencode, RoundtripReencoder},
    BlockType, ConstExpr, ExportKind, GlobalType, Instruction, ValType,
};
use wasmparser::{FuncType, Operator, Parser, Payload, TypeRef};

/// Ink of a block header (the check-and-subtract itself).
pub const HEADER_INK: u64 = 2450;
/// Ink per byte of `memory.fill` / `memory.copy`.
pub const MEMORY_BYTE_INK: i64 = 100;
/// The exported global holding the ink left.
pub const INK_LEFT: &str = "stylus_ink_left";
/// The exported global set to 1 when ink runs out.
pub const INK_STATUS: &str = "stylus_ink_status";

/// Ink of one operator (Nitro's `pricing_v1`); `u64::MAX` for operators Stylus cannot run.
// Arms are grouped as Nitro's table groups them, even where two groups share a price.
#[allow(clippy::match_same_arms)]
#[must_use]
pub fn op_ink(op: &Operator<'_>, types: &[FuncType]) -> u64 {
    use Operator as O;
    match op {
        O::Unreachable | O::Return | O::Nop | O::I32Const { .. } | O::I64Const { .. } => 1,
        O::Block { .. } | O::Loop { .. } | O::Else | O::End => 1,
        O::Drop => 9,
        O::Br { .. } | O::BrIf { .. } | O::If { .. } => 765,
        O::Select => 1250,
        O::Call { .. } => 3800,
        O::LocalGet { .. } | O::LocalTee { .. } => 75,
        O::LocalSet { .. } => 210,
        O::GlobalGet { .. } => 225,
        O::GlobalSet { .. } => 575,
        O::I32Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. } => 670,
        O::I64Load { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. } => 680,
        O::I32Store { .. } | O::I32Store8 { .. } | O::I32Store16 { .. } => 825,
        O::I64Store { .. } | O::I64Store8 { .. } | O::I64Store16 { .. } | O::I64Store32 { .. } => {
            950
        }
        O::MemorySize { .. } => 3000,
        // Nitro's price for the instruction itself; the pages are paid through
        // `pay_for_memory_grow` (the memory model) on top.
        O::MemoryGrow { .. } => MEMORY_GROW_INK,
        O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU => 170,
        O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU => 225,
        O::I32Clz | O::I32Ctz | O::I64Clz | O::I64Ctz => 210,
        O::I32Add
        | O::I32Sub
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr => 70,
        O::I64Add
        | O::I64Sub
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr => 100,
        O::I32Mul | O::I64Mul => 160,
        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU => 1120,
        O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => 1270,
        O::I32Popcnt => 2650,
        O::I64Popcnt => 6000,
        O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => 100,
        O::MemoryCopy { .. } | O::MemoryFill { .. } => 950,
        O::BrTable { targets } => 2400 + 325 * u64::from(targets.len()),
        O::CallIndirect { type_index, .. } => {
            let params = types.get(*type_index as usize).map_or(0, |t| t.params().len());
            13_610 + 650 * params as u64
        }
        _ => u64::MAX,
    }
}

/// Whether `op` ends a basic block.
#[must_use]
pub fn ends_basic_block(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::End
            | Operator::Else
            | Operator::Return
            | Operator::Loop { .. }
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::If { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
    )
}

/// What the pre-pass learns about the module.
struct Layout {
    types: Vec<FuncType>,
    imported_globals: u32,
    defined_globals: u32,
    has_global_section: bool,
    pay_for_memory_grow: Option<u32>,
}

fn layout(module: &[u8]) -> Result<Layout, String> {
    let mut l = Layout {
        types: Vec::new(),
        imported_globals: 0,
        defined_globals: 0,
        has_global_section: false,
        pay_for_memory_grow: None,
    };
    let mut imported_funcs = 0u32;
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    l.types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    match import.ty {
                        TypeRef::Func(_) => {
                            if import.module == "vm_hooks" && import.name == "pay_for_memory_grow" {
                                l.pay_for_memory_grow = Some(imported_funcs);
                            }
                            imported_funcs += 1;
                        }
                        TypeRef::Global(_) => l.imported_globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(r) => {
                l.has_global_section = true;
                l.defined_globals = r.count();
            }
            _ => {}
        }
    }
    Ok(l)
}

struct Meter {
    layout: Layout,
    /// Indices of the ink, status and scratch globals.
    ink: u32,
    status: u32,
    scratch: u32,
    globals_added: bool,
}

impl Meter {
    fn add_globals(&mut self, globals: &mut wasm_encoder::GlobalSection) {
        let mutable = |val_type| GlobalType { val_type, mutable: true, shared: false };
        globals.global(mutable(ValType::I64), &ConstExpr::i64_const(0));
        globals.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
        globals.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
        self.globals_added = true;
    }

    fn out_of_ink_check(&self, f: &mut wasm_encoder::Function) {
        f.instruction(&Instruction::If(BlockType::Empty));
        f.instruction(&Instruction::I32Const(1));
        f.instruction(&Instruction::GlobalSet(self.status));
        f.instruction(&Instruction::Unreachable);
        f.instruction(&Instruction::End);
    }

    fn header(&self, f: &mut wasm_encoder::Function, ink: u64) {
        let ink = ink.cast_signed();
        f.instruction(&Instruction::GlobalGet(self.ink));
        f.instruction(&Instruction::I64Const(ink));
        f.instruction(&Instruction::I64LtU);
        self.out_of_ink_check(f);
        f.instruction(&Instruction::GlobalGet(self.ink));
        f.instruction(&Instruction::I64Const(ink));
        f.instruction(&Instruction::I64Sub);
        f.instruction(&Instruction::GlobalSet(self.ink));
    }

    /// `[size] → [size]`, having paid `MEMORY_BYTE_INK` per byte (wrap-around means out of ink).
    fn per_byte(&self, f: &mut wasm_encoder::Function) {
        f.instruction(&Instruction::GlobalSet(self.scratch));
        f.instruction(&Instruction::GlobalGet(self.ink));
        f.instruction(&Instruction::GlobalGet(self.ink));
        f.instruction(&Instruction::GlobalGet(self.scratch));
        f.instruction(&Instruction::I64ExtendI32U);
        f.instruction(&Instruction::I64Const(MEMORY_BYTE_INK));
        f.instruction(&Instruction::I64Mul);
        f.instruction(&Instruction::I64Sub);
        f.instruction(&Instruction::GlobalSet(self.ink));
        f.instruction(&Instruction::GlobalGet(self.ink));
        f.instruction(&Instruction::I64LtU);
        self.out_of_ink_check(f);
        f.instruction(&Instruction::GlobalGet(self.scratch));
    }

    fn emit(
        &mut self,
        f: &mut wasm_encoder::Function,
        op: Operator<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        match op {
            Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } => self.per_byte(f),
            Operator::MemoryGrow { .. } => {
                if let Some(pay) = self.layout.pay_for_memory_grow {
                    f.instruction(&Instruction::GlobalSet(self.scratch));
                    f.instruction(&Instruction::GlobalGet(self.scratch));
                    f.instruction(&Instruction::Call(pay));
                    f.instruction(&Instruction::GlobalGet(self.scratch));
                }
            }
            _ => {}
        }
        let instruction = RoundtripReencoder.instruction(op)?;
        f.instruction(&instruction);
        Ok(())
    }
}

impl Reencode for Meter {
    type Error = Infallible;

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        wasm_encoder::reencode::utils::parse_global_section(self, globals, section)?;
        self.add_globals(globals);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<wasm_encoder::SectionId>,
        before: Option<wasm_encoder::SectionId>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        use wasm_encoder::SectionId as S;
        let past_globals = matches!(
            before,
            None | Some(S::Export | S::Start | S::Element | S::DataCount | S::Code | S::Data)
        );
        if !self.layout.has_global_section && !self.globals_added && past_globals {
            let mut globals = wasm_encoder::GlobalSection::new();
            self.add_globals(&mut globals);
            module.section(&globals);
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        exports.export(INK_LEFT, ExportKind::Global, self.ink);
        exports.export(INK_STATUS, ExportKind::Global, self.status);
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), ReencodeError<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut block = Vec::new();
        let mut ink = 0u64;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            ink = ink.saturating_add(op_ink(&op, &self.layout.types));
            let ends = ends_basic_block(&op);
            block.push(op);
            if ends {
                self.header(&mut f, ink.saturating_add(HEADER_INK));
                for op in block.drain(..) {
                    self.emit(&mut f, op)?;
                }
                ink = 0;
            }
        }
        code.function(&f);
        Ok(())
    }
}

/// The module with Nitro's ink metering applied (see the module docs).
///
/// # Errors
/// A message when the module does not parse.
pub fn instrument(module: &[u8]) -> Result<Vec<u8>, String> {
    let layout = layout(module)?;
    let first = layout.imported_globals + layout.defined_globals;
    let mut meter =
        Meter { layout, ink: first, status: first + 1, scratch: first + 2, globals_added: false };
    let mut out = wasm_encoder::Module::new();
    meter
        .parse_core_module(&mut out, Parser::new(0), module)
        .map_err(|e| format!("cannot instrument the module: {e:?}"))?;
    Ok(out.finish())
}

/// Ink of the `memory.grow` instruction (Nitro's opcode table), beside the pages it buys.
pub const MEMORY_GROW_INK: u64 = 8050;

/// The globals Nitro's instrumentation adds before it counts a module's globals for the entry
/// cost: the meter's `ink_left` and `ink_status`, and the depth checker's `depth_left`.
pub const NITRO_ADDED_GLOBALS: u64 = 3;

/// What a module's entry cost depends on (see [`crate::pricing::ProgramShape`]), counted as
/// Nitro's `WasmBinary::instrument` counts it: globals after its instrumentation added
/// [`NITRO_ADDED_GLOBALS`], and data as the byte length of every data-segment entry and
/// element-segment entry in the binary (headers included, not only the payload).
///
/// # Errors
/// A message when the module does not parse.
pub fn shape(
    module: &[u8],
    summary: &paratii_build::validate::Summary,
) -> Result<crate::pricing::ProgramShape, String> {
    let layout = layout(module)?;
    let mut type_len = 0u64;
    let mut data_len = 0u64;
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| e.to_string())? {
            Payload::FunctionSection(r) => {
                for ty in r {
                    let ty = ty.map_err(|e| e.to_string())?;
                    let ty = layout.types.get(ty as usize).ok_or("function type out of range")?;
                    type_len += (ty.params().len() + ty.results().len()) as u64;
                }
            }
            Payload::DataSection(r) => {
                for data in r {
                    let range = data.map_err(|e| e.to_string())?.range;
                    data_len += range.end - range.start;
                }
            }
            Payload::ElementSection(r) => {
                for element in r {
                    let range = element.map_err(|e| e.to_string())?.range;
                    data_len += range.end - range.start;
                }
            }
            _ => {}
        }
    }
    Ok(crate::pricing::ProgramShape {
        funcs: summary.functions as u64,
        type_len,
        wasm_bytes: module.len() as u64,
        globals: summary.globals as u64 + NITRO_ADDED_GLOBALS,
        data_bytes: data_len,
        footprint: u16::try_from(summary.memory_pages).unwrap_or(u16::MAX),
    })
}
