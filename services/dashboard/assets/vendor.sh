#!/usr/bin/env bash
# Copy the front-end libraries named in package-lock.json into the dashboard's static folder.
# `make assets` runs it after changing package.json; the copies are committed, so neither
# `make run` nor `make test` needs npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
dist=node_modules/@event-calendar/build/dist
cp "$dist/event-calendar.min.js" "$dist/event-calendar.min.css" ../src/dashboard/static/vendor/
