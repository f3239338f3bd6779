#!/bin/sh
# Installs edge-sentinel as a hardened systemd service.
#
#   sudo sh install.sh --profile raspberry-pi-5 edge-sentinel-0.1.0.tgz
#
# Creates the system user `edge-sentinel`, installs the package tarball under
# /opt/edge-sentinel, writes /etc/edge-sentinel/config.yaml (only if absent:
# base.yaml merged with the device profile's overlay), installs the unit and
# the profile's drop-in, runs `edge-sentinel doctor` as the service user and,
# when nothing blocks, enables and starts the service.
#
# Options:
#   --profile NAME   raspberry-pi-4 | raspberry-pi-5 | jetson-orin-nano | x86-gateway
#   --offline        install dependencies from the local npm cache only (npm --offline)
#   --governor       also install cpu-performance.service (performance CPU governor at boot)
#   --no-start       install and enable, but do not start
set -eu

PREFIX=/opt/edge-sentinel
CONF_DIR=/etc/edge-sentinel
STATE_DIR=/var/lib/edge-sentinel
UNIT_DIR=/etc/systemd/system
SVC_USER=edge-sentinel
NODE=/usr/bin/node

profile=""
offline=""
governor=""
start=1
tarball=""

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || die "--profile needs a name"; profile="$2"; shift 2 ;;
    --offline) offline="--offline"; shift ;;
    --governor) governor=1; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) tarball="$1"; shift ;;
  esac
done

[ -n "$tarball" ] || die "usage: install.sh [--profile NAME] [--offline] [--governor] [--no-start] edge-sentinel-VERSION.tgz"
[ -f "$tarball" ] || die "no such file: $tarball"
case "$profile" in
  ""|raspberry-pi-4|raspberry-pi-5|jetson-orin-nano|x86-gateway) ;;
  *) die "unknown profile $profile" ;;
esac
[ "$(id -u)" -eq 0 ] || die "run as root (sudo)"
command -v systemctl >/dev/null 2>&1 || die "systemd is required (for a container use the Dockerfile)"
[ -x "$NODE" ] || die "$NODE not found: install Node.js 20 first (see hardware/<device>/README.md)"
node_major=$("$NODE" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js >= 20 required, found $("$NODE" --version)"
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")

echo "==> user $SVC_USER"
if ! id "$SVC_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SVC_USER"
fi

echo "==> directories"
# Config: readable by the service, writable by root only. State: the service's alone.
install -d -o root -g "$SVC_USER" -m 0750 "$CONF_DIR"
install -d -o "$SVC_USER" -g "$SVC_USER" -m 0750 "$STATE_DIR"
install -d -o root -g root -m 0755 "$PREFIX"

echo "==> package -> $PREFIX"
[ -f "$PREFIX/package.json" ] || printf '{ "name": "edge-sentinel-install", "private": true }\n' > "$PREFIX/package.json"
# ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's postinstall would otherwise
# download optional CUDA libraries on linux/x64; the CPU binaries are in the package.
# shellcheck disable=SC2086 # $offline is empty or one flag
(cd "$PREFIX" && ONNXRUNTIME_NODE_INSTALL=skip npm install --omit=dev --no-audit --no-fund $offline "$tarball")
PKG="$PREFIX/node_modules/edge-sentinel"
[ -f "$PKG/dist/agent/cli/main.js" ] || die "package did not install: $PKG/dist/agent/cli/main.js missing"
ln -sf "$PREFIX/node_modules/.bin/edge-sentinel" /usr/local/bin/edge-sentinel

echo "==> config $CONF_DIR/config.yaml"
if [ -f "$CONF_DIR/config.yaml" ]; then
  echo "    exists: kept as is"
else
  overlay=""
  [ -n "$profile" ] && overlay="$PKG/hardware/$profile/config.yaml"
  # shellcheck disable=SC2086 # $overlay is empty or one path
  "$NODE" "$PKG/hardware/merge-config.mjs" "$PKG/hardware/base.yaml" $overlay > "$CONF_DIR/config.yaml.new"
  chown root:"$SVC_USER" "$CONF_DIR/config.yaml.new"
  chmod 0640 "$CONF_DIR/config.yaml.new"
  mv "$CONF_DIR/config.yaml.new" "$CONF_DIR/config.yaml"
fi
"$NODE" "$PKG/dist/agent/cli/main.js" validate "$CONF_DIR/config.yaml"

echo "==> systemd unit"
install -m 0644 "$PKG/hardware/systemd/edge-sentinel.service" "$UNIT_DIR/edge-sentinel.service"
if [ -n "$profile" ]; then
  install -d -m 0755 "$UNIT_DIR/edge-sentinel.service.d"
  install -m 0644 "$PKG/hardware/$profile/override.conf" "$UNIT_DIR/edge-sentinel.service.d/override.conf"
fi
if [ -n "$governor" ]; then
  install -m 0644 "$PKG/hardware/systemd/cpu-performance.service" "$UNIT_DIR/cpu-performance.service"
fi
systemctl daemon-reload
[ -n "$governor" ] && systemctl enable --now cpu-performance.service

echo "==> doctor (as $SVC_USER)"
# Run the checks with the service's identity, so permissions are the real ones.
if ! runuser -u "$SVC_USER" -- "$NODE" "$PKG/dist/agent/cli/main.js" doctor --config "$CONF_DIR/config.yaml"; then
  systemctl enable edge-sentinel.service
  echo "install.sh: doctor found blocking problems (above). Fix them, then: sudo systemctl start edge-sentinel" >&2
  exit 1
fi

systemctl enable edge-sentinel.service
if [ "$start" -eq 1 ]; then
  systemctl restart edge-sentinel.service
  echo "==> started. Follow it with: journalctl -u edge-sentinel -f"
else
  echo "==> enabled, not started (--no-start)"
fi
