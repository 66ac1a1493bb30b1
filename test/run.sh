#!/usr/bin/env bash
# The test command: unit tests, the simulator's contract tests, workflow tests (Temporal's
# time-skipping test server, fake activities), integration tests and the fault suite, on real
# Temporal, Postgres and OpenSSH.
# Integration tests start what they need (or use TEMPORAL_ADDRESS / DATABASE_URL when set).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-all}" in
  unit) files=(test/unit/*.test.ts) ;;
  contract) files=(test/contract/*.test.ts) ;;
  integration) files=(test/integration/*.test.ts) ;;
  faults) files=(test/faults/*.test.ts) ;;
  workflows) files=(test/workflows/*.test.ts) ;;
  all) files=(test/unit/*.test.ts test/contract/*.test.ts test/workflows/*.test.ts test/integration/*.test.ts test/faults/*.test.ts) ;;
  *) echo "usage: test/run.sh [unit|contract|workflows|integration|faults|all]" >&2; exit 2 ;;
esac
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
