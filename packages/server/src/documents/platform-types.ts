/**
 * PlatformTypes of a command document: the platforms its actions run on, as DescribeDocument and ListDocuments
 * report them (and as the ListDocuments PlatformTypes filter matches them). The union over every step's action.
 *
 * The mapping, by action (the plugin name for schema 1.2 documents, whose runtimeConfig keys are plugin names):
 *
 *   aws:runShellScript                         Linux, MacOS
 *   aws:runPowerShellScript                    Windows, Linux, MacOS   (pwsh on Linux and macOS)
 *   aws:runDocument, aws:downloadContent       Windows, Linux, MacOS
 *   aws:softwareInventory, aws:configurePackage, aws:refreshAssociation, aws:updateSsmAgent
 *                                              Windows, Linux, MacOS
 *   aws:configureDocker, aws:runDockerAction   Windows, Linux
 *   aws:domainJoin                             Windows, Linux
 *   aws:psModule, aws:applications, aws:cloudWatch, aws:updateAgent (EC2Config)
 *                                              Windows
 *   any other action (unknown, or a Tender plugin's)
 *                                              Windows, Linux, MacOS   (nothing is known to exclude a platform)
 *
 * A document with no steps at all (possible for Policy documents) is reported for all three platforms.
 */
import type { CommandDocument, PlatformType } from '@tender/documents';

const ALL: readonly PlatformType[] = ['Windows', 'Linux', 'MacOS'];

const BY_ACTION: Readonly<Record<string, readonly PlatformType[]>> = {
  'aws:runShellScript': ['Linux', 'MacOS'],
  'aws:runPowerShellScript': ALL,
  'aws:runDocument': ALL,
  'aws:downloadContent': ALL,
  'aws:softwareInventory': ALL,
  'aws:configurePackage': ALL,
  'aws:refreshAssociation': ALL,
  'aws:updateSsmAgent': ALL,
  'aws:configureDocker': ['Windows', 'Linux'],
  'aws:runDockerAction': ['Windows', 'Linux'],
  'aws:domainJoin': ['Windows', 'Linux'],
  'aws:psModule': ['Windows'],
  'aws:applications': ['Windows'],
  'aws:cloudWatch': ['Windows'],
  'aws:updateAgent': ['Windows'],
};

export function platformTypesOfAction(action: string): readonly PlatformType[] {
  return Object.hasOwn(BY_ACTION, action) ? BY_ACTION[action]! : ALL;
}

/** In SSM's order: Windows, Linux, MacOS. */
export function platformTypesOf(document: Pick<CommandDocument, 'actions'>): PlatformType[] {
  if (document.actions.length === 0) return [...ALL];
  const found = new Set<PlatformType>();
  for (const action of document.actions) for (const platform of platformTypesOfAction(action)) found.add(platform);
  return ALL.filter((platform) => found.has(platform));
}
