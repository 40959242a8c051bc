#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback, runs the given command
# with TEST_DATABASE_URL pointing at it, then stops the cluster and removes it.
# Debian's server refuses to run as root, so the cluster belongs to `postgres`.
#   test/with-postgres.sh npm test
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
  exit 1
fi
PORT=${PGPORT_TEST:-55432}
ROOT=$(mktemp -d /tmp/kopilka-pg.XXXXXX)
chmod 755 "$ROOT"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$ROOT"
stop() {
  as_pg "'$PGBIN/pg_ctl' -D '$ROOT/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$ROOT"
}
trap stop EXIT
as_pg "'$PGBIN/initdb' -D '$ROOT/data' -A trust -U postgres -E UTF8 --no-locale" >/dev/null
as_pg "'$PGBIN/pg_ctl' -D '$ROOT/data' -l '$ROOT/log' -w -t 60 -o \"-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null || {
  cat "$ROOT/log" >&2
  echo "with-postgres: the PostgreSQL server did not start" >&2
  exit 1
}
export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
# The fault suite restarts this server under load (fast shutdown, then start).
cat >"$ROOT/restart.sh" <<EOS
#!/usr/bin/env bash
$(declare -f as_pg)
as_pg "'$PGBIN/pg_ctl' -D '$ROOT/data' -l '$ROOT/log' -w -t 60 -m fast restart -o \"-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\"" >/dev/null
EOS
chmod 755 "$ROOT/restart.sh"
export TEST_PG_RESTART="$ROOT/restart.sh"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
