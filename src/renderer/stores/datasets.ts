// Datasets known to the services: the list, details on demand, and import requests.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { PayloadIn } from '../../shared/api';
import type { DatasetDetail, DatasetSummary } from '../../shared/dto';
import type { FolderFile, UploadProgress } from '../api/client';
import type { ImportOptionsWithoutPath } from '../../shared/wire';
import { useApi } from '../api/inject';

export const useDatasetsStore = defineStore('datasets', () => {
  const api = useApi();
  const list = shallowRef<DatasetSummary[]>([]);
  const loaded = ref(false);
  const details = shallowRef<Record<string, DatasetDetail>>({});

  async function load() {
    list.value = await api.call('datasets.list', {});
    loaded.value = true;
  }

  async function fetchDetail(id: string): Promise<DatasetDetail> {
    const detail = await api.call('datasets.get', { id });
    details.value = { ...details.value, [id]: detail };
    return detail;
  }

  async function importPath(options: PayloadIn<'datasets.import'>): Promise<string> {
    const { jobId } = await api.call('datasets.import', options);
    return jobId;
  }

  const canUpload = api.uploadFolder !== null;

  async function importUpload(
    files: FolderFile[],
    options: ImportOptionsWithoutPath,
    onProgress?: (p: UploadProgress) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    if (!api.uploadFolder) throw new Error('uploading a folder is only needed (and possible) in serve mode');
    const { jobId } = await api.uploadFolder(files, options, onProgress, signal);
    return jobId;
  }

  /** Deletes a dataset; `deleteRuns` must be true when runs use it (they go with it). */
  async function remove(id: string, deleteRuns = false): Promise<number> {
    const { runsDeleted } = await api.call('datasets.delete', { id, deleteRuns });
    list.value = list.value.filter((d) => d.id !== id);
    const { [id]: _gone, ...rest } = details.value;
    details.value = rest;
    return runsDeleted;
  }

  async function rename(id: string, name: string): Promise<DatasetDetail> {
    const detail = await api.call('datasets.rename', { id, name });
    details.value = { ...details.value, [id]: detail };
    list.value = list.value.map((d) => (d.id === id ? { ...d, name: detail.name } : d));
    return detail;
  }

  function forget(id: string) {
    const { [id]: _gone, ...rest } = details.value;
    details.value = rest;
  }

  return {
    list,
    loaded,
    details,
    canUpload,
    load,
    fetchDetail,
    importPath,
    importUpload,
    remove,
    rename,
    forget,
  };
});
