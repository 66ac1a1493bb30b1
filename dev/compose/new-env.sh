#!/bin/sh
# Writes .env for the compose stack: .env.example with a fresh random value in place of each
# `change-me` placeholder (48 hex digits from /dev/urandom). Refuses to overwrite an existing .env.
# Run from anywhere: dev/compose/new-env.sh
set -eu
cd "$(dirname "$0")/../.."
if [ -e .env ]; then
  echo ".env exists already; edit it, or remove it and run this again" >&2
  exit 1
fi
umask 077
tmp=".env.tmp.$$"
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
  *=change-me*) line="${line%%=*}=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" ;;
  esac
  printf '%s\n' "$line"
done <.env.example >"$tmp"
mv "$tmp" .env
trap - EXIT
echo "wrote .env (mode 600) with fresh secrets"
