/**
 * Patch scan on this machine's real package database (read-only): the apt provider's Scan with the OS's default
 * baseline, as AWS-RunPatchBaseline's step runs it, in a fresh Node process as the agent would. Prints the scan
 * time, the Node process's peak resident memory (the agent's share; goal: under 2 s and under 100 MB, against
 * AWS-RunPatchBaseline's Python at about 330 MB), and the package-manager commands' own peak (through
 * /usr/bin/time where present). The package lists are not refreshed (no apt-get update): nothing is changed or
 * downloaded. `--runs N` (default 5; the first run is cold).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAptProvider } from '@tender/patch-apt';
import { createDnfProvider } from '@tender/patch-dnf';
import { operatingSystemFromOsRelease, parseOsRelease, predefinedDefaultBaseline } from '@tender/patch-baseline';
import type { ExecResult, PatchBaselineSnapshot, PatchProvider, PatchProviderContext } from '@tender/plugin-api';

const CHILD_FLAG = '--patch-scan-child';
const TIME = '/usr/bin/time';

interface ChildReport {
  ms: number;
  patches: number;
  missing: number;
  installedPackages: number;
  nodeMaxRssMb: number;
  commandsMaxRssMb: number | undefined;
  /** CPU seconds: this process's, and the commands' (user + system), which a loaded machine does not inflate as it does wall time. */
  nodeCpuMs: number;
  commandsCpuMs: number | undefined;
  commands: string[];
}

/** Runs each command under /usr/bin/time (when present) to learn its peak RSS; no shell. */
function measuringContext(peaks: number[], cpu: number[], commands: string[]): PatchProviderContext {
  const timed = existsSync(TIME);
  return {
    signal: new AbortController().signal,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    now: () => new Date(),
    exec: (command, args, options) =>
      new Promise<ExecResult>((resolve) => {
        commands.push(`${command} ${args.find((a) => /^[a-z]+$/.test(a)) ?? ''}`.trim());
        const [file, argv] = timed ? [TIME, ['-f', '%M %U %S', command, ...args]] : [command, args];
        execFile(file, argv, { env: { ...process.env, ...options?.env }, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
          let err = String(stderr);
          if (timed) {
            const lines = err.trimEnd().split('\n');
            const [kb, user, system] = (lines.at(-1) ?? '').split(' ').map(Number);
            if (Number.isFinite(kb) && Number.isFinite(user) && Number.isFinite(system)) {
              peaks.push(kb! / 1024);
              cpu.push((user! + system!) * 1000);
              err = lines.slice(0, -1).join('\n');
            }
          }
          const code = (error as (Error & { code?: unknown }) | null)?.code;
          resolve({ stdout: String(stdout), stderr: err, exitCode: error ? (typeof code === 'number' ? code : 127) : 0 });
        });
      }),
  };
}

async function child(): Promise<void> {
  const os = operatingSystemFromOsRelease(parseOsRelease(readFileSync('/etc/os-release', 'utf8')));
  if (!os) throw new Error('this host\'s /etc/os-release names no operating system SSM patches');
  const predefined = predefinedDefaultBaseline(os);
  const baseline: PatchBaselineSnapshot = {
    snapshotId: 'bench', instanceId: 'mi-00000000000000000', baselineId: predefined.baselineId, operatingSystem: os, globalFilters: predefined.globalFilters,
    approvalRules: predefined.approvalRules, approvedPatches: [], approvedPatchesComplianceLevel: 'UNSPECIFIED', approvedPatchesEnableNonSecurity: false,
    rejectedPatches: [], rejectedPatchesAction: 'ALLOW_AS_DEPENDENCY', createdAt: new Date().toISOString(),
  };
  const provider: PatchProvider = ['DEBIAN', 'UBUNTU', 'RASPBIAN'].includes(os) ? createAptProvider({ updateLists: false }) : createDnfProvider();
  const peaks: number[] = [];
  const cpu: number[] = [];
  const commands: string[] = [];
  const startCpu = process.cpuUsage();
  const started = performance.now();
  const result = await provider.scan(measuringContext(peaks, cpu, commands), baseline);
  const ms = performance.now() - started;
  const used = process.cpuUsage(startCpu);
  const report: ChildReport = {
    ms,
    patches: result.patches.length,
    missing: result.patches.filter((entry) => entry.State === 'MISSING').length,
    installedPackages: result.patches.filter((entry) => entry.State !== 'NOT_APPLICABLE').length,
    nodeMaxRssMb: process.resourceUsage().maxRSS / 1024,
    commandsMaxRssMb: peaks.length ? Math.max(...peaks) : undefined,
    nodeCpuMs: (used.user + used.system) / 1000,
    commandsCpuMs: cpu.length ? cpu.reduce((a, b) => a + b, 0) : undefined,
    commands,
  };
  process.stdout.write(JSON.stringify(report));
}

function runChild(flag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), flag], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`the scan process exited with ${code}`))));
  });
}

export async function run(args: string[]): Promise<void> {
  if (process.platform !== 'linux' || !existsSync('/etc/os-release')) {
    console.log('  (skipped: needs a Linux host with apt or dnf)');
    return;
  }
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) || 5 : 5;
  const bare = JSON.parse(await runChild('--bare-node')) as { nodeMaxRssMb: number };
  console.log(`  bare node process (for comparison): peak RSS ${bare.nodeMaxRssMb.toFixed(1)} MB`);
  const reports: ChildReport[] = [];
  for (let i = 0; i < runs; i++) {
    const report = JSON.parse(await runChild(CHILD_FLAG)) as ChildReport;
    reports.push(report);
    const commandsCpu = report.commandsCpuMs === undefined ? 'n/a' : `${report.commandsCpuMs.toFixed(0)} ms`;
    console.log(`  run ${i + 1}${i === 0 ? ' (cold)' : '       '}  scan ${report.ms.toFixed(0).padStart(5)} ms (CPU: agent ${report.nodeCpuMs.toFixed(0)} ms, commands ${commandsCpu})   peak RSS: agent ${report.nodeMaxRssMb.toFixed(1)} MB, commands ${report.commandsMaxRssMb === undefined ? 'n/a' : `${report.commandsMaxRssMb.toFixed(1)} MB`}   ${report.patches} packages, ${report.missing} MISSING`);
  }
  const times = reports.map((r) => r.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const peak = Math.max(...reports.map((r) => r.nodeMaxRssMb));
  console.log(`  commands: ${reports[0]!.commands.join(', ')}`);
  const cpuTimes = reports.map((r) => r.nodeCpuMs + (r.commandsCpuMs ?? 0)).sort((a, b) => a - b);
  console.log(`  median scan ${median.toFixed(0)} ms wall, ${cpuTimes[Math.floor(cpuTimes.length / 2)]!.toFixed(0)} ms CPU (goal < 2000 ms; wall time grows with the machine's load, CPU time does not); agent-side peak RSS ${peak.toFixed(1)} MB (goal < 100 MB; AWS-RunPatchBaseline's Python: ~330 MB)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes(CHILD_FLAG)) await child();
  else if (process.argv.includes('--bare-node')) process.stdout.write(JSON.stringify({ nodeMaxRssMb: process.resourceUsage().maxRSS / 1024 }));
}
