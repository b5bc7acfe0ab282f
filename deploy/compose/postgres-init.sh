#!/bin/bash
# docker-compose.yml's databases: one per service, each owned by a role of that service's own,
# which can log in with its password (<SERVICE>_DB_PASSWORD) and do nothing else: not a
# superuser, no CREATEDB, no CREATEROLE, no CONNECT on any other database (nor on `postgres` and
# `template1`). The services connect as these roles; the `postgres` superuser (POSTGRES_PASSWORD)
# is the operator's, for backups and upgrades.
#
# Run by the postgres image from /docker-entrypoint-initdb.d, as the superuser, on the data
# volume's first start only; tests/deploy/test_compose_postgres.py runs it on a cluster of its own.
set -euo pipefail

run_psql() {
    psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" "$@"
}

for service in scheduling inventory notifications dashboard; do
    variable="${service^^}_DB_PASSWORD"
    password=${!variable:-}
    if [ -z "$password" ]; then
        echo "postgres-init: $variable is not set" >&2
        exit 1
    fi
    echo "postgres-init: role and database ${service}"
    # psql's :'var' and :"var" quote the password and names (no SQL built by the shell).
    run_psql --dbname "${POSTGRES_DB:-postgres}" -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
    # The public schema belongs to the database's owner from PostgreSQL 15 on
    # (pg_database_owner); said here too, for a server of an earlier version.
    run_psql --dbname "$service" -v role="$service" <<'SQL'
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done

# Any role may connect to these by default: no service has anything to do there.
for database in "${POSTGRES_DB:-postgres}" template1; do
    run_psql --dbname "${POSTGRES_DB:-postgres}" -c "REVOKE CONNECT ON DATABASE \"${database}\" FROM PUBLIC;"
done
