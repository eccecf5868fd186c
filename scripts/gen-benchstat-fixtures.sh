#!/usr/bin/env bash
# Regenerates test/fixtures/benchstat/ by running golang.org/x/perf's benchstat itself.
#
#   bash scripts/gen-benchstat-fixtures.sh
#
# Needs Go and the Go module proxy. Everything it builds lands in the git-ignored tools/ folder;
# the only tracked output is test/fixtures/benchstat/benchstat-fixtures.json. The case generator
# (scripts/gen-benchstat-fixtures.go) uses fixed seeds, so reruns with the same PERF_VERSION give
# the same file byte for byte.
set -euo pipefail

# Pinned so the corpus is reproducible; bump deliberately and regenerate.
PERF_VERSION=v0.0.0-20260908200009-22c9c6c9d4da

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/tools/benchstat-fixtures"
mkdir -p "$work" "$root/test/fixtures/benchstat"

GOBIN="$root/tools/bin" go install "golang.org/x/perf/cmd/benchstat@$PERF_VERSION"

# The generator links the same benchmath code as the benchstat binary to record full-precision
# p-values and CI bounds (benchstat's CSV rounds p to 3 decimals and prints CIs as percentages),
# and it fails if anything it records disagrees with what the binary printed.
# The source carries `//go:build ignore` so no Go tooling in the repo picks it up; drop that line
# here, or `go mod tidy` would skip the file and its imports.
grep -v '^//go:build ignore$' "$root/scripts/gen-benchstat-fixtures.go" >"$work/main.go"
cat >"$work/go.mod" <<EOF
module benchbot.local/benchstatfixtures

go 1.22

require golang.org/x/perf $PERF_VERSION
EOF
(cd "$work" && go mod tidy && go run main.go \
  -benchstat "$root/tools/bin/benchstat" \
  -perf-version "$PERF_VERSION" \
  -scratch "$work/inputs" \
  -out "$root/test/fixtures/benchstat/benchstat-fixtures.json")
