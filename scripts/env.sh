# Shared environment for Healthchain's scripts (sourced, not executed).
# One cargo target dir outside the clone, so every checkout (and CI) reuses the same build.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/healthchain/target}"
# The digest CLI (its own workspace) builds in its own target dir next to it.
export HEALTHCHAIN_DIGEST_TARGET="${HEALTHCHAIN_DIGEST_TARGET:-$(dirname "$CARGO_TARGET_DIR")/digest-target}"
# The services (services/: gateway, chain client) are a workspace of their own, built in their
# own target dir so their dependency tree never changes the node's.
export HEALTHCHAIN_SERVICES_TARGET="${HEALTHCHAIN_SERVICES_TARGET:-$(dirname "$CARGO_TARGET_DIR")/services-target}"
export HEALTHCHAIN_GATEWAY="$HEALTHCHAIN_SERVICES_TARGET/release/healthchain-gateway"
export HEALTHCHAIN_INDEXER="$HEALTHCHAIN_SERVICES_TARGET/release/healthchain-indexer"
# The one profile used for the node and for every test.
export HEALTHCHAIN_PROFILE=release
HEALTHCHAIN_NODE="${HEALTHCHAIN_NODE:-$CARGO_TARGET_DIR/release/healthchain-node}"
export HEALTHCHAIN_NODE
# scripts/build-runtime's target dir: runtime wasm of other commits/features (upgrade tests,
# try-runtime) are built here, never in the node's target dir.
export HEALTHCHAIN_RUNTIME_TARGET="${HEALTHCHAIN_RUNTIME_TARGET:-$(dirname "$CARGO_TARGET_DIR")/runtime-target}"
# Runtime wasm files built for tests, cached by commit and feature set.
export HEALTHCHAIN_RUNTIMES="${HEALTHCHAIN_RUNTIMES:-$(dirname "$CARGO_TARGET_DIR")/runtimes}"
