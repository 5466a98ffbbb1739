import { sharedWork, type Gatherer } from '../inventory-types.js';
import { installedApplications } from './applications/installed-applications.js';
import { singleItem } from './single-item.js';

export const APPLICATION_TYPE = 'AWS:Application';

/** AWS:Application (schema 1.1, with Release and Epoch): every package the host's package databases list. */
export const applicationGatherer: Gatherer = {
  typeName: APPLICATION_TYPE,
  platforms: ['linux', 'darwin', 'win32'],
  async gather(environment) {
    return singleItem(APPLICATION_TYPE, '1.1', await sharedWork(environment, 'applications', () => installedApplications(environment)));
  },
};
