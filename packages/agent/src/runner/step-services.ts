/**
 * The document services a step's action gets (ActionContext.services): getDocument (from the control plane, when
 * the agent has a document source) and runDocument (a nested run: nested-document-run.ts). Built per step, so a
 * nested run knows the calling step's instance, run identity, folders and level.
 */
import type { AgentServices, PatchProvider } from '@tender/plugin-api';
import type { LoadedPlugin } from '../plugins/plugin-loader.js';
import { runNestedDocument, type NestedRunSetting } from './nested-document-run.js';

export interface FetchedDocument {
  name: string;
  /** The version number the control plane chose. */
  version: string;
  content: Record<string, unknown>;
}

/** Where documents come from: the control plane, through whatever the agent's transport offers. */
export type DocumentSource = (name: string, version?: string) => Promise<FetchedDocument>;

/**
 * How deep documents nest: the command's own document is level 0, a document it runs level 1, and so on. As
 * SSM Agent's executeCommandMaxDepth, an aws:runDocument that would start level 4 fails instead.
 */
export const MAX_NESTED_DOCUMENT_LEVEL = 3;

export type DocumentServices = Pick<AgentServices, 'getDocument' | 'runDocument'>;

/** `setting.level` is the level of the document the step belongs to. */
export function documentServices(setting: NestedRunSetting): DocumentServices {
  const services: DocumentServices = {
    runDocument: async (document, parameters, io) => {
      const level = setting.level + 1;
      if (level > MAX_NESTED_DOCUMENT_LEVEL) {
        return {
          status: 'Failed',
          exitCode: 1,
          message: `Maximum depth for document execution exceeded: documents nest at most ${MAX_NESTED_DOCUMENT_LEVEL} levels deep, and running ${io.documentName ?? 'this document'} would be level ${level}`,
        };
      }
      return runNestedDocument({ ...setting, level }, document, parameters, io, documentServices);
    },
  };
  const source = setting.documents;
  if (source) services.getDocument = (name, version) => source(name, version);
  return services;
}

/** The patch providers of the loaded plugins, by name (the loader has refused two plugins providing one name). */
export type PatchProviderList = ReadonlyArray<{ name: string; provider: PatchProvider }>;

export function patchProvidersFromPlugins(plugins: readonly Pick<LoadedPlugin, 'plugin'>[]): PatchProviderList {
  return plugins.flatMap(({ plugin }) => Object.entries(plugin.patchProviders ?? {}).map(([name, provider]) => ({ name, provider })));
}

/** services.patchProviders() for AWS-RunPatchBaseline's step; absent when the agent has no patch provider. */
export function patchProviderServices(providers: PatchProviderList | undefined): Pick<AgentServices, 'patchProviders'> {
  if (!providers || providers.length === 0) return {};
  return { patchProviders: () => providers.map((entry) => ({ ...entry })) };
}
