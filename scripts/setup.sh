#!/usr/bin/env bash
# Set-up on a fresh machine: pnpm (pinned), dependencies, build. Safe to run again.
# Prints one line per step; the tools' own output goes to a log whose path is printed when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
log="${HPTUNE_SETUP_LOG:-${TMPDIR:-/tmp}/hptune-setup-$(date +%Y%m%d-%H%M%S)-$$.log}"
: >"$log"
started=$SECONDS

# Runs a step with its output in the log; on failure prints its last lines and where the rest is.
step() {
  local what=$1
  shift
  echo "hptune setup: $what" >&2
  if ! "$@" >>"$log" 2>&1; then
    echo "hptune setup: failed: $what. The last lines of the log:" >&2
    tail -n 20 "$log" >&2
    echo "hptune setup: the full log is $log" >&2
    exit 1
  fi
}

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  step "installing pnpm@$want" npm install --global "pnpm@$want"
fi
# better-sqlite3 compiles from source where its prebuilt binary cannot be downloaded; point
# node-gyp at the Node headers that ship with the system Node so it needs no download either.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
if [ -n "${CI:-}" ]; then
  step "installing dependencies (pnpm install --frozen-lockfile)" pnpm install --frozen-lockfile
else
  step "installing dependencies (pnpm install)" pnpm install
fi
step "building (pnpm build)" pnpm build
rm -f "$log"
echo "hptune setup: ready in $((SECONDS - started)) s" >&2
