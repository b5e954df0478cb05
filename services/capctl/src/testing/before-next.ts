import type { FakeGateway } from "@capstan/client/testing";

/**
 * Runs `first` once, just before the gateway's next `verb` goes through: another writer getting there
 * between a command's read and its write, or a failure (a throw) the command must pass on.
 */
export function beforeNext(gateway: FakeGateway, verb: "create" | "update", first: () => unknown): void {
  const real = gateway[verb];
  gateway[verb] = async (object) => {
    gateway[verb] = real;
    await first();
    return real.call(gateway, object);
  };
}
