#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make deb`: builds the Debian package (debian/) in a clean copy of the tree and runs lintian.
#   ci/deb.sh OUTDIR
# The copy holds the files git knows (committed or not, untracked ones not ignored), so nothing
# of the work tree's build directories goes in and dpkg-buildpackage, which writes its results
# into the parent directory, writes them under OUTDIR. The .deb, .buildinfo and .changes end up
# in OUTDIR, lintian's report in OUTDIR/lintian.txt; exits non-zero on a lintian error.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: ci/deb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -S Version)
work=$out/src
rm -rf "$work"
mkdir -p "$work/dfk-emu-$version"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
		[[ -e $f ]] && printf '%s\0' "$f"
	done | tar --null -T - -cf - | tar -C "$work/dfk-emu-$version" -xf -
else
	tar --exclude='./build*' --exclude=__pycache__ --exclude=.pytest_cache -cf - . | tar -C "$work/dfk-emu-$version" -xf -
fi
rm -f "$out"/dfk-emu_*.deb "$out"/dfk-emu_*.buildinfo "$out"/dfk-emu_*.changes "$out"/dfk-emu-dbgsym_*.deb
start=$(date +%s)
(cd "$work/dfk-emu-$version" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
	{ tail -40 "$out/build.log"; echo "ci/deb.sh: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
mv "$work"/dfk-emu*_"$version"_*.deb "$work"/dfk-emu_"$version"_*.buildinfo "$work"/dfk-emu_"$version"_*.changes "$out"/
rm -rf "$work"
echo "ci/deb.sh: built in $(($(date +%s) - start)) s:" "$out"/*.deb
# lintian as root warns that it should not run as root; the package is only read
start=$(date +%s)
rc=0
lintian --fail-on error --info --display-info "$out"/dfk-emu_"$version"_*.changes >"$out/lintian.txt" 2>&1 || rc=$?
echo "ci/deb.sh: lintian in $(($(date +%s) - start)) s, exit status $rc ($out/lintian.txt):"
sed 's/^/  /' "$out/lintian.txt"
if [[ $rc -ne 0 ]] || grep -q '^E: ' "$out/lintian.txt"; then
	echo "ci/deb.sh: lintian reports errors (or failed)" >&2
	exit 1
fi
