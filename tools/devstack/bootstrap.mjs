#!/usr/bin/env node
// Runs before `npm start` and `npm test` so that a fresh clone works without a manual
// `npm install`. It can import nothing but Node's own modules: node_modules may not exist yet.
//
// Steps, one short line each, the tools' own output shown only when a step fails:
//   1. install dependencies when node_modules is missing or stale;
//   2. build every workspace with turbo (its cache makes a repeat build near-instant).
//
// "Stale" is decided by a stamp file inside node_modules holding a hash of everything that
// decides what `npm install` would do. The stamp is written only after a successful install,
// so an interrupted install is retried on the next run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nodeModules = join(root, 'node_modules');
const stampFile = join(nodeModules, '.sluice-install-stamp');
const lockFile = join(root, 'package-lock.json');
const isWindows = process.platform === 'win32';
const tty = Boolean(process.stdout.isTTY);
const colour = tty && process.stdout.hasColors?.() === true;
const paint = (code, text) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);

const MIN_NODE_MAJOR = 20;
/** How much of a failed step's output is kept to show: its tail is where npm and tsc say why. */
const KEPT_OUTPUT_LINES = 300;

const fail = (message) => {
  process.stderr.write(`${paint('31', '✗')} ${message}\n`);
  process.exit(1);
};

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < MIN_NODE_MAJOR) {
  fail(`Sluice needs Node.js ${MIN_NODE_MAJOR} or newer; this is ${process.version}.`);
}

/**
 * Expands the root package.json's `workspaces` patterns. npm accepts full globs, but this repo
 * only uses `dir/*` and plain paths, which is all this (dependency-free) expansion supports.
 */
const workspaceDirs = (rootManifest) => {
  const patterns = Array.isArray(rootManifest.workspaces)
    ? rootManifest.workspaces
    : (rootManifest.workspaces?.packages ?? []);
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else if (!pattern.includes('*')) {
      dirs.push(join(root, pattern));
    } else {
      fail(`bootstrap.mjs cannot expand the workspace pattern "${pattern}"; extend workspaceDirs().`);
    }
  }
  return dirs.filter((dir) => existsSync(join(dir, 'package.json'))).sort();
};

/**
 * The stamp: the Node ABI the tree was installed for, and a hash of the inputs of `npm install`
 * (the lock file and every manifest). They are kept apart because they need different steps: a
 * changed manifest needs `npm install`, while a new Node major (the same tree run on Node 20,
 * then 24) needs its native add-ons rebuilt, which `npm install` alone does not do.
 */
const installStamp = () => `node-abi=${process.versions.modules} files=${installHash()}`;
const abiOf = (stamp) => /^node-abi=(\S+)/.exec(stamp ?? '')?.[1];
const filesOf = (stamp) => /files=(\S+)$/.exec(stamp ?? '')?.[1];

/** A hash of the inputs of `npm install`: the lock file and every manifest. */
const installHash = () => {
  const hash = createHash('sha256');
  const rootManifestText = readFileSync(join(root, 'package.json'), 'utf8');
  const files = [
    lockFile,
    join(root, 'package.json'),
    ...workspaceDirs(JSON.parse(rootManifestText)).map((dir) => join(dir, 'package.json')),
  ];
  for (const file of files) {
    hash.update(`${relative(root, file)}\n`);
    hash.update(existsSync(file) ? readFileSync(file) : '(missing)');
    hash.update('\n');
  }
  return hash.digest('hex');
};

const readStamp = () => {
  try {
    return readFileSync(stampFile, 'utf8').trim();
  } catch {
    return undefined;
  }
};

const seconds = (startedAt) => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;

/**
 * Runs one step with its output captured, on one line: on a terminal the line shows the elapsed
 * time while it runs; elsewhere (CI logs) it is written once and completed when the step ends.
 * Resolves with `{ ok, output }`; a failure prints the output and exits unless `allowFailure`.
 * `summarize(output)` may add a short note to the finished line.
 */
