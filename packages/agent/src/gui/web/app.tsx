// The shell: header with the agent's and the platform channel's state, the tab bar (tabs live in
// the URL hash so they are linkable and the back button works), the banner, and the current tab.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { live, loadSession, request } from './api.js';
import { asApiError, BannerContext, href, useLive, useLiveState, useRoute } from './hooks.js';
import type { Session, StatusView } from './types.js';
import { CredentialsTab } from './tabs/credentials.js';
import { IntegrationsTab } from './tabs/integrations.js';
import { ScanTab } from './tabs/scan.js';
import { SchedulerTab } from './tabs/scheduler.js';
import { ServiceTab } from './tabs/service.js';
import { StatusTab } from './tabs/status.js';
import { channelOf, daemonRunning } from './tabs/status-cards.js';

const TABS = [
  { id: 'integrations', label: 'Integrations' },
  { id: 'credentials', label: 'Credentials' },
  { id: 'scan', label: 'Scan' },
  { id: 'scheduler', label: 'Scheduler' },
  { id: 'service', label: 'Service' },
  { id: 'status', label: 'Status' },
] as const;

type Banner = { id: number; message: string; kind: 'error' | 'info' };

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [banners, setBanners] = useState<Banner[]>([]);
  const route = useRoute();

  useEffect(() => {
    loadSession()
      .then((s) => {
        setSession(s);
        live.start();
      })
      .catch((err) => {
        const e = asApiError(err);
        setFatal(
          e.status === 401
            ? 'This page is not signed in. Open the address `nopesight-scanner gui` printed (it carries a one-time token), or restart it for a new one.'
            : `${e.message} (${e.code})`,
        );
      });
  }, []);

  // Errors stay until dismissed; confirmations go by themselves after a few seconds.
  const show = useCallback((message: string, kind: 'error' | 'info' = 'error') => {
    const id = Date.now() + Math.random();
    setBanners((b) => [...b.filter((x) => x.message !== message), { id, message, kind }]);
    if (kind === 'info') setTimeout(() => setBanners((b) => b.filter((x) => x.id !== id)), 5000);
  }, []);
  const bannerApi = useMemo(() => ({ show }), [show]);

  const tab = TABS.some((t) => t.id === route[0]) ? route[0]! : 'scan';
  useEffect(() => {
    const label = TABS.find((t) => t.id === tab)?.label ?? '';
    document.title = `${label} · NopeSight Scanner`;
  }, [tab]);

  if (fatal) {
    return (
      <div class="locked" role="alert">
        <h1>NopeSight Scanner</h1>
        <p>{fatal}</p>
      </div>
    );
  }

  return (
    <BannerContext.Provider value={bannerApi}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header session={session} />
      <nav class="tabs" aria-label="Sections">
        {TABS.map((t) => (
          <a
            key={t.id}
            href={href(t.id)}
            data-tab={t.id}
            aria-current={t.id === tab ? 'page' : undefined}
          >
            {t.label}
          </a>
        ))}
      </nav>
      <div class="banners" aria-live="polite">
        {banners.map((b) => (
          <div class={`banner ${b.kind}`} role="alert" key={b.id}>
            <span>{b.message}</span>
            <button
              type="button"
              class="icon"
              aria-label="Dismiss"
              onClick={() => setBanners((all) => all.filter((x) => x.id !== b.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
      <main id="main" tabIndex={-1} data-view={tab}>
        {session ? <Tab id={tab} route={route.slice(1)} session={session} /> : <Loading />}
      </main>
    </BannerContext.Provider>
  );
}

function Tab({ id, route, session }: { id: string; route: string[]; session: Session }) {
  switch (id) {
    case 'integrations':
      return <IntegrationsTab />;
    case 'credentials':
      return <CredentialsTab />;
    case 'scheduler':
      return <SchedulerTab />;
    case 'service':
      return <ServiceTab session={session} />;
    case 'status':
      return <StatusTab />;
    default:
      return <ScanTab route={route} />;
  }
}

/** Loading…, or the error that ended the loading (a resource whose GET failed). */
export function Loading({
  children,
  error,
}: {
  children?: ComponentChildren;
  error?: { message: string } | null;
}) {
  if (error) return <p class="error">{error.message}</p>;
  return (
    <p class="loading" aria-busy="true">
      {children ?? 'Loading…'}
    </p>
  );
}

/** Brand, the platform channel, the daemon, and whether live updates flow. */
function Header({ session }: { session: Session | null }) {
  const [status, setStatus] = useState<StatusView | null>(null);
  const liveState = useLiveState();
  useEffect(() => {
    if (!session) return;
    request<StatusView>('GET', '/status')
      .then(setStatus)
      .catch(() => undefined);
  }, [session]);
  useLive<StatusView>('status', setStatus);
  const channel = status ? channelOf(status) : null;
  const daemon = status && daemonRunning(status) ? 'running' : 'stopped';
  return (
    <header class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          ◎
        </span>
        <span class="name">NopeSight Scanner</span>
        {session && <span class="version">v{session.version}</span>}
      </div>
      <div class="state" data-header-state>
        <span class="pill" data-pill="channel" data-state={channel?.state ?? 'none'}>
          <span class="dot" aria-hidden="true" />
          Platform: {channel ? channel.state : 'not connected'}
        </span>
        <span class="pill" data-pill="daemon" data-state={daemon}>
          <span class="dot" aria-hidden="true" />
          Agent{' '}
          {daemon === 'running' ? `running (pid ${status?.agent?.pid})` : 'daemon not running'}
        </span>
        <span class="pill" data-pill="live" data-state={liveState}>
          <span class="dot" aria-hidden="true" />
          {liveState === 'live'
            ? 'Live'
            : liveState === 'connecting'
              ? 'Connecting…'
              : 'Reconnecting…'}
        </span>
        {session && (
          <span class="datadir" title="Data directory">
            {session.dataDir}
          </span>
        )}
      </div>
    </header>
  );
}
