#!/usr/bin/env bash
# `make prod` (Procfile): run a Celery process and start it again when it dies on its own,
# as systemd's Restart=on-failure does on a real host. honcho has no restart policy: without
# this, one worker that exits (kombu's Redis transport can crash a worker when the broker
# goes away with tasks unacknowledged: `make chaos`, the Redis restart) stops the whole stack.
# A SIGTERM or SIGINT (honcho stopping, Ctrl-C) is passed on and ends it for good.
set -u
stopping=0
child=
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
while :; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done  # a trap interrupted wait
  if [ "$stopping" = 1 ] || [ "$status" = 0 ]; then
    exit "$status"
  fi
  echo "respawn: $1 exited with status $status; starting it again in 2 s" >&2
  sleep 2
  [ "$stopping" = 1 ] && exit "$status"
done
