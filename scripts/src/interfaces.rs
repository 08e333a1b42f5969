//! The suite's Solidity interfaces and JSON ABIs.
//!
//! The SDK's `export-abi` prints each contract's functions and (unnamed) errors, not its events.
//! The events and the named error declarations live in `contracts/sol/*.sol`, the same files the
//! `paratii-contracts` crate turns into Rust types. [`generate`] merges the two: the SDK's
//! functions, every event and every error of the contract's Solidity sources (each SDK error
//! checked against its named declaration: same signature), plus the constructor. The result is written as
//! `contracts/abi/I<Name>.sol` and, parsed item by item with `alloy-json-abi`, as `I<Name>.json`.

use std::fmt::{self, Write as _};

use alloy_json_abi::{Constructor, Error as AbiErrorItem, Event, Function, JsonAbi, Param};

/// Why an interface could not be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbiError {
    /// The SDK output has no `interface … { … }` block.
    NoInterface,
    /// A declaration does not parse as a Solidity ABI item.
    Unparsable {
        /// The declaration.
        decl: String,
        /// The parser's message.
        reason: String,
    },
    /// The contract reverts with an error no `contracts/sol/` source declares.
    UndeclaredError(String),
    /// A named declaration's signature differs from the SDK's.
    SignatureMismatch {
        /// The SDK's signature.
        sdk: String,
        /// The source's signature.
        declared: String,
    },
}

impl fmt::Display for AbiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoInterface => write!(f, "export-abi printed no interface block"),
            Self::Unparsable { decl, reason } => write!(f, "cannot parse `{decl}`: {reason}"),
            Self::UndeclaredError(sig) => {
                write!(f, "error {sig} is not declared in the contract's contracts/sol sources")
            }
            Self::SignatureMismatch { sdk, declared } => {
                write!(f, "export-abi has {sdk}, contracts/sol declares {declared}")
            }
        }
    }
}

impl std::error::Error for AbiError {}

/// What a declaration in a Solidity source declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `event …;`
    Event,
    /// `error …;`
    Error,
    /// `struct … { … }`
    Struct,
}

/// An event or error declared in a Solidity source, with its `NatSpec` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// Event or error.
    pub kind: Kind,
    /// The declaration on one line, without the trailing `;`.
    pub decl: String,
    /// The `///` lines above it.
    pub docs: Vec<String>,
}

/// The events, errors and structs of a Solidity source, in order (pragmas are skipped).
#[must_use]
pub fn declarations(source: &str) -> Vec<Declaration> {
    let mut out = Vec::new();
    let mut docs = Vec::new();
    let mut pending: Option<(Kind, String)> = None;
    for line in source.lines().map(str::trim) {
        if let Some((kind, mut decl)) = pending.take() {
            decl.push(' ');
            decl.push_str(line);
            if kind == Kind::Struct {
                if decl.ends_with('}') {
                    out.push(Declaration {
                        kind,
                        decl: squash(&decl),
                        docs: std::mem::take(&mut docs),
                    });
                } else {
                    pending = Some((kind, decl));
                }
                continue;
            }
            match decl.strip_suffix(';') {
                Some(done) => out.push(Declaration {
                    kind,
                    decl: squash(done),
                    docs: std::mem::take(&mut docs),
                }),
                None => pending = Some((kind, decl)),
            }
            continue;
        }
        if line.starts_with("///") {
            docs.push(line.to_owned());
            continue;
        }
        let kind = if line.starts_with("event ") {
            Kind::Event
        } else if line.starts_with("error ") {
            Kind::Error
        } else if line.starts_with("struct ") {
            if line.ends_with('}') {
                out.push(Declaration {
                    kind: Kind::Struct,
                    decl: squash(line),
                    docs: std::mem::take(&mut docs),
                });
            } else {
                pending = Some((Kind::Struct, line.to_owned()));
            }
            continue;
        } else {
            if !line.is_empty() {
                docs.clear();
            }
            continue;
        };
        match line.strip_suffix(';') {
            Some(done) => {
                out.push(Declaration { kind, decl: squash(done), docs: std::mem::take(&mut docs) });
            }
            None => pending = Some((kind, line.to_owned())),
        }
    }
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace("( ", "(").replace(" )", ")")
}

fn unparsable(decl: &str, reason: &impl ToString) -> AbiError {
    AbiError::Unparsable { decl: decl.to_owned(), reason: reason.to_string() }
}

/// A generated interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `I<Name>.sol`.
    pub solidity: String,
    /// `I<Name>.json`, pretty-printed, ending in a newline.
    pub json: String,
}

