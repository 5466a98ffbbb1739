#!/bin/sh
# Installs tender-agent on a Linux (systemd) or macOS host, registers it with a hybrid activation and starts it as
# a service. Run it again with a newer package to upgrade in place: the instance id and keys are kept.
#
#   sudo sh install.sh --package ./tender-agent_0.2.0_all.deb --endpoint https://tender.example:8700 \
#        --activation-id ID --activation-code CODE [--name web-1] [--ca ca.pem]
#   sudo sh install.sh --uninstall [--purge]
#
# The package may be a .deb, an .rpm or the .tar.gz, as a path or an http(s) URL. The activation code may come
# from the environment instead (TENDER_ACTIVATION_ID, TENDER_ACTIVATION_CODE), which keeps it out of `ps`.
# Every check (root, Node.js, the package, disk space, the endpoint, the activation) runs before anything on the
# host changes; a failure after that undoes what this run did.
#
# Test-only settings (the project's tests use them to run this script in a scratch folder; not for real hosts):
#   TENDER_INSTALL_ROOT=DIR        install under DIR instead of / (tarball packages only)
#   TENDER_INSTALL_SKIP_SERVICE=1  do not touch the service manager
set -eu

ROOT=${TENDER_INSTALL_ROOT:-}
OPT="$ROOT/opt/tender-agent"
STATE="$ROOT/var/lib/tender-agent"
CONF="$ROOT/etc/tender-agent"
# Copies of the .deb/.rpm this script installed (the current one and the one before it): the package manager keeps
# no old version, so these are what a failed upgrade goes back to. In the state directory, which survives upgrades.
KEPT="$STATE/packages"
# Free space the state directory's file system must have: identity, spool and run outputs start small but grow.
STATE_MIN_FREE_KB=${TENDER_STATE_MIN_FREE_KB:-51200}

package="" endpoint="" name="" ca="" uninstall=0 purge=0
activation_id=${TENDER_ACTIVATION_ID:-}
activation_code=${TENDER_ACTIVATION_CODE:-}

say() { printf '%s\n' "tender-agent install: $*"; }
fail() { printf '%s\n' "tender-agent install: error: $*" >&2; exit "${2:-1}"; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

# --- Node.js check: identical to packaging/node-check.sh (a test keeps the two the same) -----------------------
TENDER_MIN_NODE=20.19

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
# --- end of the Node.js check ----------------------------------------------------------------------------------

while [ $# -gt 0 ]; do
  case "$1" in
    --package|--endpoint|--activation-id|--activation-code|--name|--ca) [ $# -ge 2 ] || fail "$1 needs a value" 2 ;;
  esac
  case "$1" in
    --package) package=${2:-}; shift 2 ;;
    --endpoint) endpoint=${2:-}; shift 2 ;;
    --activation-id) activation_id=${2:-}; shift 2 ;;
    --activation-code) activation_code=${2:-}; shift 2 ;;
    --name) name=${2:-}; shift 2 ;;
    --ca) ca=${2:-}; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option $1" 2 ;;
  esac
done

[ "$(id -u)" -eq 0 ] || fail "run this as root (sudo sh $0 ...): it installs a system service. Nothing was changed."

# How the agent on this host was installed: deb, rpm, tar (ours under /opt), or nothing.
installed_kind() {
  if [ -z "$ROOT" ] && command -v dpkg-query >/dev/null 2>&1 && [ "$(dpkg-query -W -f '${Status}' tender-agent 2>/dev/null)" = "install ok installed" ]; then echo deb
  elif [ -z "$ROOT" ] && command -v rpm >/dev/null 2>&1 && rpm -q tender-agent >/dev/null 2>&1; then echo rpm
  elif [ -x "$OPT/bin/tender-agent" ]; then echo tar
  else echo none
  fi
}

service_manager_available() { [ "${TENDER_INSTALL_SKIP_SERVICE:-0}" != 1 ]; }

