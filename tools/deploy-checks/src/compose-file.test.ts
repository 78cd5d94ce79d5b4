import { describe, expect, it } from 'vitest';
import { parseComposeFile } from './compose-file.js';

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
      dependsOn: { db: { condition: 'service_started' } },
    });
    expect(parseComposeFile(text, {}).volumes).toEqual(['data']);
  });
});
