import { isCapstanError } from "@capstan/apimachinery";

/** What a read answers, or undefined when the object is gone (NotFound); any other error stays one. */
export async function orGone<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (e) {
    if (isCapstanError(e, "NotFound")) return undefined;
    throw e;
  }
}
