#!/usr/bin/env bash
# make-man.sh OUTDIR [BINDIR] — man pages OUTDIR/man1/sc.1 and sc-*.1, made by help2man from each tool's
# own --help and --version, with every verb's --help appended: the pages cannot drift from the tools.
# BINDIR holds sc and the sc-* launchers (default: the workspace's out/bin, laid out by npm run build).
set -euo pipefail
out=${1:?usage: scripts/make-man.sh OUTDIR [BINDIR]}
bin=${2:-$(cd "$(dirname "$0")/.." && pwd)/out/bin}
command -v help2man >/dev/null || { echo "make-man.sh: help2man is missing: apt-get install help2man" >&2; exit 1; }
[ -x "$bin/sc" ] || { echo "make-man.sh: no sc in $bin: build first (npm run build)" >&2; exit 1; }
# The help texts are UTF-8 (an em dash in each first line): help2man must decode them as such.
export LC_ALL=C.UTF-8
mkdir -p "$out/man1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tools=()
for t in "$bin"/sc-*; do [ -x "$t" ] && tools+=("${t##*/}"); done

# Help text as literal roff: backslashes escaped, a leading . or ' made plain text, and '-' a minus
# sign, so that flags copied from the page work.
roff_literal() { sed -e 's/\\/\\e/g' -e "s/^[.']/\\\\\\&&/" -e 's/-/\\-/g'; }

# The verbs a tool's --help lists: "  NAME  summary" lines of its Verbs paragraph.
verbs_of() { "$bin/$1" --help | sed -n '/^Verbs/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'; }

# help2man's NAME line: the text after "TOOL — " on the first line of --help.
summary_of() { local line; line=$("$bin/$1" --help | head -n1); printf '%s' "${line#* — }"; }

common_sections() {
  cat <<'EOF'
[ENVIRONMENT]
.TP
.B SC_ROOT
the data root (images, layers, containers); overrides the config file's root
.TP
.B SC_CONFIG
the config file (JSON5), instead of /etc/sc.json5
[FILES]
.TP
.I /etc/sc.json5
the configuration: root, cgroupParent, stopTimeout
.TP
.I /var/lib/sc
the default data root: images/, layers/, containers/NAME/state.json, locks/
EOF
  printf '[SEE ALSO]\n'
  local first=1 page
  for page in sc "${tools[@]}"; do
    [ "$page" = "$1" ] && continue
    [ -n "$first" ] || printf ',\n'
    printf '.BR %s (1)' "$page"
    first=
  done
  printf '\n.PP\nThe examples/ directory of the sc sources: a Makefile that builds a container step by step, and tested pipelines.\n'
}

# One page from a program's --help and --version, plus the include file's sections.
# The page is plain ASCII roff: groff without preconv warns on raw UTF-8.
page() {
  help2man --locale=C.UTF-8 --no-info --no-discard-stderr --section=1 --name="$(summary_of "$1")" \
    --include="$tmp/$1.h2m" --output="$tmp/$1.1" "$bin/$1"
  sed 's/—/\\(em/g' "$tmp/$1.1" > "$out/man1/$1.1"
}

for tool in "${tools[@]}"; do
  {
    printf '[VERBS IN DETAIL]\n'
    for verb in $(verbs_of "$tool"); do
      printf '.SS "%s %s"\n.nf\n' "${tool//-/\\-}" "$verb"
      "$bin/$tool" "$verb" --help | roff_literal
      printf '.fi\n'
    done
    common_sections "$tool"
  } > "$tmp/$tool.h2m"
  page "$tool"
done

common_sections sc > "$tmp/sc.h2m"
page sc
