#!/usr/bin/env bash
# Run the whole test suite (after `bash scripts/install.sh --test`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-services.sh
mkdir -p test-artifacts
ruff check src tests bench
ruff format --check src tests bench
lint-imports
mypy  # the domain core, configured in pyproject.toml
exec python3 -m pytest -q -p no:cacheprovider "$@"
