import { defineConfig } from "tsup";

// The CLI is shipped as one ESM bundle: workspace packages are inlined, npm dependencies stay external.
export default defineConfig({
  entry: { cli: "src/bin.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  splitting: false,
  noExternal: [/^@qualys-connector\//],
  banner: { js: "#!/usr/bin/env node" },
});
