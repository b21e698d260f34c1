// Runs one command as a whole process and measures it: wall time from spawn to exit, the kernel's
// peak RSS of the process and its descendants, and a sampled peak of the tree's summed RSS.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

/** GNU time: reports the child's rusage, whose ru_maxrss covers its reaped descendants too. */
export const GNU_TIME = "/usr/bin/time";

export interface Command {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Sample {
  wallMs: number;
  /**
   * Largest resident set of any single process in the tree, in KiB, from the kernel (GNU time's %M:
   * wait4's ru_maxrss, the max of the process's own peak and its reaped children's). Undefined
   * without /usr/bin/time.
   */
  peakRssKb: number | undefined;
  /** Largest sum of the tree's VmRSS seen while polling /proc every SAMPLE_EVERY_MS, in KiB. */
  treeRssKb: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

const SAMPLE_EVERY_MS = 5;

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** VmRSS of `pid` in KiB, 0 once it has exited. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+)/m.exec(readProc(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) : 0;
}

/**
 * Child processes of `pid`: its main thread's `children` list (Linux ≥ 3.5 with CONFIG_PROC_CHILDREN;
 * without it the tree is just the root). Node spawns from its main thread, so that list is complete
 * for the processes measured here, and each poll stays a few small reads.
 */
function childrenOf(pid: number): number[] {
  return (readProc(`/proc/${pid}/task/${pid}/children`) ?? "").split(" ").filter(Boolean).map(Number);
}

/** The summed RSS of `root`'s descendants (and of `root` itself unless `skipRoot`). */
function treeRss(root: number, skipRoot: boolean): number {
  let total = skipRoot ? 0 : rssOf(root);
  const pending = childrenOf(root);
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    total += rssOf(pid);
    pending.push(...childrenOf(pid));
  }
  return total;
}

/** Runs `command` to completion, measuring it. Output is captured (piped), never shown. */
export function measure(command: Command, scratchDir: string): Promise<Sample> {
  const haveTime = existsSync(GNU_TIME);
  const rssFile = path.join(scratchDir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const [file, args] = haveTime ? [GNU_TIME, ["-f", "%M", "-o", rssFile, command.file, ...command.args]] : [command.file, command.args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { cwd: command.cwd, env: command.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let treeRssKb = 0;
    // GNU time is a few hundred KiB of C waiting on the real process: leave it out of the sum.
    const poll = () => {
      if (child.pid !== undefined) treeRssKb = Math.max(treeRssKb, treeRss(child.pid, haveTime));
    };
    const timer = setInterval(poll, SAMPLE_EVERY_MS);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => {
      clearInterval(timer);
      reject(error);
    });
    // Timed to the exit itself; 'close' follows once the pipes have drained.
    let ended = 0;
    child.on("exit", () => {
      ended = performance.now();
      clearInterval(timer);
    });
    child.on("close", (code, signal) => {
      const wallMs = (ended || performance.now()) - started;
      let peakRssKb: number | undefined;
      if (haveTime) {
        // GNU time writes "Command exited with non-zero status N" before %M on failure: take the last line.
        const lines = (readProc(rssFile) ?? "").trim().split("\n");
        const value = Number(lines[lines.length - 1]);
        peakRssKb = Number.isFinite(value) && value > 0 ? value : undefined;
        rmSync(rssFile, { force: true });
      }
      resolve({ wallMs, peakRssKb, treeRssKb, exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
