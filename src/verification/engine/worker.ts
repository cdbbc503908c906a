// Worker-thread entry of the engine pool (pool.ts): serves the production engine tasks (thread.ts).
import { engineTasks, serveTasks } from './thread.js';

serveTasks(engineTasks);
