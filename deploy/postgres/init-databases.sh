#!/bin/bash
# Creates one database per service. Run by the postgres image from /docker-entrypoint-initdb.d
# on first start only (i.e. when the data volume is empty).
set -euo pipefail

for db in ${CLINIC_DATABASES:-scheduling inventory notifications dashboard}; do
    echo "creating database ${db}"
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
        -c "CREATE DATABASE \"${db}\";"
done
