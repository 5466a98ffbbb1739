/** The rendered label set of a series, `a="x",b="y"`: sorted, with values made safe for the text format. */
function seriesKey(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');
}

/**
 * Named counters with labels, rendered in the Prometheus text format at GET /metrics. Counts only: no
 * label ever carries a secret or a message body.
 */
export class Counters {
  private readonly values = new Map<string, Map<string, number>>();
  private readonly help = new Map<string, string>();

  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = seriesKey(labels);
    const series = this.values.get(name) ?? new Map<string, number>();
    series.set(key, (series.get(key) ?? 0) + by);
    this.values.set(name, series);
  }

  get(name: string, labels: Record<string, string> = {}): number {
    const key = seriesKey(labels);
    return this.values.get(name)?.get(key) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, series] of this.values) {
      const help = this.help.get(name);
      if (help) lines.push(`# HELP ${name} ${help}`);
      lines.push(`# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
