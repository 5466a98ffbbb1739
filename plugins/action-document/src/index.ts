import { definePlugin } from '@tender/plugin-api';

export default definePlugin({ name: '@tender/action-document', actions: {} });
