import { randomUUID } from 'node:crypto';
import { objectKey } from '../../core/storage/object-keys';
import type { TaskEntity } from './entities/task.entity';

// Where a task's binaries live in object storage, and their extensions: written once, for the
// upload (TasksService), the worker (TasksProcessor) and the download's file name.

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4' };

/** Everything of one task: deleting this prefix removes its input and result. */
export function taskPrefix(taskId: string): string {
  return `${objectKey('tasks', taskId)}/`;
}

/** A fresh key per upload, so of two concurrent uploads the loser removes only its own bytes. */
export function newInputKey(taskId: string): string {
  return objectKey('tasks', taskId, `input-${randomUUID()}`);
}

export function resultKey(taskId: string, contentType: string): string {
  return objectKey('tasks', taskId, `result.${EXTENSIONS[contentType] ?? 'bin'}`);
}

/** A video's checkpointed result chunks and their manifest (tasks-processor.service.ts), removed once the result is stored. */
export function checkpointPrefix(taskId: string): string {
  return `${objectKey('tasks', taskId, 'checkpoint')}/`;
}

export function checkpointManifestKey(taskId: string): string {
  return objectKey('tasks', taskId, 'checkpoint', 'manifest.json');
}

export function checkpointChunkKey(taskId: string, index: number): string {
  return objectKey('tasks', taskId, 'checkpoint', `chunk-${index}.mp4`);
}

/** `street.jpg` → `street.anonymised.jpg`; videos always come back as MP4. */
export function resultFileName(task: Pick<TaskEntity, 'fileName' | 'mediaType' | 'resultContentType'>): string {
  const base = task.fileName.replace(/\.[^./\\]{1,8}$/, '') || 'file';
  const image = EXTENSIONS[task.resultContentType ?? ''];
  const ext = task.mediaType === 'video' ? 'mp4' : image && image !== 'mp4' ? image : 'jpg';
  return `${base}.anonymised.${ext}`;
}
