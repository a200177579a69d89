#!/usr/bin/env bash
# Restore a dump made by backup.sh into the database (as its owner, DATABASE_OWNER_URL when set; it must be empty),
# then verify the audit chains. Usage: restore.sh /srv/backups/ifarm/ifarm-<stamp>.dump [media.tar.gz]
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must be set}"
dump="${1:?give the dump file}"
media="${2:-}"
target="${DATABASE_OWNER_URL:-$DATABASE_URL}"
tables=$(psql -X -q -t -A -d "$target" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
    echo "refusing to restore: the database already has $tables tables; restore into an empty database" >&2
    exit 1
fi
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$target" "$dump"
if [ -n "$media" ]; then
    tar -C /srv/ifarm/var -xzf "$media"
fi
cd "$(dirname "$0")/.."
.venv/bin/python manage.py migrate --no-input ${DATABASE_OWNER_URL:+--database owner}
.venv/bin/python manage.py audit_verify
echo "restored from $dump"
