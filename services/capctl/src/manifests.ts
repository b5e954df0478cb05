import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { decodeManifest, type ApiObject } from "@capstan/api";
import { InvalidError, isCapstanError } from "@capstan/apimachinery";

export interface Manifest {
  readonly source: string;
  readonly kind: string;
  readonly json: Record<string, unknown>;
  readonly apiObject: ApiObject;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

function filesOf(path: string): string[] {
  if (path === "-") return ["-"];
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    return readdirSync(path)
      .filter((f) => MANIFEST_EXTENSIONS.has(extname(f)))
      .sort()
      .map((f) => join(path, f));
  }
  return [path];
}

function readSource(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new Error(`the path "${file}" does not exist or cannot be read`, { cause: e });
  }
}

/** A document that did not decode: which one, and why, in one line. */
export interface ManifestError {
  readonly source: string;
  readonly error: string;
}

/**
 * Every document in the files, folders or stdin given to -f, decoded strictly (unknown fields are
 * errors); a document that does not decode is reported and the others still read, as kubectl's
 * builder continues on error. A file that is not YAML at all fails as a whole.
 */
export function readDocuments(paths: readonly string[]): Array<Manifest | ManifestError> {
  const documents: Array<Manifest | ManifestError> = [];
  for (const file of paths.flatMap(filesOf)) {
    const source = file === "-" ? "stdin" : file;
    const docs = parseAllDocuments(readSource(file), { prettyErrors: true });
    for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      const syntax = doc.errors[0];
      if (syntax) {
        throw new Error(`error parsing ${source}: ${syntax.message.split("\n")[0]}`);
      }
      const json: unknown = doc.toJS();
      if (json === null || json === undefined) continue;
      try {
        documents.push({ source, ...decodeManifest(json) });
      } catch (e) {
        if (!(isCapstanError(e) && e instanceof InvalidError)) throw e;
        documents.push({ source, error: `error validating ${source} (document ${i + 1}): ${e.message}` });
      }
    }
  }
  return documents;
}

export const isManifestError = (d: Manifest | ManifestError): d is ManifestError => "error" in d;

/** Every object in the files, folders or stdin given to -f; the first document that does not decode fails them all. */
export function readManifests(paths: readonly string[]): Manifest[] {
  return readDocuments(paths).map((d) => {
    if (isManifestError(d)) throw new Error(d.error);
    return d;
  });
}
