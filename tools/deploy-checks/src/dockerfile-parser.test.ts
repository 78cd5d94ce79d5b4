import { describe, expect, it } from 'vitest';
import { copiesOf, parseDockerfile } from './dockerfile.js';

const text = `# syntax=docker/dockerfile:1
ARG BASE=node:24-slim

FROM \${BASE} AS build
WORKDIR /app
COPY package.json \\
     package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \\
    # a comment inside a continued line is dropped
    npm ci

FROM \${BASE}
COPY --from=build /app/dist dist
USER node
CMD ["node", "dist/main.js"]
`;

describe('parseDockerfile', () => {
  it('splits stages, substitutes global ARG defaults in FROM and names stages', () => {
    const { globalArgs, stages } = parseDockerfile(text);
    expect(globalArgs).toEqual({ BASE: 'node:24-slim' });
    expect(stages.map((stage) => [stage.name, stage.image])).toEqual([
      ['build', 'node:24-slim'],
      [undefined, 'node:24-slim'],
    ]);
  });

  it('joins continuation lines and drops comments between them', () => {
    const run = parseDockerfile(text).stages[0]?.instructions.find((i) => i.keyword === 'RUN');
    expect(run).toMatchObject({
      flags: { mount: 'type=cache,target=/root/.npm' },
      args: ['npm', 'ci'],
      execForm: false,
      line: 8,
    });
  });

  it('keeps every --mount of a RUN, in order', () => {
    const [run] =
      parseDockerfile(
        'FROM node:24-slim\nRUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm_ca npm ci\n',
      ).stages[0]?.instructions.filter((i) => i.keyword === 'RUN') ?? [];
    expect(run?.mounts).toEqual(['type=cache,target=/root/.npm', 'type=secret,id=npm_ca']);
    expect(run?.args).toEqual(['npm', 'ci']);
  });

  it('lists each COPY with its sources, destination and the stage it copies from', () => {
    const [build, runtime] = parseDockerfile(text).stages;
    expect(build && copiesOf(build)).toEqual([
      { sources: ['package.json', 'package-lock.json'], destination: './', line: 6 },
    ]);
    expect(runtime && copiesOf(runtime)).toEqual([
      { from: 'build', sources: ['/app/dist'], destination: 'dist', line: 13 },
    ]);
  });

  it('keeps the exec form of CMD as written', () => {
    const cmd = parseDockerfile(text).stages[1]?.instructions.find((i) => i.keyword === 'CMD');
    expect(cmd).toMatchObject({ args: ['node', 'dist/main.js'], execForm: true });
  });
});
