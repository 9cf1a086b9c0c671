# SPDX-License-Identifier: GPL-2.0-only
# Shared settings for the scripts in scripts/: where the repository, the
# upstream tree and the build outputs live. Sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CKPT_BUILD:-$REPO/build}
SRC=$BUILD/linux-source-6.12
OUT=${CKPT_OUT:-$REPO/out}
TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}
# ccache keys on relative paths below here, so that a clone elsewhere
# (a CI checkout) reuses what this one compiled.
export CCACHE_BASEDIR=$BUILD

# The directories of the repository that are laid over the upstream tree.
OVERLAY_DIRS="arch checkpoint Documentation include mm tools"

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}
