import { runTool } from '@sc/core';
import { tool } from './tool.js';

await runTool(tool);
