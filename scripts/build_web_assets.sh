#!/usr/bin/env bash
# Build the dashboard's front-end assets from npm packages (pinned in package-lock.json):
#   - compile GOV.UK Frontend Sass with socmob's settings (system font stack, no GDS
#     Transport font, no crown/crest) into src/socmob/web/static/build/socmob.css;
#   - copy GOV.UK Frontend's JS, vega/vega-lite/vega-embed (progressive enhancement of
#     the server-rendered charts) and axe-core (accessibility tests) into the build dir.
# Idempotent and quick when up to date: npm ci runs only when package-lock.json changed,
# Sass only when a source is newer than the CSS. The build dir is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=src/socmob/web/static/build
SCSS=src/socmob/web/static/scss/socmob.scss
STAMP=node_modules/.socmob-npm-ci.stamp

if ! command -v npm >/dev/null 2>&1; then
  echo "build_web_assets: npm not found; the dashboard will serve pages without GOV.UK styles" >&2
  exit 0
fi

if [ ! -f "$STAMP" ] || [ package-lock.json -nt "$STAMP" ] || [ package.json -nt "$STAMP" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$STAMP"
fi

mkdir -p "$BUILD"
if [ ! -f "$BUILD/socmob.css" ] || [ "$SCSS" -nt "$BUILD/socmob.css" ] || [ "$STAMP" -nt "$BUILD/socmob.css" ]; then
  node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
    --silence-deprecation=import --load-path=node_modules "$SCSS" "$BUILD/socmob.css.tmp"
  mv "$BUILD/socmob.css.tmp" "$BUILD/socmob.css"
fi

copy() {  # copy SRC to DEST only when it changed
  if ! cmp -s "$1" "$2"; then cp "$1" "$2.tmp" && mv "$2.tmp" "$2"; fi
}
copy node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$BUILD/govuk-frontend.min.js"
copy node_modules/vega/build/vega.min.js "$BUILD/vega.min.js"
copy node_modules/vega-lite/build/vega-lite.min.js "$BUILD/vega-lite.min.js"
copy node_modules/vega-embed/build/vega-embed.min.js "$BUILD/vega-embed.min.js"
copy node_modules/axe-core/axe.min.js "$BUILD/axe.min.js"
echo "web assets ready in $BUILD"