/// Merges the SDK's `export-abi` output (`sdk`), its `constructor` line (`constructor`, empty if
/// none) and the contract's Solidity sources into the interface and its JSON ABI.
///
/// # Errors
/// [`AbiError`] when the SDK output has no interface, a declaration does not parse, or an error
/// the contract reverts with is not declared (with the same signature) in its sources.
///
/// # Panics
/// Never: serialising a [`JsonAbi`] to a string cannot fail.
pub fn generate(
    sdk: &str,
    constructor: &str,
    sources: &[(&str, &str)],
) -> Result<Generated, AbiError> {
    let open = sdk.find("interface ").ok_or(AbiError::NoInterface)?;
    let brace = open + sdk[open..].find('{').ok_or(AbiError::NoInterface)?;
    let close = sdk.rfind('}').filter(|&c| c > brace).ok_or(AbiError::NoInterface)?;
    let header = sdk[..open].replace("MIT-OR-APACHE-2.0", "MIT OR Apache-2.0");
    let name = sdk[open + "interface ".len()..brace].trim();
    let statements: Vec<&str> = sdk[brace + 1..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.trim_end_matches(';'))
        .collect();

    let declared: Vec<Declaration> =
        sources.iter().flat_map(|(_, src)| declarations(src)).collect();
    let mut abi = JsonAbi::new();
    let mut sol = String::new();
    sol.push_str(header.trim_end());
    let files: Vec<&str> = sources.iter().map(|(f, _)| *f).collect();
    let _ = write!(
        sol,
        "\n\n// Generated by `cargo run -p paratii-build -- abi` from the SDK's export-abi output and\n\
         // contracts/sol/{{{}}} (events, named errors). Do not edit.\n\ninterface {name} {{\n",
        files.join(",")
    );

    let constructor = constructor.trim();
    if !constructor.is_empty() {
        let parsed = Constructor::parse(constructor).map_err(|e| unparsable(constructor, &e))?;
        abi.constructor = Some(parsed);
        let _ = writeln!(sol, "    // Deployment: {constructor}\n");
    }

    let used = declare_structs(&mut sol, &declared, &statements)?;
    let used: Vec<&Struct> = used.iter().collect();

    for d in declared.iter().filter(|d| d.kind == Kind::Event) {
        let event = Event::parse(&d.decl).map_err(|e| unparsable(&d.decl, &e))?;
        push_declaration(&mut sol, &d.docs, &d.decl);
        abi.events.entry(event.name.clone()).or_default().push(event);
    }

    for stmt in &statements {
        if stmt.starts_with("function ") {
            let expanded = expand_structs(stmt, &used);
            let mut function = Function::parse(&expanded).map_err(|e| unparsable(stmt, &e))?;
            for param in function.inputs.iter_mut().chain(function.outputs.iter_mut()) {
                name_components(param, &used);
            }
            let _ = writeln!(sol, "    {stmt};\n");
            abi.functions.entry(function.name.clone()).or_default().push(function);
        }
    }

    // Every SDK error must be declared, with the same signature, in the contract's sources.
    for stmt in &statements {
        if let Some(sig_decl) = stmt.strip_prefix("error ") {
            let sdk_sig = squash(sig_decl).replace(", ", ",");
            let error_name = sdk_sig.split('(').next().unwrap_or_default().to_owned();
            let d = declared
                .iter()
                .find(|d| {
                    d.kind == Kind::Error && error_name_of(&d.decl) == Some(error_name.as_str())
                })
                .ok_or_else(|| AbiError::UndeclaredError(sdk_sig.clone()))?;
            let error = AbiErrorItem::parse(&d.decl).map_err(|e| unparsable(&d.decl, &e))?;
            if error.signature() != sdk_sig {
                return Err(AbiError::SignatureMismatch {
                    sdk: sdk_sig,
                    declared: error.signature(),
                });
            }
        }
    }
    // Then every error the sources declare, in their order: a function returning raw revert
    // data (to pass a peer's error through unchanged) hides its own errors from the SDK.
    for d in declared.iter().filter(|d| d.kind == Kind::Error) {
        let error = AbiErrorItem::parse(&d.decl).map_err(|e| unparsable(&d.decl, &e))?;
        push_declaration(&mut sol, &d.docs, &d.decl);
        abi.errors.entry(error.name.clone()).or_default().push(error);
    }

    let trimmed = sol.trim_end().to_owned();
    let mut solidity = trimmed;
    solidity.push_str("\n}\n");
    let mut json = serde_json::to_string_pretty(&abi).expect("should serialise a JSON ABI");
    json.push('\n');
    Ok(Generated { solidity, json })
}

