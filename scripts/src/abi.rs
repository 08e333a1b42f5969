//! The suite's Solidity interfaces and JSON ABIs.
//!
//! The SDK's `export-abi` prints each contract's functions and (unnamed) errors, not its events.
//! The events and the named error declarations live in `contracts/sol/*.sol`, the same files the
//! `paratii-contracts` crate turns into Rust types. [`generate`] merges the two: the SDK's
//! functions, every event and every error of the contract's Solidity sources (each SDK error
//! checked against its named declaration: same signature), plus the constructor. The result is written as
//! `contracts/abi/I<Name>.sol` and, parsed item by item with `alloy-json-abi`, as `I<Name>.json`.

use std::fmt::{self, Write as _};

use alloy_json_abi::{Constructor, Error as AbiErrorItem, Event, Function, JsonAbi};

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
                write!(
                    f,
                    "error {sig} is not declared in the contract's contracts/sol sources"
                )
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

/// The events and errors of a Solidity source, in order (structs and pragmas are skipped).
#[must_use]
pub fn declarations(source: &str) -> Vec<Declaration> {
    let mut out = Vec::new();
    let mut docs = Vec::new();
    let mut pending: Option<(Kind, String)> = None;
    for line in source.lines().map(str::trim) {
        if let Some((kind, mut decl)) = pending.take() {
            decl.push(' ');
            decl.push_str(line);
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
        } else {
            if !line.is_empty() {
                docs.clear();
            }
            continue;
        };
        match line.strip_suffix(';') {
            Some(done) => out.push(Declaration {
                kind,
                decl: squash(done),
                docs: std::mem::take(&mut docs),
            }),
            None => pending = Some((kind, line.to_owned())),
        }
    }
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
}

fn unparsable(decl: &str, reason: &impl ToString) -> AbiError {
    AbiError::Unparsable {
        decl: decl.to_owned(),
        reason: reason.to_string(),
    }
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
    let close = sdk
        .rfind('}')
        .filter(|&c| c > brace)
        .ok_or(AbiError::NoInterface)?;
    let header = sdk[..open].replace("MIT-OR-APACHE-2.0", "MIT OR Apache-2.0");
    let name = sdk[open + "interface ".len()..brace].trim();
    let statements: Vec<&str> = sdk[brace + 1..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.trim_end_matches(';'))
        .collect();

    let declared: Vec<Declaration> = sources
        .iter()
        .flat_map(|(_, src)| declarations(src))
        .collect();
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

    for d in declared.iter().filter(|d| d.kind == Kind::Event) {
        let event = Event::parse(&d.decl).map_err(|e| unparsable(&d.decl, &e))?;
        push_declaration(&mut sol, &d.docs, &d.decl);
        abi.events
            .entry(event.name.clone())
            .or_default()
            .push(event);
    }

    for stmt in &statements {
        if stmt.starts_with("function ") {
            let function = Function::parse(stmt).map_err(|e| unparsable(stmt, &e))?;
            let _ = writeln!(sol, "    {stmt};\n");
            abi.functions
                .entry(function.name.clone())
                .or_default()
                .push(function);
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
        abi.errors
            .entry(error.name.clone())
            .or_default()
            .push(error);
    }

    let trimmed = sol.trim_end().to_owned();
    let mut solidity = trimmed;
    solidity.push_str("\n}\n");
    let mut json = serde_json::to_string_pretty(&abi).expect("should serialise a JSON ABI");
    json.push('\n');
    Ok(Generated { solidity, json })
}

/// The name in `error Name(…)`.
fn error_name_of(decl: &str) -> Option<&str> {
    decl.strip_prefix("error ")
        .and_then(|r| r.split('(').next())
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
        assert_eq!(d.len(), 3);
        assert_eq!(
            d[0].decl,
            "event Changed(address indexed who, uint256 value)"
        );
        assert_eq!(d[0].docs, ["/// Something changed."]);
        assert_eq!(
            (d[1].kind, d[1].decl.as_str()),
            (Kind::Error, "error Broke(address who, uint256 n)")
        );
    }

    #[test]
    fn generate_adds_events_names_errors_and_constructor() {
        let g = generate(SDK, "constructor(address holder)", &[("Thing.sol", SOURCE)]).unwrap();
        assert!(g
            .solidity
            .contains("    event Changed(address indexed who, uint256 value);"));
        assert!(g
            .solidity
            .contains("    error Broke(address who, uint256 n);"));
        assert!(
            g.solidity
                .contains("    /// Unused here.\n    error Other();"),
            "every error the sources declare, with its docs"
        );
        assert!(g
            .solidity
            .contains("// SPDX-License-Identifier: MIT OR Apache-2.0"));
        assert!(g.solidity.ends_with("}\n"));
        let abi: JsonAbi = serde_json::from_str(&g.json).unwrap();
        assert_eq!(abi.constructor.as_ref().unwrap().inputs[0].name, "holder");
        assert_eq!(abi.function("get").unwrap()[0].signature(), "get(address)");
        assert_eq!(abi.function("name").unwrap()[0].outputs[0].ty, "string");
        assert!(abi.event("Changed").unwrap()[0].inputs[0].indexed);
        assert_eq!(abi.error("Broke").unwrap()[0].inputs[1].name, "n");
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
        assert_eq!(
            generate("pragma solidity ^0.8.23;", "", &[]),
            Err(AbiError::NoInterface)
        );
    }
}
