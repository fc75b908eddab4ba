#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a fresh
# temporary directory, unix socket only (listen_addresses = ''), removed
# again afterwards.
#
# Usage:
#   scripts/pg-test-cluster.sh start        start one; prints shell lines to eval:
#                                           LM_PG_DIR, PGHOST, PGPORT, PGUSER, PGDATABASE
#   scripts/pg-test-cluster.sh stop DIR     stop it (immediate) and remove DIR
#   scripts/pg-test-cluster.sh run -- CMD   start, run CMD with those variables
#                                           exported, always stop and remove;
#                                           exits with CMD's status
#
# PostgreSQL refuses to run as root: when root, the server runs as the Debian
# `postgres` system user (override with LM_PG_OS_USER). initdb and pg_ctl are
# looked up on PATH, then in the newest /usr/lib/postgresql/<version>/bin.
# The cluster has database `lmtest`, superuser `postgres` (trust over the
# socket) and role `lm_pw` with password `lm-secret`, which must log in with
# a password (scram-sha-256): the tests use it for the wrong-password case.
# Settings favour speed (fsync off) unless LM_PG_DURABLE=1 (the benchmark
# uses that: fsync on, with bulk-load settings; LM_PG_WAL_MINIMAL=1 adds
# wal_level = minimal, for servers without replicas).
set -euo pipefail

find_bin() {
    local name=$1
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
    echo "pg-test-cluster: $name not found (install the Debian package postgresql)" >&2
    return 1
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        local u=${LM_PG_OS_USER:-postgres}
        if command -v runuser >/dev/null 2>&1; then runuser -u "$u" -- "$@"
        else su -s /bin/sh "$u" -c "$(printf '%q ' "$@")"; fi
    else
        "$@"
    fi
}

start() {
    local initdb pg_ctl dir port
    initdb=$(find_bin initdb)
    pg_ctl=$(find_bin pg_ctl)
    # Not under $TMPDIR: the server's user must be able to reach the directory.
    dir=$(mktemp -d "${LM_PG_TMP:-/tmp}/lmpg.XXXXXX")
    chmod 0755 "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown "${LM_PG_OS_USER:-postgres}" "$dir"; fi
    port=$(( 20000 + RANDOM % 20000 ))  # names the socket file only: no TCP
    if ! as_owner "$initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        return 1
    fi
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$dir'"
        echo "port = $port"
        echo "max_connections = 30"
        echo "logging_collector = off"
        if [ "${LM_PG_DURABLE:-0}" = 1 ]; then
            echo "shared_buffers = '1GB'"
            echo "max_wal_size = '8GB'"
            echo "checkpoint_timeout = '30min'"
            echo "wal_buffers = '64MB'"
            echo "maintenance_work_mem = '512MB'"
            if [ "${LM_PG_WAL_MINIMAL:-0}" = 1 ]; then
                echo "wal_level = minimal"
                echo "max_wal_senders = 0"
            fi
        else
            echo "shared_buffers = '128MB'"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } >>"$dir/data/postgresql.conf"
    {
        echo "local all lm_pw scram-sha-256"
        echo "local all all trust"
    } >"$dir/data/pg_hba.conf"
    if ! as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
        cat "$dir/server.log" >&2 || true
        rm -rf "$dir"
        return 1
    fi
    local psql
    psql=$(find_bin psql)
    if ! "$psql" -h "$dir" -p "$port" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE lmtest" \
        -c "CREATE ROLE lm_pw LOGIN PASSWORD 'lm-secret'" >/dev/null; then
        stop "$dir"
        return 1
    fi
    printf 'export LM_PG_DIR=%q PGHOST=%q PGPORT=%q PGUSER=postgres PGDATABASE=lmtest\n' "$dir" "$dir" "$port"
}

stop() {
    local dir=$1
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    case $dir in "${LM_PG_TMP:-/tmp}"/lmpg.*) ;; *) echo "pg-test-cluster: refusing to remove $dir" >&2; return 1 ;; esac
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case ${1:-} in
    start) start ;;
    stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
    run)
        shift
        [ "${1:-}" = "--" ] && shift
        [ $# -ge 1 ] || { echo "usage: $0 run -- CMD..." >&2; exit 2; }
        env_lines=$(start)
        eval "$env_lines"
        trap 'stop "$LM_PG_DIR"' EXIT
        trap 'exit 130' INT TERM
        rc=0
        "$@" || rc=$?
        exit $rc
        ;;
    *) echo "usage: $0 start | stop DIR | run -- CMD..." >&2; exit 2 ;;
esac
