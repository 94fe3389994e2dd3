// Small hooks shared by the tabs: loading an API resource, following live events, the URL hash
// route, and turning API errors into field messages or a banner.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, live, request, type LiveState } from './api.js';

export interface Resource<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload(): Promise<void>;
}

/** GETs `path` on mount (and when it changes); `reload` fetches it again. */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const current = useRef(path);
  current.current = path;
  const reload = useCallback(async () => {
    if (path === null) return;
    setLoading(true);
    try {
      const d = await request<T>('GET', path);
      if (current.current === path) {
        setData(d);
        setError(null);
      }
    } catch (err) {
      if (current.current === path) setError(asApiError(err));
    } finally {
      if (current.current === path) setLoading(false);
    }
  }, [path]);
  useEffect(() => {
    setData(null);
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Runs `fn` for each live event of `type` while the component is mounted. */
export function useLive<T>(type: string, fn: (data: T) => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => live.on(type, (d) => ref.current(d as T)), [type]);
}

export function useLiveState(): LiveState {
  const [s, setS] = useState(live.state);
  useEffect(() => live.onState(setS), []);
  return s;
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'ERR_GUI', err instanceof Error ? err.message : String(err));
}

/** The route in the hash: `#/scan/ID/ADDR` → ['scan', 'ID', 'ADDR']. */
export function useRoute(): string[] {
  const read = () =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(...parts: string[]): string {
  return `#/${parts.map((p) => encodeURIComponent(p)).join('/')}`;
}

export interface BannerApi {
  show(message: string, kind?: 'error' | 'info'): void;
}

export const BannerContext = createContext<BannerApi>({ show: () => undefined });

export function useBanner(): BannerApi {
  return useContext(BannerContext);
}

/**
 * Submitting a form: `run` calls the API; an ApiError with a field lands next to that field
 * (`errors[field]`), any other one in the banner. `busy` is true while it runs.
 */
export function useSubmit() {
  const banner = useBanner();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T,>(
      fn: () => Promise<T>,
      knownFields: readonly string[] = [],
    ): Promise<T | undefined> => {
      setBusy(true);
      setErrors({});
      try {
        return await fn();
      } catch (err) {
        const e = asApiError(err);
        const field = e.field && (knownFields.length === 0 || knownFields.includes(e.field));
        if (field && e.field) setErrors({ [e.field]: e.message });
        else banner.show(`${e.message} (${e.code})`);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [banner],
  );
  return { errors, setErrors, busy, run };
}