if [ "$uninstall" -eq 1 ]; then
  kind=$(installed_kind)
  [ "$kind" != none ] || say "tender-agent is not installed"
  if [ "$kind" != none ] && service_manager_available; then "$OPT/bin/tender-agent" service uninstall || true; fi
  case "$kind" in
    deb) if [ "$purge" -eq 1 ]; then dpkg --purge tender-agent; else dpkg --remove tender-agent; fi; say "removed the tender-agent package" ;;
    rpm) rpm -e tender-agent; say "removed the tender-agent package" ;;
    tar) rm -rf "$OPT" "$OPT.previous"; rm -f "$ROOT/usr/local/bin/tender-agent"; say "removed $OPT" ;;
  esac
  rm -rf "$KEPT"   # only there to roll an installed package back; the identity beside it stays
  if [ "$purge" -eq 1 ]; then
    rm -rf "$STATE" "$CONF"
    say "purged the identity and state ($STATE) and the configuration ($CONF): this host is forgotten"
  elif [ -d "$STATE" ]; then
    say "kept the identity and state in $STATE (install again to come back as the same instance; --purge deletes it)"
  fi
  exit 0
fi

# --- Checks: nothing on the host changes until all of them pass ------------------------------------------------
[ -n "$package" ] || fail "--package is required: the .deb, .rpm or .tar.gz (a path or an http(s) URL)" 2
node=$(tender_find_node || true)
tender_check_node "$node" || fail "Node.js is missing or too old (see above). Nothing was changed."
if [ -z "$activation_id" ] || [ -z "$activation_code" ]; then
  if [ ! -f "$STATE/identity.json" ]; then
    fail "--activation-id and --activation-code are required to register this host (CreateActivation returns them: tender activations create, or aws ssm create-activation). Nothing was changed." 2
  fi
fi
[ -n "$endpoint" ] || [ -f "$STATE/identity.json" ] || fail "--endpoint is required: the control plane's API URL, e.g. https://tender.example:8700. Nothing was changed." 2
[ -z "$ca" ] || [ -f "$ca" ] || fail "--ca $ca: no such file. Nothing was changed."

work=$(mktemp -d "${TMPDIR:-/tmp}/tender-install.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

case "$package" in
  http://*|https://*)
    say "downloading $package"
    file="$work/$(basename "${package%%\?*}")"
    # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
    NODE_EXTRA_CA_CERTS=${ca:-${NODE_EXTRA_CA_CERTS:-}} "$node" -e '
      const [url, out] = process.argv.slice(1);
      fetch(url).then(async (r) => { if (!r.ok) throw new Error(`HTTP ${r.status}`); require("fs").writeFileSync(out, Buffer.from(await r.arrayBuffer())); })
        .catch((e) => { console.error(`cannot download ${url}: ${e.cause?.code ?? e.message}`); process.exit(1); });' "$package" "$file" \
      || fail "the package could not be downloaded. Nothing was changed."
    package=$file ;;
  *) [ -f "$package" ] || fail "--package $package: no such file. Nothing was changed." ;;
esac

# Unpack the package into the work folder: its launcher registers the host before anything is installed.
staged="$work/staged"
mkdir -p "$staged"
case "$package" in
  *.deb) kind=deb; command -v dpkg >/dev/null 2>&1 || fail "a .deb needs dpkg; use the .rpm or .tar.gz on this host"
         [ -z "$ROOT" ] || fail "TENDER_INSTALL_ROOT works with the .tar.gz only"
         dpkg-deb -x "$package" "$staged" || fail "$package is not a readable .deb. Nothing was changed."
         launcher="$staged/opt/tender-agent/bin/tender-agent" ;;
  *.rpm) kind=rpm; command -v rpm >/dev/null 2>&1 || fail "an .rpm needs rpm; use the .deb or .tar.gz on this host"
         [ -z "$ROOT" ] || fail "TENDER_INSTALL_ROOT works with the .tar.gz only"
         (cd "$staged" && rpm2cpio "$package" | cpio -idm --quiet) || fail "$package is not a readable .rpm. Nothing was changed."
         launcher="$staged/opt/tender-agent/bin/tender-agent" ;;
  *.tar.gz|*.tgz) kind=tar
         tar -xzf "$package" -C "$staged" || fail "$package is not a readable .tar.gz. Nothing was changed."
         launcher="$staged/tender-agent/bin/tender-agent" ;;
  *) fail "--package must be a .deb, .rpm or .tar.gz, not $package" 2 ;;
