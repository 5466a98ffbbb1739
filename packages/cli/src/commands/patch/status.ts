import { DescribeInstancePatchStatesCommand, DescribePatchGroupStateCommand, paginateDescribeInstanceInformation, paginateDescribeInstancePatches, paginateDescribeInstancePatchStatesForPatchGroup, type InstancePatchState, type PatchComplianceData } from '@aws-sdk/client-ssm';
import { Flags } from '@oclif/core';
import { ApiCommand } from '../../client/api-command.js';
import { renderTable } from '../../client/table.js';

const STATE_COLUMNS = ['InstanceId', 'PatchGroup', 'Operation', 'OperationEndTime', 'InstalledCount', 'MissingCount', 'FailedCount', 'InstalledPendingRebootCount', 'InstalledRejectedCount', 'InstalledOtherCount', 'NotApplicableCount'];

/** Instances whose last operation left something to do: missing, failed, rejected or awaiting a reboot. */
function nonCompliant(state: InstancePatchState): boolean {
  return (state.MissingCount ?? 0) + (state.FailedCount ?? 0) + (state.InstalledPendingRebootCount ?? 0) + (state.InstalledRejectedCount ?? 0) > 0;
}

export default class PatchStatus extends ApiCommand {
  static override summary = 'Show patch states: the fleet, one patch group, or one instance\'s patches.';
  static override description =
    'Without flags: every instance\'s last patch operation (DescribeInstancePatchStates) and a fleet summary. --group: the patch group\'s roll-up (DescribePatchGroupState) and its instances. --instance-id: that instance\'s state and its patches (DescribeInstancePatches), --state to keep one state (Missing, Failed, InstalledPendingReboot, ...).';
  static override examples = ['<%= config.bin %> patch status', '<%= config.bin %> patch status --group web', '<%= config.bin %> patch status -i mi-0123456789abcdef0 --state Missing --json'];
  static override flags = {
    'instance-id': Flags.string({ char: 'i', description: 'one instance: its state and patches' }),
    group: Flags.string({ char: 'g', description: 'one patch group: its roll-up and instances' }),
    state: Flags.string({ description: 'with --instance-id: only patches in this state' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PatchStatus);
    await this.connect(flags);
    if (flags['instance-id']) return this.instance(flags['instance-id'], flags.state, flags.json);
    if (flags.group) return this.group(flags.group, flags.json);
    return this.fleet(flags.json);
  }

  private async instance(instanceId: string, state: string | undefined, json: boolean): Promise<void> {
    const [current] = (await this.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [instanceId] }))).InstancePatchStates ?? [];
    const patches: PatchComplianceData[] = [];
    for await (const page of paginateDescribeInstancePatches({ client: this.ssm }, { InstanceId: instanceId, MaxResults: 100, Filters: state ? [{ Key: 'State', Values: [state] }] : undefined })) patches.push(...(page.Patches ?? []));
    if (json) return this.printJson({ InstancePatchState: current ?? null, Patches: patches });
    if (!current) {
      this.log(`${instanceId} has not reported a patch operation yet (tender patch scan -i ${instanceId})`);
      return;
    }
    this.log(renderTable([{ ...current }], STATE_COLUMNS));
    this.log(`baseline ${current.BaselineId}, snapshot ${current.SnapshotId ?? '-'}\n`);
    this.log(renderTable(patches.map((p) => ({ ...p, InstalledTime: p.InstalledTime && p.InstalledTime.getTime() > 0 ? p.InstalledTime : undefined })) as Array<Record<string, unknown>>, ['State', 'Title', 'Classification', 'Severity', 'CVEIds', 'InstalledTime']));
  }

  private async group(group: string, json: boolean): Promise<void> {
    const { $metadata: _meta, ...summary } = await this.ssm.send(new DescribePatchGroupStateCommand({ PatchGroup: group }));
    const states: InstancePatchState[] = [];
    for await (const page of paginateDescribeInstancePatchStatesForPatchGroup({ client: this.ssm }, { PatchGroup: group, MaxResults: 100 })) states.push(...(page.InstancePatchStates ?? []));
    if (json) return this.printJson({ PatchGroup: group, Summary: summary, InstancePatchStates: states });
    this.log(`patch group ${group}: ${summary.Instances ?? 0} instance(s); with missing patches ${summary.InstancesWithMissingPatches ?? 0}, failed ${summary.InstancesWithFailedPatches ?? 0}, awaiting reboot ${summary.InstancesWithInstalledPendingRebootPatches ?? 0}, security non-compliant ${summary.InstancesWithSecurityNonCompliantPatches ?? 0}\n`);
    this.log(renderTable(states.map((s) => ({ ...s })), STATE_COLUMNS));
  }

  private async fleet(json: boolean): Promise<void> {
    const ids: string[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: this.ssm }, {})) ids.push(...(page.InstanceInformationList ?? []).map((i) => i.InstanceId ?? '').filter(Boolean));
    const states: InstancePatchState[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      let token: string | undefined;
      do {
        const page = await this.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids.slice(i, i + 50), MaxResults: 50, NextToken: token }));
        states.push(...(page.InstancePatchStates ?? []));
        token = page.NextToken;
      } while (token);
    }
    const summary = {
      Instances: ids.length,
      Reported: states.length,
      NotReported: ids.length - states.length,
      Compliant: states.filter((s) => !nonCompliant(s)).length,
      NonCompliant: states.filter(nonCompliant).length,
      MissingPatches: states.reduce((n, s) => n + (s.MissingCount ?? 0), 0),
      FailedPatches: states.reduce((n, s) => n + (s.FailedCount ?? 0), 0),
      AwaitingReboot: states.filter((s) => (s.InstalledPendingRebootCount ?? 0) > 0).length,
    };
    if (json) return this.printJson({ Summary: summary, InstancePatchStates: states });
    this.log(`fleet: ${summary.Instances} instance(s), ${summary.Reported} reported (${summary.Compliant} compliant, ${summary.NonCompliant} non-compliant), ${summary.NotReported} never scanned; ${summary.MissingPatches} missing and ${summary.FailedPatches} failed patch(es), ${summary.AwaitingReboot} instance(s) awaiting a reboot\n`);
    this.log(renderTable(states.map((s) => ({ ...s })), STATE_COLUMNS));
  }
}
