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
sed -i "/sourceMappingURL=/d" bootstrap/*.css bootstrap/*.js
# The classes Bootstrap defines, for the test that keeps the trimmed stylesheet whole (tests/core/test_vendored_css.py).
python3 - "$work/bootstrap-$BOOTSTRAP/package/dist/css/bootstrap.min.css" > ../../tests/core/bootstrap-classes.txt <<'PY'
import re, sys
css = re.sub(r"/\*.*?\*/", "", open(sys.argv[1]).read(), flags=re.S)
css = re.sub(r"\{[^{}]*\}", "{}", re.sub(r"url\([^)]*\)", "", css))
print("\n".join(sorted(set(re.findall(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)", css)))))
PY
# Ship only the rules of the classes iFarm's templates, scripts and Python name (a quarter of the file): less for a
# phone to download and, above all, to match against every element of every page. JavaScript adds a few itself.
site=$(../../.venv/bin/python -c "import django, pathlib; print(pathlib.Path(django.__file__).parent.parent)")
cat > "$work/purge.cjs" <<JS
module.exports = {
  content: ["../../templates/**/*.html", "../js/**/*.js", "../../apps/**/*.py",
            "$site/django_tables2/templates/django_tables2/bootstrap5*.html", "$site/allauth/templates/**/*.html",
            "$site/django/forms/templates/django/forms/**/*.html"],
  css: ["bootstrap/bootstrap.min.css"],
  safelist: {
    standard: [/^text-bg-/, /^w-(25|50|75|100)\$/, /^(show|showing|hide|hiding|fade|collapse|collapsing|active|disabled)\$/,
               /^(dropup|dropend|dropstart|dropdown-menu-end)\$/, /^toast/, /^is-(valid|invalid)\$/, /^was-validated\$/],
    greedy: [/data-bs-popper/],
  },
};
JS
npx --yes purgecss@8.0.0 --config "$work/purge.cjs" --output bootstrap/
printf 'htmx.org %s\nbootstrap %s (the stylesheet only, trimmed to the classes used, by purgecss 8.0.0; menus and messages are in js/app.js)\n' "$HTMX" "$BOOTSTRAP" > VERSIONS
