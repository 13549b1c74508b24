#!/usr/bin/env bash
# Users install a package, not this repository: pack the CLI as npm would publish it, install the tarball with
# `npm install --global` into an empty prefix, and run it from an empty folder outside the checkout, so that nothing
# can resolve from the repository's node_modules. Fails on a missing dependency, a workspace package in the
# dependencies, a bin that does not start, or a demo that does not finish.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pack" "$work/prefix" "$work/run"

expected_version="$(node -p 'require(process.argv[1]).version' "$root/packages/cli/package.json")"
(cd "$root" && npm pack --workspace qualys-connector --pack-destination "$work/pack" >/dev/null)
tarball="$work/pack/qualys-connector-$expected_version.tgz"
test -f "$tarball" || { echo "npm pack wrote no $tarball" >&2; ls "$work/pack" >&2; exit 1; }

# The tarball holds the bin, the bundle and the README, nothing of the workspace.
if tar -tzf "$tarball" | grep -Ev '^package/(bin/|dist/|README\.md$|package\.json$)'; then
  echo "the tarball holds files beyond bin/, dist/, README.md and package.json (listed above)" >&2
  exit 1
fi

(cd "$work/run" && npm install --global --prefix "$work/prefix" --no-audit --no-fund "$tarball")
if [ -e "$work/prefix/lib/node_modules/@qualys-connector" ]; then
  echo "the install pulled in a workspace package" >&2
  exit 1
fi

cli="$work/prefix/bin/qualys-connector"
version="$(cd "$work/run" && "$cli" --version)"
if [ "$version" != "$expected_version" ]; then
  echo "qualys-connector --version printed '$version', expected '$expected_version'" >&2
  exit 1
fi
(cd "$work/run" && "$cli" demo --out "$work/run/demo")
for file in "$work"/run/demo/was-gate-*/result.json "$work"/run/demo/vm-gate-*/result.json "$work/run/demo.db"; do
  test -s "$file" || { ls -R "$work/run" >&2; echo "the demo wrote no $file" >&2; exit 1; }
done
# The dashboard over the demo's database, from the installed bundle: its page and its assets (compiled in) answer.
dash_log="$work/dashboard.log"
(cd "$work/run" && exec "$cli" dashboard --db "$work/run/demo.db" --port 0 >"$dash_log" 2>&1) &
dash_pid=$!
dash_url=""
for _ in $(seq 1 100); do
  dash_url="$(sed -n 's/^Qualys Connector dashboard on \(http:[^ ]*\)$/\1/p' "$dash_log")"
  [ -n "$dash_url" ] && break
  sleep 0.1
done
[ -n "$dash_url" ] || { cat "$dash_log" >&2; echo "the dashboard printed no address" >&2; exit 1; }
for page in "" findings assets/dashboard.css assets/dashboard.js; do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$dash_url$page" ||
    { echo "the installed dashboard did not serve /$page" >&2; exit 1; }
done
kill -TERM "$dash_pid"
wait "$dash_pid"
echo "installed qualys-connector $version from $(basename "$tarball") into an empty prefix; --version, demo and dashboard ran"
