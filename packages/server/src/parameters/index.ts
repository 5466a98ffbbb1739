export { ParameterService, type ParameterServiceOptions, type ParameterView, type PutParameterRequest, type ResolvedReference } from './parameter-service.js';
export { parameterOperations } from './operations.js';
