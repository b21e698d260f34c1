// Every compose file, Kubernetes manifest and GitHub workflow validated against its schema (from npm
// packages: dclint's compose-spec schema with Ajv, kubernetes-models, action-validator), and broken
// copies of them rejected, which shows the validators validate. Consistency: manifests-consistency.test.ts.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  COMPOSE_FILES, DOCKER, K8S, WORKFLOWS, composeErrors, hasKubectl, kubernetesFiles, parseYaml, readText, readYaml,
  renderKustomization, validateKubernetes, workflowErrors, workflowFiles,
} from "./manifest-files.ts";

type Path = (string | number)[];
const DELETE = Symbol("delete");

/**
 * A deep copy of `doc` with the value at `path` replaced, deleted (DELETE) or, with `add`, created:
 * broken variants of the real files. A path that is not in the file fails, so the edit cannot go stale.
 */
function broken(doc: unknown, path: Path, value: unknown, { add = false } = {}): unknown {
  const copy = structuredClone(doc);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) throw new Error(`no ${path.join(".")} in the file: update this test`);
    node = node[key] as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if (!add && !(last in node)) throw new Error(`no ${path.join(".")} in the file: update this test`);
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}

describe("compose files (compose-spec schema)", () => {
  test.each(COMPOSE_FILES)("%s is valid", (file) => {
    expect(composeErrors(readYaml(join(DOCKER, file)))).toEqual([]);
  });

  const dev = () => readYaml(join(DOCKER, "compose.yml"));
  test.each<[string, Path, unknown, RegExp]>([
    ["an unknown depends_on condition", ["services", "api", "depends_on", "migrate", "condition"], "service_finished", /depends_on\/migrate\/condition must be equal to one of the allowed values/],
    ["a healthcheck with a number for its test", ["services", "postgres", "healthcheck", "test"], 42, /healthcheck\/test must be/],
    ["a build context that is a list", ["services", "api", "build"], { context: ["."], target: "api" }, /services\/api\/build/],
  ])("rejects a copy with %s", (_name, path, value, pattern) => {
    expect(composeErrors(broken(dev(), path, value)).join("\n")).toMatch(pattern);
  });

  test("rejects a copy with a misspelt key", () => {
    const doc = broken(broken(dev(), ["services", "migrate", "command"], DELETE), ["services", "migrate", "comand"], ["deploy"], { add: true });
    expect(composeErrors(doc).join("\n")).toMatch(/services\/migrate must NOT have additional properties \(comand\)/);
  });
});

describe("Kubernetes manifests (kubernetes-models, from Kubernetes' OpenAPI schemas)", () => {
  test("docker/k8s holds the Job, the Deployment, the Service, the backups volume and the example Secret", () => {
    expect(kubernetesFiles()).toEqual(["api-deployment.yaml", "api-service.yaml", "backups-pvc.yaml", "migrate-job.yaml", "secret.example.yaml"]);
  });

  test.each(kubernetesFiles())("%s is valid", (file) => {
    expect(() => validateKubernetes(readYaml(join(K8S, file)), file)).not.toThrow();
  });

  // `kubectl kustomize` (kustomize built into kubectl) renders what `kubectl apply -k` sends: images
  // set, the generated ConfigMap named with its hash and referenced by the Deployment.
  const kubectl = hasKubectl();
  if (!kubectl && process.env.CI) throw new Error("kubectl is not installed: the kustomization cannot be rendered (apt-get install kubectl, or kubernetes-client)");
  test.skipIf(!kubectl)("the rendered kustomization is valid, object by object", () => {
    const objects = renderKustomization();
    expect(objects.map((o) => (o as { kind: string }).kind).sort()).toEqual(["ConfigMap", "Deployment", "Job", "PersistentVolumeClaim", "Service"]);
    for (const object of objects) expect(() => validateKubernetes(object, "rendered")).not.toThrow();
  });

  test("the Helm pre-upgrade-hook Job in docker/k8s/README.md is a valid Job", () => {
    const snippet = /```yaml\n([\s\S]*?)```/.exec(readText(join(K8S, "README.md")))?.[1];
    expect(snippet, "docker/k8s/README.md has a ```yaml block").toBeDefined();
    const [job] = parseYaml(snippet!, "README snippet") as [{ kind: string; metadata: { annotations: Record<string, string> } }];
    expect(() => validateKubernetes(job, "Helm hook Job")).not.toThrow();
    expect(job.metadata.annotations).toMatchObject({
      "helm.sh/hook": "pre-install,pre-upgrade",
      "helm.sh/hook-weight": expect.any(String),
      "helm.sh/hook-delete-policy": expect.stringContaining("before-hook-creation"),
    });
  });

  const job = () => readYaml(join(K8S, "migrate-job.yaml"));
  const deployment = () => readYaml(join(K8S, "api-deployment.yaml"));
  const container: Path = ["spec", "template", "spec", "containers", 0];
  test.each<[string, () => unknown, Path, unknown, RegExp]>([
    ["Job: backoffLimit as a word", job, ["spec", "backoffLimit"], "three", /backoffLimit must be integer/],
    ["Job: an unknown restartPolicy", job, ["spec", "template", "spec", "restartPolicy"], "Sometimes", /restartPolicy must be equal to one of the allowed values/],
    ["Job: a container without a name", job, [...container, "name"], DELETE, /containers\/0 must have required property name/],
    ["Job: an unknown podFailurePolicy action", job, ["spec", "podFailurePolicy", "rules", 0, "action"], "Retry", /action must be equal to one of the allowed values/],
    ["Deployment: no selector", deployment, ["spec", "selector"], DELETE, /spec must have required property selector/],
    ["Deployment: a probe with a fractional period", deployment, [...container, "readinessProbe", "periodSeconds"], 2.5, /periodSeconds must be integer/],
    ["Deployment: capabilities.drop as a string", deployment, [...container, "securityContext", "capabilities", "drop"], "ALL", /drop must be array/],
  ])("rejects a copy with %s", (_name, read, path, value, pattern) => {
    expect(() => validateKubernetes(broken(read(), path, value), "broken copy")).toThrow(pattern);
  });

  test("rejects a kind it has no schema for, naming it", () => {
    expect(() => validateKubernetes({ apiVersion: "v1", kind: "Pod" }, "x.yaml")).toThrow(/no schema for apiVersion v1 kind Pod/);
  });
});

describe("GitHub workflows (action-validator)", () => {
  test("the workflows are ci.yml and release.yml", () => {
    expect(workflowFiles()).toEqual(["ci.yml", "release.yml"]);
  });

  test.each(workflowFiles())("%s is valid", (file) => {
    expect(workflowErrors(readText(join(WORKFLOWS, file)))).toEqual([]);
  });

  const release = () => readText(join(WORKFLOWS, "release.yml"));
  test.each([
    ["a job without runs-on", (t: string) => t.replace("    runs-on: ubuntu-latest\n    timeout-minutes: 30\n", "    timeout-minutes: 30\n"), /^\/jobs\/images /],
    ["a misspelt trigger", (t: string) => t.replace("  workflow_dispatch:", "  workflow_dispatched:"), /^\/on /],
    ["a step with both uses and run", (t: string) => t.replace("      - uses: docker/setup-buildx-action@v3", "      - uses: docker/setup-buildx-action@v3\n        run: echo both"), /^\/jobs\/images /],
  ])("rejects a copy with %s", (_name, edit, pattern) => {
    const text = edit(release());
    expect(text).not.toBe(release());
    expect(workflowErrors(text).join("\n")).toMatch(pattern);
  });
});
