//! Turning rustc's module into deployable bytes, and measuring them.

use std::io::Write;

/// Brotli quality Stylus compresses with.
pub const BROTLI_QUALITY: u32 = 11;
/// Brotli window (log2) Stylus compresses with.
pub const BROTLI_WINDOW: u32 = 22;

/// Why a module could not be made deployable.
#[derive(Debug)]
pub enum DeployableError {
    /// The module does not parse or print.
    Print(String),
    /// The printed text does not parse back.
    Parse(String),
    /// The data segments could not be read, or packing them changed the initial memory (a bug
    /// in [`pack_data`]).
    Pack(String),
}

impl std::fmt::Display for DeployableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Print(e) => write!(f, "cannot print the module: {e}"),
            Self::Parse(e) => write!(f, "cannot parse the printed module: {e}"),
            Self::Pack(e) => write!(f, "cannot pack the data segments: {e}"),
        }
    }
}

impl std::error::Error for DeployableError {}

/// The exports Stylus uses; [`deployable`] drops every other export.
pub const STYLUS_EXPORTS: &[&str] = &["memory", "user_entrypoint"];

/// The deployable form of rustc's module: printed to text and parsed back (which re-encodes
/// `call_indirect` without the overlong table index), then stripped of custom sections and of
/// the exports Stylus does not use (rustc exports the linker's `__heap_base`/`__data_end`
/// globals; the globals stay, only their exports go), and its data segments packed
/// ([`pack_data`]).
///
/// # Errors
/// [`DeployableError`] when the module cannot be printed or the text parsed back, or (never,
/// unless [`pack_data`] is wrong) when packing changed the initial memory.
pub fn deployable(raw: &[u8]) -> Result<Vec<u8>, DeployableError> {
    let text = wasmprinter::print_bytes(raw).map_err(|e| DeployableError::Print(e.to_string()))?;
    let reparsed = wat::parse_str(&text).map_err(|e| DeployableError::Parse(e.to_string()))?;
    let stripped =
        strip(&reparsed, STYLUS_EXPORTS).map_err(|e| DeployableError::Print(e.to_string()))?;
    let packed = pack_data(&stripped).map_err(|e| DeployableError::Pack(e.to_string()))?;
    let image = |m: &[u8]| initial_memory(m).map_err(|e| DeployableError::Pack(e.to_string()));
    if image(&packed)? != image(&stripped)? {
        return Err(DeployableError::Pack("the packed module's initial memory differs".into()));
    }
    Ok(packed)
}

/// Zero runs at least this long are cut out of data segments by [`pack_data`]: a new segment
/// costs about 8 bytes of module, a dropped byte 0.75 gas of every cached entry.
pub const PACK_MIN_ZERO_RUN: usize = 16;

/// One active data segment of memory 0 at a constant offset.
struct Segment<'a> {
    offset: u32,
    bytes: &'a [u8],
}

/// The module with the long zero runs of its data segments cut out: memory starts zeroed, so a
/// run of zeros in a segment that no other segment overlaps writes nothing. Nitro prices every
/// entry of a program by its data bytes (`cached_init_cost` counts 0.75 gas per byte), and
/// rustc's data is mostly padding. The longest runs go first, within
/// [`MAX_DATA_SEGMENTS`](crate::validate::MAX_DATA_SEGMENTS). A module whose segments are passive, on another memory, at a
/// non-constant offset, overlapping, or past the initial memory (which traps at instantiation,
/// and must keep trapping) is returned unchanged.
///
/// # Errors
/// When the module does not parse.
pub fn pack_data(module: &[u8]) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut segments = Vec::new();
    let mut memory_bytes = 0u64;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload? {
            wasmparser::Payload::MemorySection(reader) => {
                for memory in reader {
                    memory_bytes = memory?.initial.saturating_mul(65_536);
                }
            }
            wasmparser::Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let wasmparser::DataKind::Active { memory_index: 0, offset_expr } = data.kind
                    else {
                        return Ok(module.to_vec());
                    };
                    let mut ops = offset_expr.get_operators_reader();
                    let (wasmparser::Operator::I32Const { value }, wasmparser::Operator::End) =
                        (ops.read()?, ops.read()?)
                    else {
                        return Ok(module.to_vec());
                    };
                    segments.push(Segment { offset: value.cast_unsigned(), bytes: data.data });
                }
            }
            _ => {}
        }
    }
    let mut spans: Vec<(u64, u64)> = segments
        .iter()
        .map(|s| (u64::from(s.offset), u64::from(s.offset) + s.bytes.len() as u64))
        .collect();
    spans.sort_unstable();
    let out_of_memory = spans.last().is_some_and(|span| span.1 > memory_bytes);
    if segments.is_empty() || out_of_memory || spans.windows(2).any(|w| w[0].1 > w[1].0) {
        return Ok(module.to_vec());
    }
    let packed = pack_segments(&segments);
    let section = data_section(packed.iter().map(|s| (s.offset.cast_signed(), s.bytes)));
    let mut count = Vec::new();
    leb128(&mut count, packed.len());
    with_sections(module, true, |id| match id {
        11 => Some(&section[..]),
        12 => Some(&count[..]),
        _ => None,
    })
}

