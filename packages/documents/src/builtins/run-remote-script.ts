import type { JsonObject } from '../json-value.js';

/** At most 28800 seconds (8 hours), like SSM's AWS-RunRemoteScript. */
const EXECUTION_TIMEOUT_8H = '^([1-9][0-9]{0,3}|1[0-9]{4}|2[0-7][0-9]{3}|28[0-7][0-9]{2}|28800)$';

/** The command line on a Unix host (Linux and macOS have a step each, as in SSM's document), the download on PATH. */
function shellStep(platformType: string, name: string): JsonObject {
  return {
    precondition: { StringEquals: ['platformType', platformType] },
    action: 'aws:runShellScript',
    name,
    inputs: {
      runCommand: ['PATH="$(pwd):$PATH"; export PATH', '{{ commandLine }}'],
      workingDirectory: '{{ workingDirectory }}',
      timeoutSeconds: '{{ executionTimeout }}',
    },
  };
}

/**
 * AWS-RunRemoteScript, written for Tender, with SSM's parameter names. SSM downloads from GitHub or S3; Tender
 * downloads from an HTTP(S) URL and refuses content whose SHA-256 differs from the one in sourceInfo. The
 * download lands in workingDirectory and commandLine runs there, with that directory on PATH.
 */
export const RUN_REMOTE_SCRIPT: JsonObject = {
  schemaVersion: '2.2',
  description:
    'Downloads a script or a bundle over HTTP(S), checks its SHA-256, and runs a command line in the download directory. sourceInfo: {"url": "https://...", "sha256": "<hex>"}.',
  parameters: {
    sourceType: {
      type: 'String',
      description: '(Required) Where the script comes from. Tender supports HTTP (http:// and https:// URLs).',
      allowedValues: ['HTTP'],
    },
    sourceInfo: {
      type: 'StringMap',
      description: '(Required) {"url": "https://...", "sha256": "<hex digest of the content>"}.',
      displayType: 'textarea',
      default: {},
    },
    commandLine: {
      type: 'String',
      description: '(Required) The command line to run once the content is downloaded, e.g. "install.sh --quiet".',
      default: '',
    },
    workingDirectory: {
      type: 'String',
      default: '',
      description: '(Optional) Where the content is downloaded and the command line runs. Empty: the directory the agent prepares for the run.',
      maxChars: 4096,
    },
    executionTimeout: {
      type: 'String',
      default: '3600',
      description: '(Optional) Seconds the command line may run before it is stopped and the step fails. Default 3600 (1 hour), at most 28800 (8 hours).',
      allowedPattern: EXECUTION_TIMEOUT_8H,
    },
  },
  mainSteps: [
    {
      action: 'aws:downloadContent',
      name: 'downloadContent',
      inputs: {
        sourceType: '{{ sourceType }}',
        sourceInfo: '{{ sourceInfo }}',
        destinationPath: '{{ workingDirectory }}',
      },
    },
    {
      precondition: { StringEquals: ['platformType', 'Windows'] },
      action: 'aws:runPowerShellScript',
      name: 'runPowerShellScript',
      inputs: {
        runCommand: ['$env:PATH = "$(Get-Location);$env:PATH"', '{{ commandLine }}', 'if (-not $?) { exit 255 }', 'exit $LASTEXITCODE'],
        workingDirectory: '{{ workingDirectory }}',
        timeoutSeconds: '{{ executionTimeout }}',
      },
    },
    shellStep('Linux', 'runShellScript'),
    shellStep('MacOS', 'runShellScriptMacOS'),
  ],
};
