import { createInterface } from 'node:readline';

/** Reads one line from standard input (a prompt, when it is a terminal); null at end of input. */
export async function readLine(prompt: string): Promise<string | null> {
  if (process.stdin.isTTY) process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return null;
  } finally {
    rl.close();
  }
}