/// The contents of a data section holding `segments` (offset, bytes), each active in memory 0
/// at a constant offset.
pub(crate) fn data_section<'a>(
    segments: impl ExactSizeIterator<Item = (i32, &'a [u8])>,
) -> Vec<u8> {
    let mut section = Vec::new();
    leb128(&mut section, segments.len());
    for (offset, bytes) in segments {
        section.push(0); // active, memory 0
        section.push(0x41); // i32.const
        sleb128(&mut section, i64::from(offset));
        section.push(0x0b); // end
        leb128(&mut section, bytes.len());
        section.extend_from_slice(bytes);
    }
    section
}

/// `module` with the contents of each section for which `replace(id)` answers replaced by that
/// answer; custom sections are kept only with `keep_custom`. Sections `replace` names but the
/// module lacks are not added.
///
/// # Errors
/// When the module does not parse.
pub(crate) fn with_sections<'a>(
    module: &[u8],
    keep_custom: bool,
    replace: impl Fn(u8) -> Option<&'a [u8]>,
) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut out = Vec::with_capacity(module.len());
    out.extend_from_slice(&module[..8]);
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let Some((id, range)) = payload?.as_section() else { continue };
        if id == 0 && !keep_custom {
            continue;
        }
        let body = replace(id).unwrap_or(&module[to_usize(range.start)..to_usize(range.end)]);
        out.push(id);
        leb128(&mut out, body.len());
        out.extend_from_slice(body);
    }
    Ok(out)
}

/// The initial memory a module's active data segments write (from address 0 to the last non-zero
/// byte), later segments over earlier ones; `None` when a segment is passive, at a non-constant
/// offset, or past the first memory's initial pages.
///
/// # Errors
/// When the module does not parse.
pub fn initial_memory(module: &[u8]) -> Result<Option<Vec<u8>>, wasmparser::BinaryReaderError> {
    let mut memory = Vec::new();
    let mut limit = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload?;
        if let wasmparser::Payload::MemorySection(reader) = &payload {
            if let Some(first) = reader.clone().into_iter().next() {
                limit = to_usize(first?.initial.saturating_mul(65_536));
            }
        }
        if let wasmparser::Payload::DataSection(reader) = payload {
            for data in reader {
                let data = data?;
                let wasmparser::DataKind::Active { offset_expr, .. } = data.kind else {
                    return Ok(None);
                };
                let wasmparser::Operator::I32Const { value } =
                    offset_expr.get_operators_reader().read()?
                else {
                    return Ok(None);
                };
                let at = to_usize(u64::from(value.cast_unsigned()));
                if at + data.data.len() > limit {
                    return Ok(None);
                }
                if memory.len() < at + data.data.len() {
                    memory.resize(at + data.data.len(), 0);
                }
                memory[at..at + data.data.len()].copy_from_slice(data.data);
            }
        }
    }
    while memory.last() == Some(&0) {
        memory.pop();
    }
    Ok(Some(memory))
}

