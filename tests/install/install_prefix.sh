#!/usr/bin/env bash
# The install tests' fixture: installs the build tree into a fresh scratch prefix.
#   install_prefix.sh BUILD_DIR PREFIX
set -euo pipefail
rm -rf "$2"
cmake --install "$1" --prefix "$2" >/dev/null
echo "installed into $2"
