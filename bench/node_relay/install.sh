#!/bin/sh
# Install the relay's one dependency (ws, pinned by package-lock.json) into bench/node_relay/node_modules.
set -eu
cd "$(dirname "$0")"
exec npm ci --no-audit --no-fund --loglevel=error
