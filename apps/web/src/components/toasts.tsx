// Toast notifications (the 3D-client contract): success / error / info, stacked newest on top, auto-dismissed, closable.

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
}

/** How long a toast stays. @default 6000 */
export const TOAST_TIMEOUT_MS = 6000;
/** Toasts shown at once; older ones are dropped. @default 5 */
export const MAX_TOASTS = 5;

type Push = (toast: Omit<Toast, 'id'>) => void;

const ToastContext = createContext<Push>(() => {});

/** Push a toast from anywhere below `<ToastProvider>`. */
export function useToast(): Push {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const push = useCallback<Push>((toast) => {
    const id = next.current++;
    setToasts((prev) => [{ ...toast, id }, ...prev].slice(0, MAX_TOASTS));
  }, []);
  const dismiss = useCallback((id: number) => setToasts((prev) => prev.filter((t) => t.id !== id)), []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" aria-live="polite" aria-label="Notifications">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const t = setTimeout(() => onDismiss(toast.id), TOAST_TIMEOUT_MS);
    return () => clearTimeout(t);
  }, [toast.id, onDismiss]);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid="toast" data-kind={toast.kind}>
      <div className="toast-text">
        <strong>{toast.title}</strong>
        {toast.body ? <span>{toast.body}</span> : null}
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
