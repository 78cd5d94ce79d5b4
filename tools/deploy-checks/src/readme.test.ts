import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readCompose, repoPath } from './deployment.js';
import { composeCommandServices, tableNames } from './readme.js';

const readme = await readFile(repoPath('README.md'), 'utf8');
const services = Object.keys((await readCompose()).services);

describe('README.md', () => {
  it('lists in its compose stack table exactly the services docker-compose.yml runs', () => {
    expect([...tableNames(readme, '### The compose stack')].sort()).toEqual([...services].sort());
  });

  it('names only services that exist in its docker compose commands', () => {
    const named = composeCommandServices(readme);
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(services, `docker compose … ${name}`).toContain(name);
  });
});

describe('composeCommandServices', () => {
  it('reads --scale and the service arguments of logs, exec and friends, not flags or commands run inside', () => {
    expect(composeCommandServices('docker compose up -d --scale worker=4')).toEqual(['worker']);
    expect(composeCommandServices('docker compose logs -f api worker # both')).toEqual(['api', 'worker']);
    expect(composeCommandServices('`docker compose exec postgres psql -U sluice`')).toEqual(['postgres']);
    expect(composeCommandServices('docker compose down -v')).toEqual([]);
  });
});

describe('tableNames', () => {
  it('reads the backticked first column of the tables under a heading, and stops at the next heading', () => {
    const markdown = [
      '### Stack',
      '| service | what |',
      '| --- | --- |',
      '| `redis` | queue |',
      '### Other',
      '| `nope` | x |',
    ].join('\n');
    expect(tableNames(markdown, '### Stack')).toEqual(['redis']);
  });
});
