# Sourced (`. .ci/postgres.sh`): a throwaway PostgreSQL server for the database tests.
# Installs Debian's postgresql when it is missing, creates a cluster in a temporary directory, starts it on
# a free port of 127.0.0.1, creates a database and exports PRT_CDS_TEST_POSTGRES_URL. `stop_postgres`
# stops the server and removes the cluster (.ci/run calls it from an EXIT trap).

_pg_bin_dir() { find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(_pg_bin_dir)" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-common >/dev/null
    # No default cluster on port 5432: the tests run their own server.
    sed -ri 's/^#?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(_pg_bin_dir)"

# PostgreSQL refuses to run as root: the cluster belongs to the postgres user the Debian package creates.
if [ "$(id -u)" = 0 ]; then PG_AS=(runuser -u postgres --); else PG_AS=(); fi

PG_DIR="$(mktemp -d /tmp/prt-cds-postgres.XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PG_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/password"
[ "$(id -u)" = 0 ] && chown -R postgres: "$PG_DIR"

"${PG_AS[@]}" "$PG_BIN/initdb" --pgdata="$PG_DIR/data" --username=prt_cds --pwfile="$PG_DIR/password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log"
rm "$PG_DIR/password"
# A test server: durability is not needed, speed is.
if ! "${PG_AS[@]}" "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --log="$PG_DIR/server.log" --wait --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR \
            -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start \
        >/dev/null; then
    cat "$PG_DIR/server.log" >&2
    exit 1
fi
PGPASSWORD="$PG_PASSWORD" "$PG_BIN/createdb" --host=127.0.0.1 --port="$PG_PORT" --username=prt_cds \
    palliative_rt_cds_test

export PRT_CDS_TEST_POSTGRES_URL="postgresql+psycopg://prt_cds:$PG_PASSWORD@127.0.0.1:$PG_PORT/palliative_rt_cds_test"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$PG_PORT"

stop_postgres() {
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --mode=fast --wait stop >/dev/null || true
    rm -rf "$PG_DIR"
}
