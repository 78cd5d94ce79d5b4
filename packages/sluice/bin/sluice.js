#!/usr/bin/env node
// The `sluice` command. It lives outside dist/ so that npm links it into node_modules/.bin at
// install time, before the first build in a fresh checkout; the command itself is compiled code.
import '../dist/bin/sluice.js';
