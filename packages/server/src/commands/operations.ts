/**
 * The Run Command API (SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation, CancelCommand),
 * Tender's GetCommandOutput (the full output of a step, base64), and the agent message handlers the gateway
 * calls for `command-ack`, `command-status` and `command-result`.
 */
import type { Message } from '@tender/protocol';
import { ApiError } from '../api/errors.js';
import type { CallContext, Input, Operation } from '../api/operation.js';
import { ssmArn } from '../api/operation.js';
import { byNewestFirst, compareNewestFirst, isTimePosition, itemsAfter, pageAfter } from '../api/pagination.js';
import { optionalInteger, optionalList, optionalString, requiredString } from '../api/validate.js';
import { isTerminalCommand, isTerminalInvocation, type CommandRecord, type InvocationRecord } from './command-records.js';
import { parseCommandFilters, type Filterable } from './command-filters.js';
import type { CommandService } from './command-service.js';
import { commandPosition, type CommandPosition } from './command-order.js';
import { INSTANCE_ID_PATTERN, MAX_INSTANCE_IDS } from './command-targets.js';
import { describeCommand, describeInvocation, describeInvocationPlugin, pluginState } from './command-views.js';
import { isOutputStream } from './output-store.js';
import { documentNameOf } from './prepare-run.js';
import type { DeepReadonly } from '../store/store.js';

const COMMAND_ID = { min: 36, max: 36 };
const PLUGIN_NAME = { min: 4 };
const MAX_RESULTS = { defaultMax: 50, min: 1, max: 50 };

function instanceIdList(input: Input, field: string): string[] | undefined {
  return optionalList(
    input,
    field,
    (value, index) => {
      if (typeof value !== 'string') throw new ApiError('SerializationException', `${field}[${index}] must be a string`);
      if (!INSTANCE_ID_PATTERN.test(value)) throw new ApiError('InvalidInstanceId', `${JSON.stringify(value)} is not a managed instance id`);
      return value;
    },
    { max: MAX_INSTANCE_IDS },
  );
}

function asFilterable(command: DeepReadonly<CommandRecord>): Filterable {
  return { requested: command.RequestedDateTime, status: command.Status, statusDetails: command.StatusDetails, documentName: command.DocumentName, terminal: isTerminalCommand(command.Status) };
}

function invocationFilterable(command: DeepReadonly<CommandRecord>, invocation: DeepReadonly<InvocationRecord>): Filterable {
  return {
    requested: invocation.dispatchedAt ?? command.RequestedDateTime,
    status: invocation.Status,
    statusDetails: invocation.StatusDetails,
    documentName: command.DocumentName,
    terminal: isTerminalInvocation(invocation.Status),
  };
}

interface Listed {
  command: DeepReadonly<CommandRecord>;
  invocation: DeepReadonly<InvocationRecord>;
}

/** Where an invocation stands in ListCommandInvocations: its command's place, then the order it was dispatched in. */
interface InvocationPosition extends CommandPosition {
  seq: number;
}

function invocationPosition({ command, invocation }: Listed): InvocationPosition {
  return { ...commandPosition(command), seq: invocation.seq };
}

function compareInvocationPositions(a: InvocationPosition, b: InvocationPosition): number {
  return compareNewestFirst(a, b) || a.seq - b.seq;
}

function isInvocationPosition(value: object): value is InvocationPosition {
  return isTimePosition(value) && Number.isSafeInteger((value as Partial<InvocationPosition>).seq);
}

function sendCommandResources(input: Input, context: Pick<CallContext, 'region' | 'accountId'>): string[] {
  const name = typeof input.DocumentName === 'string' ? input.DocumentName : '';
  let document: string;
  try {
    document = name.startsWith('arn:') ? name : ssmArn(context, `document/${documentNameOf(name)}`);
  } catch {
    document = ssmArn(context, `document/${name}`);
  }
  const resources = [document];
  const ids = new Set<string>();
  let byTag = false;
  if (Array.isArray(input.InstanceIds)) for (const id of input.InstanceIds) if (typeof id === 'string') ids.add(id);
  if (Array.isArray(input.Targets)) {
    for (const target of input.Targets as Array<{ Key?: unknown; Values?: unknown }>) {
      if (typeof target?.Key === 'string' && target.Key.toLowerCase() === 'instanceids' && Array.isArray(target.Values)) {
        for (const id of target.Values) if (typeof id === 'string') ids.add(id);
      } else {
        byTag = true;
      }
    }
  }
  // Tag targets are resolved after authorisation, so the caller must be allowed every instance.
  if (byTag) resources.push(ssmArn(context, 'managed-instance/*'));
  for (const id of ids) resources.push(ssmArn(context, `managed-instance/${id}`));
  return resources;
}

