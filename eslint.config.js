// The one ESLint config for the whole workspace. Each package runs `eslint .` from its own folder;
// ESLint finds this file by walking up, and the TypeScript project service finds each file's nearest
// tsconfig.json, so the type-aware rules see exactly the program `tsc` checks.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.local/**",
      "**/.turbo/**",
      "**/coverage/**",
      // Written by `prisma generate` (a turbo dependency of lint, so the types below exist).
      "packages/db/src/generated/**",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      // A disable comment that no longer silences anything misleads the next reader.
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      // `const { url: _secret, ...shown } = server` is how a field is left out of what gets printed;
      // the named-and-dropped field is the point, so rest siblings do not count as unused.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
      // webassembly.d.ts declares the few WebAssembly globals @types/node 20 lacks. A global
      // declaration file has no exports and so cannot be imported; `/// <reference path>` is the way
      // to pull it in. `types` and `lib` references keep their defaults.
      "@typescript-eslint/triple-slash-reference": ["error", { path: "always" }],
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: {
      // Vitest's asymmetric matchers (`expect.stringContaining`, `expect.any`, …) are typed `any` so
      // they fit inside any expected shape; placing them in an expected object is what they are for.
      // The other no-unsafe-* rules stay on in tests.
      "@typescript-eslint/no-unsafe-assignment": "off",
      // Fakes implement async interfaces (`start: async () => ({ … })`) and `async () => { throw … }`
      // makes a rejecting callback; neither needs an `await`. Still enforced in src/.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Plain JavaScript (the schema engine's launcher) is in no tsconfig program: lint it without types.
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
