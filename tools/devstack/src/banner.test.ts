import { describe, expect, it } from 'vitest';
import { formatBanner, type BannerOptions } from './banner.js';
import { createLogStream } from './log-stream.js';

const options: BannerOptions = {
  port: 8038,
  workers: 2,
  metricsPorts: [9464, 9465],
  services: [
    { name: 'redis', url: 'redis://127.0.0.1:6390', dataDir: '/repo/.sluice/redis' },
    { name: 'postgres', url: 'postgres://me:secret@db.example.com:5432/sluice' },
  ],
  root: '/repo',
  log: createLogStream({ colour: false }),
};

describe('the banner', () => {
  it('shows where everything is, data folders relative to the checkout and no password', () => {
    const banner = formatBanner(options);

    expect(banner).toContain('Sluice is running: api + 2 workers');
    expect(banner).toContain('worker-2    http://localhost:9465/metrics');
    expect(banner).toContain('redis://127.0.0.1:6390  data in .sluice/redis/');
    expect(banner).toContain('postgres://me:***@db.example.com:5432/sluice (yours)');
    expect(banner).not.toContain('secret');
  });

  it('suggests npm run demo when the demo task types run', () => {
    expect(formatBanner(options)).toContain('Try it:  npm run demo');
  });

  it('names the task module instead when SLUICE_TASKS runs your own, which the demo cannot feed', () => {
    const banner = formatBanner({ ...options, tasksModule: 'examples/page-views/dist/tasks.js' });

    expect(banner).toContain(
      'examples/page-views/dist/tasks.js (SLUICE_TASKS): POST them to http://localhost:8038/api/tasks',
    );
    expect(banner).not.toContain('npm run demo');
  });
});
