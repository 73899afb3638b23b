#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL on 127.0.0.1:5433 (for the replica
# router tests): allow replication connections from the loopback, pg_basebackup the
# primary, start a hot standby. Idempotent: does nothing when the replica answers.
# Needs root (it runs PostgreSQL's tools as the postgres user).
set -euo pipefail
PORT=${REPLICA_PORT:-5433}
DIR=${REPLICA_DIR:-/var/lib/postgresql/quanzi-replica}
if pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  exit 0
fi
VERSION=$(ls /etc/postgresql | sort -n | tail -1)
BIN=/usr/lib/postgresql/$VERSION/bin
HBA=/etc/postgresql/$VERSION/main/pg_hba.conf
if ! grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust' "$HBA"; then
  echo "host replication all 127.0.0.1/32 trust" >> "$HBA"
  su postgres -c "psql -qc 'SELECT pg_reload_conf()'" >/dev/null
fi
rm -rf "$DIR"
su postgres -c "$BIN/pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D $DIR -R -X stream -c fast"
cp "$HBA" "$DIR/pg_hba.conf"
cat > "$DIR/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
hba_file = '$DIR/pg_hba.conf'
max_standby_streaming_delay = 30s
CONF
chown postgres:postgres "$DIR/postgresql.conf" "$DIR/pg_hba.conf"
su postgres -c "$BIN/pg_ctl -D $DIR -l $DIR/replica.log -w start" >/dev/null
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
echo "streaming replica on 127.0.0.1:$PORT ($DIR)"
