/**
 * SSM's published schemas of the AWS: inventory types ("Metadata collected by Inventory" in the SSM User Guide):
 * the attribute names and data types GetInventorySchema reports, in SSM's order. Data types use the API model's
 * enum (`string` / `number`). Custom: types get a schema from what is put (every attribute a string), as SSM does.
 */
export type AttributeDataType = 'string' | 'number';

export interface InventorySchema {
  TypeName: string;
  Version: string;
  DisplayName?: string;
  Attributes: Array<{ Name: string; DataType: AttributeDataType }>;
}

const s = (names: string): Array<{ Name: string; DataType: AttributeDataType }> => names.split(' ').map((entry) => {
  const [name = '', type] = entry.split('/');
  return { Name: name, DataType: type === 'n' ? 'number' : 'string' };
});

export const AWS_SCHEMAS: readonly InventorySchema[] = [
  { TypeName: 'AWS:InstanceInformation', Version: '1.0', DisplayName: 'Platform', Attributes: s('AgentType AgentVersion ComputerName IamRole InstanceId IpAddress PlatformName PlatformType PlatformVersion ResourceType InstanceStatus') },
  { TypeName: 'AWS:Application', Version: '1.1', DisplayName: 'Application', Attributes: s('Name ApplicationType Publisher Version InstalledTime Architecture URL Summary PackageId Release Epoch') },
  { TypeName: 'AWS:File', Version: '1.0', DisplayName: 'File', Attributes: s('Name Size Description FileVersion InstalledDate ModificationTime LastAccessTime ProductName InstalledDir ProductLanguage CompanyName ProductVersion') },
  { TypeName: 'AWS:AWSComponent', Version: '1.0', DisplayName: 'AWSComponent', Attributes: s('Name ApplicationType Publisher Version InstalledTime Architecture URL') },
  { TypeName: 'AWS:WindowsUpdate', Version: '1.0', DisplayName: 'WindowsUpdate', Attributes: s('HotFixId Description InstalledTime InstalledBy') },
  { TypeName: 'AWS:Network', Version: '1.0', DisplayName: 'Network', Attributes: s('Name SubnetMask Gateway DHCPServer DNSServer MacAddress IPV4 IPV6') },
  {
    TypeName: 'AWS:PatchSummary',
    Version: '1.0',
    DisplayName: 'PatchSummary',
    Attributes: s('PatchGroup BaselineId SnapshotId OwnerInformation InstalledCount/n InstalledOtherCount/n NotApplicableCount/n MissingCount/n FailedCount/n OperationType OperationStartTime OperationEndTime'),
  },
  {
    TypeName: 'AWS:ComplianceItem',
    Version: '1.0',
    DisplayName: 'ComplianceItem',
    Attributes: s('ComplianceType ExecutionId ExecutionType ExecutionTime Id Title Status Severity DocumentName DocumentVersion Classification PatchBaselineId PatchSeverity PatchState PatchGroup InstalledTime'),
  },
  {
    TypeName: 'AWS:ComplianceSummary',
    Version: '1.0',
    DisplayName: 'ComplianceSummary',
    Attributes: s(
      'ComplianceType PatchGroup PatchBaselineId Status OverallSeverity ExecutionId ExecutionType ExecutionTime CompliantCriticalCount/n CompliantHighCount/n CompliantMediumCount/n CompliantLowCount/n CompliantInformationalCount/n CompliantUnspecifiedCount/n NonCompliantCriticalCount/n NonCompliantHighCount/n NonCompliantMediumCount/n NonCompliantLowCount/n NonCompliantInformationalCount/n NonCompliantUnspecifiedCount/n',
    ),
  },
  { TypeName: 'AWS:InstanceDetailedInformation', Version: '1.0', DisplayName: 'InstanceDetailedInformation', Attributes: s('CPUModel CPUCores/n CPUs/n CPUSpeedMHz/n CPUSockets/n CPUHyperThreadEnabled OSServicePack') },
  { TypeName: 'AWS:Service', Version: '1.0', DisplayName: 'Service', Attributes: s('Name DisplayName ServiceType Status DependentServices ServicesDependedOn StartType') },
  { TypeName: 'AWS:WindowsRegistry', Version: '1.0', DisplayName: 'WindowsRegistry', Attributes: s('KeyPath ValueName ValueType Value') },
  { TypeName: 'AWS:WindowsRole', Version: '1.0', DisplayName: 'WindowsRole', Attributes: s('Name DisplayName Path FeatureType DependsOn Description Installed InstalledState SubFeatures ServerComponentDescriptor Parent') },
  { TypeName: 'AWS:Tag', Version: '1.0', DisplayName: 'Tag', Attributes: s('Key Value ResourceId') },
];

export const AWS_SCHEMA_BY_TYPE: ReadonlyMap<string, InventorySchema> = new Map(AWS_SCHEMAS.map((schema) => [schema.TypeName, schema]));

/**
 * The attributes that identify a row of a type across uploads, so history can say "changed" (openssl 3.0.2 →
 * 3.0.11) instead of "removed one, added another". Types not listed (custom ones) diff by whole rows.
 */
export const ROW_KEYS: Readonly<Record<string, readonly string[]>> = {
  'AWS:Application': ['Name', 'Architecture'],
  'AWS:AWSComponent': ['Name', 'Architecture'],
  'AWS:File': ['InstalledDir', 'Name'],
  'AWS:Network': ['Name'],
  'AWS:Service': ['Name'],
  'AWS:WindowsUpdate': ['HotFixId'],
  'AWS:WindowsRegistry': ['KeyPath', 'ValueName'],
  'AWS:WindowsRole': ['Name'],
  'AWS:InstanceDetailedInformation': [],
  'AWS:InstanceInformation': [],
  'AWS:Tag': ['Key'],
};

/** The type every managed instance has: built from the instance registry, not stored. */
export const INSTANCE_INFORMATION = 'AWS:InstanceInformation';
