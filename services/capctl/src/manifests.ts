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

/** Every object in the files, folders or stdin given to -f, decoded strictly (unknown fields are errors). */
export function readManifests(paths: readonly string[]): Manifest[] {
  const manifests: Manifest[] = [];
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
        manifests.push({ source, ...decodeManifest(json) });
      } catch (e) {
        if (isCapstanError(e) && e instanceof InvalidError) {
          throw new Error(`error validating ${source} (document ${i + 1}): ${e.message}`);
        }
        throw e;
      }
    }
  }
  return manifests;
}
