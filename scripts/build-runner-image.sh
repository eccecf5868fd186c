#!/usr/bin/env bash
# Builds the benchbot runner image without any image registry:
#   1. a base made from Debian packages with mmdebstrap (runner/image/<variant>.packages), checked
#      against the versions recorded in runner/image/<variant>.lock, imported into podman;
#   2. runner/image/Containerfile FROM that base: the runner's sources (runner/, core/) and a
#      runner-only npm install (runner/image/package.json and its lockfile), a non-root user.
# Both are tagged by a hash of their inputs and reused when the tag exists, so a second call with
# unchanged inputs (from any checkout on the machine, the tests included) builds nothing. Prints
# the image reference (localhost/benchbot-runner:<hash>) as its last line, and tags it :latest.
#
#   scripts/build-runner-image.sh [--variant runner|runner-rust|runner-X] [--update-lock]
#
# --variant runner-X adds the Debian packages listed in runner/image/runner-X.packages (a project's
#   toolchain; runner-rust has Debian's Rust) and records them in runner/image/runner-X.lock.
# --update-lock records the versions the mirror has now (after a Debian point release, or a change
#   to the .packages file); commit the lock's diff.
# Environment: BENCHBOT_DEBIAN_MIRROR (default http://deb.debian.org/debian; a snapshot.debian.org
#   URL of the lock's recorded time rebuilds it after the mirror moved on),
#   BENCHBOT_DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security),
#   CONTAINERS_CONF (default runner/image/containers.conf: runc and no default ulimits).
# Needs (Debian): mmdebstrap podman runc uidmap, and npm.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
self="$root/scripts/$(basename "$0")"
image_dir="$root/runner/image"
suite=trixie
variant=runner
update_lock=0

say() { echo "[runner-image] $*" >&2; }
die() {
  echo "[runner-image] error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
  --variant)
    variant="${2:-}"
    shift 2 || die "--variant needs a value: runner or runner-rust"
    ;;
  --update-lock)
    update_lock=1
    shift
    ;;
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
    ;;
  *) die "unknown argument $1 (see --help)" ;;
  esac
done
# A variant runner-X is the runner plus the Debian packages in runner/image/runner-X.packages.
[[ "$variant" =~ ^runner(-[a-z0-9]+)?$ && -f "$image_dir/$variant.packages" ]] ||
  die "unknown variant '$variant': choose runner, or runner-X with a list of Debian packages in runner/image/runner-X.packages (see runner-rust.packages)"
package_files=("$image_dir/runner.packages")
[ "$variant" = runner ] || package_files+=("$image_dir/$variant.packages")
lock="$image_dir/$variant.lock"
name="localhost/benchbot-$variant"

missing=()
for tool in mmdebstrap podman runc newuidmap npm flock sha256sum; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] ||
  die "missing ${missing[*]}: install them (Debian: apt-get install -y mmdebstrap podman runc uidmap; npm comes with Node.js)"

export CONTAINERS_CONF="${CONTAINERS_CONF:-$image_dir/containers.conf}"
mirror="${BENCHBOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${BENCHBOT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/benchbot/runner-image"
mkdir -p "$cache"
# One build at a time on the machine: parallel test files all ask for the image at once.
exec 9>"$cache/build.lock"
flock 9

hash_files() { sha256sum "$@" | sed "s|  $root/|  |" | sha256sum | cut -c1-16; }
requested() { grep -hv '^\s*#' "${package_files[@]}" | grep -v '^\s*$' | sort -u; }
recorded() { grep -v '^#' "$lock" | grep -v '^\s*$'; }

# --- 1. the base: Debian packages, checked against the lock --------------------------------------
# Documentation and translations stay out (the copyright files stay in). These options, the
# package lists and the lock are the base's inputs: its tag is their hash.
base_options=(
  --variant=apt
  --include="$(requested | paste -sd, -)"
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
)
base_tag() { echo "$suite ${base_options[*]} $(hash_files "${package_files[@]}" "$lock")" | sha256sum | cut -c1-16; }
base_ref=""
if [ "$update_lock" = 0 ]; then
  [ -f "$lock" ] || die "$lock is missing: record it with $0 --variant $variant --update-lock"
  base_ref="localhost/benchbot-$variant-base:$(base_tag)"
fi
if [ -n "$base_ref" ] && podman image exists "$base_ref"; then
  say "base $base_ref: cached"
