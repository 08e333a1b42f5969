#!/usr/bin/env bash
# Measures the receipt gasUsed (intrinsic 21000 + calldata + execution, after refunds) of the ORIGINAL
# Paratii Gen-1 two-transaction purchase: ParatiiToken.approve(avatar, price) + VideoStore.buyVideo(id),
# on a local anvil chain (hardfork cancun, chain id 412346), using src/OriginalPurchase.sol
# (solc 0.8.30, optimizer on, 200 runs, evm cancun; see foundry.toml).
#
# Usage: contracts/baseline/measure.sh        (from anywhere; PORT=... to change the anvil port)
# Needs: forge + cast from ../../tools (npm install there); anvil is npm-installed here on first run.
set -euo pipefail
cd "$(dirname "$0")"

TOOLS=../../tools/node_modules/@foundry-rs
FORGE=$TOOLS/forge-linux-amd64/bin/forge
CAST=$TOOLS/cast-linux-amd64/bin/cast
ANVIL=node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
PORT=${PORT:-18646}
HARDFORK=${HARDFORK:-cancun}
RPC=http://127.0.0.1:$PORT

if [[ ! -x $FORGE || ! -x $CAST ]]; then
  echo "forge/cast missing: run 'npm install' in $(cd ../../tools && pwd)" >&2
  exit 1
fi
if [[ ! -x $ANVIL ]]; then
  npm install --no-fund --no-audit --silent >/dev/null
fi

"$FORGE" build --quiet

# anvil's public dev mnemonic ("test test ... junk"), accounts #0-#4: well-known test keys, not secrets.
KEY0=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 # deployer, holds all PTI
KEY1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d # video owner (creator)
KEY2=0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a # buyer A
KEY3=0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6 # buyer B
KEY4=0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a # buyer C
KEY5=0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba # buyer D (setup only)
addr() { "$CAST" wallet address --private-key "$1"; }
DEPLOYER=$(addr $KEY0); CREATOR=$(addr $KEY1); BUYER_A=$(addr $KEY2); BUYER_B=$(addr $KEY3); BUYER_C=$(addr $KEY4); BUYER_D=$(addr $KEY5)

# Background the native binary as a simple command so that $! is anvil itself.
"$ANVIL" --host 127.0.0.1 --port "$PORT" --chain-id 412346 --hardfork "$HARDFORK" >.anvil.log 2>&1 &
ANVIL_PID=$!
trap 'kill $ANVIL_PID 2>/dev/null || true; wait $ANVIL_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do "$CAST" chain-id --rpc-url "$RPC" >/dev/null 2>&1 && break; sleep 0.1; done
"$CAST" chain-id --rpc-url "$RPC" >/dev/null || { echo "anvil did not start:" >&2; cat .anvil.log >&2; exit 1; }

