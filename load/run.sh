#!/usr/bin/env bash
# make load: gunicorn on 127.0.0.1 with PostgreSQL and Redis, 50 simulated users for 60 s.
# Sends traffic to this machine only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LOAD_PORT:-8765}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
export DEBUG=off SECRET_KEY=load-test-only-$(date +%s)-not-a-production-key-0123456789abcdef
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=off SECURE_COOKIES=off
export DATABASE_URL=$PG/vises_load REDIS_URL=${LOAD_REDIS:-redis://127.0.0.1:6379/3}
export AXES_FAILURE_LIMIT=1000

.venv/bin/python - <<PY
import psycopg2
c = psycopg2.connect("$PG/postgres"); c.autocommit = True
c.cursor().execute("DROP DATABASE IF EXISTS vises_load"); c.cursor().execute("CREATE DATABASE vises_load")
PY
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo --beneficiaries "${LOAD_BENEFICIARIES:-2000}" --demo-password vises-demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn vises.wsgi --bind "127.0.0.1:$PORT" --workers 3 --threads 2 \
  --log-level warning --pid /tmp/vises-load-gunicorn.pid &
trap 'kill $(cat /tmp/vises-load-gunicorn.pid) 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$PORT/connexion/" >/dev/null && break; sleep 1; done

out=$(mktemp -d)
.venv/bin/locust -f load/locustfile.py --headless --users 50 --spawn-rate 2 --run-time 60s \
  --host "http://127.0.0.1:$PORT" --csv "$out/load" --only-summary --stop-timeout 5 >/dev/null 2>&1 || true
.venv/bin/python - "$out/load_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| page | requests | errors | p50 ms | p95 ms |")
print("|---|---|---|---|---|")
for row in rows:
    print(f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
          f"{row['50%']} | {row['95%']} |")
PY