const step = (label, command, args, { allowFailure = false, summarize = () => '' } = {}) =>
  new Promise((resolvePromise) => {
    const startedAt = Date.now();
    const lines = [];
    let partial = '';
    const keep = (chunk) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > KEPT_OUTPUT_LINES) lines.shift();
      }
    };
    const render = () => `${paint('36', '•')} ${label} ${paint('2', seconds(startedAt))}`;
    // Off a terminal the line is finished in place when the step ends: one line per step.
    process.stdout.write(tty ? render() : `• ${label} … `);
    const ticker = tty ? setInterval(() => process.stdout.write(`\r${render()}`), 1000) : undefined;

    // npm is a .cmd script on Windows, which Node only starts through a shell.
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: isWindows && (command === 'npm' || command === 'npx'),
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    let finished = false;
    const finish = (ok, failureDetail) => {
      // A failed spawn can report both 'error' and 'close'; only the first one counts.
      if (finished) return;
      finished = true;
      if (ticker) clearInterval(ticker);
      if (partial) lines.push(partial);
      const output = lines.join('\n');
      const detail = ok ? summarize(output) : failureDetail;
      const mark = ok ? paint('32', '✓') : paint('31', '✗');
      const timing = paint('2', `${detail} ${seconds(startedAt)}`.trim());
      process.stdout.write(tty ? `\r\u001b[2K${mark} ${label} ${timing}\n` : `${mark} ${timing}\n`);
      if (ok || allowFailure) {
        resolvePromise({ ok, output });
        return;
      }
      process.stderr.write(`\n${output}\n\n`);
      fail(`${label} failed (${command} ${args.join(' ')}); its output is above.`);
    };
    child.once('error', (error) => {
      lines.push(String(error));
      finish(false, error.code === 'ENOENT' ? `(${command} not found on PATH)` : '');
    });
    child.once('close', (code, signal) => {
      if (code === 0) finish(true, '');
      else finish(false, signal ? `(killed by ${signal})` : `(exit ${code})`);
    });
  });

// Ctrl-C reaches the running step too (same process group); leave without a stamp so the
// next run installs again, and let the terminal see that we were interrupted.
process.once('SIGINT', () => {
  process.stdout.write('\n');
  process.exit(130);
});

const install = async () => {
  const stamp = readStamp();
  const haveModules = existsSync(nodeModules);
  if (haveModules && stamp === installStamp()) return;
  if (haveModules && filesOf(stamp) === installHash() && abiOf(stamp) !== undefined) {
    await step(`rebuilding native add-ons (Node's ABI ${abiOf(stamp)} → ${process.versions.modules})`, 'npm', [
      'rebuild',
    ]);
    writeFileSync(stampFile, `${installStamp()}\n`);
    return;
  }

  // A fresh clone gets `npm ci`: it installs exactly what the lock file says, never rewrites it,
  // and is faster than `npm install` on an empty tree. An existing tree gets `npm install`,
  // which only changes what differs (`npm ci` would delete node_modules and start over) and
  // updates the lock after a manifest edit, as a developer expects.
  if (!haveModules && existsSync(lockFile)) {
    const ci = await step('installing dependencies (npm ci)', 'npm', ['ci', '--no-audit', '--no-fund'], {
      allowFailure: true,
    });
    if (!ci.ok) {
      // Usually a lock file out of step with a package.json; `npm install` repairs the lock.
      const tail = ci.output
        .split('\n')
        .filter((line) => /ERR!/.test(line))
        .slice(0, 6);
      if (tail.length > 0) process.stdout.write(`${paint('2', tail.join('\n'))}\n`);
      process.stdout.write('  npm ci failed; trying npm install (it may update package-lock.json)\n');
      await step('installing dependencies (npm install)', 'npm', ['install', '--no-audit', '--no-fund']);
    }
  } else {
    const why = !haveModules ? 'no node_modules' : stamp === undefined ? 'first run' : 'package files changed';
    await step(`installing dependencies (npm install: ${why})`, 'npm', ['install', '--no-audit', '--no-fund']);
  }
  // Hash again: `npm install` may have rewritten package-lock.json.
  writeFileSync(stampFile, `${installStamp()}\n`);
};

/** Turns turbo's closing lines into "9 tasks, 9 cached"; empty when they are not recognised. */
const buildSummary = (output) => {
  // Turbo colours and styles these lines; strip the escapes before matching.
  const plain = stripVTControlCharacters(output);
  const total = /Tasks:\s+\d+ successful, (\d+) total/.exec(plain)?.[1];
  const cached = /Cached:\s+(\d+) cached/.exec(plain)?.[1];
  if (total === undefined) return '';
  return cached === undefined ? `(${total} tasks)` : `(${total} tasks, ${cached} cached)`;
};

const build = async () => {
  // The local turbo's own launcher, run by this Node: what `npx turbo` would find, without
  // npx's start-up cost or a dependency on PATH.
  const turbo = join(nodeModules, 'turbo', 'bin', 'turbo');
  const local = existsSync(turbo);
  await step(
    'building (turbo run build)',
    local ? process.execPath : 'npx',
    [...(local ? [turbo] : ['turbo']), 'run', 'build', '--output-logs=errors-only'],
    { summarize: buildSummary },
  );
};

await install();
await build();