/** The commands these invocations belong to, each once. */
async function commandsOf(service: CommandService, invocations: ReadonlyArray<DeepReadonly<InvocationRecord>>): Promise<Array<DeepReadonly<CommandRecord>>> {
  const found = await Promise.all([...new Set(invocations.map((invocation) => invocation.CommandId))].map((id) => service.readCommand(id)));
  return found.filter((command) => command !== undefined);
}

export function commandOperations(service: CommandService): Operation[] {
  return [
    {
      service: 'AmazonSSM',
      name: 'SendCommand',
      resources: sendCommandResources,
      handle: (input, context) => service.sendCommand(input, context),
    },
    {
      service: 'AmazonSSM',
      name: 'ListCommands',
      async handle(input) {
        const commandId = optionalString(input, 'CommandId', COMMAND_ID);
        const instanceId = optionalString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        const matches = parseCommandFilters(input, 'commands');
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        const matching = (command: DeepReadonly<CommandRecord>) => matches(asFilterable(command));
        let from: (after: CommandPosition | undefined) => Iterable<DeepReadonly<CommandRecord>> | AsyncIterable<DeepReadonly<CommandRecord>>;
        if (commandId !== undefined || instanceId !== undefined) {
          let commands: Array<DeepReadonly<CommandRecord>>;
          if (commandId !== undefined) {
            const command = await service.readCommand(commandId);
            if (!command) throw new ApiError('InvalidCommandId', `Command ${commandId} does not exist`);
            commands = instanceId === undefined || (await service.listInvocations(commandId, instanceId)).length > 0 ? [command] : [];
          } else {
            commands = await commandsOf(service, await service.listInvocations(undefined, instanceId));
          }
          const selected = commands.filter(matching).sort(byNewestFirst(commandPosition)); // newest first, as SSM lists them
          from = (after) => itemsAfter(selected, after, (command, position) => compareNewestFirst(commandPosition(command), position));
        } else {
          // Every command: walked in order from the token's position, a page's worth and one more.
          from = async function* (after) {
            for await (const command of service.commandsInOrder(after && { position: after, inclusive: false })) if (matching(command)) yield command;
          };
        }
        const { page, nextToken: next } = await pageAfter({ operation: 'ListCommands', maxResults, nextToken, ...MAX_RESULTS }, from, commandPosition, isTimePosition);
        return { Commands: page.map(describeCommand), NextToken: next };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'ListCommandInvocations',
      async handle(input) {
        const commandId = optionalString(input, 'CommandId', COMMAND_ID);
        const instanceId = optionalString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        const matches = parseCommandFilters(input, 'invocations');
        const details = input.Details === true;
        const maxResults = optionalInteger(input, 'MaxResults');
        const nextToken = optionalString(input, 'NextToken');
        const matching = ({ command, invocation }: Listed) => matches(invocationFilterable(command, invocation));
        let from: (after: InvocationPosition | undefined) => Iterable<Listed> | AsyncIterable<Listed>;
        if (commandId !== undefined || instanceId !== undefined) {
          // SSM answers an empty list for a command it does not (yet) know, not an error.
          const invocations = await service.listInvocations(commandId, instanceId);
          const commands = new Map((await commandsOf(service, invocations)).map((command) => [command.CommandId, command]));
          const selected = invocations
            .flatMap((invocation) => {
              const command = commands.get(invocation.CommandId);
              return command ? [{ command, invocation }] : [];
            })
            .filter(matching)
            .sort((a, b) => compareInvocationPositions(invocationPosition(a), invocationPosition(b)));
          from = (after) => itemsAfter(selected, after, (listed, position) => compareInvocationPositions(invocationPosition(listed), position));
        } else {
          // Every invocation: the commands walked in order from the token's command (the rest of whose invocations
          // come first), a page's worth and one more.
          from = async function* (after) {
            for await (const command of service.commandsInOrder(after && { position: after, inclusive: true })) {
              for (const invocation of await service.listInvocations(command.CommandId)) {
                const listed = { command, invocation };
                if ((after === undefined || compareInvocationPositions(invocationPosition(listed), after) > 0) && matching(listed)) yield listed;
              }
            }
          };
        }
        const { page, nextToken: next } = await pageAfter({ operation: 'ListCommandInvocations', maxResults, nextToken, ...MAX_RESULTS }, from, invocationPosition, isInvocationPosition);
        const context = service.viewContext;
        return { CommandInvocations: page.map(({ command, invocation }) => describeInvocation(command, invocation, details, context)), NextToken: next };
      },
    },
    {
      service: 'AmazonSSM',
      name: 'GetCommandInvocation',
      async handle(input) {
        const commandId = requiredString(input, 'CommandId', COMMAND_ID);
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        const pluginName = optionalString(input, 'PluginName', PLUGIN_NAME);
        const found = await service.getInvocation(commandId, instanceId);
        if (!found) throw new ApiError('InvocationDoesNotExist', `Command ${commandId} has no invocation on ${instanceId}`);
        const { command, invocation } = found;
        let ref: (typeof command.steps)[number] | undefined = command.steps[0];
        if (pluginName !== undefined) {
          ref = command.steps.find((step) => step.name === pluginName);
          if (!ref) throw new ApiError('InvalidPluginName', `Document ${command.DocumentName} has no step ${JSON.stringify(pluginName)}; its steps are ${command.steps.map((step) => step.name).join(', ')}`);
        } else if (command.steps.length > 1) {
          throw new ApiError('InvalidPluginName', `Document ${command.DocumentName} has ${command.steps.length} steps: name one in PluginName (${command.steps.map((step) => step.name).join(', ')})`);
        }
        if (!ref) throw new ApiError('InvalidPluginName', `Document ${command.DocumentName} has no steps`);
        return describeInvocationPlugin(command, invocation, pluginState(invocation, ref), service.now(), service.viewContext);
      },
    },
    {
      service: 'AmazonSSM',
      name: 'CancelCommand',
      async handle(input) {
        const commandId = requiredString(input, 'CommandId', COMMAND_ID);
        await service.cancelCommand(commandId, instanceIdList(input, 'InstanceIds'));
        return {};
      },
    },
    {
      service: 'Tender',
      name: 'GetCommandOutput',
      async handle(input) {
        const commandId = requiredString(input, 'CommandId', COMMAND_ID);
        const instanceId = requiredString(input, 'InstanceId', { pattern: INSTANCE_ID_PATTERN });
        let pluginName = optionalString(input, 'PluginName', PLUGIN_NAME);
        const stream = optionalString(input, 'Stream') ?? 'stdout';
        if (!isOutputStream(stream)) throw new ApiError('ValidationException', `Stream is stdout or stderr, not ${JSON.stringify(stream)}`);
        if (pluginName === undefined) {
          const found = await service.getInvocation(commandId, instanceId);
          if (!found) throw new ApiError('InvocationDoesNotExist', `Command ${commandId} has no invocation on ${instanceId}`);
          if (found.command.steps.length !== 1) {
            throw new ApiError('InvalidPluginName', `Document ${found.command.DocumentName} has ${found.command.steps.length} steps: name one in PluginName`);
          }
          pluginName = found.command.steps[0]!.name;
        }
        const content = await service.readOutput(commandId, instanceId, pluginName, stream);
        return { CommandId: commandId, InstanceId: instanceId, PluginName: pluginName, Stream: stream, Content: content.toString('base64'), Bytes: content.length };
      },
    },
  ];
}

export type AgentMessageType = 'command-ack' | 'command-status' | 'command-result';

/** Register each with `gateway.on(type, handler)`; the gateway has verified that `message.from` sent it. */
export function agentMessageHandlers(service: CommandService): Record<AgentMessageType, (message: Message) => Promise<void>> {
  return {
    'command-ack': (message) => service.onCommandAck(message),
    'command-status': (message) => service.onCommandStatus(message),
    'command-result': (message) => service.onCommandResult(message),
  };
}
