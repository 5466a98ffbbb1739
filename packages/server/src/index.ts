export { startControlPlane, type RunningControlPlane } from './control-plane.js';
export { SERVER_DEFAULTS, validateServerConfig, type ServerConfig } from './config.js';
export type { RegistrationResponse, RegistrationRequest } from './instances/registration-service.js';
export type { PlatformInfo, PingStatus } from './instances/instance-registry.js';
export { verifyAuditFile } from './audit/verify-audit-file.js';
export { parsePolicy, evaluate, ADMIN_POLICY, type PolicyDocument } from './api/auth/policy.js';
export { MosquittoDynsecAdmin, ensureDynsecDefaults, type DynsecResponse } from './broker/mosquitto-dynsec.js';
export type { BrokerAdmin } from './broker/broker-admin.js';
export { compareVersions, type InventoryService, type HistoryEntry, type InventoryRow } from './inventory/index.js';
