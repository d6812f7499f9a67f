#!/usr/bin/env bash
# Builds the API and load generator images with podman, exactly from infra/docker/Dockerfile and
# infra/docker/loadgen.Dockerfile, then runs their smoke tests against the real containers
# (infra/test/images-podman.test.mjs). Run it after `pnpm install && pnpm build` (the tests use
# the workspace's vitest and testkit's MongoDB).
#
# The Node base the Dockerfiles name (ARG NODE_IMAGE, node:<version>-<suite>-slim) cannot be
# pulled where no container registry is reachable, so it is made here as
# localhost/node:<version>-<suite>-slim: Debian from the machine's own apt mirror (debootstrap),
# the Node binary and npm from the npm registry, a `node` user (uid 1000), and the host's CA
# certificates (NODE_EXTRA_CA_CERTS) so that build steps reach the npm registry through a network
# that re-signs TLS. It stays in podman's storage and is made again only when one of its inputs
# changes. GLOBECO_NODE_IMAGE=<image> builds from that image instead (the official one, on a
# machine that can pull it).
#
# usage: infra/images/build-and-test.sh [--require] [--no-test]
#   --require   exit 1 instead of 0 when podman cannot build or run images on this machine
#               (also GLOBECO_IMAGES_REQUIRE=true)
#   --no-test   build the images only
# State: $GLOBECO_IMAGES_HOME (podman's storage and configuration, the build cache, logs), by
# default ${XDG_CACHE_HOME:-$HOME/.cache}/globeco-images; no global configuration is changed.
set -euo pipefail

usage() { sed -n 's/^# \{0,1\}//; /^usage:/,/^State:/p' "$0" | sed '$d'; }

require=${GLOBECO_IMAGES_REQUIRE:-false}
run_tests=true
for arg in "$@"; do
  case $arg in
    --require) require=true ;;
    --no-test) run_tests=false ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
command -v node >/dev/null && command -v npm >/dev/null || { echo "images: node and npm are needed on PATH" >&2; exit 1; }
state=${GLOBECO_IMAGES_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/globeco-images}

