import { sharedWork, type Gatherer, type InventoryRow } from '../inventory-types.js';
import { installedApplications } from './applications/installed-applications.js';
import { singleItem } from './single-item.js';

export const AWS_COMPONENT_TYPE = 'AWS:AWSComponent';

/** The applications SSM's agent reports as AWS components (lower-cased names), and Tender's own agent. */
const COMPONENT_NAMES = new Set([
  'amazon-ssm-agent',
  'amazon ssm agent',
  'com.amazon.aws.ssm',
  'aws tools for windows',
  'ec2configservice',
  'aws-cfn-bootstrap',
  'aws pv drivers',
  'tender-agent',
]);
const COMPONENT_NAME_PARTS = ['aws-apitools-', 'aws-amitools-'];

export function isAwsComponent(row: InventoryRow): boolean {
  const name = (row.Name ?? '').trim().toLowerCase();
  return COMPONENT_NAMES.has(name) || COMPONENT_NAME_PARTS.some((part) => name.includes(part));
}

/** AWS:AWSComponent: the agents and tools of the fleet manager itself, picked out of the application list. */
export const awsComponentGatherer: Gatherer = {
  typeName: AWS_COMPONENT_TYPE,
  platforms: ['linux', 'darwin', 'win32'],
  async gather(environment) {
    const applications = await sharedWork(environment, 'applications', () => installedApplications(environment));
    return singleItem(AWS_COMPONENT_TYPE, '1.0', applications.filter(isAwsComponent));
  },
};
