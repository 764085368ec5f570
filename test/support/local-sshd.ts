import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

export interface LocalSshd {
  readonly port: number;
  /** `[127.0.0.1]:<port> <key>`: a known_hosts file trusting this server. */
  readonly knownHostsLine: string;
  /** SSH_AUTH_SOCK of an agent holding the one key the server accepts. */
  readonly agentSocket: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function keygen(path: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dlrn-test', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

/** A public key line for a known_hosts file that names another host key than any server's. */
export function strangerKnownHostsLine(dir: string, port: number): string {
  return `[127.0.0.1]:${port} ${keygen(join(dir, 'stranger_host_key'))}`;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Debian's sshd on a free port of 127.0.0.1, with its own host key and an authorized_keys for a
 * key it generates (held by an ssh-agent, so ssh needs no file in the user's home). Runs as the
 * test's user (root here); sshd needs its privilege separation directory /run/sshd.
 */
export async function startLocalSshd(dir: string): Promise<LocalSshd> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync('/usr/sbin/sshd')) throw new Error('/usr/sbin/sshd is missing: install openssh-server');
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = keygen(join(dir, 'host_key'));
  const clientKey = keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'ListenAddress 127.0.0.1',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'PidFile none',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  sshd.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitFor(async () => {
    if (sshd.exitCode !== null) throw new Error(`sshd exited: ${log}`);
    return log.includes('Server listening') ? true : undefined;
  }, 15_000).catch((error: Error) => {
    sshd.kill('SIGKILL');
    throw new Error(`sshd did not start: ${error.message}; ${log}`);
  });

  const agentSocket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  await waitFor(async () => (existsSync(agentSocket) ? true : undefined), 15_000);
  execFileSync('ssh-add', ['-q', join(dir, 'client_key')], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });

  return {
    port,
    knownHostsLine: `[127.0.0.1]:${port} ${hostKey}`,
    agentSocket,
    stop: async () => {
      await stopChild(agent);
      await stopChild(sshd);
    },
  };
}