say() { echo "images: $*"; }
# Podman cannot build or run images here: one line, and a non-zero exit only when it is required.
skip() {
  say "skipped, $*"
  if [ "$require" = true ]; then exit 1; fi
  exit 0
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
# (Children do not inherit the lock, fd 9.)
bounded() { timeout --kill-after=10 "$@" 9>&-; }
# Runs a step (a command or a function, errexit applying inside it) with its output in a log; on
# failure prints the end of the log and stops.
step() {
  local name=$1
  shift
  "$@" >"$state/logs/$name.log" 2>&1 &
  if ! wait $!; then
    tail -n 60 "$state/logs/$name.log" >&2
    echo "images: $name failed (full log: $state/logs/$name.log)" >&2
    exit 1
  fi
}

# ---- what the Dockerfiles pin ----
node_image_of() { sed -n 's/^ARG NODE_IMAGE=//p' "$repo/infra/docker/$1"; }
pinned=$(node_image_of Dockerfile)
if [ "$(node_image_of loadgen.Dockerfile)" != "$pinned" ]; then
  echo "images: the Dockerfiles name different bases: $pinned, $(node_image_of loadgen.Dockerfile)" >&2
  exit 1
fi
if ! [[ $pinned =~ ^node:([0-9]+\.[0-9]+\.[0-9]+)-([a-z]+)-slim$ ]]; then
  echo "images: ARG NODE_IMAGE=$pinned is not node:<version>-<suite>-slim" >&2
  exit 1
fi
node_version=${BASH_REMATCH[1]}
suite=${BASH_REMATCH[2]}
version_of() { node -p "JSON.parse(require('fs').readFileSync('$repo/$1/package.json', 'utf8')).version"; }
api_image=localhost/globeco/portfolio-api:$(version_of apps/api)
loadgen_image=localhost/globeco/loadgen:$(version_of apps/loadgen)

# ---- podman, configured under $state ----
command -v podman >/dev/null || skip "podman is not installed (apt-get install podman runc)"
command -v runc >/dev/null || skip "runc is not installed (apt-get install runc)"
mkdir -p "$state/logs" "$state/tmp"
# One run at a time per state folder (its images are rebuilt, pruned and tested by tag).
exec 9>"$state/lock"
flock --wait 1800 9 || { echo "images: $state is locked by another run for 30 min" >&2; exit 1; }
# A container's limits: podman's defaults (nofile 1048576) may exceed what the host lets a process
# raise its own to, so they stay within the host's hard limits.
limit() {
  local hard
  hard=$(ulimit -H "-$1")
  if [ "$hard" = unlimited ] || [ "$hard" -gt "$2" ]; then hard=$2; fi
  echo "$hard"
}
nofile=$(limit n 1048576)
nproc=$(limit u 32768)
# Named, since podman otherwise keeps the backend its storage was first used with, even once that
# is uninstalled. Only the host's network and none are used, so either does.
network_backend=cni
for dir in /usr/local/libexec/podman /usr/local/lib/podman /usr/libexec/podman /usr/lib/podman; do
  if [ -x "$dir/netavark" ]; then network_backend=netavark; fi
done
# runc: crun is reported to fail on these machines' hybrid (v1 + v2) cgroup hierarchy.
cat >"$state/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_backend = "$network_backend"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$state/run/libpod"
image_copy_tmp_dir = "$state/tmp"
EOF
cat >"$state/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$state/storage"
runroot = "$state/run/storage"
EOF
export CONTAINERS_CONF=$state/containers.conf CONTAINERS_STORAGE_CONF=$state/storage.conf
if ! podman info >"$state/logs/podman-info.log" 2>&1; then
  skip "podman does not work here: $(grep -m1 -i -E 'error|fail' "$state/logs/podman-info.log" || tail -n1 "$state/logs/podman-info.log")"
fi

# ---- the Node base ----
node_arch() {
  case $(uname -m) in
    x86_64) echo x64 ;;
    aarch64) echo arm64 ;;
    *) echo "unsupported-$(uname -m)" ;;
  esac
}
# The first URI of an apt source of the host that carries the suite (deb822 .sources or one-line .list).
debian_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    if [ -f "$f" ]; then
      awk -v suite="$suite" '
        function flush() { if (uri != "" && hit && deb) print uri; uri = ""; hit = 0; deb = 0 }
        /^[[:space:]]*$/ { flush(); next }
        tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
        tolower($1) == "uris:" { uri = $2 }
        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
        END { flush() }' "$f"
    fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    if [ -f "$f" ]; then
      awk -v suite="$suite" '$1 == "deb" { sub(/^deb +(\[[^]]*\] +)?/, ""); if ($2 == suite) print $1 }' "$f"
    fi
  done
}
# The CA certificates the host trusts: its system bundle plus NODE_EXTRA_CA_CERTS when set.
host_ca_bundle() {
  local f
  for f in /etc/ssl/certs/ca-certificates.crt ${NODE_EXTRA_CA_CERTS:-}; do
    if [ -f "$f" ]; then cat "$f"; fi
  done | awk '/-----BEGIN CERTIFICATE-----/ { c = "" } { c = c $0 "\n" } /-----END CERTIFICATE-----/ && !seen[c]++ { printf "%s", c }'
}
npm_registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)

