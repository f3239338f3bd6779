import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { finding, type Finding } from './finding.js';

/** A config line that holds a secret literally (not a ${ENV} reference): password/token keys with a value. */
const INLINE_SECRET = /^\s*"?(password|token)"?\s*:\s*(?!\$\{)(?!["']?\s*$)\S/m;

/** Every file of the config that holds a secret: password files, TLS private keys, the HTTP token file. */
export function secretFiles(cfg: Config): Array<{ file: string; what: string }> {
  const out: Array<{ file: string; what: string }> = [];
  const broker = (name: string, b: Config['plant']['broker'] | undefined): void => {
    if (b?.passwordFile) out.push({ file: b.passwordFile, what: `${name}.passwordFile` });
    if (b?.tls?.key) out.push({ file: b.tls.key, what: `${name}.tls.key` });
  };
  broker('plant.broker', cfg.plant.broker);
  broker('uplink.broker', cfg.uplink.broker);
  if (cfg.observe.http.tokenFile) out.push({ file: cfg.observe.http.tokenFile, what: 'observe.http.tokenFile' });
  return out;
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Files other users of the host can read (or write) that they should not:
 * secret files readable by "others", and a config file that is
 * world-writable, or world-readable while it holds a password or token
 * literally. Warnings (the agent still runs), each with the chmod to fix it.
 */
export function checkPermissions(configFile: string | undefined, cfg: Config): Finding[] {
  const out: Finding[] = [];
  if (configFile) {
    const mode = statSync(configFile).mode;
    const inline = INLINE_SECRET.test(readFileSync(configFile, 'utf8'));
    if (mode & 0o002) {
      out.push(
        finding(
          'perms:config',
          'Config file permissions',
          'warn',
          `${configFile} is writable by every user (mode ${octal(mode)})`,
          `chmod o-w ${configFile}`,
        ),
      );
    } else if (inline && mode & 0o004) {
      out.push(
        finding(
          'perms:config',
          'Config file permissions',
          'warn',
          `${configFile} holds a password or token and every user can read it (mode ${octal(mode)})`,
          `chmod 640 ${configFile} (owner root, group of the agent's user), or move the secret to a passwordFile / tokenFile or \${ENV}`,
        ),
      );
    } else
      out.push(
        finding('perms:config', 'Config file permissions', 'ok', `${configFile} (mode ${octal(mode)}${inline ? ', holds secrets' : ''})`),
      );
  }
  for (const { file, what } of secretFiles(cfg)) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      out.push(
        finding(
          `perms:${what}`,
          'Secret file permissions',
          'fail',
          `${what}: ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          'fix the path or create the file',
        ),
      );
      continue;
    }
    out.push(
      mode & 0o004
        ? finding(
            `perms:${what}`,
            'Secret file permissions',
            'warn',
            `${what} ${file} is readable by every user on this host (mode ${octal(mode)})`,
            `chmod 600 ${file} (or 640 with the agent's group)`,
          )
        : finding(`perms:${what}`, 'Secret file permissions', 'ok', `${what} ${file} (mode ${octal(mode)})`),
    );
  }
  return out;
}
