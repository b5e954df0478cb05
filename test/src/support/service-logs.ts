/**
 * The last lines each service of a test cluster printed, kept per service so that a chatty one (a node
 * agent under load) cannot push out the few lines of the one that failed.
 */
export class ServiceLogs {
  private readonly byService = new Map<string, { lines: string[]; total: number }>();

  constructor(private readonly keepPerService = 400) {}

  add(service: string, line: string): void {
    let kept = this.byService.get(service);
    if (!kept) this.byService.set(service, (kept = { lines: [], total: 0 }));
    kept.total++;
    // Wall-clock time, so lines of different services can be lined up.
    kept.lines.push(`${new Date().toISOString().slice(11, 23)} ${service}| ${line}`);
    if (kept.lines.length > this.keepPerService) kept.lines.shift();
  }

  /**
   * Each service's last `lines` lines (default: all it keeps), one block a service in the order they
   * started, each line `hh:mm:ss.mmm service| text`. `status` adds a word to a block's heading.
   */
  text(opts: { lines?: number; status?: (service: string) => string | undefined } = {}): string {
    const blocks: string[] = [];
    for (const [service, { lines, total }] of this.byService) {
      const shown = lines.slice(-(opts.lines ?? this.keepPerService));
      const status = opts.status?.(service);
      const heading = `── ${service}${status ? ` (${status})` : ""}: ${shown.length < total ? `last ${shown.length} of ${total} lines` : `${total} line${total === 1 ? "" : "s"}`}`;
      blocks.push([heading, ...shown].join("\n"));
    }
    return blocks.join("\n");
  }
}