make_base() {
  local work=$1 rootfs=$1/rootfs t
  t=$(now)
  # libatomic1: the Node binary links it (the official image installs it too).
  bounded 600 debootstrap --variant=minbase --include=libatomic1 "$suite" "$rootfs" "$mirror"
  echo "--- debootstrap done, $(since "$t") s in"
  # Slim as Debian's -slim images: no documentation, manuals, translations or package lists.
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,linda,locale}/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/* "$rootfs"/tmp/*
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/machine-id"
  # Node and npm laid out as the official image has them (nodejs.org's tarball in /usr/local).
  bounded 300 npm install --prefix "$work/npm" --no-save --no-package-lock --no-audit --no-fund \
    "node-linux-$(node_arch)@$node_version" "npm@$npm_version"
  echo "--- npm install done, $(since "$t") s in"
  local pkg=$work/npm/node_modules
  install -m 0755 "$pkg/node-linux-$(node_arch)/bin/node" "$rootfs/usr/local/bin/node"
  cp -r "$pkg/node-linux-$(node_arch)/include" "$pkg/node-linux-$(node_arch)/share" "$rootfs/usr/local/"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -r "$pkg/npm" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # The official image's entrypoint: arguments that are not a command run as node's.
  cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" || true)" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
SH
  chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  host_ca_bundle >"$rootfs/usr/local/share/ca-certificates/host-ca-certificates.crt"
  local changes=(
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change "ENV NODE_VERSION=$node_version"
    --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-ca-certificates.crt'
    --change "LABEL org.globeco.base.key=$base_key"
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]'
    --change 'CMD ["node"]'
  )
  if [ "$npm_registry" != https://registry.npmjs.org/ ]; then changes+=(--change "ENV npm_config_registry=$npm_registry"); fi
  tar --numeric-owner -C "$rootfs" -c . | bounded 300 podman import "${changes[@]}" - "$base"
  echo "--- podman import done, $(since "$t") s in"
}

started=$(now)
if [ -n "${GLOBECO_NODE_IMAGE:-}" ]; then
  base=$GLOBECO_NODE_IMAGE
  pull=missing
  say "base $base (GLOBECO_NODE_IMAGE)"
else
  base=localhost/$pinned
  pull=never
  mirror=${GLOBECO_DEBIAN_MIRROR:-$(debian_mirror | sed -n 1p)}
  npm_version=$(npm --version)
  base_key=$( { declare -f make_base; echo "$node_version $suite $(node_arch) $npm_version $mirror $npm_registry"; host_ca_bundle; } | sha256sum | cut -c1-16)
  if [ "$(podman image inspect --format '{{index .Config.Labels "org.globeco.base.key"}}' "$base" 2>/dev/null)" = "$base_key" ]; then
    say "base $base (cached, key $base_key)"
  else
    [ "$(id -u)" = 0 ] || skip "making the Node base needs root (debootstrap, chroot)"
    command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
    [ -n "$mirror" ] || skip "no apt source for Debian $suite in /etc/apt (set GLOBECO_DEBIAN_MIRROR)"
    work=$(mktemp -d "$state/base.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    step base make_base "$work"
    rm -rf "$work"
    podman image prune --force >/dev/null
    say "base $base made in $(since "$started") s (Debian $suite from $mirror, Node $node_version, npm $npm_version)"
  fi
fi

# The runtime proof: a container of the base starts and runs its Node.
# (podman run exits 125 when podman itself fails, otherwise with the container's status.)
status=0
probe=$(bounded 600 podman run --rm --network none --pull="$pull" "$base" node --version 2>&1) || status=$?
if [ "$status" = 125 ]; then
  skip "podman cannot run containers here: $(echo "$probe" | grep -m1 -i -E 'error|fail' || echo "$probe" | tail -n1)"
fi
if [ "$status" != 0 ] || [ "$probe" != "v$node_version" ]; then
  echo "images: $base does not run Node $node_version (exit $status): $probe" >&2
  exit 1
fi

# ---- the images, exactly from the committed Dockerfiles ----
# The build stage is tagged too (localhost/globeco-build-stage/<name>): pruning then keeps its
# layers, the next run's cache, and drops those of earlier runs. TMPDIR: where buildah keeps the
# RUN --mount=type=cache folders (the pnpm store). RUN steps use the host's network, so that no
# bridge, firewall rule or network namespace is made for them.
build() {
  local dockerfile=$1 tag=$2 name t
  name=$(basename "${tag%:*}")
  t=$(now)
  local args=(--format docker --network host --pull="$pull" --build-arg NODE_IMAGE="$base" -f "$repo/infra/docker/$dockerfile")
  step "build-$name-stage" bounded 1200 env TMPDIR="$state/tmp" podman build "${args[@]}" --target build -t "localhost/globeco-build-stage/$name" "$repo"
  step "build-$name" bounded 600 env TMPDIR="$state/tmp" podman build "${args[@]}" -t "$tag" "$repo"
  say "built $tag from infra/docker/$dockerfile in $(since "$t") s, $(mb "$(podman image inspect --format '{{.Size}}' "$tag")")"
}
build Dockerfile "$api_image"
build loadgen.Dockerfile "$loadgen_image"
podman image prune --force >/dev/null
say "base $(mb "$(podman image inspect --format '{{.Size}}' "$base")"); images ready $(since "$started") s after start"

[ "$run_tests" = true ] || exit 0
[ -f "$repo/packages/testkit/dist/cli.js" ] && [ -x "$repo/node_modules/.bin/vitest" ] ||
  { echo "images: the workspace is not built: run pnpm install --frozen-lockfile && pnpm build first" >&2; exit 1; }
cd "$repo/infra"
GLOBECO_IMAGE_API=$api_image GLOBECO_IMAGE_LOADGEN=$loadgen_image \
  bounded 600 ../node_modules/.bin/vitest run test/images-podman.test.mjs
