#!/usr/bin/env node
// `sluice api|worker|migrate [--tasks PATH]`: see cli.ts.
import { runCli } from '../cli.js';

const code = await runCli(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
