import 'reflect-metadata';
import { runCli } from './program.js';

// `dlrn config check | head`: once the reader has gone, what is left to print is dropped and the
// command ends as it would have (a write to a closed pipe must not end in a stack trace).
// Commands for which a cut output is a failure (`dlrn events export`) see the error themselves.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
