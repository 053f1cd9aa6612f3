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

let cached: ProtoGrpcType | undefined;

/** Loads (once) the gatehouse.v1 package with its generated types. */
export function loadGatehouseProto(): ProtoGrpcType {
  if (cached) return cached;
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  // The generated ProtoGrpcType describes exactly what loadPackageDefinition returns for this
  // proto and these options; grpc-js types the result loosely, so this is the one cast.
  cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return cached;
}
