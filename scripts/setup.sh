#!/usr/bin/env bash
# Set-up on a fresh machine: pnpm (pinned), dependencies, build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$want" ]; then
  echo "hptune setup: installing pnpm@$want" >&2
  npm install --global "pnpm@$want" >/dev/null
fi
# better-sqlite3 compiles from source where its prebuilt binary cannot be downloaded; point
# node-gyp at the Node headers that ship with the system Node so it needs no download either.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
pnpm build
