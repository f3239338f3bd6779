/**
 * The write route (POST /assets/<asset>/refit) needs the configured bearer
 * token, or is off; `validate` refuses a non-loopback listener without one;
 * the refit CLI sends it (from --config).
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../alerts/helpers.js';
import { startAgentRig, type AgentRig } from '../helpers/agent-rig.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../dist/agent/cli/main.js');
const TOKEN = 'refit-token-3f9a0c1b7e5d';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  try {
    const r = await run(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'], ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let rig: AgentRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe('HTTP write route', () => {
  it('is off without a token: 403 saying how to enable it, the baseline stays', async () => {
    rig = await startAgentRig(tempDir('tok-off'));
    await rig.learn('pump-1');
    const r = await fetch(`http://127.0.0.1:${rig.agent.httpPort}/assets/pump-1/refit`, { method: 'POST' });
    expect(r.status).toBe(403);
    expect(await r.text()).toMatch(/write routes are off: set observe.http.token/);
    expect(rig.agent.pipeline.phases()).toEqual([{ asset: 'pump-1', phase: 'detecting', samples: expect.any(Number) }]);
  });

  it('with a token (from tokenFile): 401 without or with a wrong bearer, 202 with the right one; the token is never logged', async () => {
    const dir = tempDir('tok-on');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    rig = await startAgentRig(join(dir, 'state'), { observe: { http: { tokenFile } } });
    await rig.learn('pump-1');
    const url = `http://127.0.0.1:${rig.agent.httpPort}/assets/pump-1/refit`;
    // What a cross-site form POST from a browser looks like: no Authorization header.
    const csrf = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
    });
    expect(csrf.status).toBe(401);
    expect(csrf.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { authorization: TOKEN } })).status).toBe(401);
    expect(rig.agent.pipeline.phases()[0]?.phase).toBe('detecting');
    expect((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(202);
    expect(rig.agent.pipeline.phases()).toEqual([]);
    expect(JSON.stringify(rig.lines)).not.toContain(TOKEN);
    expect(rig.lines.filter((l) => l['msg'] === 'write route refused: bad or missing bearer token')).toHaveLength(3);
  });

  it('the refit CLI sends the token from --config (and says what to pass when it has none)', async () => {
    const dir = tempDir('tok-cli');
    rig = await startAgentRig(join(dir, 'state'), { observe: { http: { token: TOKEN } } });
    await rig.learn('fan-2');
    const cfg = join(dir, 'agent.json');
    writeFileSync(cfg, JSON.stringify({ observe: { http: { port: rig.agent.httpPort, token: TOKEN } } }));
    const bare = await cli(['refit', 'fan-2', '--url', `http://127.0.0.1:${rig.agent.httpPort}`]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/401 .*pass the agent's observe.http.token: --token, \$EDGE_SENTINEL_HTTP_TOKEN or --config FILE/);
    expect(rig.agent.pipeline.phases()[0]?.phase).toBe('detecting');
    const ok = await cli(['refit', 'fan-2', '--config', cfg]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/fan-2: baseline dropped/);
    expect(rig.agent.pipeline.phases()).toEqual([]);
    const viaEnv = await cli(['refit', 'nope', '--url', `http://127.0.0.1:${rig.agent.httpPort}`], { EDGE_SENTINEL_HTTP_TOKEN: TOKEN });
    expect(viaEnv.stderr).toMatch(/nope: 404/);
  });
});

describe('validate', () => {
  it('refuses a non-loopback observe.http.host without a token, accepts it with one', async () => {
    const dir = tempDir('tok-validate');
    const open = join(dir, 'open.yaml');
    writeFileSync(open, 'observe:\n  http:\n    host: 0.0.0.0\n');
    const r = await cli(['validate', open]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^observe\.http\.host: listening beyond this host needs observe\.http\.token or tokenFile.*\(got "0\.0\.0\.0"\)$/m,
    );
    const withToken = join(dir, 'token.yaml');
    writeFileSync(withToken, 'observe:\n  http:\n    host: 0.0.0.0\n    token: ${HTTP_TOKEN}\n');
    expect((await cli(['validate', withToken], { HTTP_TOKEN: TOKEN })).code).toBe(0);
    const loop = join(dir, 'loop.yaml');
    writeFileSync(loop, 'observe:\n  http:\n    host: 127.0.0.1\n');
    expect((await cli(['validate', loop])).code).toBe(0);
  });
});
