#!/usr/bin/env node
// Committed entry point, so npm can link the command before `npm run build` has produced dist/.
await import("../dist/cli.js");
