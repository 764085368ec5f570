#!/usr/bin/env bash
# Makes sure a MariaDB server answers on 127.0.0.1:3306 and lets root in over TCP without a
# password (what the import-db tests connect as), starting Debian's mariadb-server if it is
# installed but stopped. A server that already answers is left alone. Run as root.
# DLRN_MARIADB_PORT, DLRN_MARIADB_DATADIR and DLRN_MARIADB_SOCKET move it elsewhere (to try this
# script beside a running server).
set -euo pipefail
port=${DLRN_MARIADB_PORT:-3306}
datadir=${DLRN_MARIADB_DATADIR:-/var/lib/mysql}
socket=${DLRN_MARIADB_SOCKET:-/run/mysqld/mysqld.sock}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if answers; then exit 0; fi

install -d -o mysql -g mysql "$(dirname "$socket")" "$datadir"
if [ ! -d "$datadir/mysql" ]; then
  # Debian's package initialises /var/lib/mysql itself; another datadir starts empty.
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=socket >/dev/null
fi
# No systemd in the containers the tests run in: start the server's own supervisor, detached.
setsid mariadbd-safe --no-defaults --user=mysql --datadir="$datadir" --socket="$socket" \
  --pid-file="$datadir/mariadb-tests.pid" --bind-address=127.0.0.1 --port="$port" \
  --character-set-server=utf8mb4 --log-error="$datadir/mariadb-tests.err" </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 60); do
  mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1 && break
  sleep 1
done
# Local tests connect as root without a password, as on the development machines (PostgreSQL:
# trust on 127.0.0.1); root keeps its unix-socket login.
mariadb --socket="$socket" -uroot <<'SQL'
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
answers || { echo "ensure-mariadb: MariaDB did not start (see $datadir/mariadb-tests.err)" >&2; exit 1; }
