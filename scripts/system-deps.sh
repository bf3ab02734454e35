#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing: PostgreSQL with PostGIS
# (only for the private cluster, i.e. when DATABASE_URL is unset), Python's venv module, and Node.js with
# npm (the maps' Leaflet assets come from the npm registry at set-up), Chromium for the browser tests, and
# GDAL's command-line clients for the OGC API tests.
set -euo pipefail

need=()
want_postgis=""
if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  need+=(postgresql)
  want_postgis=1
fi
if ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
# The map pages' browser tests drive Debian's Chromium (headless) through Playwright.
if ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
# The OGC API tests run GDAL's own clients (ogrinfo, ogr2ogr) against the served /ogc.
if ! command -v ogrinfo >/dev/null 2>&1; then
  need+=(gdal-bin)
fi
py=${PYTHON:-python3}
if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  need+=(python3-venv)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "Cài gói Debian còn thiếu: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Cần quyền root để cài ${need[*]}" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q </dev/null
$sudo apt-get install -y -q --no-install-recommends "${need[@]}" </dev/null
if [ -n "$want_postgis" ]; then
  # postgresql-15-postgis-3 on Debian 12; the PostGIS package always follows the server's major.
  major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  $sudo apt-get install -y -q --no-install-recommends "postgresql-${major}-postgis-3" </dev/null
fi
