# The Debian mirror this machine's apt uses, for debootstrap in tests/container/run.sh (source this file).
# shellcheck shell=bash

# mf_apt_mirror SUITE [APT_DIR]: prints the URI (without a trailing /) of the first enabled "deb" source that serves
# SUITE (e.g. bookworm), in apt's order: APT_DIR/sources.list, then APT_DIR/sources.list.d/*.list and *.sources
# by name (APT_DIR defaults to /etc/apt). Reads uncommented one-line "deb [options] URI SUITE ..." entries and
# deb822 stanzas (Types: deb, URIs:, Suites:, Enabled: no skips one). Only http(s), ftp and file URIs count.
# Returns 1 with a message on stderr when there is none.
mf_apt_mirror() {
  local suite=$1 dir=${2:-/etc/apt} f uri
  # *.list and *.sources merged in name order, as apt reads the directory (its names carry no spaces)
  for f in "$dir/sources.list" $(printf '%s\n' "$dir"/sources.list.d/*.list "$dir"/sources.list.d/*.sources | LC_ALL=C sort); do
    [ -f "$f" ] || continue
    if [[ $f == *.sources ]]; then
      uri=$(awk -v suite="$suite" '
        function has(list, word,   n, w, i) { n = split(list, w, /[ \t]+/); for (i = 1; i <= n; i++) if (w[i] == word) return 1; return 0 }
        function stanza(   n, u, i) {
          if (!found && has(v["types"], "deb") && has(v["suites"], suite) && tolower(v["enabled"]) != "no") {
            n = split(v["uris"], u, /[ \t]+/)
            for (i = 1; i <= n; i++) if (u[i] ~ /^(https?|ftp):\/\/|^file:\//) { print u[i]; found = 1; break }
          }
          delete v; key = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { stanza(); next }
        /^[ \t]/ { if (key != "") v[key] = v[key] " " $0; next }
        { i = index($0, ":"); if (i == 0) next; key = tolower(substr($0, 1, i - 1)); v[key] = substr($0, i + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", v[key]) }
        END { stanza() }' "$f")
    else
      uri=$(sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
        awk -v suite="$suite" '$1 == "deb" && $3 == suite && $2 ~ /^(https?|ftp):\/\/|^file:\// { print $2; exit }')
    fi
    if [ -n "$uri" ]; then
      echo "${uri%/}"
      return 0
    fi
  done
  echo "no apt source serves Debian $suite: found no uncommented 'deb' entry with suite $suite in $dir/sources.list" \
    "or $dir/sources.list.d/*.list, nor a deb822 stanza with 'Suites: $suite' and a URIs: line in" \
    "$dir/sources.list.d/*.sources" >&2
  return 1
}
