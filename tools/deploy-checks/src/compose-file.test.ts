import { describe, expect, it } from 'vitest';
import { enabledServices, parseComposeFile } from './compose-file.js';

const text = `
x-env: &env
  DATABASE_URL: postgres://app:\${PASSWORD:-secret}@db/app
services:
  web:
    build: { context: ., dockerfile: deploy/Dockerfile }
    command: [node, main.js]
    environment:
      <<: *env
      PORT: 8080
      FROM_HOST:
    depends_on: [db]
    deploy: { replicas: 2 }
    stop_grace_period: 25s
  db:
    image: postgres:18-alpine
    environment:
      - POSTGRES_PASSWORD=\${PASSWORD:-secret}
    volumes: [data:/var/lib/postgresql]
  cache:
    image: redis:7.4-alpine
    profiles: [extra]
  report:
    image: report:1
    depends_on:
      cache: { condition: service_healthy, required: false }
      db: { condition: service_started }
volumes:
  data:
`;

describe('parseComposeFile', () => {
  it('applies YAML merge keys and compose defaults, as docker compose sees the file', () => {
    const compose = parseComposeFile(text, {});
    expect(compose.services.web?.environment).toEqual({
      DATABASE_URL: 'postgres://app:secret@db/app',
      PORT: '8080',
    });
    expect(compose.services.db?.environment).toEqual({ POSTGRES_PASSWORD: 'secret' });
    expect(parseComposeFile(text, { PASSWORD: 'pw' }).services.db?.environment).toEqual({ POSTGRES_PASSWORD: 'pw' });
  });

  it('reads build, command, replicas, grace period, dependencies and volumes', () => {
    const web = parseComposeFile(text, {}).services.web;
    expect(web).toMatchObject({
      build: { context: '.', dockerfile: 'deploy/Dockerfile' },
      command: ['node', 'main.js'],
      replicas: 2,
      stopGracePeriod: '25s',
      dependsOn: { db: { condition: 'service_started', required: true } },
    });
    expect(parseComposeFile(text, {}).volumes).toEqual(['data']);
  });

  it('reads whether a dependency is required, which it is unless the file says otherwise', () => {
    expect(parseComposeFile(text, {}).services.report?.dependsOn).toEqual({
      cache: { condition: 'service_healthy', required: false },
      db: { condition: 'service_started', required: true },
    });
  });

  it('runs a service with profiles only when one of them is active', () => {
    const compose = parseComposeFile(text, {});
    expect(compose.services.cache?.profiles).toEqual(['extra']);
    expect(Object.keys(enabledServices(compose, [])).sort()).toEqual(['db', 'report', 'web']);
    expect(Object.keys(enabledServices(compose, ['extra'])).sort()).toEqual(['cache', 'db', 'report', 'web']);
    expect(Object.keys(enabledServices(compose, ['other'])).sort()).toEqual(['db', 'report', 'web']);
  });
});
