/** An rpm `[epoch:]version-release` split into its parts (epoch `0` when absent). */
export interface EpochVersionRelease {
  epoch: string;
  version: string;
  release: string;
}

export function splitEpochVersionRelease(evr: string): EpochVersionRelease {
  const withEpoch = /^(\d+):(.*)$/.exec(evr);
  const epoch = withEpoch ? withEpoch[1]! : '0';
  const rest = withEpoch ? withEpoch[2]! : evr;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest, release: '' };
}
