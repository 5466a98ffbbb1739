/**
 * `runtimeConfig` of schema 1.2 documents: a map of plugin name → { properties, settings }, normalised into steps
 * so the runner treats 1.2 and 2.x alike. Each step's action and name are the plugin name.
 *
 *   properties: {...}            one step, inputs = the map
 *   properties: [{...}]          one step, inputs = the element (how nearly every 1.2 document is written)
 *   properties: [{...}, {...}]   one step per element, in order; SSM Agent runs them one after another within
 *                                the plugin. Their names are the elements' `id`s (1.2's own per-entry name, e.g.
 *                                "0.aws:runShellScript") when every element has a distinct one, else
 *                                `<plugin>.<index>`
 *   properties: "<text>"         one step, inputs = { properties: "<text>" } (aws:cloudWatch keeps its
 *                                configuration as a JSON string)
 *
 * Keys of a plugin entry are matched without regard to case, as SSM Agent's Go JSON decoding does: SSM itself
 * sends 1.2 documents with `"Properties"` (see the corpus's sendCommand payloads).
 */
import { isActionName } from './action-names.js';
import type { DocumentProblem } from './document-errors.js';
import type { Step } from './document-model.js';
import { formatPath } from './document-path.js';
import type { PathSegment } from './document-path.js';
import { isJsonObject, ownValue } from './json-value.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { readSharedInputs } from './shared-inputs.js';
import { checkInputsTimeout } from './step-input-rules.js';

const PLUGIN_KEYS = ['properties', 'settings', 'description'];

export function readRuntimeConfig(written: JsonValue | undefined, problems: DocumentProblem[]): Step[] {
  if (written === undefined || written === null) {
    problems.push({ path: 'runtimeConfig', problem: 'runtimeConfig is required for schemaVersion 1.2' });
    return [];
  }
  if (!isJsonObject(written) || Object.keys(written).length === 0) {
    problems.push({ path: 'runtimeConfig', problem: 'runtimeConfig must be a map of plugin name to { properties }' });
    return [];
  }
  const steps: Step[] = [];
  for (const [plugin, entry] of Object.entries(written)) {
    steps.push(...readPlugin(plugin, entry, ['runtimeConfig', plugin], problems));
  }
  return steps;
}

function readPlugin(plugin: string, entry: JsonValue, path: PathSegment[], problems: DocumentProblem[]): Step[] {
  let valid = true;
  if (!isActionName(plugin)) {
    valid = false;
    problems.push({ path: formatPath(path), problem: `"${plugin}" is not a plugin name (plugin names look like aws:runShellScript)` });
  }
  if (!isJsonObject(entry)) {
    problems.push({ path: formatPath(path), problem: 'a plugin entry must be a map with properties' });
    return [];
  }
  const keyFor = new Map<string, string>();
  for (const key of Object.keys(entry)) {
    const known = PLUGIN_KEYS.find((name) => name === key.toLowerCase());
    if (known) keyFor.set(known, key);
    else {
      valid = false;
      problems.push({ path: formatPath([...path, key]), problem: `unknown key "${key}" in a plugin entry (expected properties, settings)` });
    }
  }
  const propertiesKey = keyFor.get('properties');
  const properties = propertiesKey === undefined ? undefined : ownValue(entry, propertiesKey);
  if (properties === undefined || properties === null) {
    problems.push({ path: formatPath([...path, 'properties']), problem: 'properties is required' });
    return [];
  }
  const settingsKey = keyFor.get('settings');
  const settings = settingsKey === undefined ? undefined : ownValue(entry, settingsKey);
  const propertiesPath = [...path, propertiesKey!];

  let inputsList: Array<{ inputs: JsonObject; path: PathSegment[] }>;
  if (typeof properties === 'string') inputsList = [{ inputs: { properties }, path: propertiesPath }];
  else if (isJsonObject(properties)) inputsList = [{ inputs: properties, path: propertiesPath }];
  else if (Array.isArray(properties) && properties.length > 0 && properties.every(isJsonObject)) {
    inputsList = (properties as JsonObject[]).map((inputs, index) => ({ inputs, path: [...propertiesPath, index] }));
  } else {
    problems.push({ path: formatPath(propertiesPath), problem: 'properties must be a map, a non-empty list of maps, or a string' });
    return [];
  }

  const names = stepNames(plugin, inputsList.map(({ inputs }) => inputs));
  const steps = inputsList.map(({ inputs, path: inputsPath }, index): Step => {
    const shared = readSharedInputs(inputs, inputsPath, problems);
    checkInputsTimeout(inputs, inputsPath, problems);
    const step: Step = { name: names[index]!, action: plugin, inputs, ...shared };
    if (settings !== undefined && settings !== null) step.settings = settings;
    return step;
  });
  return valid ? steps : [];
}

function stepNames(plugin: string, inputsList: readonly JsonObject[]): string[] {
  if (inputsList.length === 1) return [plugin];
  const ids = inputsList.map((inputs) => ownValue(inputs, 'id'));
  const distinct = new Set(ids);
  if (ids.every((id) => typeof id === 'string' && id !== '') && distinct.size === ids.length) return ids as string[];
  return inputsList.map((_inputs, index) => `${plugin}.${index}`);
}
