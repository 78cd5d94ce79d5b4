/**
 * What Redis did for a run, from `INFO commandstats`: calls and µs per command, taken before
 * and after and subtracted. Scripts show up as `evalsha` (BullMQ runs one per job transition),
 * so the calls per task say how many round trips a consumer makes, and the µs per task what the
 * single-threaded Redis pays for them.
 */
import { median } from './statistics.js';

export interface CommandStat {
  readonly calls: number;
  /**
   * Redis's time inside the command, µs, read from its clock: its CPU time on a quiet machine,
   * more when other processes preempt it mid-command.
   */
  readonly usec: number;
}

export type CommandStats = ReadonlyMap<string, CommandStat>;

/**
 * Parses `INFO commandstats` (`cmdstat_evalsha:calls=10,usec=120,usec_per_call=12.00,…`).
 *
 * @example
 * parseCommandStats('cmdstat_get:calls=2,usec=5,usec_per_call=2.50\r\n').get('get'); // { calls: 2, usec: 5 }
 */
export const parseCommandStats = (info: string): CommandStats => {
  const stats = new Map<string, CommandStat>();
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const fields = new Map(match[2].split(',').map((pair) => pair.split('=') as [string, string]));
    stats.set(match[1], { calls: Number(fields.get('calls') ?? 0), usec: Number(fields.get('usec') ?? 0) });
  }
  return stats;
};

export interface CommandCost {
  readonly command: string;
  readonly callsPerTask: number;
  readonly usecPerTask: number;
}

/**
 * The commands run between two snapshots, per task, costliest first. A snapshot taken after a
 * `CONFIG RESETSTAT` or a restart reads lower than the one before: such a command counts from 0.
 *
 * @example
 * commandCostPerTask(before, after, 100_000)[0]; // { command: 'evalsha', callsPerTask: 3.1, usecPerTask: 160 }
 */
export const commandCostPerTask = (
  before: CommandStats,
  after: CommandStats,
  tasks: number,
): ReadonlyArray<CommandCost> =>
  [...after.entries()]
    .map(([command, end]) => {
      const start = before.get(command) ?? { calls: 0, usec: 0 };
      const reset = end.calls < start.calls;
      const calls = reset ? end.calls : end.calls - start.calls;
      const usec = reset ? end.usec : end.usec - start.usec;
      return { command, callsPerTask: calls / tasks, usecPerTask: usec / tasks };
    })
    .filter((cost) => cost.callsPerTask > 0)
    .sort((a, b) => b.usecPerTask - a.usecPerTask);

/**
 * The median over runs of each command's calls and µs per task, costliest first: what a
 * consumer typically costs Redis. A command a run does not list counts as 0 in that run.
 *
 * @example
 * medianCommandCosts([run1.redisPerTask, run2.redisPerTask, run3.redisPerTask])[0];
 */
export const medianCommandCosts = (runs: ReadonlyArray<ReadonlyArray<CommandCost>>): ReadonlyArray<CommandCost> => {
  const commands = [...new Set(runs.flatMap((costs) => costs.map((cost) => cost.command)))];
  return commands
    .map((command) => {
      const of = runs.map((costs) => costs.find((cost) => cost.command === command));
      return {
        command,
        callsPerTask: median(of.map((cost) => cost?.callsPerTask ?? 0)),
        usecPerTask: median(of.map((cost) => cost?.usecPerTask ?? 0)),
      };
    })
    .sort((a, b) => b.usecPerTask - a.usecPerTask);
};
