#!/usr/bin/env bash
# The package as users get it: build the wheel, install it into a fresh virtual environment with
# the pinned dependencies, and use it from another directory (no source tree on the path).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$root"
wheel=$(ls "$work"/dist/minerals_kg-*.whl)
# the resources ship inside the wheel; the source tree's tests do not
"$python" -c "import sys, zipfile; print('\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))" "$wheel" > "$work/members.txt"
for member in minerals_kg/py.typed minerals_kg/data/ontology/minerals-kg.ttl minerals_kg/data/ontology/shapes.ttl \
              minerals_kg/data/queries/concentration.cypher minerals_kg/data/queries/_fragments/members.cypher \
              minerals_kg/data/loaders/minerals/manifest.yaml minerals_kg/data/neo4j-launcher/pom.xml \
              minerals_kg/data/neo4j-launcher/cypher-shell/pom.xml minerals_kg/data/queries/minerals-kg.grass \
              minerals_kg/data/vendor/cytoscape/cytoscape.min.js minerals_kg/data/vendor/cytoscape/LICENSE \
              minerals_kg/data/vendor/cytoscape/VENDOR.json minerals_kg/data/view/network.js; do
  grep -qx "$member" "$work/members.txt" || { echo "wheel-check: $member is missing from $wheel" >&2; exit 1; }
done

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" install --quiet -c "$root/constraints.txt" "$wheel"
cd "$work"   # nowhere near the source tree
"$work/venv/bin/minerals-kg" report --out "$work/out" > "$work/report.txt"
test -s "$work/out/report.html"
grep -q "Headline chokepoints" "$work/report.txt"
"$work/venv/bin/minerals-kg" validate
"$work/venv/bin/minerals-kg" query --list > /dev/null
"$work/venv/bin/minerals-kg" export --format html --out "$work/gallium.html" --mineral gallium > /dev/null
grep -q "The Cytoscape Consortium" "$work/gallium.html"
SRC_ROOT="$root" "$work/venv/bin/python" - <<'PY'
import importlib.resources as resources
import os
from pathlib import Path

import minerals_kg

kg = minerals_kg.open()
assert not Path(minerals_kg.__file__).is_relative_to(Path(os.environ["SRC_ROOT"])), minerals_kg.__file__
assert "site-packages" in minerals_kg.__file__, minerals_kg.__file__
assert (resources.files("minerals_kg") / "py.typed").is_file()
assert len(kg.chokepoints()) > 10 and len(kg.coverage("ministerial_2026")) > 10
print(f"wheel-check: ok ({Path(minerals_kg.__file__).parent})")
PY
set +e
"$work/venv/bin/minerals-kg" concentration --mineral unobtainium 2> "$work/err.txt"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "^error: --mineral: expected a known mineral id" "$work/err.txt" || {
  echo "wheel-check: a bad option did not give one line and exit 2 (exit $rc)" >&2; cat "$work/err.txt" >&2; exit 1; }
