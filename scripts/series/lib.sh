# SPDX-License-Identifier: GPL-2.0-only
# Shared by scripts/series-gen and scripts/series-check: the pristine
# upstream tree as a git repository, and throwaway clones of it. Sourced
# after scripts/lib.sh, not run.

UPSTREAM=$BUILD/upstream-6.12
BASE_TAG=upstream
SERIES_DIR=$BUILD/series
CONF_DIR=$REPO/scripts/series
CONF=$CONF_DIR/series.conf

# One identity for every commit: the repository's last author. A fixed
# date makes the base commit, and so the series, the same on every run.
AUTHOR=$(git -C "$REPO" log -1 --format='%an <%ae>')
export GIT_AUTHOR_NAME=${AUTHOR% <*} GIT_COMMITTER_NAME=${AUTHOR% <*}
GIT_AUTHOR_EMAIL=${AUTHOR##*<}; GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
export GIT_AUTHOR_EMAIL GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="@$(stat -c %Y "$TARBALL") +0000"
export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE

# $UPSTREAM: Debian's tarball, extracted once and committed as the base
# (tag $BASE_TAG). Redone only when the tarball changed.
ensure_base() {
	local stamp
	stamp=$(stat -c '%s %Y' "$TARBALL")
	if [ "$(cat "$UPSTREAM/.git/ckpt-tarball" 2>/dev/null)" = "$stamp" ]; then
		return
	fi
	echo "${0##*/}: extracting $TARBALL into $UPSTREAM as the base commit"
	rm -rf "$UPSTREAM" "$BUILD/.upstream-extract"
	mkdir -p "$BUILD/.upstream-extract"
	tar -C "$BUILD/.upstream-extract" -xJf "$TARBALL"
	mv "$BUILD/.upstream-extract/linux-source-6.12" "$UPSTREAM"
	rmdir "$BUILD/.upstream-extract"
	grep -q '^PATCHLEVEL = 12$' "$UPSTREAM/Makefile" || die "$UPSTREAM is not Linux 6.12"
	git -C "$UPSTREAM" init -q
	# -f: the tarball ships files that the kernel's .gitignore names.
	git -C "$UPSTREAM" add -A -f .
	git -C "$UPSTREAM" commit -q --no-verify -m "Linux $(upstream_version)" \
		-m "Debian's linux-source-6.12 package, $TARBALL, as extracted."
	git -C "$UPSTREAM" tag "$BASE_TAG"
	echo "$stamp" > "$UPSTREAM/.git/ckpt-tarball"
}

# "6.12.117 (Debian linux-source-6.12 6.12.117-1~deb12u1)"
upstream_version() {
	local mk=$UPSTREAM/Makefile v deb
	v=$(sed -n 's/^VERSION = //p' "$mk")
	v+=.$(sed -n 's/^PATCHLEVEL = //p' "$mk")
	v+=.$(sed -n 's/^SUBLEVEL = //p' "$mk")
	deb=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || true)
	echo "$v${deb:+ (Debian linux-source-6.12 $deb)}"
}

# DIR: a clone of the base, reset to it and cleaned. It borrows the
# base's objects (git clone --shared), so only files that differ are
# written again and, in a build, only they are rebuilt. A clone of an
# older base is made anew.
fresh_clone() {
	local dir=$1 base
	base=$(git -C "$UPSTREAM" rev-parse "$BASE_TAG")
	if [ "$(git -C "$dir" rev-parse -q --verify "$BASE_TAG" 2>/dev/null)" != "$base" ]; then
		rm -rf "$dir"
		git clone -q --shared --no-checkout "$UPSTREAM" "$dir"
	fi
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" checkout -q -f -B work "$BASE_TAG"
	git -C "$dir" clean -ffdxq
}
