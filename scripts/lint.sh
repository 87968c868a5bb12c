#!/usr/bin/env bash
# The checks of `npm run lint` that belong to no one project (Nx has run each project's type check):
# ShellCheck on every shell script of the repository, and no stray whitespace in any text file.
# No root needed. Usage: scripts/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The repository's files: in a git checkout, tracked ones and new ones not ignored; else all but
# what npm ci, the build and assemble.sh make.
files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard
  else
    find . \( -name .git -o -name node_modules -o -name .nx -o -name dist -o -name out -o -name build \) -prune \
      -o -type f -print | sed 's|^\./||'
  fi
}

shebang='^#!.*[/ ](ba)?sh([[:space:]]|$)'
scripts=() all=()
while IFS= read -r file; do
  [ -f "$file" ] || continue # deleted, not yet committed
  all+=("$file")
  case $file in
    *.sh | *.bash | *.script) scripts+=("$file") ;;
    *)
      first=""
      IFS= read -r first <"$file" || true
      if [[ $first =~ $shebang ]]; then scripts+=("$file"); fi
      ;;
  esac
done < <(files | LC_ALL=C sort)

status=0
fail() {
  printf 'lint: %s\n' "$*" >&2
  status=1
}

# .shellcheckrc holds the optional checks this code keeps.
[ ${#scripts[@]} -gt 0 ] || fail "found no shell scripts: is this the sc repository?"
shellcheck --version >/dev/null 2>&1 || fail "shellcheck is not installed (init.sh installs it: apt-get install shellcheck)"
if [ "$status" -eq 0 ] && ! shellcheck --severity=style "${scripts[@]}"; then
  fail "shellcheck found the problems above"
fi

# Text files (grep -I leaves binary ones out): no trailing whitespace or CR, a final newline, and
# indentation by spaces (Makefiles' recipes excepted).
mapfile -t text < <(grep -lI '' -- "${all[@]}" || true)
if grep -nE '[[:space:]]$' -- "${text[@]}"; then fail "trailing whitespace (or a CR) on the lines above"; fi
spaced=()
for file in "${text[@]}"; do
  case $file in Makefile | */Makefile | *.mk) ;; *) spaced+=("$file") ;; esac
done
if grep -nP '^ *\t' -- "${spaced[@]}"; then fail "indentation by tabs on the lines above (use spaces)"; fi
for file in "${text[@]}"; do
  if [ -n "$(tail -c 1 -- "$file")" ]; then fail "$file: no newline at the end"; fi
done

[ "$status" -eq 0 ] && printf 'lint: shellcheck (%d scripts) and whitespace (%d files): clean\n' "${#scripts[@]}" "${#text[@]}"
exit "$status"
