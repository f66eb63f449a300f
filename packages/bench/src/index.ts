// @switchboard/bench: the fan-out benchmark behind `switchboard bench` (issue 5, docs/benchmarks.md).
export { runBench, writeReport, type BenchOptions } from './run-bench';
export { FULL_SCENARIOS, QUICK_SCENARIOS, type Scenario } from './scenarios';
export { TARGET_NAMES, type TargetName } from './targets';
export { readFdLimits, machineInfo, type MachineInfo } from './machine';
export { checkTargets, renderReport, type BenchReport } from './report';
export type { CellResult, IdleResult, LoadResult, ResumeResult } from './cells';
