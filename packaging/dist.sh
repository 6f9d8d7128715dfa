#!/usr/bin/env bash
# packaging/dist.sh - the release tarball: exactly the files git tracks, as
# they are in the working tree, under NAME/ (reproducible: sorted, owner 0,
# the last commit's date, gzip without a timestamp).  Everything a user needs
# is tracked: the schema, the generated code, the sources, the man page, the
# packaging files.  usage: packaging/dist.sh NAME OUT.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: dist.sh NAME OUT.tar.gz}
out=${2:?usage: dist.sh NAME OUT.tar.gz}
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
  echo "dist: needs a git checkout (it packs the files git tracks)" >&2; exit 1; }

list=$(mktemp); trap 'rm -f "$list"' EXIT
# DIST_UNTRACKED=1 also packs untracked, not ignored files (to try a release
# before committing it; never for a real release).
{ git ls-files -z; [[ -z ${DIST_UNTRACKED:-} ]] || git ls-files -z --others --exclude-standard; } | while IFS= read -r -d '' f; do
  [[ -e $f || -L $f ]] && printf '%s\0' "$f"
done >"$list"
modified=$(git status --porcelain --untracked-files=no | wc -l)
untracked=$(git status --porcelain --untracked-files=normal | grep -c '^??' || true)
((modified == 0)) || echo "dist: note: $modified tracked files differ from the last commit; the tarball has their working-tree version"
((untracked == 0)) || echo "dist: note: $untracked untracked paths are left out (git add them to ship them)"
version=${name##*-}
grep -q "^## \[$version\]" CHANGELOG.md ||
  echo "dist: note: CHANGELOG.md has no '## [$version]' section yet"

mtime=$(git log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)
mkdir -p "$(dirname "$out")"
tar --null -T "$list" --transform "s|^|$name/|" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="$mtime" --format=gnu -cf - | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "dist: wrote $out ($(tr -cd '\0' <"$list" | wc -c) files, $(du -h "$out" | cut -f1))"
