// The shared PostgreSQL for this package's tests (see @repo/dev-postgres/vitest-global-setup).
export { default } from "@repo/dev-postgres/vitest-global-setup";
