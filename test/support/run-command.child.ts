import { runCommand } from '#infrastructure/rpm/command.runner.js';

/*
 * A stand-in for the builder, run as a process of its own by command.runner.int.spec.ts:
 * `node … run-command.child.ts <command> [args…]` runs the command through runCommand and prints
 * `started` once the command is running, so that the test can kill this process mid-command.
 */
const [command = 'true', ...args] = process.argv.slice(2);
const running = runCommand(command, args, {
  env: { PATH: process.env.PATH },
  timeoutMs: 600_000,
  output: (chunk) => process.stdout.write(chunk),
});
process.stdout.write('started\n');
await running;
