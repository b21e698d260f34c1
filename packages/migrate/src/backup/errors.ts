// Why a backup before a run could not be taken. The run is refused (nothing applied) and the CLI exits
// with its own code, so a pipeline can tell "no backup" from a failed migration.
import { MigrateError } from "../errors.ts";

export type BackupErrorCode = "PG_DUMP_NOT_FOUND" | "PG_DUMP_UNUSABLE" | "PG_DUMP_TOO_OLD" | "BACKUP_DIR_UNWRITABLE" | "BACKUP_FAILED";

/** The backup could not be taken, so nothing was run. `code` says which step failed. */
export class BackupError extends MigrateError {
  override readonly name: string = "BackupError";
  constructor(
    override readonly code: BackupErrorCode,
    message: string,
    hint: string,
  ) {
    super(code, message, hint);
  }
}
