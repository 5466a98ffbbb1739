import { xmlEscape } from './xml-escape.js';
import { SERVICE_NAME } from './service-layout.js';

/**
 * WinSW's configuration for the Windows service (WinSW 1.x, as node-windows ships it). WinSW runs node.exe on the
 * agent, restarts it after a failure with growing delays (the last <onfailure> repeats) and forgets past failures
 * after an hour without one; it writes the agent's output to files in logDir, rolled at 10 MB with 8 kept.
 * Checked by packages/agent/test/service-definitions.test.ts with a real XML parser.
 */
export function winswConfig(options: { command: string[]; stateDir: string; logDir: string }): string {
  const [executable, ...args] = [...options.command, 'start'];
  const argument = args.map((arg) => `  <argument>${xmlEscape(arg)}</argument>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<service>
  <id>${SERVICE_NAME}</id>
  <name>Tender agent</name>
  <description>Runs commands, inventory and patching for a Tender or AWS Systems Manager control plane.</description>
  <executable>${xmlEscape(executable ?? '')}</executable>
${argument}
  <env name="TENDER_AGENT_STATE_DIR" value="${xmlEscape(options.stateDir)}"/>
  <workingdirectory>${xmlEscape(options.stateDir)}</workingdirectory>
  <startmode>Automatic</startmode>
  <onfailure action="restart" delay="5 sec"/>
  <onfailure action="restart" delay="30 sec"/>
  <onfailure action="restart" delay="2 min"/>
  <resetfailure>1 hour</resetfailure>
  <stoptimeout>30 sec</stoptimeout>
  <logpath>${xmlEscape(options.logDir)}</logpath>
  <log mode="roll-by-size">
    <sizeThreshold>10240</sizeThreshold>
    <keepFiles>8</keepFiles>
  </log>
</service>
`;
}
