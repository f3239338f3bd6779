import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../agent/config/load.js';
import { runDoctor } from '../../agent/doctor/doctor.js';
import { checkPermissions } from '../../agent/doctor/permissions.js';
import { tempDir } from '../alerts/helpers.js';

describe('doctor: who can read the secrets', () => {
  const dir = tempDir('perms');
  const pw = join(dir, 'broker.pw');
  const key = join(dir, 'client.key');
  const token = join(dir, 'http.token');
  writeFileSync(pw, 's3cret-broker\n');
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n');
  writeFileSync(token, 'a-long-enough-http-token\n');
  const inline = join(dir, 'inline.yaml');
  writeFileSync(inline, `plant:\n  broker:\n    username: edge\n    password: hunter2-literal\n`);
  const refs = join(dir, 'refs.yaml');
  writeFileSync(
    refs,
    `plant:\n  broker:\n    username: edge\n    passwordFile: ${pw}\n    tls: { key: ${key} }\nuplink:\n  broker:\n    password: \${UPLINK_PW}\nobserve:\n  http:\n    tokenFile: ${token}\n`,
  );

  it('warns about a world-readable config holding a literal password, and each world-readable secret file, with the chmod', () => {
    for (const f of [pw, key, token, inline, refs]) chmodSync(f, 0o644);
    const a = checkPermissions(inline, loadConfigFile(inline));
    expect(a).toEqual([
      expect.objectContaining({
        id: 'perms:config',
        status: 'warn',
        detail: expect.stringContaining('holds a password or token and every user can read it (mode 0644)'),
      }),
    ]);
    expect(a[0]!.fix).toMatch(/^chmod 640 /);
    const b = checkPermissions(refs, loadConfigFile(refs, { UPLINK_PW: 'x' }));
    expect(b.map((f) => [f.id, f.status])).toEqual([
      ['perms:config', 'ok'], // only ${ENV} references and file paths: nothing to read in it
      ['perms:plant.broker.passwordFile', 'warn'],
      ['perms:plant.broker.tls.key', 'warn'],
      ['perms:observe.http.tokenFile', 'warn'],
    ]);
    expect(b[1]!.fix).toBe(`chmod 600 ${pw} (or 640 with the agent's group)`);
    // The finding names the file, never its content.
    expect(JSON.stringify(b)).not.toContain('s3cret-broker');
  });

  it('is quiet once they are private, and warns about a config anyone can write', () => {
    for (const f of [pw, key, token]) chmodSync(f, 0o600);
    chmodSync(inline, 0o640);
    expect(checkPermissions(inline, loadConfigFile(inline)).map((f) => f.status)).toEqual(['ok']);
    expect(checkPermissions(refs, loadConfigFile(refs, { UPLINK_PW: 'x' })).map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    chmodSync(refs, 0o666);
    expect(checkPermissions(refs, loadConfigFile(refs, { UPLINK_PW: 'x' }))[0]).toMatchObject({ status: 'warn', fix: `chmod o-w ${refs}` });
  });

  it('doctor runs the check on its --config', async () => {
    chmodSync(inline, 0o644);
    const f = await runDoctor({ configFile: inline, brokerTimeoutMs: 500 });
    expect(f.find((x) => x.id === 'perms:config')).toMatchObject({ status: 'warn' });
  }, 30_000);
});
