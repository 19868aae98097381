#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what building and testing pacer-glib needs on Debian bookworm, and
# nothing when it is all there already.
set -eu

packages="
  gcc
  meson
  ninja-build
  pkg-config
  libglib2.0-dev
  libglib2.0-dev-bin
  libjson-glib-dev
  gobject-introspection
  libgirepository1.0-dev
  gir1.2-json-1.0
  python3
  python3-gi
  gjs
  gi-docgen
  gettext
  libhiredis-dev
  redis-server
  groff-base
  libxml2-utils
  raptor2-utils
  valgrind
  procps
"

missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

[ -z "$missing" ] && exit 0

echo "Installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "These packages are missing and this user cannot install them:$missing" >&2
  exit 2
fi
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
