#!/usr/bin/env bash
# Build the Airbyte source image from the packed CLI: `npm pack` of the qualys-connector workspace (what npm would
# publish), the Dockerfile and the entrypoint, in a build context of their own. Usage:
#   integrations/airbyte/build-image.sh [IMAGE[:TAG]]     (default: qualys-connector/source-qualys-was:VERSION)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(node -p 'require(process.argv[1]).version' "$root/packages/cli/package.json")"
image="${1:-qualys-connector/source-qualys-was:$version}"
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT

(cd "$root" && npm run build >/dev/null && npm pack --workspace qualys-connector --pack-destination "$context" >/dev/null)
test -f "$context/qualys-connector-$version.tgz" || { echo "npm pack wrote no qualys-connector-$version.tgz" >&2; exit 1; }
cp "$here/Dockerfile" "$here/entrypoint.sh" "$context/"
# io.airbyte.name is the repository part (a registry's port is no tag).
last="${image##*/}"
if [[ "$last" == *:* ]]; then name="${image%:*}"; else name="$image"; fi
docker build --build-arg "VERSION=$version" --build-arg "IMAGE_NAME=$name" -t "$image" "$context"
echo "built $image"
