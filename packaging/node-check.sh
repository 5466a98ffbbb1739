# shellcheck shell=sh
# Node.js check shared by the launcher, the .deb's preinst and the .rpm's %pre (the build inlines this file where
# @NODE_CHECK@ stands; install/install.sh carries an identical copy because it is run on its own, and a test
# keeps the two the same). POSIX sh: these run before anything of ours is installed.
TENDER_MIN_NODE=@MIN_NODE@

# Prints the path of the Node.js to use: $TENDER_AGENT_NODE, else `node` on PATH, else the usual places.
tender_find_node() {
  if [ -n "${TENDER_AGENT_NODE:-}" ]; then echo "$TENDER_AGENT_NODE"; return 0; fi
  for candidate in "$(command -v node 2>/dev/null || true)" /usr/bin/node /usr/local/bin/node /opt/homebrew/bin/node; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

# Succeeds when $1 is a Node.js at least TENDER_MIN_NODE; otherwise says what is wrong on stderr.
tender_check_node() {
  if [ -z "$1" ] || [ ! -x "$1" ]; then
    echo "tender-agent needs Node.js $TENDER_MIN_NODE or newer, and none was found (install it, or set TENDER_AGENT_NODE to its path)" >&2
    return 1
  fi
  version=$("$1" -p 'process.versions.node' 2>/dev/null) || version=""
  if [ -z "$version" ]; then
    echo "tender-agent needs Node.js $TENDER_MIN_NODE or newer; $1 does not run" >&2
    return 1
  fi
  have_major=${version%%.*}; rest=${version#*.}; have_minor=${rest%%.*}
  want_major=${TENDER_MIN_NODE%%.*}; rest=${TENDER_MIN_NODE#*.}; want_minor=${rest%%.*}
  if [ "$have_major" -gt "$want_major" ] || { [ "$have_major" -eq "$want_major" ] && [ "$have_minor" -ge "$want_minor" ]; }; then
    return 0
  fi
  echo "tender-agent needs Node.js $TENDER_MIN_NODE or newer; $1 is $version" >&2
  return 1
}