/// The segments split around their longest zero runs (at least [`PACK_MIN_ZERO_RUN`] bytes),
/// as many as [`MAX_DATA_SEGMENTS`](crate::validate::MAX_DATA_SEGMENTS) allows, with leading and trailing zeros trimmed.
fn pack_segments<'a>(segments: &[Segment<'a>]) -> Vec<Segment<'a>> {
    // (length, segment index, start within the segment) of every long zero run.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let mut at = 0;
        while at < segment.bytes.len() {
            let len = segment.bytes[at..].iter().take_while(|b| **b == 0).count();
            if len >= PACK_MIN_ZERO_RUN {
                runs.push((len, i, at));
            }
            at += len.max(1);
        }
    }
    runs.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    runs.truncate(crate::validate::MAX_DATA_SEGMENTS.saturating_sub(segments.len()));
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let mut cuts: Vec<(usize, usize)> =
            runs.iter().filter(|r| r.1 == i).map(|r| (r.2, r.2 + r.0)).collect();
        cuts.sort_unstable();
        let mut start = 0;
        for (cut_start, cut_end) in
            cuts.into_iter().chain([(segment.bytes.len(), segment.bytes.len())])
        {
            let piece = &segment.bytes[start..cut_start];
            let lead = piece.iter().take_while(|b| **b == 0).count();
            let trail = piece[lead..].iter().rev().take_while(|b| **b == 0).count();
            let kept = &piece[lead..piece.len() - trail];
            if !kept.is_empty() {
                let at = u32::try_from(start + lead).expect("should fit: segments are in memory");
                // Cannot overflow: the segment lies inside the initial memory (checked above).
                out.push(Segment { offset: segment.offset + at, bytes: kept });
            }
            start = cut_end;
        }
    }
    out
}

/// The module without its custom sections (names, producers, target features).
///
/// # Errors
/// When the module does not parse.
pub fn strip_custom_sections(module: &[u8]) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    strip(module, &[])
}

/// The module without custom sections and, unless `keep_exports` is empty, without the exports
/// not named in it.
///
/// # Errors
/// When the module does not parse.
pub fn strip(
    module: &[u8],
    keep_exports: &[&str],
) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut out = Vec::with_capacity(module.len());
    out.extend_from_slice(&module[..8]); // magic + version
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload?;
        if let Some((id, range)) = payload.as_section() {
            if id == 0 {
                continue;
            }
            if let (wasmparser::Payload::ExportSection(reader), false) =
                (&payload, keep_exports.is_empty())
            {
                let mut kept = Vec::new();
                let mut count = 0;
                for export in reader.clone() {
                    let export = export?;
                    if keep_exports.contains(&export.name) {
                        count += 1;
                        leb128(&mut kept, export.name.len());
                        kept.extend_from_slice(export.name.as_bytes());
                        kept.push(export_kind_byte(export.kind));
                        leb128(&mut kept, export.index as usize);
                    }
                }
                let mut section = Vec::new();
                leb128(&mut section, count);
                section.extend_from_slice(&kept);
                out.push(id);
                leb128(&mut out, section.len());
                out.extend_from_slice(&section);
                continue;
            }
            let (start, end) = (to_usize(range.start), to_usize(range.end));
            out.push(id);
            leb128(&mut out, end - start);
            out.extend_from_slice(&module[start..end]);
        }
    }
    Ok(out)
}

fn export_kind_byte(kind: wasmparser::ExternalKind) -> u8 {
    match kind {
        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => 0,
        wasmparser::ExternalKind::Table => 1,
        wasmparser::ExternalKind::Memory => 2,
        wasmparser::ExternalKind::Global => 3,
        wasmparser::ExternalKind::Tag => 4,
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).expect("should fit: the module is in memory")
}

