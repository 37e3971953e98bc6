import * as core from '@actions/core';
import { hello } from '@myco-gates/core';
core.info(hello());
