import { fileURLToPath } from "node:url";

/**
 * The generated SQL migrations ship in the package's drizzle/ folder, a sibling of both src/ and dist/,
 * so the same relative path finds them from the compiled code and from tests run on the sources.
 */
export const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));
