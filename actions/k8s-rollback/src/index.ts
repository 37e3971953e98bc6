import { runAction } from '@myco-gates/core';
import { run } from './main.js';
await runAction('k8s-rollback', run);
