#!/usr/bin/env bash
# Runs every test persona has, after installing and starting what they need.
# Usage: ./scripts/test.sh            (all tests)
#        ./scripts/test.sh -run Foo ./cluster/...   (extra args go to go test)
set -euo pipefail
cd "$(dirname "$0")/.."

export CGO_ENABLED=1

log() { printf '==> %s\n' "$*" >&2; }

# Debian packages the tests use: gcc for cgo (DuckDB), Chromium and fonts for
# the report and dashboard tests.
need_apt=()
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || need_apt+=(fonts-liberation2)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    log "missing ${need_apt[*]}: install them (they are Debian packages) and run again"
    exit 1
  fi
fi

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  printf 'gofmt -l lists unformatted files:\n%s\n' "$unformatted" >&2
  exit 1
fi

log "go vet"
go vet ./...

log "go test"
if [ "$#" -gt 0 ]; then
  go test "$@"
else
  go test -count=1 -timeout 25m ./...
fi
