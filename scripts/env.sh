# Shared environment for Healthchain's scripts (sourced, not executed).
# One cargo target dir outside the clone, so every checkout (and CI) reuses the same build.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/healthchain/target}"
# The digest CLI (its own workspace) builds in its own target dir next to it.
export HEALTHCHAIN_DIGEST_TARGET="${HEALTHCHAIN_DIGEST_TARGET:-$(dirname "$CARGO_TARGET_DIR")/digest-target}"
# The one profile used for the node and for every test.
export HEALTHCHAIN_PROFILE=release
HEALTHCHAIN_NODE="$CARGO_TARGET_DIR/release/healthchain-node"
export HEALTHCHAIN_NODE
# The target dir is outside the workspace, so substrate-wasm-builder cannot find Cargo.lock by
# walking up from OUT_DIR: point it at this checkout so the wasm build uses the same lock file.
WASM_BUILD_WORKSPACE_HINT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WASM_BUILD_WORKSPACE_HINT