esac
[ -x "$launcher" ] || fail "$package does not hold tender-agent (no bin/tender-agent in it). Nothing was changed."
new_version=$(cat "$(dirname "$launcher")/../VERSION")
previous=$(installed_kind)
if [ "$previous" != none ] && [ "$previous" != "$kind" ]; then
  fail "tender-agent is installed here from a $previous package; uninstall it first (sh $0 --uninstall keeps the identity). Nothing was changed."
fi
# A .deb/.rpm upgrade can go back only to a kept copy of the installed version (none if it was installed by hand).
previous_version="" rollback_package=""
if [ "$previous" = "$kind" ] && [ "$kind" != tar ]; then
  previous_version=$(cat "$OPT/VERSION" 2>/dev/null || true)
  if [ -n "$previous_version" ] && [ "$previous_version" != "$new_version" ] && [ -f "$KEPT/tender-agent-$previous_version.$kind" ]; then
    rollback_package="$KEPT/tender-agent-$previous_version.$kind"
  fi
fi

# The state directory's file system must have room (a full disk would leave a half-written identity).
state_fs=$STATE
while [ ! -d "$state_fs" ]; do state_fs=$(dirname "$state_fs"); done
free_kb=$(df -Pk "$state_fs" | awk 'NR == 2 { print $4 }')
[ "${free_kb:-0}" -ge "$STATE_MIN_FREE_KB" ] \
  || fail "only ${free_kb:-0} KB free on the file system of $STATE ($state_fs); tender-agent needs $STATE_MIN_FREE_KB KB. Free some space. Nothing was changed."

# --- Register (unless this host already has an identity: an upgrade or a rerun keeps it) ----------------------
created_state=0
if [ -f "$STATE/identity.json" ]; then
  instance=$("$node" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).instanceId)' "$STATE/identity.json")
  say "already registered as $instance: keeping that identity"
else
  # The endpoint must answer before we register (any HTTP answer will do; a refused connection or DNS error won't).
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  NODE_EXTRA_CA_CERTS=${ca:-${NODE_EXTRA_CA_CERTS:-}} "$node" -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(10000) }).then(() => process.exit(0))
      .catch((e) => { console.error(`cannot reach ${process.argv[1]}: ${e.cause?.code ?? e.cause?.message ?? e.message}`); process.exit(1); });' "$endpoint" \
    || fail "the control plane is unreachable (check --endpoint, the network and the firewall). Nothing was changed."
  # Remember the topmost folder this makes, so a failed registration can take all of it away again.
  created_top="" dir=$STATE
  while [ ! -d "$dir" ]; do created_top=$dir; dir=$(dirname "$dir"); done
  [ -z "$created_top" ] || created_state=1
  mkdir -p "$STATE" && chmod 0700 "$STATE"
  set -- register --endpoint "$endpoint" --state-dir "$STATE" --json
  [ -z "$name" ] || set -- "$@" --name "$name"
  [ -z "$ca" ] || set -- "$@" --ca "$ca"
  if ! registered=$(TENDER_ACTIVATION_ID=$activation_id TENDER_ACTIVATION_CODE=$activation_code TENDER_AGENT_NODE=$node "$launcher" "$@"); then
    [ "$created_state" -eq 0 ] || rm -rf "$created_top"
    fail "registration failed (see above: an expired or used-up activation, a wrong id or code?). Nothing was changed."
  fi
  instance=$(printf '%s' "$registered" | "$node" -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).instanceId))')
  say "registered as $instance (identity in $STATE)"
fi
undo_registration() { [ "$created_state" -eq 0 ] || rm -rf "$created_top"; }

# --- Install the package --------------------------------------------------------------------------------------
case "$kind" in
  deb) TENDER_AGENT_NODE=$node dpkg -i "$package" >/dev/null || { undo_registration; fail "dpkg -i $package failed (see above)"; } ;;
  rpm) TENDER_AGENT_NODE=$node rpm -U --replacepkgs "$package" || { undo_registration; fail "rpm -U $package failed (see above)"; } ;;
  tar)
    # Swap the new tree in beside the old one, which stays as .previous until the new one has started.
    rm -rf "$OPT.new" "$OPT.previous"
    mkdir -p "$(dirname "$OPT")"
    cp -a "$staged/tender-agent" "$OPT.new" || { rm -rf "$OPT.new"; undo_registration; fail "could not copy the agent into $OPT.new"; }
    [ ! -d "$OPT" ] || mv "$OPT" "$OPT.previous"
    mv "$OPT.new" "$OPT"
    mkdir -p "$CONF" "$ROOT/usr/local/bin"
    [ -f "$CONF/agent.env" ] || cp "$OPT/service/agent.env" "$CONF/agent.env"
    ln -sfn "$OPT/bin/tender-agent" "$ROOT/usr/local/bin/tender-agent" ;;