# send KEY TO SIG ARGS... -> prints gasUsed (decimal); fails unless the receipt has status 1.
send() {
  local key=$1 to=$2; shift 2
  local r
  r=$("$CAST" send --rpc-url "$RPC" --private-key "$key" --json "$to" "$@")
  [[ $(jq -r .status <<<"$r") == 0x1 ]] || { echo "tx failed: $to $*" >&2; echo "$r" >&2; exit 1; }
  "$CAST" to-dec "$(jq -r .gasUsed <<<"$r")"
}
# deploy NAME [CTOR_ARG] -> prints the new address (constructors take nothing or one address).
deploy() {
  local code args="" r
  code=$(jq -r .bytecode.object "out/OriginalPurchase.sol/$1.json")
  [[ $# -gt 1 ]] && args=$("$CAST" abi-encode "c(address)" "$2" | cut -c3-)
  r=$("$CAST" send --rpc-url "$RPC" --private-key "$KEY0" --json --create "$code$args")
  [[ $(jq -r .status <<<"$r") == 0x1 ]] || { echo "deploy $1 failed" >&2; exit 1; }
  jq -r .contractAddress <<<"$r"
}
quiet() { "$@" >/dev/null; }

# --- deploy and wire, in the Gen-1 order (UserRegistry and VideoStore cache peers in their constructors)
TOKEN=$(deploy ParatiiToken)
REG=$(deploy ParatiiRegistry)
quiet send $KEY0 "$REG" "registerAddress(string,address)" ParatiiToken "$TOKEN"
VIDEOS=$(deploy VideoRegistry "$REG")
quiet send $KEY0 "$REG" "registerAddress(string,address)" VideoRegistry "$VIDEOS"
AVATAR=$(deploy ParatiiAvatar "$REG")
quiet send $KEY0 "$REG" "registerAddress(string,address)" ParatiiAvatar "$AVATAR"
USERS=$(deploy UserRegistry "$REG")
quiet send $KEY0 "$REG" "registerAddress(string,address)" UserRegistry "$USERS"
STORE=$(deploy VideoStore "$REG")
quiet send $KEY0 "$REG" "registerAddress(string,address)" VideoStore "$STORE"
quiet send $KEY0 "$REG" "registerUint(string,uint256)" VideoRedistributionPoolShare 300000000000000000 # 0.3e18
quiet send $KEY0 "$AVATAR" "addToWhitelist(address)" "$STORE"

PRICE=14000000000000000000 # 14 PTI
VIDEO1=QmVideo000000000000000000000000000000000000001 # 46-char string ids, like IPFS CIDv0
VIDEO2=QmVideo000000000000000000000000000000000000002
quiet send $KEY1 "$VIDEOS" "registerVideo(string,address,uint256,string)" "$VIDEO1" "$CREATOR" $PRICE \
  QmTkzDwWqPbnAh5YiV5VwcTLnGdwSNsNTn2aDxdXBFca7D
quiet send $KEY1 "$VIDEOS" "registerVideo(string,address,uint256,string)" "$VIDEO2" "$CREATOR" $PRICE \
  QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco

# --- buyers: A and B have never held PTI and get exactly the price; C already holds 1000 PTI
quiet send $KEY0 "$TOKEN" "transfer(address,uint256)" "$BUYER_A" $PRICE
quiet send $KEY0 "$TOKEN" "transfer(address,uint256)" "$BUYER_B" $PRICE
quiet send $KEY0 "$TOKEN" "transfer(address,uint256)" "$BUYER_C" 1000000000000000000000
quiet send $KEY0 "$TOKEN" "transfer(address,uint256)" "$BUYER_D" $PRICE

# purchase LABEL KEY VIDEO -> approve + buyVideo from KEY, prints one row
echo "anvil --hardfork $HARDFORK; receipt gasUsed = 21000 intrinsic + calldata + execution - refunds"
printf '%-62s %8s %10s %8s\n' "purchase" approve buyVideo total
purchase() {
  local a b
  a=$(send "$2" "$TOKEN" "approve(address,uint256)" "$AVATAR" $PRICE)
  b=$(send "$2" "$STORE" "buyVideo(string)" "$3")
  printf '%-62s %8d %10d %8d\n' "$1" "$a" "$b" $((a + b))
}
purchase "1 new buyer A (never held PTI, balance->0), 1st sale ever" $KEY2 "$VIDEO1"
purchase "2 new buyer B (never held PTI, balance->0), video sold before" $KEY3 "$VIDEO1"
purchase "3 buyer C with existing PTI balance, first purchase" $KEY4 "$VIDEO1"
# setup, not measured: D buys video 2 first, so that row 4 differs from row 3 only by C's history
quiet send $KEY5 "$TOKEN" "approve(address,uint256)" "$AVATAR" $PRICE
quiet send $KEY5 "$STORE" "buyVideo(string)" "$VIDEO2"
purchase "4 buyer C again, another video sold before (repeat customer)" $KEY4 "$VIDEO2"

# --- sanity: the money and records landed where the original would put them
bal() { "$CAST" call --rpc-url "$RPC" "$TOKEN" "balanceOf(address)(uint256)" "$1" | cut -d' ' -f1; }
check() { [[ "$2" == "$3" ]] || { echo "CHECK FAILED: $1: got $2, want $3" >&2; exit 1; }; }
check "pool (avatar) balance" "$(bal "$AVATAR")" 21000000000000000000   # 5 x 4.2 PTI
check "creator balance" "$(bal "$CREATOR")" 49000000000000000000      # 5 x 9.8 PTI
check "buyer A balance" "$(bal "$BUYER_A")" 0
check "buyer C balance" "$(bal "$BUYER_C")" 972000000000000000000
check "buyer C acquired video 2" \
  "$("$CAST" call --rpc-url "$RPC" "$USERS" "userAcquiredVideo(address,string)(bool)" "$BUYER_C" "$VIDEO2")" true
check "3rd buyer of video 1" \
  "$("$CAST" call --rpc-url "$RPC" "$STORE" "videoSales(bytes32,uint256)(address)" "$("$CAST" keccak "$VIDEO1")" 2)" "$BUYER_C"
echo "checks passed (solc 0.8.30, optimizer 200 runs, evm cancun; anvil 1.7.1 --hardfork $HARDFORK)"
