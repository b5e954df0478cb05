import { describe, expect, it } from "vitest";
import { describeStorageClass } from "./describe.js";

describe("describe storageclass", () => {
  it("prints the class as kubectl", () => {
    const localPath = {
      metadata: { name: "local-path", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "capstan.io/local-path",
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
    };
    expect(describeStorageClass(localPath)).toEqual([
      "Name:             local-path",
      "IsDefaultClass:   Yes",
      "Annotations:      storageclass.kubernetes.io/is-default-class=true",
      "Provisioner:      capstan.io/local-path",
      "Parameters:       <none>",
      "AllowVolumeExpansion: <unset>",
      "MountOptions:     <none>",
      "ReclaimPolicy:    Delete",
      "VolumeBindingMode: WaitForFirstConsumer",
    ]);
  });

  it("lists mount options and allowed topologies, a line each", () => {
    const zoned = {
      metadata: { name: "zoned" },
      provisioner: "example.com/disk",
      parameters: { type: "ssd" },
      allowVolumeExpansion: true,
      mountOptions: ["noatime", "ro"],
      allowedTopologies: [{ matchLabelExpressions: [{ key: "zone", values: ["z1", "z2"] }, { key: "rack", values: ["r1"] }] }],
    };
    expect(describeStorageClass(zoned).slice(3)).toEqual([
      "Provisioner:      example.com/disk",
      "Parameters:       type=ssd",
      "AllowVolumeExpansion: True",
      "MountOptions:",
      "  noatime",
      "  ro",
      "AllowedTopologies:",
      "  Term 0:  zone in [z1, z2]",
      "           rack in [r1]",
    ]);
  });
});