esac
if [ -n "$node" ] && [ "$node" != "$(command -v node 2>/dev/null || true)" ] && ! grep -q '^TENDER_AGENT_NODE=' "$CONF/agent.env" 2>/dev/null; then
  mkdir -p "$CONF" && echo "TENDER_AGENT_NODE=$node" >> "$CONF/agent.env"   # the service's PATH may not find this Node.js
fi
say "installed tender-agent $new_version ($kind) in $OPT"
kept_package=""
if [ "$kind" != tar ]; then
  # Through a temporary name: the package given may be the kept copy itself (a reinstall of the same version).
  kept_package="$KEPT/tender-agent-$new_version.$kind"
  if mkdir -p "$KEPT" && cp "$package" "$kept_package.new" && mv "$kept_package.new" "$kept_package"; then :; else
    rm -f "$kept_package.new"; kept_package=""
    say "warning: could not keep a copy of $package in $KEPT: a later upgrade that fails cannot be rolled back to $new_version"
  fi
fi

# Puts the kept previous .deb/.rpm back after an upgrade whose agent did not start, restarts it, and stops with an
# error either way: the upgrade did not happen.
roll_back_package() {
  say "tender-agent $new_version did not start; rolling back to $previous_version from $rollback_package"
  case "$kind" in
    deb) TENDER_AGENT_NODE=$node dpkg -i "$rollback_package" >/dev/null ;;
    rpm) TENDER_AGENT_NODE=$node rpm -U --oldpackage "$rollback_package" ;;
  esac || fail "tender-agent $new_version did not start, and reinstalling $previous_version ($rollback_package) failed too (see above): the agent is not running"
  [ -z "$kept_package" ] || rm -f "$kept_package"   # never a rollback target: it does not start
  "$OPT/bin/tender-agent" service install \
    || fail "tender-agent $new_version did not start; rolled back to $previous_version, but that did not start either (see above)"
  fail "tender-agent $new_version did not start; rolled back to $previous_version, which runs again as instance $instance (the upgrade was not applied: see the log lines above)"
}

# --- Service: install (or reload) and start; a tarball upgrade that does not start goes back to the old tree -----
if service_manager_available; then
  if ! "$OPT/bin/tender-agent" service install; then
    if [ "$kind" = tar ] && [ -d "$OPT.previous" ]; then
      rm -rf "$OPT" && mv "$OPT.previous" "$OPT"
      "$OPT/bin/tender-agent" service install || true
      fail "tender-agent $new_version did not start; went back to $(cat "$OPT/VERSION")"
    fi
    [ -z "$rollback_package" ] || roll_back_package
    if [ -n "$previous_version" ] && [ "$previous_version" != "$new_version" ]; then
      fail "tender-agent $new_version did not start (see above), and there is no kept copy of $previous_version in $KEPT to roll back to (this script keeps only the packages it installs): install $previous_version again with this script"
    fi
    fail "the service did not start (see above); the agent is installed and registered: fix the cause, then run: tender-agent service install"
  fi
else
  say "TENDER_INSTALL_SKIP_SERVICE=1: left the service manager alone"
fi
rm -rf "$OPT.previous"
# Keep the package just installed and the one it replaced (the next upgrade's rollback target); drop older ones.
if [ -n "$kept_package" ]; then
  for file in "$KEPT"/*; do
    [ "$file" = "$kept_package" ] || [ "$file" = "$rollback_package" ] || rm -f "$file"
  done
fi
say "done: instance $instance runs tender-agent $new_version as a service. Status: tender-agent service status; logs: journalctl -u tender-agent (Linux), /Library/Logs/tender-agent (macOS)"
