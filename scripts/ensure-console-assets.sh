#!/usr/bin/env bash
# The console's third-party assets and its test browser, from their registries, at set-up
# (nothing from a CDN, nothing copied into the repository). Idempotent.
#   - htmx from npm into src/lexhub/service/console/static/vendor/ (gitignored); without
#     npm the console still works, as plain forms and full page loads.
#   - with --browser: the distribution's Chromium (/usr/bin/chromium) for the browser
#     tests, from Debian's packages (never Playwright's own download).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$here/src/lexhub/service/console/static/vendor"
if [ ! -f "$vendor/htmx.min.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$here/build/npm" "$vendor"
    npm install --silent --no-audit --no-fund --prefix "$here/build/npm" htmx.org@2 >/dev/null
    cp "$here/build/npm/node_modules/htmx.org/dist/htmx.min.js" "$vendor/htmx.min.js"
  else
    echo "ensure-console-assets: no npm; the console runs without htmx" >&2
  fi
fi
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  echo "ensure-console-assets: installing Chromium from Debian's packages" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null
fi
