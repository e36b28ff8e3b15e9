#!/usr/bin/env bash
# The long schema fuzzing run: serves the service on loopback (auth off, a temporary database, FHIR fallback
# pointed at a closed port by tests/robustness/schemathesis_hooks.py) and runs schemathesis over its OpenAPI
# document with every check and every phase (examples, coverage, fuzzing, stateful).
#
#   scripts/fuzz.sh [EXAMPLES_PER_OPERATION=1000] [more `schemathesis run` options, e.g. --seed 1]
#
# Exit status 0 only when no check failed. The JSON report (counts of generated cases per operation) and
# the service's log are kept in $FUZZ_OUT (default: a new temporary directory, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-1000}"
shift || true
python=.venv/bin/python
out="${FUZZ_OUT:-$(mktemp -d -t prt-cds-fuzz-XXXXXX)}"
mkdir -p "$out"
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

PRT_CDS_AUTH_MODE=off PRT_CDS_DATABASE_URL="sqlite:///$out/cds.db" PRT_CDS_FHIR_TIMEOUT_S=1 \
    "$python" -m service serve --host 127.0.0.1 --port "$port" >"$out/service.log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

PYTHONPATH=. .venv/bin/schemathesis --config-file tests/robustness/schemathesis.toml run \
    "http://127.0.0.1:$port/openapi.json" --wait-for-schema 30 --checks all --max-examples "$examples" \
    --report json --report-json-path "$out/report.json" "$@"
echo "report and service log: $out"
