#!/usr/bin/env bash
# Dump the database (custom format, compressed) and the uploaded files; keep BACKUP_KEEP_DAYS days.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must be set}"
BACKUP_DIR="${BACKUP_DIR:-/srv/backups/ifarm}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
MEDIA_DIR="${MEDIA_DIR:-/srv/ifarm/var/media}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
umask 077

pg_dump --format=custom --compress=6 --no-owner --file="$BACKUP_DIR/ifarm-$stamp.dump.partial" "${DATABASE_OWNER_URL:-$DATABASE_URL}"  # the owner: row-level security binds the app role
mv "$BACKUP_DIR/ifarm-$stamp.dump.partial" "$BACKUP_DIR/ifarm-$stamp.dump"
if [ -d "$MEDIA_DIR" ]; then
    tar -C "$(dirname "$MEDIA_DIR")" -czf "$BACKUP_DIR/media-$stamp.tar.gz" "$(basename "$MEDIA_DIR")"
fi
# A dump that cannot be listed is no backup: fail loudly.
pg_restore --list "$BACKUP_DIR/ifarm-$stamp.dump" >/dev/null
find "$BACKUP_DIR" -name 'ifarm-*.dump' -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR" -name 'media-*.tar.gz' -mtime +"$KEEP_DAYS" -delete
echo "backup written: $BACKUP_DIR/ifarm-$stamp.dump"
