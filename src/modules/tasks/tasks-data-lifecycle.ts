import { storedItemsLifecycle } from '../../core/data-lifecycle/data-lifecycle-providers';
import { TasksRepository } from './tasks.repository';

/** Tasks' part of erasure and retention (docs/data-lifecycle.md): original and result under `tasks/<id>/`. */
export const TasksDataLifecycle = storedItemsLifecycle({ name: 'tasks', prefix: 'tasks', store: TasksRepository });
