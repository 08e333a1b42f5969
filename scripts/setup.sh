#!/usr/bin/env bash
# One-time, idempotent set-up for a fresh machine (also run by .ci/run):
#  1. the pinned toolchain name from rust-toolchain.toml (linked to `stable` when that is the same
#     version, as on machines where rustup only knows `stable`; installed otherwise);
#  2. the wasm32-unknown-unknown target;
#  3. ffmpeg and ffprobe (Debian's `ffmpeg`), which `paratii video package` and its tests run,
#     GStreamer's HLS client (Debian's gstreamer1.0-plugins-bad/-good/-tools), a second player,
#     and Chromium (Debian's `chromium`), in which the tests play hls.js, the browser's player;
#  4. the npm tools under tools/node_modules: binaryen 132 (wasm-opt, which the deployable
#     WASM build runs), forge/cast 1.7.1, solc-js 0.8.30, and hls.js 1.7.4 with puppeteer-core
#     24.43.1 (which drives Chromium; it downloads no browser).
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
if ! rustup run "$want" rustc --version >/dev/null 2>&1; then
  stable=$(rustup run stable rustc --version | awk '{print $2}')
  if [ "$stable" = "$want" ]; then
    # `rustup toolchain link` refuses official-looking names such as 1.95.0, so point the name at
    # stable's directory the way rustup lays toolchains out.
    host=$(rustup run stable rustc -vV | sed -n 's/^host: //p')
    home=${RUSTUP_HOME:-$HOME/.rustup}
    echo "setup: naming stable ($stable) as toolchain $want-$host"
    ln -sfn "$(rustup run stable rustc --print sysroot)" "$home/toolchains/$want-$host"
  else
    echo "setup: installing toolchain $want"
    rustup toolchain install "$want" --profile minimal --component rustfmt,clippy
  fi
fi

sysroot=$(rustup run "$want" rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]; then
  echo "setup: adding the wasm32-unknown-unknown target"
  # A linked toolchain takes no components: add the target to the toolchain it links to.
  rustup target add wasm32-unknown-unknown --toolchain "$want" 2>/dev/null \
    || rustup target add wasm32-unknown-unknown --toolchain stable
fi

# The players the streaming tests run: ffmpeg/ffprobe, GStreamer's HLS client (hlsdemux, fed by
# souphttpsrc), and Chromium for hls.js (headless; it must start and render a page).
have_players() {
  command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 \
    && gst-inspect-1.0 hlsdemux >/dev/null 2>&1 && gst-inspect-1.0 souphttpsrc >/dev/null 2>&1 \
    && chromium --headless --no-sandbox --dump-dom 'data:text/html,<p>ok</p>' 2>/dev/null \
      | grep -q '<p>ok</p>'
}
if ! have_players; then
  packages="ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad chromium"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ffmpeg, GStreamer and Chromium (Debian packages)"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
    # Also builds GStreamer's plugin registry once, before any test runs a player.
    have_players || { echo "setup: ffmpeg, GStreamer or Chromium still incomplete after apt-get" >&2; exit 1; }
  else
    echo "setup: ffmpeg, GStreamer or Chromium is missing: install them (Debian: sudo apt-get install $packages) and rerun" >&2
    exit 1
  fi
fi

if [ ! -x tools/node_modules/.bin/forge ] || [ ! -d tools/node_modules/solc ] \
  || [ ! -f tools/node_modules/binaryen/bin/wasm-opt ] || [ ! -d tools/node_modules/hls.js ] \
  || [ ! -d tools/node_modules/puppeteer-core ]; then
  echo "setup: installing binaryen, forge, cast, solc-js, hls.js and puppeteer-core (npm)"
  (cd tools && npm install --no-fund --no-audit --ignore-scripts --loglevel=error)
fi
echo "setup: ok ($(rustup run "$want" rustc --version), wasm32 target, $(ffmpeg -version | head -1 | cut -d' ' -f1-3), $(tools/node_modules/.bin/forge --version | head -1))"
