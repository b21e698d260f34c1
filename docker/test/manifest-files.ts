// Reading and schema-validating the deployment files (compose, Kubernetes, GitHub workflows) for the
// manifest tests. Every schema comes from an npm package; nothing is fetched at test time.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateWorkflow } from "@action-validator/core";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { parseAllDocuments } from "yaml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const DOCKER = join(ROOT, "docker");
export const K8S = join(DOCKER, "k8s");
export const WORKFLOWS = join(ROOT, ".github/workflows");

export const COMPOSE_FILES = ["compose.yml", "compose.prod.yml"];

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** The YAML documents of `text`; a syntax error fails with the file's name and the parser's message. */
export function parseYaml(text: string, name: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(`${name}: ${doc.errors.map((e) => e.message).join("; ")}`);
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  });
}

/** The one YAML document of a file. */
export function readYaml(path: string): unknown {
  const docs = parseYaml(readText(path), path);
  if (docs.length !== 1) throw new Error(`${path}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

// ── Compose: the compose-spec JSON schema as dclint ships it, compiled with Ajv ──────────────────
let composeSchema: ValidateFunction | undefined;

function composeValidator(): ValidateFunction {
  if (!composeSchema) {
    const require = createRequire(import.meta.url);
    const schemaPath = join(dirname(require.resolve("dclint/package.json")), "schemas/compose.schema.json");
    // The schema names its meta-schema by the https URL; Ajv knows draft-07 by the http one. Register
    // Ajv's own copy under that name, so the schema itself is checked against it when compiled.
    const draft7 = JSON.parse(readText(require.resolve("ajv/dist/refs/json-schema-draft-07.json"))) as { $id?: string };
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addMetaSchema({ ...draft7, $id: "https://json-schema.org/draft-07/schema" });
    composeSchema = ajv.compile(JSON.parse(readText(schemaPath)) as object);
  }
  return composeSchema;
}

const formatAjv = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);

/** Problems the compose-spec schema finds in a parsed compose file (empty: valid). */
export function composeErrors(doc: unknown): string[] {
  const validate = composeValidator();
  return validate(doc) ? [] : formatAjv(validate.errors);
}

// ── Kubernetes: kubernetes-models' validators, generated from Kubernetes' OpenAPI schemas ────────
// Every kind the manifests use; a new kind fails the tests until it is added here.
const MODELS: Record<string, (data: never) => { validate(): void }> = {
  "batch/v1/Job": (data) => new Job(data),
  "apps/v1/Deployment": (data) => new Deployment(data),
  "v1/Service": (data) => new Service(data),
  "v1/Secret": (data) => new Secret(data),
  "v1/ConfigMap": (data) => new ConfigMap(data),
  "v1/PersistentVolumeClaim": (data) => new PersistentVolumeClaim(data),
};

/** Validates one Kubernetes object against its kind's schema; throws naming the object and the problem. */
export function validateKubernetes(doc: unknown, name: string): void {
  const { apiVersion, kind } = (doc ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const model = MODELS[`${String(apiVersion)}/${String(kind)}`];
  if (!model) throw new Error(`${name}: no schema for apiVersion ${String(apiVersion)} kind ${String(kind)} (add the kind to MODELS in test/manifest-files.ts)`);
  try {
    model(doc as never).validate();
  } catch (error) {
    throw new Error(`${name} (${String(kind)}): ${(error as Error).message}`);
  }
}

/** The Kubernetes manifests under docker/k8s (the kustomization itself excluded). */
export function kubernetesFiles(): string[] {
  return readdirSync(K8S)
    .filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml")
    .sort();
}

/** `kubectl kustomize docker/k8s`: the objects exactly as `kubectl apply -k` would send them. */
export function renderKustomization(dir = K8S): unknown[] {
  const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return parseYaml(out, `kubectl kustomize ${dir}`);
}

export function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// ── GitHub Actions: action-validator (the SchemaStore workflow schema, compiled to WebAssembly) ──
/** Problems action-validator finds in a workflow's text (empty: valid). */
export function workflowErrors(text: string): string[] {
  return validateWorkflow(text).errors.map((e) => `${"path" in e ? e.path : ""} ${e.title}${e.detail ? `: ${e.detail}` : ""}`.trim());
}

export function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
}
