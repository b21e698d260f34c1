// Reads docker/Dockerfile with dockerfile-ast into one record per build stage, with what a stage
// inherits from the stage it is built FROM (ENV, ARG defaults, USER, ENTRYPOINT, CMD, HEALTHCHECK).
import { DockerfileParser, type Instruction } from "dockerfile-ast";

export interface Stage {
  name: string;
  /** The stage or image it is built FROM. */
  base: string;
  /** The base image, followed through parent stages and ARG defaults. */
  image: string;
  runs: string[];
  copies: { from?: string; source: string; destination: string }[];
  env: Record<string, string>;
  args: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  healthcheck?: string[];
}

const jsonArray = (instruction: Instruction): string[] => JSON.parse(instruction.getArgumentsContent() ?? "[]") as string[];

/** Parses `text` and returns its stages by name. */
export function parseDockerfile(text: string): Map<string, Stage> {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs: Record<string, string> = {};
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) globalArgs[property.getName()] = property.getValue() ?? "";
  }
  const stages = new Map<string, Stage>();
  let current: Stage | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((a) => a.getValue());
    if (keyword === "FROM") {
      const base = (args[0] ?? "").replace(/^\$\{?(\w+)\}?$/, (_, name: string) => globalArgs[name] ?? "");
      const asIndex = args.findIndex((a) => a.toUpperCase() === "AS");
      const name = asIndex >= 0 ? (args[asIndex + 1] as string) : `#${stages.size}`;
      const parent = stages.get(base);
      current = {
        name,
        base,
        image: parent?.image ?? base,
        runs: [],
        copies: [],
        env: { ...parent?.env },
        args: {},
        user: parent?.user,
        entrypoint: parent?.entrypoint,
        cmd: parent?.cmd,
        healthcheck: parent?.healthcheck,
      };
      stages.set(name, current);
      continue;
    }
    if (!current) continue;
    const content = instruction.getArgumentsContent() ?? "";
    switch (keyword) {
      case "RUN":
        current.runs.push(content.replace(/\\\n\s*/g, " ").replace(/--mount=\S+\s*/g, "").trim());
        break;
      case "COPY": {
        const from = (instruction as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags().find((flag) => flag.getName() === "from")?.getValue() ?? undefined;
        const paths = args.filter((a) => !a.startsWith("--"));
        current.copies.push({ ...(from ? { from } : {}), source: paths[0] ?? "", destination: paths[paths.length - 1] ?? "" });
        break;
      }
      case "ENV":
      case "ARG":
        for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
          (keyword === "ENV" ? current.env : current.args)[property.getName()] = property.getValue() ?? globalArgs[property.getName()] ?? "";
        }
        break;
      case "USER":
        current.user = content.trim();
        break;
      case "ENTRYPOINT":
        current.entrypoint = jsonArray(instruction);
        break;
      case "CMD":
        current.cmd = jsonArray(instruction);
        break;
      case "HEALTHCHECK": {
        const cmd = /\bCMD\s+(\[.*\])\s*$/s.exec(content)?.[1];
        current.healthcheck = cmd ? (JSON.parse(cmd) as string[]) : undefined;
        break;
      }
    }
  }
  return stages;
}
