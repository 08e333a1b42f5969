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
}

impl std::fmt::Display for DeployableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Print(e) => write!(f, "cannot print the module: {e}"),
            Self::Parse(e) => write!(f, "cannot parse the printed module: {e}"),
        }
    }
}

impl std::error::Error for DeployableError {}

/// The exports Stylus uses; [`deployable`] drops every other export.
pub const STYLUS_EXPORTS: &[&str] = &["memory", "user_entrypoint"];

/// The deployable form of rustc's module: printed to text and parsed back (which re-encodes
/// `call_indirect` without the overlong table index), then stripped of custom sections and of
/// the exports Stylus does not use (rustc exports the linker's `__heap_base`/`__data_end`
/// globals; the globals stay, only their exports go).
///
/// # Errors
/// [`DeployableError`] when the module cannot be printed or the text parsed back.
pub fn deployable(raw: &[u8]) -> Result<Vec<u8>, DeployableError> {
    let text = wasmprinter::print_bytes(raw).map_err(|e| DeployableError::Print(e.to_string()))?;
    let reparsed = wat::parse_str(&text).map_err(|e| DeployableError::Parse(e.to_string()))?;
    strip(&reparsed, STYLUS_EXPORTS).map_err(|e| DeployableError::Print(e.to_string()))
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

fn leb128(out: &mut Vec<u8>, mut n: usize) {
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

/// The compressed size Stylus limits.
#[must_use]
pub fn brotli_size(module: &[u8]) -> usize {
    brotli(module).len()
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
        wasmparser::Validator::new()
            .validate_all(&stripped)
            .unwrap();
        assert!(wasmprinter::print_bytes(&stripped)
            .unwrap()
            .contains("i32.const 7"));
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
        assert!(wasmparser::Validator::new_with_features(strict)
            .validate_all(&m)
            .is_err());
        let fixed = deployable(&m).unwrap();
        wasmparser::Validator::new_with_features(strict)
            .validate_all(&fixed)
            .unwrap();
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
                    wasmparser::Payload::ExportSection(r) => Some(
                        r.into_iter()
                            .map(|e| e.unwrap().name.to_owned())
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                })
                .flatten()
                .collect()
        };
        assert_eq!(
            exports(&module),
            ["memory", "__heap_base", "user_entrypoint"]
        );
        let fixed = deployable(&module).unwrap();
        assert_eq!(exports(&fixed), ["memory", "user_entrypoint"]);
        crate::validate::validate(&fixed).unwrap();
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
