#!/usr/bin/env bash
# What the viewer's browser test needs: Debian's chromium, and the npm package playwright-core in
# tests/viewer/node_modules (git-ignored). Each step is skipped when already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PLAYWRIGHT_CORE_VERSION=1.65.1
NODE_DIR=tests/viewer

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
installed=$(node -p "require('./$NODE_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    # --no-save: no package.json or lock file in the repository, only the git-ignored node_modules/.
    npm install --no-save --no-audit --no-fund --prefix "$NODE_DIR" "playwright-core@$PLAYWRIGHT_CORE_VERSION"
fi
chromium --version
