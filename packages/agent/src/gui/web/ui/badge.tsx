// Status badges: the seven protocol statuses, scan states and on/off facts, each with its colour.
import type { ComponentChildren } from 'preact';

const STATUS_LABEL: Record<string, string> = {
  success: 'success',
  failed: 'failed',
  timeout: 'timeout',
  unauthorized: 'unauthorized',
  unreachable: 'unreachable',
  no_access: 'no access',
  rpc_error: 'RPC error',
};

/** A coloured pill; `status` picks the colour (data-status, styled in styles.css). */
export function Badge({
  status,
  children,
  title,
}: {
  status: string;
  children?: ComponentChildren;
  title?: string | undefined;
}) {
  return (
    <span class="badge" data-status={status} title={title}>
      {children ?? STATUS_LABEL[status] ?? status.replace(/_/g, ' ')}
    </span>
  );
}
