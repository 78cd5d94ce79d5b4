import { SERVICE_COMMANDS } from '@sluice/config';
import { describe, expect, it } from 'vitest';
import { readCompose } from './deployment.js';
import { readDocumentation } from './documentation.js';
import { composeCommandServices, tableNames } from './readme.js';

const documentation = await readDocumentation();
const services = Object.keys((await readCompose()).services);

describe('README.md and docs/', () => {
  it('list in the compose stack table of docs/production.md exactly the services docker-compose.yml runs', () => {
    const production = documentation.get('docs/production.md') ?? '';
    expect([...tableNames(production, '### The compose stack')].sort()).toEqual([...services].sort());
  });

  it('name only services that exist in their docker compose commands', () => {
    const named = [...documentation.values()].flatMap(composeCommandServices);
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

  it('start the api and the worker in docs/production.md with the V8 flags they are tuned for', () => {
    const production = documentation.get('docs/production.md') ?? '';
    expect(production).toContain(SERVICE_COMMANDS.api);
    expect(production).toContain(SERVICE_COMMANDS.worker);
  });
});
