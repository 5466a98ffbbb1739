import type { JsonObject } from '../json-value.js';

const SWITCH = ['Enabled', 'Disabled'];

/** One Enabled/Disabled parameter of the document. */
function collect(description: string): JsonObject {
  return { type: 'String', default: 'Enabled', description, allowedValues: SWITCH };
}

/**
 * AWS-GatherSoftwareInventory, written for Tender: SSM's parameters (names, types, defaults, order) and its one
 * aws:softwareInventory step, which the agent's @tender/inventory plugin runs; the agent uploads only the types
 * whose content hash changed. State Manager will run it on a schedule; until then the agent gathers by itself and
 * SendCommand runs it on demand.
 */
export const GATHER_SOFTWARE_INVENTORY: JsonObject = {
  schemaVersion: '2.0',
  description: 'Gathers the inventory of a host (applications, network, CPU, files, services, Windows updates, roles and registry, custom types) and uploads what changed since the last upload.',
  parameters: {
    applications: collect('(Optional) Installed applications and packages (dpkg, rpm, the Windows Uninstall keys, macOS applications): AWS:Application.'),
    awsComponents: collect('(Optional) The fleet agents and AWS tools among the installed applications: AWS:AWSComponent.'),
    files: {
      type: 'String',
      default: '',
      description:
        '(Optional) Files whose metadata to collect (AWS:File), as a JSON list: [{"Path": "/var/log", "Pattern": ["*.log"], "Recursive": true, "DirScanLimit": 5000, "DirDepthLimit": 32, "FileLimit": 500}]. Empty: none.',
      displayType: 'textarea',
    },
    networkConfig: collect('(Optional) Network interfaces, their addresses and gateways: AWS:Network.'),
    windowsUpdates: collect('(Optional, Windows) Installed Windows updates: AWS:WindowsUpdate.'),
    instanceDetailedInformation: collect('(Optional) CPU model, speed, sockets, cores and hyper-threading, kernel version: AWS:InstanceDetailedInformation.'),
    services: collect('(Optional, Windows) Windows services, their state and dependencies: AWS:Service.'),
    windowsRegistry: {
      type: 'String',
      default: '',
      description: '(Optional, Windows) Registry values to collect (AWS:WindowsRegistry), as a JSON list: [{"Path": "HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Contoso", "Recursive": false, "ValueNames": ["Version"]}]. Empty: none.',
      displayType: 'textarea',
    },
    windowsRoles: collect('(Optional, Windows Server) Roles and features, installed or not: AWS:WindowsRole.'),
    customInventory: collect('(Optional) Custom:* types from the JSON files in the agent\'s custom inventory folder.'),
    billingInfo: collect('(Optional) Billing information of license-included images; a Tender host has none, so nothing is collected.'),
  },
  mainSteps: [
    {
      action: 'aws:softwareInventory',
      name: 'collectSoftwareInventoryItems',
      inputs: {
        applications: '{{ applications }}',
        awsComponents: '{{ awsComponents }}',
        networkConfig: '{{ networkConfig }}',
        files: '{{ files }}',
        services: '{{ services }}',
        windowsRoles: '{{ windowsRoles }}',
        windowsRegistry: '{{ windowsRegistry }}',
        windowsUpdates: '{{ windowsUpdates }}',
        instanceDetailedInformation: '{{ instanceDetailedInformation }}',
        billingInfo: '{{ billingInfo }}',
        customInventory: '{{ customInventory }}',
      },
    },
  ],
};
