import path from 'node:path';
import { writeFileAtomic } from '@tender/local-state';

/**
 * Write `DIR/credentials` (AWS shared-credentials format) and `DIR/config` (AWS config format) for the
 * profile `tender`, so `AWS_SHARED_CREDENTIALS_FILE=DIR/credentials AWS_CONFIG_FILE=DIR/config
 * AWS_PROFILE=tender` makes any AWS SDK or the AWS CLI talk to this control plane. The region is in both:
 * the JavaScript SDK reads it from either file, botocore only from config.
 */
export async function writeCredentialFiles(dataDir: string, key: { accessKeyId: string; secretAccessKey: string }, region: string): Promise<string> {
  const credentials = path.join(dataDir, 'credentials');
  await writeFileAtomic(
    credentials,
    `[tender]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\nregion = ${region}\n`,
  );
  await writeFileAtomic(path.join(dataDir, 'config'), `[profile tender]\nregion = ${region}\noutput = json\n`);
  return credentials;
}
