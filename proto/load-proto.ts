import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './gen/gatehouse.ts';

/** Absolute path of the API contract. */
export const PROTO_PATH = fileURLToPath(new URL('./gatehouse/v1/gatehouse.proto', import.meta.url));

/**
 * proto-loader options; they must match the flags used to generate `proto/gen`
 * (`npm run gen:proto`): int64 as JS numbers, enums as their names, defaults filled in.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cachedDefinition: protoLoader.PackageDefinition | undefined;
let cached: ProtoGrpcType | undefined;

/**
 * Loads (once) proto-loader's package definition: every service and message of the API with
 * its descriptor, keyed by fully qualified name (the server's strict wire check reads these).
 */
export function loadGatehousePackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  return cachedDefinition;
}

/** Loads (once) the gatehouse.v1 package with its generated types. */
export function loadGatehouseProto(): ProtoGrpcType {
  if (cached) return cached;
  // The generated ProtoGrpcType describes exactly what loadPackageDefinition returns for this
  // proto and these options; grpc-js types the result loosely, so this is the one cast.
  cached = grpc.loadPackageDefinition(loadGatehousePackageDefinition()) as unknown as ProtoGrpcType;
  return cached;
}
