/**
 * The environment a step's processes get on top of the agent's. SSM Agent sets four variables for every
 * process it runs (executers.prepareEnvironment): AWS_SSM_INSTANCE_ID, AWS_SSM_REGION_NAME,
 * AWS_SSM_PLATFORM_NAME and AWS_SSM_PLATFORM_VERSION, each only when it is known. The step's own variables
 * (SSM_<name> for ENV_VAR parameters, from interpolate()) come on top.
 *
 * Tender adds one of its own, TENDER_STEP_RUN, naming the command and step: processes inherit it, which is how
 * recovery finds the processes a killed agent left behind (orphan-processes.ts).
 */

import type { PlatformType } from '@tender/documents';
import type { Platform } from '@tender/plugin-api';

const PLATFORM_TYPES: Readonly<Record<Platform, PlatformType>> = { linux: 'Linux', darwin: 'MacOS', win32: 'Windows' };

/** The platformType preconditions compare with (`StringEquals: [platformType, Linux]`). */
export function platformTypeOf(platform: Platform): PlatformType {
  return PLATFORM_TYPES[platform];
}

/** Facts about this instance that SSM exposes to scripts. */
export interface InstanceFacts {
  instanceId: string;
  /** The region the agent reports (Tender's control plane has one too; hybrid SSM uses the activation's). */
  region: string;
  /** e.g. "Ubuntu", "Amazon Linux", "Microsoft Windows Server 2022 Datacenter". */
  platformName?: string;
  /** e.g. "22.04", "2023", "10.0.20348". */
  platformVersion?: string;
}

export const STEP_RUN_VARIABLE = 'TENDER_STEP_RUN';

/** The value of TENDER_STEP_RUN: `<commandId>/<step index>`; both parts are safe in a file name. */
export function stepRunMarker(commandId: string, stepIndex: number): string {
  return `${commandId}/${stepIndex}`;
}

export function stepEnvironment(
  facts: InstanceFacts,
  stepEnv: Readonly<Record<string, string>> | undefined,
  marker: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  if (facts.instanceId) env.AWS_SSM_INSTANCE_ID = facts.instanceId;
  if (facts.region) env.AWS_SSM_REGION_NAME = facts.region;
  if (facts.platformName) env.AWS_SSM_PLATFORM_NAME = facts.platformName;
  if (facts.platformVersion) env.AWS_SSM_PLATFORM_VERSION = facts.platformVersion;
  Object.assign(env, stepEnv ?? {});
  env[STEP_RUN_VARIABLE] = marker;
  return env;
}
