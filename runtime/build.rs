//! Builds the wasm runtime (with the metadata hash that `CheckMetadataHash` signers verify).
//!
//! The cargo target dir lives outside the workspace (`~/.cache/healthchain/target`), so
//! substrate-wasm-builder cannot find `Cargo.lock` by walking up from `OUT_DIR`. We point it at
//! this workspace here, for this crate only: a global `WASM_BUILD_WORKSPACE_HINT` would also
//! apply to other wasm-building crates (e.g. frame-benchmarking-cli's test runtime) and break
//! them.

#[cfg(feature = "std")]
fn point_wasm_builder_at_workspace() {
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		if let Some(root) = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent() {
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", root);
		}
	}
}

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	point_wasm_builder_at_workspace();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("HLTH", 12)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	point_wasm_builder_at_workspace();
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is deactivated when compiling this crate for wasm itself.
#[cfg(not(feature = "std"))]
fn main() {}
