import type { MachineInfo } from '../chaos/machine-info.js';
import type { GrowthBound } from './growth-bounds.js';
import type { CrashSummary, GrowthFinding, LoadSummary, LogErrors, RetainedCheck } from './judge-soak.js';
import type { SoakSample } from './soak-sample.js';
import type { SoakSummary } from './soak-summary.js';

/** Everything a soak run writes to its JSON file, and what its report is printed from. */
export interface SoakResult {
  readonly startedAt: string;
  readonly settings: {
    readonly minutes: number;
    readonly rate: number;
    readonly workers: number;
    readonly warmupMinutes: number;
    readonly perRequest: number;
    readonly sampleEveryMs: number;
    /** As given to the services; undefined: left to their default. */
    readonly partitionInterval: string | undefined;
    readonly retention: string | undefined;
    /** What the judging took them to be (the services' defaults when unset), seconds. */
    readonly intervalSeconds: number;
    readonly retentionSeconds: number;
    readonly serviceEnv: Readonly<Record<string, string>>;
    readonly bounds: Readonly<Record<string, GrowthBound>>;
  };
  readonly machine: MachineInfo;
  readonly samples: ReadonlyArray<SoakSample>;
  readonly summary: SoakSummary & {
    readonly loadMs: number;
    readonly load: LoadSummary;
    readonly growth: ReadonlyArray<GrowthFinding>;
    readonly crashes: ReadonlyArray<CrashSummary>;
    readonly logErrors: ReadonlyArray<LogErrors>;
    readonly drained: boolean;
    readonly drainMs: number;
    readonly retained: RetainedCheck | undefined;
  };
  readonly verdict: 'pass' | 'fail';
  readonly failures: ReadonlyArray<string>;
  /** Where the services' logs were kept (a failed run, or `--keep-logs`). */
  readonly logDir: string | undefined;
}

/** 0 for a pass, 1 for a run that found growth or an error. */
export const exitCodeOf = (result: Pick<SoakResult, 'verdict'>): number => (result.verdict === 'pass' ? 0 : 1);
