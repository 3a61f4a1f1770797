// The worker process entry: the engine's task table. Each job gets a fresh process, which imports only
// the one task it runs (tfjs and its backend load inside the task, never in the process owning the UI).
import { runWorker, type TaskTable } from './workerHost';

export const engineTasks: TaskTable = {
  importTask: async () => (await import('../engine/tasks/importTask')).importTask,
  trainTask: async () => (await import('../engine/tasks/trainTask')).trainTask,
  pruneTask: async () => (await import('../engine/tasks/pruneTask')).pruneTask,
  sensitivityTask: async () => (await import('../engine/tasks/sensitivityTask')).sensitivityTask,
  exportTask: async () => (await import('../engine/tasks/exportTask')).exportTask,
  exportDatasetTask: async () => (await import('../engine/tasks/exportDatasetTask')).exportDatasetTask,
};

runWorker(engineTasks);
