/**
 * PRODUCT values per operating system, for DescribePatchProperties: the releases SSM lists for each, to which the
 * control plane adds the products its own fleet reports (a newer release shows up as soon as a host runs it).
 */
import type { PatchOperatingSystem } from '@tender/plugin-api';

const series = (prefix: string, versions: string[]): string[] => versions.map((v) => `${prefix}${v}`);

export const KNOWN_PRODUCTS: Readonly<Record<PatchOperatingSystem, readonly string[]>> = {
  WINDOWS: ['WindowsServer2012', 'WindowsServer2012R2', 'WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'WindowsServer2025', 'Windows10', 'Windows11'],
  AMAZON_LINUX: series('AmazonLinux', ['2017.09', '2018.03']),
  AMAZON_LINUX_2: ['AmazonLinux2', 'AmazonLinux2.0'],
  AMAZON_LINUX_2022: ['AmazonLinux2022'],
  AMAZON_LINUX_2023: ['AmazonLinux2023'],
  UBUNTU: series('Ubuntu', ['16.04', '18.04', '20.04', '22.04', '24.04']),
  DEBIAN: series('Debian', ['10', '11', '12']),
  RASPBIAN: series('Raspbian', ['10', '11', '12']),
  REDHAT_ENTERPRISE_LINUX: series('RedhatEnterpriseLinux', ['7.9', '8.8', '8.9', '8.10', '9.2', '9.3', '9.4', '9.5']),
  CENTOS: series('CentOS', ['7.9', '8', '8.5']),
  ORACLE_LINUX: series('OracleLinux', ['7.9', '8.9', '9.3']),
  ROCKY_LINUX: series('RockyLinux', ['8.9', '8.10', '9.3', '9.4']),
  ALMA_LINUX: series('AlmaLinux', ['8.9', '8.10', '9.3', '9.4']),
  SUSE: series('SUSE', ['12.5', '15.5', '15.6']),
  MACOS: series('macOS', ['12', '13', '14', '15']),
};
