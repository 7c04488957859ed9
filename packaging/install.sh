#!/bin/sh
# Install tandem from this source tree: the binary, its shipped prompts and music on hold,
# the systemd unit, a `tandem` system user, and a starter configuration in /etc/tandem
# (only when that directory has none). Run as root from the repository root:
#     sh packaging/install.sh            (PREFIX=/usr/local by default)
set -eu
PREFIX="${PREFIX:-/usr/local}"
cd "$(dirname "$0")/.."

cargo install --locked --path crates/tandem --root "$PREFIX"

# The prompts: an installed tandem looks in PREFIX/share/tandem/sounds (beside bin/), and
# music-on-hold classes in PREFIX/share/tandem/moh (see docs/operations.md).
install -d "$PREFIX/share/tandem" "$PREFIX/share/doc/tandem"
cp -R prompts/sounds prompts/moh "$PREFIX/share/tandem/"
install -m 0644 docs/operations.md "$PREFIX/share/doc/tandem/operations.md"

if ! id tandem >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/tandem --shell /usr/sbin/nologin tandem
fi
if [ ! -e /etc/tandem/sip.conf ] && [ ! -e /etc/tandem/extensions.conf ]; then
  "$PREFIX/bin/tandem" init --config /etc/tandem
fi
if [ -d /etc/systemd/system ]; then
  sed "s#/usr/local#$PREFIX#g" packaging/tandem.service > /etc/systemd/system/tandem.service
  systemctl daemon-reload 2>/dev/null || true
  echo "systemctl enable --now tandem   # to start it"
fi
