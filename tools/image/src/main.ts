#!/usr/bin/env node
// `npm run image [-- --check]`: builds deploy/Dockerfile and, with --check, runs and audits it.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage } from './build-image.js';
import { chooseBuilder } from './builder.js';
import { IMAGE_USAGE, type ImageArgs, parseImageArgs } from './image-args.js';
import { checkImage } from './image-check.js';
import { ImageToolError } from './image-tool-error.js';
import { ensureNodeBase } from './node-base.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const log = (line: string): void => console.error(`image: ${line}`);

const main = async (): Promise<number> => {
  let args: ImageArgs;
  try {
    args = parseImageArgs(process.argv.slice(2), process.env.NODE_EXTRA_CA_CERTS);
  } catch (error) {
    console.error(`image: ${error instanceof Error ? error.message : error}\n\n${IMAGE_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(IMAGE_USAGE);
    return 0;
  }
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const started = Date.now();
  const builder = await chooseBuilder(args.builder);
  log(`engine: ${builder}`);
  if (args.build) {
    const nodeImage = builder === 'podman' ? await ensureNodeBase(log) : undefined;
    await buildImage(
      {
        builder,
        context: REPO_ROOT,
        dockerfile: resolve(REPO_ROOT, args.dockerfile),
        tag: args.tag,
        nodeImage,
        caFile: args.caFile,
      },
      log,
    );
  }
  if (!args.check) return 0;
  const report = await checkImage({ builder, ref: args.tag, redisUrl, databaseUrl, log });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (report.problems.length > 0) {
    console.error(`\nimage check FAILED for ${args.tag}${report.ran ? '' : ' (nothing was started)'}:`);
    for (const problem of report.problems) console.error(`  ✗ ${problem}`);
    return 1;
  }
  console.error(`\nimage check passed for ${args.tag} in ${seconds} s`);
  return 0;
};

try {
  process.exitCode = await main();
} catch (error) {
  // A failure the tool foresaw is one line; anything else keeps its stack, to be reported.
  console.error(error instanceof ImageToolError ? `image: ${error.message}` : error);
  process.exitCode = 1;
}