/// Writes into `sol` the structs the functions among `statements` take or return (and the
/// structs inside those), as the sources declare them; returns them with each one's canonical
/// tuple type (by index), to name the JSON ABI's components.
fn declare_structs(
    sol: &mut String,
    declared: &[Declaration],
    statements: &[&str],
) -> Result<Vec<Struct>, AbiError> {
    let structs: Vec<Struct> = declared
        .iter()
        .filter(|d| d.kind == Kind::Struct)
        .filter_map(|d| {
            Struct::parse(&d.decl).map(|mut s| {
                s.docs.clone_from(&d.docs);
                s
            })
        })
        .collect();
    let mut used_names: Vec<String> = Vec::new();
    let mut frontier: Vec<String> =
        statements.iter().filter(|s| s.starts_with("function ")).map(|s| (*s).to_owned()).collect();
    while let Some(text) = frontier.pop() {
        for st in &structs {
            if !used_names.contains(&st.name) && mentions(&text, &st.name) {
                used_names.push(st.name.clone());
                let types: Vec<&str> = st.fields.iter().map(|(t, _)| t.as_str()).collect();
                frontier.push(types.join(" "));
            }
        }
    }
    let mut used: Vec<Struct> =
        structs.into_iter().filter(|st| used_names.contains(&st.name)).collect();
    let shapes = {
        let refs: Vec<&Struct> = used.iter().collect();
        used.iter()
            .map(|st| {
                let expanded = expand_structs(&format!("function f({} x)", st.name), &refs);
                Function::parse(&expanded)
                    .map(|f| f.inputs[0].selector_type().into_owned())
                    .map_err(|e| unparsable(&st.name, &e))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    for (st, shape) in used.iter_mut().zip(shapes) {
        st.shape = shape;
        for doc in &st.docs {
            let _ = writeln!(sol, "    {doc}");
        }
        let _ = writeln!(sol, "    struct {} {{", st.name);
        for (ty, field) in &st.fields {
            let _ = writeln!(sol, "        {ty} {field};");
        }
        let _ = writeln!(sol, "    }}\n");
    }
    Ok(used)
}

/// A struct a Solidity source declares: `struct Name { type field; … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Struct {
    name: String,
    fields: Vec<(String, String)>,
    docs: Vec<String>,
    /// The canonical tuple type, e.g. `(address,uint256)`, once known.
    shape: String,
}

impl Struct {
    /// The struct of a squashed `struct Name { type field; … }` declaration.
    fn parse(decl: &str) -> Option<Self> {
        let rest = decl.strip_prefix("struct ")?;
        let (name, body) = rest.split_once('{')?;
        let body = body.trim().strip_suffix('}')?;
        let fields = body
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| {
                let (ty, field) = f.rsplit_once(' ')?;
                Some((ty.trim().to_owned(), field.trim().to_owned()))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self { name: name.trim().to_owned(), fields, docs: Vec::new(), shape: String::new() })
    }

    /// The struct as a human-readable tuple type, `tuple(type, …)` (the parser takes no
    /// component names; [`name_components`] adds them after parsing).
    fn tuple(&self) -> String {
        let fields: Vec<&str> = self.fields.iter().map(|(ty, _)| ty.as_str()).collect();
        format!("tuple({})", fields.join(","))
    }
}

/// Gives a parsed parameter's tuple components the field names of the struct of its shape (the
/// canonical tuple type, array suffixes aside), recursively.
fn name_components(param: &mut Param, structs: &[&Struct]) {
    if param.components.is_empty() {
        return;
    }
    let selector = param.selector_type();
    let shape = selector.trim_end_matches(|c: char| c == ']' || c == '[' || c.is_ascii_digit());
    if let Some(st) = structs.iter().find(|st| st.shape == shape) {
        for (component, (_, name)) in param.components.iter_mut().zip(&st.fields) {
            component.name.clone_from(name);
        }
    }
    for component in &mut param.components {
        name_components(component, structs);
    }
}

/// Whether `word` occurs in `text` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    replace_word(text, word, "") != text
}

/// `text` with every whole-identifier occurrence of `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// A function statement with every struct type written out as a tuple (nested ones too), which
/// the human-readable ABI parser understands.
fn expand_structs(stmt: &str, structs: &[&Struct]) -> String {
    let mut text = stmt.to_owned();
    for _ in 0..8 {
        let before = text.clone();
        for st in structs {
            text = replace_word(&text, &st.name, &st.tuple());
        }
        if text == before {
            break;
        }
    }
    text
}

/// The name in `error Name(…)`.
fn error_name_of(decl: &str) -> Option<&str> {
    decl.strip_prefix("error ").and_then(|r| r.split('(').next())
}

fn push_declaration(sol: &mut String, docs: &[String], decl: &str) {
    for doc in docs {
        let _ = writeln!(sol, "    {doc}");
    }
    let _ = writeln!(sol, "    {decl};\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDK: &str = "/**\n * generated\n */\n\n// SPDX-License-Identifier: MIT-OR-APACHE-2.0\npragma solidity ^0.8.23;\n\ninterface IThing {\n    function get(address owner) external view returns (uint256);\n\n    function name() external view returns (string memory);\n\n    error Broke(address, uint256);\n}\n";
    const SOURCE: &str = "pragma solidity ^0.8.22;\n/// Something changed.\nevent Changed(address indexed who,\n    uint256 value);\n/// `who` broke `n`.\nerror Broke(address who, uint256 n);\n/// Unused here.\nerror Other();\nstruct S { uint256 a; }\n";

    #[test]
    fn declarations_joins_multiline_and_keeps_docs() {
        let d = declarations(SOURCE);
        assert_eq!(d.len(), 4);
        assert_eq!((d[3].kind, d[3].decl.as_str()), (Kind::Struct, "struct S { uint256 a; }"));
        assert_eq!(d[0].decl, "event Changed(address indexed who, uint256 value)");
        assert_eq!(d[0].docs, ["/// Something changed."]);
        assert_eq!(
            (d[1].kind, d[1].decl.as_str()),
            (Kind::Error, "error Broke(address who, uint256 n)")
        );
    }

    #[test]
    fn generate_adds_events_names_errors_and_constructor() {
        let g = generate(SDK, "constructor(address holder)", &[("Thing.sol", SOURCE)]).unwrap();
        assert!(g.solidity.contains("    event Changed(address indexed who, uint256 value);"));
        assert!(g.solidity.contains("    error Broke(address who, uint256 n);"));
        assert!(
            g.solidity.contains("    /// Unused here.\n    error Other();"),
            "every error the sources declare, with its docs"
        );
        assert!(g.solidity.contains("// SPDX-License-Identifier: MIT OR Apache-2.0"));
        assert!(g.solidity.ends_with("}\n"));
        let abi: JsonAbi = serde_json::from_str(&g.json).unwrap();
        assert_eq!(abi.constructor.as_ref().unwrap().inputs[0].name, "holder");
        assert_eq!(abi.function("get").unwrap()[0].signature(), "get(address)");
        assert_eq!(abi.function("name").unwrap()[0].outputs[0].ty, "string");
        assert!(abi.event("Changed").unwrap()[0].inputs[0].indexed);
        assert_eq!(abi.error("Broke").unwrap()[0].inputs[1].name, "n");
    }

    #[test]
    fn generate_declares_used_structs_and_expands_them_in_json() {
        let sdk = "interface IPay {\n    function open(Channel channel, uint256 deposit) external returns (bytes32);\n\n    function batch(Item[] memory items) external;\n}\n";
        let source = "/// A channel.\nstruct Channel {\n    address payer;\n    uint256 price;\n}\nstruct Item {\n    Channel channel;\n    bytes sig;\n}\n/// Unused.\nstruct Voucher { bytes32 id; }\n";
        let g = generate(sdk, "", &[("Pay.sol", source)]).unwrap();
        assert!(g.solidity.contains(
            "    /// A channel.\n    struct Channel {\n        address payer;\n        uint256 price;\n    }"
        ));
        assert!(g.solidity.contains("    struct Item {\n        Channel channel;"));
        assert!(!g.solidity.contains("Voucher"), "only the structs the functions use");
        let abi: JsonAbi = serde_json::from_str(&g.json).unwrap();
        let open = &abi.function("open").unwrap()[0];
        assert_eq!(open.signature(), "open((address,uint256),uint256)");
        assert_eq!(open.inputs[0].components[1].name, "price");
        assert_eq!(
            abi.function("batch").unwrap()[0].signature(),
            "batch(((address,uint256),bytes)[])"
        );
    }

    #[test]
    fn generate_fails_when_error_is_undeclared() {
        let source = "event Changed(address indexed who, uint256 value);\n";
        assert_eq!(
            generate(SDK, "", &[("Thing.sol", source)]),
            Err(AbiError::UndeclaredError("Broke(address,uint256)".into()))
        );
    }

    #[test]
    fn generate_fails_when_declared_signature_differs() {
        let source = "error Broke(address who);\n";
        assert_eq!(
            generate(SDK, "", &[("Thing.sol", source)]),
            Err(AbiError::SignatureMismatch {
                sdk: "Broke(address,uint256)".into(),
                declared: "Broke(address)".into()
            })
        );
    }

    #[test]
    fn generate_fails_when_no_interface() {
        assert_eq!(generate("pragma solidity ^0.8.23;", "", &[]), Err(AbiError::NoInterface));
    }
}
