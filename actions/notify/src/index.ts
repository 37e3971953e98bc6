import { runAction } from '@myco-gates/core';
import { run } from './main.js';
await runAction('notify', run);
