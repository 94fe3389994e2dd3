// The explicit list of CLI commands (no registration by import side effects).
import type { Command } from '../io.js';
import { scanCommand } from './scan.js';
import { credentialsCommand } from './credentials.js';
import { hostKeysCommand } from './host-keys.js';
import { integrationCommand } from './integration.js';
import { uploadsCommand } from './uploads.js';
import { agentCommand } from './agent.js';
import { scheduleCommand } from './schedule.js';
import { serviceCommand } from './service.js';
import { daemonCommand } from './daemon.js';
import { guiCommand } from './gui.js';

export const COMMANDS: Command[] = [
  scanCommand,
  credentialsCommand,
  hostKeysCommand,
  integrationCommand,
  uploadsCommand,
  agentCommand,
  scheduleCommand,
  serviceCommand,
  daemonCommand,
  guiCommand,
];
