#!/bin/sh
# The Airbyte source's entrypoint: Airbyte runs the image with a protocol command and its files
# (`spec`, `check --config FILE`, `discover --config FILE`, `read --config FILE --catalog FILE [--state FILE]`),
# and every line on stdout must be a protocol message, so this adds nothing of its own and hands over with exec
# (signals reach the connector directly; its exit code is the container's).
set -eu
exec qualys-connector airbyte "$@"
