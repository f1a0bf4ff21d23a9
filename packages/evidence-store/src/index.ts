export { FileEvidenceStore } from './file-store.js';
export { EvidenceStoreError } from './errors.js';
export type { EvidenceStore, EvidenceObject, PackScan, StoredLocation, WrittenPack } from './store.js';
export type { FileEvidenceStoreOptions } from './file-store.js';
export type { EvidenceStoreErrorCode } from './errors.js';
