#!/usr/bin/env node
// The API in a production bundle (bin/api): dist/main.js with production settings unless NODE_ENV says
// otherwise (staging, say).
process.env.NODE_ENV ||= "production";
await import("../dist/main.js");
