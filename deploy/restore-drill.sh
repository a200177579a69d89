#!/usr/bin/env bash
# Restore drill: prove that a pgBackRest backup brings the database back to a point in time.
#
# On a scratch PostgreSQL cluster of its own (never the machine's): make the iFarm schema and demo data,
# take a full backup with WAL archiving, write more (a first batch, note the time, a second batch),
# restore to that time into an empty data directory, then compare row counts and per-table checksums
# with what the database held at that moment, and run audit_verify on the restored copy.
# Usage: deploy/restore-drill.sh   (as root or as postgres; needs PostgreSQL's server binaries and pgbackrest)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
PORT="${DRILL_PORT:-54329}"
RESTORED_PORT="${DRILL_RESTORED_PORT:-54330}"
WORK="$(mktemp -d /tmp/ifarm-drill.XXXXXX)"
chmod 755 "$WORK"
log() { printf '== %s\n' "$*"; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    as_postgres "$PG_BIN/pg_ctl" -D "$WORK/restored" -m immediate stop >/dev/null 2>&1 || true
    as_postgres "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK"/{repo,log,lock,socket}
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$WORK"
cat > "$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/repo
repo1-retention-full=2
log-path=$WORK/log
lock-path=$WORK/lock
log-level-console=warn
start-fast=y
compress-type=gz

[drill]
pg1-path=$WORK/data
pg1-port=$PORT
pg1-socket-path=$WORK/socket
CONF
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pgbackrest.conf"
BACKREST=(pgbackrest --config="$WORK/pgbackrest.conf" --stanza=drill)

log "scratch cluster on port $PORT"
as_postgres "$PG_BIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
cat >> "$WORK/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK/socket'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$WORK/pgbackrest.conf --stanza=drill archive-push %p'
max_wal_senders = 3
CONF
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/log/primary.log" -w start >/dev/null
as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres ifarm
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/ifarm" REDIS_URL="" HUEY_IMMEDIATE=true
export IFARM_VAR_DIR="$WORK/var"
psql_drill() { psql -X -q -t -A -h 127.0.0.1 -p "$1" -U postgres -d ifarm -c "$2"; }

log "schema and demo data"
"$PYTHON" manage.py migrate --no-input -v0
"$PYTHON" manage.py seed_demo >/dev/null

log "full backup"
as_postgres "${BACKREST[@]}" stanza-create
as_postgres "${BACKREST[@]}" check
as_postgres "${BACKREST[@]}" --type=full backup

log "more writes, the target time, then writes that must not come back"
more_writes() {
    "$PYTHON" manage.py shell --no-imports -c "
from django_scopes import scope
from apps.accounts.models import Membership
from apps.herd.services import animal_create
from apps.farms.models import Farm
owner = Membership.objects.unscoped().select_related('tenant', 'role', 'user').filter(role__key='owner').order_by('pk').first()
with scope(tenant=owner.tenant_id):
    farm = Farm.objects.filter(tenant_id=owner.tenant_id).order_by('pk').first()
    for n in range(5):
        animal_create(membership=owner, farm=farm, tag='$1-%d' % n, sex='female', species='cattle')
"
}
more_writes DRILL-A
sleep 1
TARGET="$(psql_drill "$PORT" "SELECT now()")"
sleep 1
TABLES="$(psql_drill "$PORT" "SELECT string_agg(quote_ident(tablename), ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")"
fingerprint() {
    local port="$1" sql=""
    for table in $TABLES; do
        sql="$sql SELECT '$table', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM $table t UNION ALL"
    done
    psql_drill "$port" "${sql% UNION ALL}"
}
fingerprint "$PORT" > "$WORK/at-target.txt"
more_writes DRILL-B
psql_drill "$PORT" "SELECT pg_switch_wal()" >/dev/null
as_postgres "${BACKREST[@]}" check >/dev/null  # waits until the last segment is archived
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null

log "restore to $TARGET"
mkdir -p "$WORK/restored" && [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/restored"
chmod 700 "$WORK/restored"
as_postgres "${BACKREST[@]}" --pg1-path="$WORK/restored" --type=time --target="$TARGET" --target-action=promote restore
# A second restore into the same, now non-empty, directory is refused.
if as_postgres "${BACKREST[@]}" --pg1-path="$WORK/restored" --type=time --target="$TARGET" restore >/dev/null 2>&1; then
    echo "a restore over a non-empty data directory was not refused" >&2
    exit 1
fi
sed -i "s/^port = $PORT/port = $RESTORED_PORT/" "$WORK/restored/postgresql.conf"
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/restored" -l "$WORK/log/restored.log" -w -t 120 start >/dev/null
for _ in $(seq 1 60); do
    [ "$(psql_drill "$RESTORED_PORT" "SELECT pg_is_in_recovery()")" = "f" ] && break
    sleep 1
done

log "compare"
fingerprint "$RESTORED_PORT" > "$WORK/restored.txt"
if ! diff -u "$WORK/at-target.txt" "$WORK/restored.txt"; then
    echo "the restored database differs from the database at $TARGET" >&2
    exit 1
fi
[ "$(psql_drill "$RESTORED_PORT" "SELECT count(*) FROM herd_animal WHERE tag LIKE 'DRILL-A-%'")" = 5 ]
[ "$(psql_drill "$RESTORED_PORT" "SELECT count(*) FROM herd_animal WHERE tag LIKE 'DRILL-B-%'")" = 0 ]
DATABASE_URL="postgres://postgres@127.0.0.1:$RESTORED_PORT/ifarm" "$PYTHON" manage.py audit_verify
echo "restore drill passed: $(wc -l < "$WORK/at-target.txt") tables match the database at $TARGET"