else
  work="$(mktemp -d "$cache/base-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  if [ "$update_lock" = 1 ]; then
    epoch="$(date +%s)"
  else
    epoch="$(sed -n 's/^# source-date-epoch: //p' "$lock")"
    [ -n "$epoch" ] || die "$lock has no '# source-date-epoch:' line: record it again with --update-lock"
  fi
  say "base: mmdebstrap $suite with $(requested | tr '\n' ' ')(minutes; the packages come from the mirror)…"
  started=$SECONDS
  # SOURCE_DATE_EPOCH makes mmdebstrap's tarball the same bytes for the same package versions.
  SOURCE_DATE_EPOCH="$epoch" mmdebstrap --quiet "${base_options[@]}" \
    --customize-hook="dpkg-query --admindir=\"\$1/var/lib/dpkg\" -W -f='\${Package}=\${Version}\n' | sort > '$work/installed'" \
    "$suite" "$work/rootfs.tar" \
    "deb $mirror $suite main" \
    "deb $security_mirror $suite-security main"
  say "base: $(wc -l <"$work/installed") packages in $((SECONDS - started)) s"
  if [ "$update_lock" = 1 ]; then
    {
      stamp="$(date -u -d "@$epoch" +%Y%m%dT%H%M%SZ)"
      echo "# Every Debian package in the $variant image's base and its version: builds install exactly"
      echo "# these. Recorded by scripts/build-runner-image.sh --variant $variant --update-lock"
      echo "# from $mirror $suite and $security_mirror $suite-security at $stamp."
      echo "# Once the mirror has moved on, the same state is on snapshot.debian.org:"
      echo "#   BENCHBOT_DEBIAN_MIRROR=https://snapshot.debian.org/archive/debian/$stamp"
      echo "#   BENCHBOT_DEBIAN_SECURITY_MIRROR=https://snapshot.debian.org/archive/debian-security/$stamp"
      echo "# architecture: $(dpkg --print-architecture)"
      echo "# source-date-epoch: $epoch"
      cat "$work/installed"
    } >"$lock"
    say "recorded $lock"
    base_ref="localhost/benchbot-$variant-base:$(base_tag)"
  elif ! diff -u <(recorded) "$work/installed" >"$work/drift"; then
    cat "$work/drift" >&2
    die "the packages installed from $mirror differ from $lock (above: - recorded, + now). Either record the new versions with $0 --variant $variant --update-lock and commit the lock, or build from the recorded state with the snapshot mirror named in the lock's header"
  fi
  podman import --quiet --change 'CMD ["/bin/bash"]' "$work/rootfs.tar" "$base_ref" >/dev/null
  rm -rf "$work"
  trap - EXIT
  say "base $base_ref: built"
fi

# --- 2. the runner on the base ------------------------------------------------------------------
# The image's inputs: this script (how the context is made), the Containerfile, the runner's
# npm lockfile and its sources.
sources=("$self" "$image_dir/Containerfile" "$image_dir/package.json" "$image_dir/package-lock.json")
while IFS= read -r -d '' file; do sources+=("$file"); done < <(
  find "$root/runner" "$root/core" -type f \( -name '*.ts' -o -name '*.js' \) -not -path "$image_dir/*" -print0 | sort -z
)
ref="$name:$(echo "$base_ref $(hash_files "${sources[@]}")" | sha256sum | cut -c1-16)"
if podman image exists "$ref"; then
  say "image $ref: cached"
else
  context="$(mktemp -d "$cache/context-XXXXXX")"
  trap 'rm -rf "$context"' EXIT
  app="$context/benchbot"
  mkdir -p "$app"
  cp "$image_dir/package.json" "$image_dir/package-lock.json" "$app/"
  say "npm ci of the runner's own dependencies…"
  # The lockfile pins every package with its integrity hash; install scripts are not needed (esbuild
  # ships its binary as the optional package @esbuild/<platform>).
  (cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >&2)
  rm -f "$app/package-lock.json"
  mkdir -p "$app/runner" "$app/core"
  (cd "$root" && find runner core -type f \( -name '*.ts' -o -name '*.js' \) -not -path 'runner/image/*' -print0 |
    xargs -0 cp --parents -t "$app")
  started=$SECONDS
  epoch="$(sed -n 's/^# source-date-epoch: //p' "$lock")"
  podman build --quiet --pull=never --network=none --timestamp="$epoch" \
    --build-arg "BASE=$base_ref" -f "$image_dir/Containerfile" -t "$ref" "$context" >/dev/null
  rm -rf "$context"
  trap - EXIT
  say "image $ref: built in $((SECONDS - started)) s"
fi
podman tag "$ref" "$name:latest"
# The image's own test: its entrypoint loads every module of the runner before printing the usage.
usage="$(podman run --rm --network=none "$ref" --help 2>&1)" || true
grep -q '^Usage: benchbot-runner' <<<"$usage" ||
  die "$ref does not print the runner's usage (podman run --rm $ref --help):
$usage"
say "$ref ($(podman image inspect --format '{{.Size}}' "$ref" | numfmt --to=si)B), also tagged $name:latest"
echo "$ref"
