// /api/service: the system service as `service install|uninstall|start|stop|status` manage it
// (service/manager.ts: the same plan, checks and step executor). Where this process cannot
// manage services (not root, no systemd as PID 1) it says so instead of trying.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { processDataDirEnvironment } from '../../../config/data-dir.js';
import { ScannerError } from '../../../errors.js';
import {
  checkServiceHost,
  describeStep,
  runServiceSteps,
  servicePlan,
  type ServiceAction,
  type ServicePlan,
} from '../../../service/manager.js';
import { checkServiceSpec, packageBinPath, serviceDataDir } from '../../../service/spec.js';
import type { GuiContext, Route } from '../context.js';

const MAX_STATUS_TEXT = 4096;

/** The plan `service` would make here: this GUI's data directory when one was chosen. */
function planFor(ctx: GuiContext): ServicePlan {
  const host = ctx.serviceHost();
  const dataDir =
    ctx.dataDirChoice !== undefined
      ? resolve(ctx.dataDirChoice)
      : serviceDataDir({ ...processDataDirEnvironment(ctx.env), platform: host.platform });
  const spec = checkServiceSpec(
    { nodePath: process.execPath, binPath: packageBinPath(), dataDir },
    host.platform,
  );
  return servicePlan(host.platform, spec);
}

/** Why `action` cannot be done by this process (the check's code and words); null when it can. */
function cannot(
  ctx: GuiContext,
  plan: ServicePlan,
  action: ServiceAction,
): { code: string; message: string } | null {
  try {
    checkServiceHost(plan, action, ctx.serviceHost());
    return null;
  } catch (err) {
    if (err instanceof ScannerError) return { code: err.code, message: err.message };
    throw err;
  }
}

export const serviceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/service',
    async handle(ctx) {
      let plan: ServicePlan;
      try {
        plan = planFor(ctx);
      } catch (err) {
        if (!(err instanceof ScannerError)) throw err;
        const body = {
          manager: null,
          installed: false,
          running: false,
          status: '',
          canManage: false,
          reason: err.message,
          reasonCode: err.code,
        };
        return { status: 200, body };
      }
      const reason = cannot(ctx, plan, 'install');
      const statusReason = cannot(ctx, plan, 'status');
      let running: boolean | null = null;
      let status = '';
      if (statusReason === null) {
        const result = await runServiceSteps(
          plan.steps.status,
          ctx.serviceHost(),
          () => undefined,
        ).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
        if (result) {
          running = plan.running(result);
          status = (result.stdout || result.stderr).slice(0, MAX_STATUS_TEXT);
        }
      } else {
        status = statusReason.message;
      }
      return {
        status: 200,
        body: {
          manager: plan.system,
          installed: existsSync(plan.definition.path),
          running,
          status,
          unitPath: plan.definition.path,
          canManage: reason === null,
          ...(reason !== null ? { reason: reason.message, reasonCode: reason.code } : {}),
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/service/preview',
    async handle(ctx) {
      const plan = planFor(ctx);
      const platform = ctx.serviceHost().platform;
      return {
        status: 200,
        body: {
          manager: plan.system,
          path: plan.definition.path,
          definition: plan.definition.text,
          steps: Object.fromEntries(
            (['install', 'uninstall', 'start', 'stop'] as const).map((a) => [
              a,
              plan.steps[a].map((s) => describeStep(s, platform)),
            ]),
          ),
        },
      };
    },
  },
  ...(['install', 'uninstall', 'start', 'stop'] as const).map((action): Route => ({
    method: 'POST',
    path: `/service/${action}`,
    async handle(ctx) {
      const plan = planFor(ctx);
      const host = ctx.serviceHost();
      checkServiceHost(plan, action, host);
      const steps: string[] = [];
      ctx.log.info(`service ${action} requested from the GUI`, { manager: plan.system });
      try {
        await runServiceSteps(plan.steps[action], host, (line) => steps.push(line));
      } catch (err) {
        ctx.log.error(`service ${action} failed`, { error: (err as Error).message, steps });
        throw err;
      }
      ctx.log.info(`service ${action}: done`, { steps });
      return { status: 200, body: { ok: true, action, steps } };
    },
  })),
];
