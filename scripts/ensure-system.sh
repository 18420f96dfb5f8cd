#!/usr/bin/env bash
# Installs what the tests need outside Python, when it is missing; safe to run repeatedly.
# - Debian's Chromium (browser tests) and CJK fonts (Chinese pages in screenshots)
# - a running PostgreSQL at 127.0.0.1:5432 (the PostgreSQL tests)
set -uo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
    if command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium and fonts-noto-cjk (Debian packages)"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq && as_root apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
            || echo "warning: could not install chromium; browser tests will fail" >&2
    else
        echo "warning: no apt-get; install Chromium yourself (or set ZENGZHI_CHROMIUM)" >&2
    fi
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if [ -d /etc/postgresql ]; then
        echo "starting PostgreSQL"
        as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
fi
exit 0
