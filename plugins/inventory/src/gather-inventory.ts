import { applicationGatherer } from './gatherers/application.js';
import { awsComponentGatherer } from './gatherers/aws-component.js';
import { customInventoryGatherer } from './gatherers/custom.js';
import { fileGatherer } from './gatherers/file.js';
import { instanceDetailedInformationGatherer } from './gatherers/instance-detailed-information.js';
import { instanceInformationGatherer } from './gatherers/instance-information.js';
import { networkGatherer } from './gatherers/network.js';
import { serviceGatherer } from './gatherers/service.js';
import { windowsRegistryGatherer } from './gatherers/windows-registry.js';
import { windowsRoleGatherer } from './gatherers/windows-role.js';
import { windowsUpdateGatherer } from './gatherers/windows-update.js';
import type { InventoryInputs } from './inputs.js';
import type { GatheredItem, GatherEnvironment, GatherFailure, Gatherer } from './inventory-types.js';

export interface GatherResult {
  items: GatheredItem[];
  failures: GatherFailure[];
  problems: string[];
}

/**
 * The gatherers the inputs ask for, on this platform. AWS:InstanceInformation is always gathered (SSM's agent
 * sends it with every upload). billingInfo has nothing to gather outside EC2's license-included AMIs: accepted,
 * and it yields no type.
 */
export function selectGatherers(inputs: InventoryInputs, platform: GatherEnvironment['platform']): Gatherer[] {
  const { enabled } = inputs;
  const chosen: Gatherer[] = [instanceInformationGatherer];
  if (enabled.applications) chosen.push(applicationGatherer);
  if (enabled.awsComponents) chosen.push(awsComponentGatherer);
  if (enabled.networkConfig) chosen.push(networkGatherer);
  if (enabled.instanceDetailedInformation) chosen.push(instanceDetailedInformationGatherer);
  if (enabled.services) chosen.push(serviceGatherer);
  if (enabled.windowsUpdates) chosen.push(windowsUpdateGatherer);
  if (enabled.windowsRoles) chosen.push(windowsRoleGatherer);
  if (inputs.windowsRegistry.length) chosen.push(windowsRegistryGatherer(inputs.windowsRegistry));
  if (inputs.files.length) chosen.push(fileGatherer(inputs.files));
  if (enabled.customInventory) chosen.push(customInventoryGatherer());
  return chosen.filter((gatherer) => gatherer.platforms.includes(platform));
}

/** Runs the gatherers one after another (gentle on the host); one that fails is reported and the rest go on. */
export async function gatherInventory(gatherers: readonly Gatherer[], environment: GatherEnvironment): Promise<GatherResult> {
  const result: GatherResult = { items: [], failures: [], problems: [] };
  for (const gatherer of gatherers) {
    if (environment.signal.aborted) {
      result.failures.push({ TypeName: gatherer.typeName, message: `${gatherer.typeName} was not gathered: the step was stopped` });
      continue;
    }
    try {
      const output = await gatherer.gather(environment);
      result.items.push(...output.items);
      result.failures.push(...(output.failures ?? []));
      result.problems.push(...(output.problems ?? []));
    } catch (error) {
      result.failures.push({ TypeName: gatherer.typeName, message: `${gatherer.typeName} could not be gathered: ${(error as Error)?.message ?? String(error)}` });
    }
  }
  return result;
}
