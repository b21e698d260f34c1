// What the lint asks git: which migrations a branch adds or changes since a ref, and a file as it
// was at that ref (the last release's schema.prisma). Plain `git` subprocesses in the folder's repository.
import { execFile } from "node:child_process";
import path from "node:path";
import { UsageError } from "../errors.ts";

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new UsageError("GIT_FAILED", `git ${args.join(" ")}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * The migration folders in `migrationsDir` that are new or changed since `ref`: committed on this
 * branch (`git diff <ref>...HEAD`), plus uncommitted and untracked changes, so a migration can be
 * linted before it is committed. Folders since deleted are left out. Throws a UsageError for an
 * unknown ref or a folder outside a git repository.
 */
export async function migrationsChangedSince(ref: string, migrationsDir: string): Promise<string[]> {
  await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], migrationsDir).catch(() => {
    throw new UsageError("UNKNOWN_REF", `--since ${ref}: git knows no such commit.`, "Fetch it first (CI: `git fetch origin main`, or checkout with fetch-depth: 0), or give another ref.");
  });
  const outputs = await Promise.all([
    git(["diff", "--name-only", "--relative", "-z", `${ref}...HEAD`, "--", "."], migrationsDir),
    git(["diff", "--name-only", "--relative", "-z", "HEAD", "--", "."], migrationsDir),
    git(["ls-files", "--others", "--exclude-standard", "-z", "--", "."], migrationsDir),
  ]);
  const folders = new Set<string>();
  for (const file of outputs.join("\0").split("\0")) {
    const parts = file.split("/");
    if (parts.length > 1 && parts[0]) folders.add(parts[0]);
  }
  return [...folders].sort();
}

/** `file` as committed at `ref`, or undefined when it did not exist there. Throws a UsageError outside a repository. */
export async function fileAtRef(ref: string, file: string): Promise<string | undefined> {
  const dir = path.dirname(file);
  const top = (await git(["rev-parse", "--show-toplevel"], dir)).trim();
  const relative = path.relative(top, path.resolve(file)).split(path.sep).join("/");
  return git(["show", `${ref}:${relative}`], dir).catch(() => undefined);
}
