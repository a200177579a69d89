#!/usr/bin/env bash
# Refresh axe-core (the accessibility checker the browser tests run) from the npm registry.
# Test-only: it is never served by the site. Licence: MPL-2.0.
set -euo pipefail
cd "$(dirname "$0")"
AXE=4.14.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$AXE" >/dev/null && tar -xzf "axe-core-$AXE.tgz")
rm -f axe-*.min.js
cp "$work/package/axe.min.js" "axe-$AXE.min.js"
