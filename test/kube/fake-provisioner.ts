import { CoreV1Api, type KubeConfig, StorageV1Api } from '@kubernetes/client-node';

// The cloud's volume provisioner, as GKE's default StorageClass has it (WaitForFirstConsumer): the
// real scheduler picks the node and annotates the claim, the real PV controller hands it to this
// provisioner, which makes a volume for it; the PV controller binds them and the scheduler binds
// the pod. The runner pod's ephemeral `work` volume goes this way.

export const PROVISIONER = 'pd.csi.storage.gke.io';
const STORAGE_CLASS = 'standard-rwo';

export async function startFakeProvisioner(kubeConfig: KubeConfig): Promise<{ stop(): Promise<void> }> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const storage = kubeConfig.makeApiClient(StorageV1Api);
  await storage
    .createStorageClass({
      body: {
        metadata: {
          name: STORAGE_CLASS,
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        },
        provisioner: PROVISIONER,
        volumeBindingMode: 'WaitForFirstConsumer',
        reclaimPolicy: 'Delete',
      },
    })
    .catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
  const pass = async () => {
    for (const claim of (await core.listPersistentVolumeClaimForAllNamespaces()).items) {
      const annotations = claim.metadata?.annotations ?? {};
      if (
        claim.spec?.volumeName !== undefined ||
        annotations['volume.kubernetes.io/storage-provisioner'] !== PROVISIONER ||
        annotations['volume.kubernetes.io/selected-node'] === undefined
      )
        continue;
      const name = `pvc-${claim.metadata?.uid}`;
      await core
        .createPersistentVolume({
          body: {
            metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
            spec: {
              capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
              accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
              persistentVolumeReclaimPolicy: 'Delete',
              storageClassName: claim.spec?.storageClassName ?? STORAGE_CLASS,
              claimRef: {
                apiVersion: 'v1',
                kind: 'PersistentVolumeClaim',
                namespace: claim.metadata?.namespace ?? '',
                name: claim.metadata?.name ?? '',
                uid: claim.metadata?.uid ?? '',
              },
              // The kubelet here maps the pod's volumes to temp dirs of its own; the path is unused.
              hostPath: { path: `/var/lib/fake-pd/${name}` },
            },
          },
        })
        .catch(() => {});
    }
    // Released volumes (their claim went with its pod) are the provisioner's to delete.
    for (const volume of (await core.listPersistentVolume()).items) {
      if (volume.status?.phase === 'Released')
        await core.deletePersistentVolume({ name: volume.metadata?.name ?? '' }).catch(() => {});
    }
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await pass().catch(() => {});
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
