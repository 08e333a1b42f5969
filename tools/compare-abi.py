#!/usr/bin/env python3
"""Checks that solc's ABI of each generated interface equals the committed JSON ABI.

Usage: tools/compare-abi.py contracts/abi contracts/forge/out
solc's `internalType` fields are ignored. The committed JSON also carries the constructor, which a Solidity interface cannot declare; it is
left out of the comparison. Items are compared as sets (solc and alloy order them differently).
"""
import json
import pathlib
import sys


def strip_internal_types(value):
    """solc adds `internalType` (optional metadata, equal to `type` for our elementary types)."""
    if isinstance(value, dict):
        return {k: strip_internal_types(v) for k, v in value.items() if k != "internalType"}
    if isinstance(value, list):
        return [strip_internal_types(v) for v in value]
    return value


def canonical(items):
    return sorted(
        json.dumps(strip_internal_types(i), sort_keys=True)
        for i in items
        if i.get("type") != "constructor"
    )


def main() -> int:
    abi_dir, out_dir = map(pathlib.Path, sys.argv[1:3])
    failures = 0
    for committed in sorted(abi_dir.glob("*.json")):
        name = committed.stem
        compiled = json.loads((out_dir / f"{name}.sol" / f"{name}.json").read_text())["abi"]
        ours = canonical(json.loads(committed.read_text()))
        theirs = canonical(compiled)
        if ours != theirs:
            failures += 1
            print(f"error: {committed} differs from solc's ABI of {name}.sol")
            for line in sorted(set(ours) ^ set(theirs)):
                print(("  ours:   " if line in ours else "  solc's: ") + line)
        else:
            print(f"{name}: JSON ABI equals solc's ({len(ours)} items)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
