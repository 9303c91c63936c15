// Peak resident memory of one process: VmHWM from /proc/<pid>/status. getrusage's maxRSS is not that on Linux: a
// child made by fork+exec starts with its parent's high-water mark (the kernel carries it across exec), so every
// mode the pipeline benchmark spawned from one parent reported the parent's peak (319 MB for all).
import { readFileSync } from 'node:fs';

/** Peak RSS in MB of `pid` (this process by default); getrusage's figure where /proc is not there. */
export function peakRssMB(pid: number | 'self' = 'self'): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    /* no procfs: below */
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
