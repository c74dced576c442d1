#!/usr/bin/env bash
# Debian packages the test suite needs: headless Chromium for the browser tests, Pango and
# fonts for PDF briefings, Java 17 for the Spark engine, R with gnm, survey and sandwich for
# cross-checks, wrk and hyperfine for the web and command-line benchmarks.
# Installs only what is missing; needs root (or sudo).
set -euo pipefail
want=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
      openjdk-17-jre-headless r-base-core r-cran-gnm r-cran-vcdextra r-cran-survey
      r-cran-sandwich poppler-utils wrk hyperfine)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
