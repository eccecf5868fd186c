#!/usr/bin/env bash
# Builds the control plane the Kubernetes executor's tests run against: a real kube-apiserver, etcd,
# kube-scheduler and kube-controller-manager (the tests play only the kubelet). All come from Go
# modules, so nothing but the Go module proxy is needed:
#   - the kube-* binaries from k8s.io/kubernetes, whose go.mod points its k8s.io/* staging modules at
#     ./staging/src/...; a dependency's replace lines are ignored, so a throwaway module requires
#     k8s.io/kubernetes and replaces each staging module with its published v0.X.Y twin.
#   - etcd from go.etcd.io/etcd/server/v3 (Debian's etcd-server is 3.4, older than what current
#     apiservers are tested with), through a throwaway module for the same reason.
# Output: $BENCHBOT_KUBE_TOOLS (default ~/.cache/benchbot/tools/kube-v<version>/) with kube-apiserver,
# kube-scheduler, kube-controller-manager and etcd. Reused when all are present and run, so only the
# first build is slow (~25-40 min on 2 cores; each kube binary is built alone and a present one kept).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
DEST="${BENCHBOT_KUBE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/benchbot/tools/kube-v${KUBE_VERSION}}"

say() { echo "[kube-tools] $*"; }

KUBE_BINARIES=(kube-apiserver kube-scheduler kube-controller-manager)

runs() { [[ -x "$DEST/$1" ]] && "$DEST/$1" --version >/dev/null 2>&1; }
all_cached=true
for b in etcd "${KUBE_BINARIES[@]}"; do runs "$b" || all_cached=false; done
if $all_cached; then
  say "cached: $DEST"
  exit 0
fi

command -v go >/dev/null || { echo "[kube-tools] error: go is not on PATH; install Go >= 1.24" >&2; exit 1; }
mkdir -p "$DEST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

if [[ ! -x "$DEST/etcd" ]]; then
  say "building etcd v$ETCD_VERSION (go.etcd.io/etcd/server/v3)…"
  mkdir -p "$work/etcd" && cd "$work/etcd"
  go mod init benchbot.local/etcd >/dev/null 2>&1
  # etcd's server module replaces its sibling modules with ../api etc.; require them at the same version.
  for m in api/v3 client/pkg/v3 client/v3 pkg/v3 server/v3; do
    go mod edit -require="go.etcd.io/etcd/$m@v$ETCD_VERSION"
  done
  go build -trimpath -ldflags "-s -w" -o "$DEST/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$DEST/etcd.tmp" "$DEST/etcd"
  say "etcd: $("$DEST/etcd" --version | head -1)"
fi

missing=()
for b in "${KUBE_BINARIES[@]}"; do runs "$b" || missing+=("$b"); done
if ((${#missing[@]})); then
  mkdir -p "$work/kube" && cd "$work/kube"
  go mod init benchbot.local/kube >/dev/null 2>&1
  gomod="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f "$gomod" ]] || { echo "[kube-tools] error: could not fetch k8s.io/kubernetes@v$KUBE_VERSION's go.mod" >&2; exit 1; }
  staging_version="v0.${KUBE_VERSION#*.}"
  go mod edit -require="k8s.io/kubernetes@v$KUBE_VERSION"
  grep -Eo 'k8s\.io/[a-z0-9.-]+(/[a-z0-9.-]+)* => \./staging/src/' "$gomod" | cut -d' ' -f1 | sort -u |
    while read -r m; do go mod edit -replace="$m=$m@$staging_version"; done
  ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=${KUBE_VERSION%%.*}"
    minor="${KUBE_VERSION#*.}"
    ld="$ld -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean"
  done
  for b in "${missing[@]}"; do
    say "building $b v$KUBE_VERSION (k8s.io/kubernetes/cmd/$b)…"
    go build -trimpath -ldflags "$ld" -o "$DEST/$b.tmp" "k8s.io/kubernetes/cmd/$b"
    mv "$DEST/$b.tmp" "$DEST/$b"
    say "$b: $("$DEST/$b" --version)"
  done
fi

say "done: $DEST"
