// Runs one PostgreSQL program to completion and collects its output. The programs refuse to run as
// root, so a command can be given the identity (uid/gid) of the OS user that owns the data folder.

import { spawn } from "node:child_process";

/** The OS identity a child process switches to; `undefined` means "stay who we are". */
export interface OsIdentity {
  uid: number;
  gid: number;
  name: string;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  as?: OsIdentity | undefined;
  cwd?: string;
  /**
   * Start the child in its own process group, so a Ctrl-C aimed at the caller does not interrupt
   * it half-way (used for `pg_ctl start`, whose server must outlive us anyway).
   */
  detached?: boolean;
}

/** Runs `command args…`, resolving with its exit code and output; it rejects only if it cannot spawn. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      detached: options.detached ?? false,
      stdio: ["ignore", "pipe", "pipe"],
      // LC_MESSAGES=C keeps the programs' messages in English, which our errors quote and match on.
      env: { ...process.env, LC_MESSAGES: "C" },
      ...(options.as ? { uid: options.as.uid, gid: options.as.gid } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The combined output of a command, trimmed, for error messages. */
export function commandOutput(result: CommandResult): string {
  return [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n");
}
