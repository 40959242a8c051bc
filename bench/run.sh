#!/usr/bin/env bash
# npm run bench [-- SECTION…]: runs the benchmarks on PGlite, and on a
# throwaway PostgreSQL cluster when the server is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL:-}" ] && ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  exec test/with-postgres.sh npx tsx bench/run.ts "$@"
fi
exec npx tsx bench/run.ts "$@"
