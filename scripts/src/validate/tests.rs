//! One WAT fixture per rule: the minimal valid program, then each rule broken on its own.

use super::*;
use std::fmt::Write as _;

const ENTRY: &str = r#"(func (export "user_entrypoint") (param i32) (result i32) i32.const 0)"#;
const MEMORY: &str = r#"(memory (export "memory") 1)"#;

fn module(body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {body})")).expect("fixture should parse")
}

/// The minimal valid program around `extra` items.
fn program(extra: &str) -> Vec<u8> {
    module(&format!(
        r#"(import "vm_hooks" "pay_for_memory_grow" (func (param i32))) {MEMORY} {ENTRY} {extra}"#
    ))
}

fn rule_of(m: &[u8]) -> Rule {
    validate(m).expect_err("should be refused").rule
}

#[test]
fn validate_accepts_minimal_program() {
    let summary = validate(&program("")).unwrap();
    assert_eq!(summary.imports, ["pay_for_memory_grow"]);
    assert_eq!((summary.functions, summary.memory_pages), (1, 1));
    assert!(summary.brotli_bytes > 0 && summary.brotli_bytes < summary.wasm_bytes + 8);
}

#[test]
fn hostios_are_42_distinct_names() {
    let mut names: Vec<_> = HOSTIOS.iter().map(|(n, _, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 42);
}

#[test]
fn validate_fails_features_when_multi_value() {
    assert_eq!(
        rule_of(&program("(func (result i32 i32) i32.const 1 i32.const 2)")),
        Rule::Features
    );
}

#[test]
fn validate_fails_features_when_reference_types() {
    assert_eq!(rule_of(&program("(func (drop (ref.null extern)))")), Rule::Features);
}

#[test]
fn validate_fails_features_when_simd() {
    assert_eq!(rule_of(&program("(func (drop (v128.const i64x2 0 0)))")), Rule::Features);
}

#[test]
fn validate_fails_features_when_threads() {
    let m = module(&format!(
        r#"(memory (export "memory") 1 1 shared) {ENTRY} (func (drop (i32.atomic.load (i32.const 0))))"#
    ));
    assert_eq!(rule_of(&m), Rule::Features);
}

#[test]
fn validate_fails_features_when_tail_call() {
    assert_eq!(rule_of(&program("(func $f (return_call $f))")), Rule::Features);
}

#[test]
fn validate_fails_floats_when_float_instruction() {
    let refused =
        validate(&program("(func (drop (f64.add (f64.const 1) (f64.const 2))))")).unwrap_err();
    assert_eq!(refused.rule, Rule::Floats);
    assert!(refused.to_string().starts_with("no-floats: "), "{refused}");
}

#[test]
fn validate_fails_floats_when_float_param() {
    assert_eq!(rule_of(&program("(func (param f32))")), Rule::Floats);
}

#[test]
fn validate_fails_bulk_memory_ops_when_memory_init() {
    let m = program(
        r#"(data $d "abc") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3)))"#,
    );
    assert_eq!(rule_of(&m), Rule::BulkMemoryOps);
}

#[test]
fn validate_accepts_memory_copy_and_fill() {
    validate(&program(
        "(func (memory.copy (i32.const 0) (i32.const 8) (i32.const 8)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 8)))",
    ))
    .unwrap();
}

#[test]
fn validate_fails_start_function_when_present() {
    assert_eq!(rule_of(&program("(func $s) (start $s)")), Rule::StartFunction);
}

// Nitro (`prover/src/binary.rs`, `parse`): "reject the module if it imports or exports reserved
// symbols" (`x.starts_with("stylus")`); any other export is accepted.
#[test]
fn validate_fails_exports_when_name_has_reserved_stylus_prefix() {
    assert_eq!(rule_of(&program(r#"(func (export "stylus_extra"))"#)), Rule::Exports);
}

#[test]
fn validate_accepts_extra_exports_as_nitro_does() {
    let m = program(r#"(func (export "other")) (global (export "__data_end") i32 (i32.const 8))"#);
    validate(&m).unwrap();
}

#[test]
fn validate_fails_exports_when_an_import_is_re_exported() {
    let m = module(&format!(
        r#"(import "vm_hooks" "msg_reentrant" (func $r (result i32))) (export "r" (func $r)) {MEMORY} {ENTRY}"#
    ));
    assert_eq!(rule_of(&m), Rule::Exports);
}

#[test]
fn validate_fails_exports_when_entrypoint_missing() {
    assert_eq!(rule_of(&module(MEMORY)), Rule::Exports);
}

#[test]
fn validate_fails_exports_when_memory_not_exported() {
    assert_eq!(rule_of(&module(&format!("(memory 1) {ENTRY}"))), Rule::Exports);
}

#[test]
fn validate_fails_exports_when_entrypoint_has_wrong_type() {
    let m =
        module(&format!(r#"{MEMORY} (func (export "user_entrypoint") (result i32) i32.const 0)"#));
    assert_eq!(rule_of(&m), Rule::Exports);
}

#[test]
fn validate_fails_imports_when_module_is_not_vm_hooks() {
    let m = module(&format!(
        r#"(import "env" "native_keccak256" (func (param i32 i32 i32))) {MEMORY} {ENTRY}"#
    ));
    let refused = validate(&m).unwrap_err();
    assert_eq!(refused.rule, Rule::Imports);
    assert!(refused.detail.contains("env.native_keccak256"), "{refused}");
}

#[test]
fn validate_fails_imports_when_host_function_unknown() {
    let m = module(&format!(
        r#"(import "vm_hooks" "selfdestruct" (func (param i32))) {MEMORY} {ENTRY}"#
    ));
    assert_eq!(rule_of(&m), Rule::Imports);
}

#[test]
fn validate_fails_imports_when_signature_differs() {
    let m = module(&format!(
        r#"(import "vm_hooks" "block_timestamp" (func (result i32))) {MEMORY} {ENTRY}"#
    ));
    assert_eq!(rule_of(&m), Rule::Imports);
}

#[test]
fn validate_fails_memory_when_over_128_pages() {
    let m = module(&format!(r#"(memory (export "memory") 129) {ENTRY}"#));
    assert_eq!(rule_of(&m), Rule::Memory);
}

#[test]
fn validate_fails_wasm_size_when_over_128_kib() {
    let blob = "\\00".repeat(MAX_WASM_BYTES);
    assert_eq!(rule_of(&program(&format!(r#"(data (i32.const 0) "{blob}")"#))), Rule::WasmSize);
}

#[test]
fn validate_fails_compressed_size_when_incompressible_data_over_24_kib() {
    // 40 KiB of pseudo-random bytes: under the 128 KiB raw limit, over 24 KiB compressed.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut blob = String::new();
    for _ in 0..40 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let _ = write!(blob, "\\{:02x}", x & 0xff);
    }
    let m = program(&format!(r#"(data (i32.const 0) "{blob}")"#));
    assert!(validate_structure(&m).is_ok());
    assert_eq!(rule_of(&m), Rule::CompressedSize);
}

#[test]
fn validate_fails_function_count_when_over_4096() {
    assert_eq!(rule_of(&program(&"(func)".repeat(MAX_FUNCTIONS))), Rule::Functions);
}

#[test]
fn validate_fails_locals_when_over_348() {
    let locals = "(local i64)".repeat(349);
    assert_eq!(rule_of(&program(&format!("(func {locals})"))), Rule::Locals);
    validate(&program(&format!("(func {})", "(local i64)".repeat(348)))).unwrap();
}

#[test]
fn validate_fails_ops_per_function_when_over_65536() {
    let ops = "nop ".repeat(MAX_OPS_PER_FUNCTION);
    assert_eq!(rule_of(&program(&format!("(func {ops})"))), Rule::OpsPerFunction);
}

#[test]
fn validate_fails_data_segments_when_over_128() {
    let segments = r#"(data (i32.const 0) "x")"#.repeat(MAX_DATA_SEGMENTS + 1);
    assert_eq!(rule_of(&program(&segments)), Rule::DataSegments);
}

#[test]
fn validate_fails_table_entries_when_over_4096() {
    assert_eq!(rule_of(&program("(table 4097 funcref)")), Rule::TableEntries);
}

#[test]
fn validate_fails_data_bounds_when_segment_passes_initial_memory() {
    assert_eq!(rule_of(&program(r#"(data (i32.const 65535) "xy")"#)), Rule::DataBounds);
    assert_eq!(rule_of(&program(r#"(data (i32.const -1) "x")"#)), Rule::DataBounds);
    validate(&program(r#"(data (i32.const 65534) "xy")"#)).unwrap();
}

#[test]
fn validate_fails_data_bounds_when_segment_is_passive() {
    assert_eq!(rule_of(&program(r#"(data "x")"#)), Rule::DataBounds);
}
