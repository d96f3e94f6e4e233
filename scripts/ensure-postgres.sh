#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at LEXHUB_TEST_PG before the tests run.
# Order: one already answering; the machine's cluster started with pg_ctlcluster;
# PostgreSQL installed from Debian's packages and started. Fails loudly otherwise.
set -euo pipefail
url="${LEXHUB_TEST_PG:-postgresql://postgres@127.0.0.1:5432/test}"
hostport="${url#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$host" ] && port=5432

ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }

if command -v pg_isready >/dev/null 2>&1 && ready; then exit 0; fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ensure-postgres: no PostgreSQL found; installing it from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
echo "ensure-postgres: starting cluster $version/main" >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do
  if ready; then
    # The tests connect as postgres with trust auth, as on the CI machines; create the
    # database if the cluster is new.
    db="${url##*/}"; db="${db%%\?*}"
    su postgres -c "psql -p $port -tAc \"select 1 from pg_database where datname='$db'\"" | grep -q 1 \
      || su postgres -c "createdb -p $port $db" || true
    exit 0
  fi
  sleep 1
done
echo "ensure-postgres: PostgreSQL did not become ready at $host:$port" >&2
exit 1
