#!/usr/bin/env node
// `migrator` in a production bundle (bin/migrator, on the image's PATH): the esbuild bundle, nothing else.
import "../dist/main.js";
