#!/usr/bin/env bash
# Maintainers only: rebuild the vendored browser bundles in web/vendor/ from the exact versions pinned here.
# Needs Node >= 18 and npm. `make run` and `make test` never run this: the built files are committed.
#
#   web/vendor/rebuild/build.sh
#
# Writes web/vendor/editor.<hash>.js (CodeMirror 6 and its languages) and web/vendor/ui.<hash>.js
# (Preact, hooks, htm), the licence of every bundled package under web/vendor/licenses/, and points the
# import map in web/index.html at the new file names. The hash in a name lets the server mark the file
# immutable; a rebuild with other contents gets another name.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$(dirname "$here")"
web="$(dirname "$vendor")"
cd "$here"

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

rm -f "$vendor"/editor.*.js "$vendor"/ui.*.js
declare -A built
for entry in editor ui; do
  out="$here/.out-$entry.js"
  npx esbuild "$entry-entry.js" --bundle --format=esm --minify --target=es2020 --legal-comments=none \
    --outfile="$out" --log-level=warning
  hash="$(sha256sum "$out" | cut -c1-10)"
  mv "$out" "$vendor/$entry.$hash.js"
  built[$entry]="$entry.$hash.js"
  echo "built web/vendor/$entry.$hash.js ($(wc -c <"$vendor/$entry.$hash.js") bytes, $(gzip -9c "$vendor/$entry.$hash.js" | wc -c) gzipped)"
done

# every package that ends up in a bundle ships its licence beside it
rm -rf "$vendor/licenses" && mkdir -p "$vendor/licenses"
for pkg in $(node -e '
  const lock = require("./package-lock.json");
  for (const [path, info] of Object.entries(lock.packages)) {
    if (path && !info.dev) console.log(path.replace(/^.*node_modules\//, ""));
  }'); do
  lic="$(ls node_modules/"$pkg"/LICEN[CS]E* 2>/dev/null | head -1 || true)"
  [ -n "$lic" ] || { echo "no licence file in $pkg" >&2; exit 1; }
  version="$(node -p "require('./node_modules/$pkg/package.json').version")"
  cp "$lic" "$vendor/licenses/$(echo "$pkg" | tr / _)@$version.txt"
done

# the import map names the hashed files (and preloads them); everything between the markers is rewritten
python3 - "$web/index.html" "${built[editor]}" "${built[ui]}" <<'PY'
import json, re, sys
path, editor, ui = sys.argv[1:]
text = open(path, encoding="utf-8").read()
imports = {"imports": {"codemirror-bundle": f"/web/vendor/{editor}", "ui": f"/web/vendor/{ui}"}}
block = '<script type="importmap">' + json.dumps(imports) + "</script>"
block += "".join(f'\n<link rel="modulepreload" href="{url}">' for url in imports["imports"].values())
new, n = re.subn(r"<!-- importmap -->.*?<!-- /importmap -->", f"<!-- importmap -->{block}<!-- /importmap -->", text, flags=re.S)
if n != 1:
    sys.exit("index.html has no <!-- importmap --> markers")
open(path, "w", encoding="utf-8").write(new)
PY
echo "updated the import map in web/index.html"
