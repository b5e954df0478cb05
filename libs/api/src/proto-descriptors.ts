/**
 * The gateway's .proto files as a serialized FileDescriptorSet (gateway.proto and every file it
 * imports), from the descriptors ts-proto generates with outputSchema: what gRPC server reflection
 * serves, so grpcurl and other tools can call the gateway without the .proto files.
 */
import { FileDescriptorProto, FileDescriptorSet } from "ts-proto-descriptors";
import { protoMetadata, type ProtoMetadata } from "./gen/capstan/v1/gateway.js";

export function gatewayFileDescriptorSet(): Uint8Array {
  const files = new Map<string, FileDescriptorProto>();
  const visit = (m: ProtoMetadata): void => {
    const name = m.fileDescriptor.name ?? "";
    if (files.has(name)) return;
    // Dependencies first, as a descriptor set orders them.
    for (const dependency of m.dependencies ?? []) visit(dependency);
    files.set(name, FileDescriptorProto.fromPartial(m.fileDescriptor));
  };
  visit(protoMetadata);
  return FileDescriptorSet.encode({ file: [...files.values()] }).finish();
}
