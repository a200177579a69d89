#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry at the pinned versions.
# Nothing here runs at run time: the extracted files are committed.
set -euo pipefail
cd "$(dirname "$0")"
HTMX=2.0.11
BOOTSTRAP=5.3.9
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$HTMX" "bootstrap@$BOOTSTRAP" >/dev/null)
for f in "$work"/*.tgz; do mkdir -p "$work/$(basename "$f" .tgz)" && tar -xzf "$f" -C "$work/$(basename "$f" .tgz)"; done
mkdir -p htmx bootstrap
cp "$work/htmx.org-$HTMX/package/dist/htmx.min.js" htmx/
cp "$work/bootstrap-$BOOTSTRAP/package/dist/css/bootstrap.min.css" bootstrap/
cp "$work/bootstrap-$BOOTSTRAP/package/dist/js/bootstrap.bundle.min.js" bootstrap/
sed -i "/sourceMappingURL=/d" bootstrap/*.css bootstrap/*.js
printf 'htmx.org %s\nbootstrap %s\n' "$HTMX" "$BOOTSTRAP" > VERSIONS
