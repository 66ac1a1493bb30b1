#!/bin/bash
# The compose stack's one-shot set-up, run by its `init` service (the atmoz/sftp image, as root)
# before the other services start. `docker compose up` runs it every time; each step is safe to
# repeat. It prints no secret.
#
#  1. The secrets from .env are there, no longer .env.example's placeholders, and usable where
#     they go (the SFTP password ends up in an atmoz/sftp user line: no ':' and no whitespace).
#  2. The SFTP server's host key: an ed25519 key generated once into the sftp-host-key volume and
#     kept from then on (dev/compose/sshd_config serves that key and no other).
#  3. Its pin: the worker's configuration is config/docker.config.json with sftp.hostKey.sha256
#     set to that key's fingerprint, written to the worker-config volume the worker reads.
#  4. The owners the images need on their volumes, which Docker creates as root's: the upload
#     folder for the SFTP user (uid 1001; atmoz/sftp leaves a mounted folder as it finds it) and
#     Temporal's data for uid 1000, the user the temporalio/temporal image runs as.
set -euo pipefail

fail() {
  echo "compose init: $*" >&2
  exit 1
}

# 1. Secrets (compose has already refused to start if one is unset or empty).
for name in POSTGRES_PASSWORD SFTP_PASSWORD FUSION_CLIENT_SECRET; do
  value="${!name:-}"
  [ -n "$value" ] || fail "$name is empty: set it in .env (dev/compose/new-env.sh writes one)"
  case "$value" in
  change-me*) fail "$name in .env is still the placeholder from .env.example: set your own (dev/compose/new-env.sh writes fresh ones)" ;;
  esac
  [ "${#value}" -ge 12 ] || fail "$name must be at least 12 characters long"
done
if [[ "$SFTP_PASSWORD" =~ [:[:space:]] ]]; then
  fail "SFTP_PASSWORD must not contain ':' or whitespace (it goes into an atmoz/sftp user line)"
fi

# 2. Host key, once.
key=/keys/ssh_host_ed25519_key
if [ ! -s "$key" ]; then
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C 'ml-connector compose sftp' -f "$key"
  echo "compose init: generated the SFTP host key"
fi
chmod 600 "$key"
chmod 644 "$key.pub"

# 3. The pin, into the worker's configuration.
fingerprint="$(ssh-keygen -l -E sha256 -f "$key.pub" | cut -d' ' -f2)"
[[ "$fingerprint" =~ ^SHA256:[A-Za-z0-9+/]{43}$ ]] || fail "unexpected fingerprint from ssh-keygen: $fingerprint"
placeholder='"SHA256:pinned-by-the-compose-init-service"'
template=/compose/docker.config.json
grep -qF "$placeholder" "$template" || fail "$template has no hostKey placeholder $placeholder"
sed "s|$placeholder|\"$fingerprint\"|" "$template" >/worker-config/.ml-connector.config.json
grep -qF "\"sha256\": \"$fingerprint\"" /worker-config/.ml-connector.config.json ||
  fail "could not write the pin into the worker's configuration"
chmod 644 /worker-config/.ml-connector.config.json
mv /worker-config/.ml-connector.config.json /worker-config/ml-connector.config.json
echo "$fingerprint" >/worker-config/sftp-host-key.sha256
echo "compose init: SFTP host key $fingerprint pinned in the worker's configuration"

# 4. Volume owners (the top folder only: what is inside was written by the owner).
chown 1001:1001 /outbound
chmod 755 /outbound
chown 1000:1000 /temporal-data
chmod 700 /temporal-data
echo "compose init: done"
