#!/usr/bin/env bash
# Make sure MariaDB (127.0.0.1:3306) and Redis (127.0.0.1:6379) answer before the tests run.
# Starts each one when it is installed but not running; says clearly what is missing otherwise.
set -u
# `ensure-services.sh redis` checks only Redis (what `make demo` needs: the demo runs on SQLite).
ONLY="${1:-all}"

wait_for() {  # name, check command
  for _ in $(seq 1 30); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "error: $1 did not start within 30 s" >&2
  return 1
}

mariadb_up() { mysqladmin -uroot -h127.0.0.1 --connect-timeout=2 ping; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }

if [ "$ONLY" != "redis" ] && ! mariadb_up >/dev/null 2>&1; then
  if [ -x /usr/sbin/mariadbd ]; then
    echo "MariaDB is not running; starting it"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_for MariaDB mariadb_up || exit 1
  else
    echo "error: MariaDB is not installed (apt-get install mariadb-server) and nothing answers on 127.0.0.1:3306" >&2
    exit 1
  fi
fi

if ! redis_up >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not running; starting it"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_for Redis redis_up || exit 1
  else
    echo "error: Redis is not installed (apt-get install redis-server) and nothing answers on 127.0.0.1:6379" >&2
    exit 1
  fi
fi
if [ "$ONLY" = "redis" ]; then echo "Redis is up"; else echo "MariaDB and Redis are up"; fi
