// Modal dialogs on the native <dialog>: focus stays inside, Esc closes, the opener gets focus back.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export function Dialog({
  title,
  onClose,
  children,
  wide,
  name,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  name?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    // The field marked autofocus, else the first one that can be edited (not the × button).
    const first =
      d?.querySelector<HTMLElement>('[autofocus]') ??
      d?.querySelector<HTMLElement>(
        '.dialog-body :is(input, select, textarea, button):not([disabled]):not([readonly]):not([type=hidden])',
      );
    first?.focus();
    return () => opener?.focus?.();
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? 'wide' : undefined}
      aria-labelledby="dialog-title"
      data-dialog={name}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <header>
        <h2 id="dialog-title">{title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}

/** "Are you sure?" with a danger button; `onConfirm` may be async (the button waits). */
export function Confirm({
  title,
  message,
  action,
  onConfirm,
  onClose,
}: {
  title: string;
  message: ComponentChildren;
  action: string;
  onConfirm: () => Promise<unknown> | void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={title} onClose={onClose} name="confirm">
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            onClose();
          }
        }}
      >
        <p>{message}</p>
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy} autofocus>
            {action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
