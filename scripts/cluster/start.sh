#!/usr/bin/env bash
# `make cluster`: the topology of docs/deployment.md on one machine, on loopback only.
# PostgreSQL, Redis, two gunicorn app servers, the job worker and nginx in front, each with its
# pid file and log under var/cluster; `make cluster-stop` (scripts/cluster/stop.sh) stops them.
# PostgreSQL logs to var/cluster/pg/postgresql.log (written by the postgres user).
# Ports: CLUSTER_PORT (nginx, default 8100), +1 and +2 the app servers, +3 PostgreSQL, +4 Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BIN="$ROOT/.venv/bin"
HERE="$ROOT/var/cluster"
BASE="${CLUSTER_PORT:-8100}"
APP1=$((BASE + 1)); APP2=$((BASE + 2)); PGPORT=$((BASE + 3)); REDISPORT=$((BASE + 4))
mkdir -p "$HERE/logs" "$HERE/run" "$HERE/media" "$HERE/nginx"

if [ "$(id -u)" != 0 ]; then
  echo "make cluster starts PostgreSQL as the postgres user (runuser): run it as root" >&2; exit 1
fi

# PostgreSQL: Debian's binaries, a data folder of our own (as scripts/run-tests.sh does).
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
mkdir -p "$HERE/pg"; chown postgres: "$HERE/pg"
if [ ! -f "$HERE/pg/data/PG_VERSION" ]; then
  runuser -u postgres -- "$PGBIN/initdb" -D "$HERE/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$HERE/pg/data" status >/dev/null 2>&1; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$HERE/pg/data" -l "$HERE/pg/postgresql.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $HERE/pg" >/dev/null
fi
runuser -u postgres -- psql -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='chitieu'" | grep -q 1 \
  || runuser -u postgres -- createdb -h 127.0.0.1 -p "$PGPORT" -U postgres chitieu

# Redis: the shared cache and the job queue; no disk snapshots (the queue's truth is the jobs table).
if [ ! -f "$HERE/run/redis.pid" ] || ! kill -0 "$(cat "$HERE/run/redis.pid")" 2>/dev/null; then
  redis-server --bind 127.0.0.1 --port "$REDISPORT" --daemonize yes --save '' --appendonly no \
    --dir "$HERE/run" --pidfile "$HERE/run/redis.pid" --logfile "$HERE/logs/redis.log"
fi

# One secret per cluster folder, made once.
[ -f "$HERE/secret_key" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > "$HERE/secret_key"
cat > "$HERE/env" <<ENV
DJANGO_SETTINGS_MODULE=web.config.settings.cluster
DJANGO_SECRET_KEY=$(cat "$HERE/secret_key")
DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/chitieu
CHITIEU_REDIS_URL=redis://127.0.0.1:$REDISPORT/0
CHITIEU_MEDIA_ROOT=$HERE/media
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
DJANGO_CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$BASE,http://localhost:$BASE
DJANGO_SECURE_SSL_REDIRECT=false
DJANGO_SECURE_HSTS_SECONDS=0
CHITIEU_COOKIES_SECURE=false
CHITIEU_HASHED_STATIC=true
ENV
set -a; . "$HERE/env"; set +a

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py collectstatic --noinput -v0
"$BIN/python" manage.py load_demo

for port in "$APP1" "$APP2"; do
  if [ ! -f "$HERE/run/app-$port.pid" ] || ! kill -0 "$(cat "$HERE/run/app-$port.pid")" 2>/dev/null; then
    # gunicorn.conf.py (the repository root, read by gunicorn from the working folder) sets the zone.
    "$BIN/gunicorn" web.config.wsgi:application --bind "127.0.0.1:$port" --workers 2 --daemon \
      --pid "$HERE/run/app-$port.pid" --access-logfile "$HERE/logs/app-$port.access.log" \
      --error-logfile "$HERE/logs/app-$port.log"
  fi
done

if [ -f web/jobs/management/commands/jobs_worker.py ]; then
  if [ ! -f "$HERE/run/worker.pid" ] || ! kill -0 "$(cat "$HERE/run/worker.pid")" 2>/dev/null; then
    nohup "$BIN/python" manage.py jobs_worker >>"$HERE/logs/worker.log" 2>&1 &
    echo $! > "$HERE/run/worker.pid"
  fi
fi

# nginx (Debian's nginx-light) spreads requests over both servers.
sed -e "s|@HERE@|$HERE|g" -e "s|@PORT@|$BASE|g" -e "s|@APP1@|$APP1|g" -e "s|@APP2@|$APP2|g" \
  scripts/cluster/nginx.conf.in > "$HERE/nginx/nginx.conf"
if [ -f "$HERE/run/nginx.pid" ] && kill -0 "$(cat "$HERE/run/nginx.pid")" 2>/dev/null; then
  nginx -p "$HERE/nginx" -c "$HERE/nginx/nginx.conf" -s reload
else
  nginx -p "$HERE/nginx" -c "$HERE/nginx/nginx.conf"
fi

for port in "$APP1" "$APP2" "$BASE"; do
  for _ in $(seq 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null && break
    sleep 0.2
  done
done
echo ""
echo "chitieu (cluster): http://127.0.0.1:$BASE/   app servers :$APP1 :$APP2, PostgreSQL :$PGPORT, Redis :$REDISPORT"
echo "logs: var/cluster/logs   settings: var/cluster/env   stop: make cluster-stop"
