# Shared environment for Healthchain's scripts (sourced, not executed).
# One cargo target dir outside the clone, so every checkout (and CI) reuses the same build.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/healthchain/target}"
# The digest CLI (its own workspace) builds in its own target dir next to it.
export HEALTHCHAIN_DIGEST_TARGET="${HEALTHCHAIN_DIGEST_TARGET:-$(dirname "$CARGO_TARGET_DIR")/digest-target}"
# The one profile used for the node and for every test.
export HEALTHCHAIN_PROFILE=release
HEALTHCHAIN_NODE="${HEALTHCHAIN_NODE:-$CARGO_TARGET_DIR/release/healthchain-node}"
export HEALTHCHAIN_NODE
