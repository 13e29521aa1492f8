import { defineConfig } from 'vite';

// One copy of polkadot-js for the portal and the SDK (the SDK is a symlinked file: dependency
// whose own node_modules hold its dev copies).
const dedupe = ['@polkadot/api', '@polkadot/util', '@polkadot/util-crypto', '@polkadot/keyring',
  '@polkadot/types', '@polkadot/types-codec', '@polkadot/rpc-provider', 'preact'];

export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { dedupe },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'polkadot', test: /node_modules[\\/]@polkadot|node_modules[\\/]@noble|node_modules[\\/]@scure|bn\.js|rxjs/ }],
        },
      },
    },
  },
});