/// Appends `n` as a signed LEB128.
pub(crate) fn sleb128(out: &mut Vec<u8>, mut n: i64) {
    loop {
        let byte = u8::try_from(n & 0x7f).expect("should be 7 bits");
        n >>= 7;
        let done = (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends `n` as an unsigned LEB128.
pub(crate) fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = u8::try_from(n & 0x7f).expect("should be 7 bits");
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The module brotli-compressed as Stylus stores it (quality 11, window 22).
///
/// # Panics
/// Never: the compressor writes to memory.
#[must_use]
pub fn brotli(module: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, BROTLI_WINDOW);
        w.write_all(module).expect("should write to memory");
    }
    out
}

/// The prefix of a Stylus program's on-chain code: `0xEF 0xF0 0x00`, then the dictionary byte
/// (0: none).
pub const STYLUS_CODE_PREFIX: [u8; 4] = [0xEF, 0xF0, 0x00, 0x00];

/// The code a deployment places on chain for `module`: [`STYLUS_CODE_PREFIX`] then
/// [`brotli()`]`(module)`. Its keccak is the code hash `ArbWasm` activates, and what a node's
/// `eth_getCode` returns after `scripts/deploy`.
#[must_use]
pub fn stylus_code(module: &[u8]) -> Vec<u8> {
    let mut code = STYLUS_CODE_PREFIX.to_vec();
    code.extend_from_slice(&brotli(module));
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_custom_sections_removes_names_and_keeps_code() {
        let module = wat::parse_str(
            r#"(module $named (func $f (export "f") (result i32) i32.const 7) (@custom "x" "payload"))"#,
        )
        .unwrap();
        let has_custom = |m: &[u8]| {
            wasmparser::Parser::new(0)
                .parse_all(m)
                .any(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(_))))
        };
        assert!(has_custom(&module));
        let stripped = strip_custom_sections(&module).unwrap();
        assert!(!has_custom(&stripped));
        assert!(stripped.len() < module.len());
        wasmparser::Validator::new().validate_all(&stripped).unwrap();
        assert!(wasmprinter::print_bytes(&stripped).unwrap().contains("i32.const 7"));
    }

    #[test]
    fn deployable_reencodes_overlong_call_indirect() {
        // call_indirect with its table index as a 5-byte LEB (0x80 0x80 0x80 0x80 0x00), the form
        // rustc emits; Stylus (reference-types off) rejects it.
        let m: Vec<u8> = [
            b"\0asm".as_slice(),
            &[1, 0, 0, 0],
            &[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // types: () -> ()
            &[0x03, 0x02, 0x01, 0x00],             // functions: one, of type 0
            &[0x04, 0x04, 0x01, 0x70, 0x00, 0x01], // table: funcref, min 1
            // code: i32.const 0; call_indirect type 0, table 0 (overlong); end
            &[0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x41, 0x00, 0x11, 0x00],
            &[0x80, 0x80, 0x80, 0x80, 0x00, 0x0b],
        ]
        .concat();
        wasmparser::Validator::new().validate_all(&m).unwrap();
        let strict = crate::validate::stylus_features();
        assert!(wasmparser::Validator::new_with_features(strict).validate_all(&m).is_err());
        let fixed = deployable(&m).unwrap();
        wasmparser::Validator::new_with_features(strict).validate_all(&fixed).unwrap();
    }

    #[test]
    fn deployable_keeps_only_stylus_exports() {
        let module = wat::parse_str(
            r#"(module (memory (export "memory") 1) (global (export "__heap_base") i32 (i32.const 8))
               (func (export "user_entrypoint") (param i32) (result i32) global.get 0))"#,
        )
        .unwrap();
        let exports = |m: &[u8]| -> Vec<String> {
            wasmparser::Parser::new(0)
                .parse_all(m)
                .filter_map(|p| match p.unwrap() {
                    wasmparser::Payload::ExportSection(r) => {
                        Some(r.into_iter().map(|e| e.unwrap().name.to_owned()).collect::<Vec<_>>())
                    }
                    _ => None,
                })
                .flatten()
                .collect()
        };
        assert_eq!(exports(&module), ["memory", "__heap_base", "user_entrypoint"]);
        let fixed = deployable(&module).unwrap();
        assert_eq!(exports(&fixed), ["memory", "user_entrypoint"]);
        crate::validate::validate(&fixed).unwrap();
    }

    /// (data bytes, data segments).
    fn data_bytes(module: &[u8]) -> (usize, usize) {
        wasmparser::Parser::new(0)
            .parse_all(module)
            .find_map(|p| match p.unwrap() {
                wasmparser::Payload::DataSection(r) => Some(
                    r.into_iter()
                        .map(|d| d.unwrap().data.len())
                        .fold((0, 0), |(bytes, n), len| (bytes + len, n + 1)),
                ),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn pack_data_cuts_zero_runs_and_keeps_initial_memory() {
        let module = wat::parse_str(
            r#"(module (memory (export "memory") 1)
               (data (i32.const 1024) "\00\00ab" "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00" "cd\00\00\00" "ef\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
               (data (i32.const 2048) "gh")
               (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
        )
        .unwrap();
        let packed = pack_data(&module).unwrap();
        assert_eq!(initial_memory(&packed).unwrap(), initial_memory(&module).unwrap());
        // 4 + 20 + 5 + 20 + 2 = 51 bytes in 2 segments become "ab", "cd\0\0\0ef", "gh".
        assert_eq!(data_bytes(&module), (51, 2));
        assert_eq!(data_bytes(&packed), (2 + 7 + 2, 3));
    }

    /// Nitro's data cost input: the byte length of every whole data-segment entry (headers
    /// included), as `WasmBinary::instrument` sums `datas[i].range.len()`.
    fn entry_bytes(module: &[u8]) -> u64 {
        wasmparser::Parser::new(0)
            .parse_all(module)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::DataSection(r) => Some(
                    r.into_iter()
                        .map(|d| {
                            let range = d.unwrap().range;
                            range.end - range.start
                        })
                        .sum::<u64>(),
                ),
                _ => None,
            })
            .sum()
    }

    #[test]
    fn pack_data_lowers_nitros_data_cost_even_counting_each_new_segments_header() {
        // The shortest run cut (PACK_MIN_ZERO_RUN zeros) saves more entry bytes than the header
        // of the segment it adds (flags 1, `i32.const 1044` and `end` 4, length 1: 6 bytes).
        let run = "\\00".repeat(PACK_MIN_ZERO_RUN);
        let module = wat::parse_str(format!(
            r#"(module (memory (export "memory") 1) (data (i32.const 1024) "ab{run}cd")
               (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#
        ))
        .unwrap();
        let packed = pack_data(&module).unwrap();
        assert_eq!(data_bytes(&packed).1, 2, "the run was cut");
        let (before, after) = (entry_bytes(&module), entry_bytes(&packed));
        assert!(after < before, "{after} entry bytes after packing, {before} before");
        assert_eq!(before - after, PACK_MIN_ZERO_RUN as u64 - 6);
    }

    #[test]
    fn pack_data_leaves_overlapping_segments_alone() {
        let zeros = "\\00".repeat(40);
        let module = wat::parse_str(format!(
            r#"(module (memory 1) (data (i32.const 0) "a{zeros}b") (data (i32.const 10) "{zeros}"))"#
        ))
        .unwrap();
        assert_eq!(pack_data(&module).unwrap(), module);
    }

    #[test]
    fn pack_data_leaves_segments_past_the_initial_memory_alone() {
        let zeros = "\\00".repeat(40);
        let module = wat::parse_str(format!(
            r#"(module (memory 1) (data (i32.const 65500) "a{zeros}{zeros}"))"#
        ))
        .unwrap();
        assert_eq!(pack_data(&module).unwrap(), module);
        assert_eq!(initial_memory(&module).unwrap(), None);
    }

    #[test]
    fn pack_data_stays_within_the_segment_limit() {
        let segment = format!("x{}", "\\00".repeat(PACK_MIN_ZERO_RUN)).repeat(200);
        let module =
            wat::parse_str(format!(r#"(module (memory 1) (data (i32.const 0) "{segment}"))"#))
                .unwrap();
        let packed = pack_data(&module).unwrap();
        assert_eq!(initial_memory(&packed).unwrap(), initial_memory(&module).unwrap());
        assert_eq!(data_bytes(&packed).1, crate::validate::MAX_DATA_SEGMENTS);
    }

    #[test]
    fn deployable_packs_data_segments() {
        let module = wat::parse_str(format!(
            r#"(module (memory (export "memory") 1) (data (i32.const 0) "a{}b")
               (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
            "\\00".repeat(300)
        ))
        .unwrap();
        let fixed = deployable(&module).unwrap();
        assert_eq!(data_bytes(&fixed).0, 2);
        assert_eq!(initial_memory(&fixed).unwrap(), initial_memory(&module).unwrap());
    }

    #[test]
    fn brotli_round_trips() {
        let data = b"stylus stylus stylus stylus".repeat(100);
        let packed = brotli(&data);
        assert!(packed.len() < data.len() / 10);
        let mut unpacked = Vec::new();
        brotli::BrotliDecompress(&mut &packed[..], &mut unpacked).unwrap();
        assert_eq!(unpacked, data);
    }
}
