// The log viewer: one of the five JSON-lines logs, filtered by level, following new lines live.
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api.js';
import { asApiError, useLive } from '../hooks.js';
import { LOG_NAMES, type LogEntry, type LogName } from '../types.js';
import { Card } from '../ui/empty.js';

const LEVELS = ['debug', 'info', 'warn', 'error'];
const KEEP = 2000;
const ABOUT: Record<LogName, string> = {
  agent: 'scans',
  service: 'service life',
  scheduler: 'schedule runs',
  integrations: 'platform uploads and channel',
  app: 'GUI and CLI edits',
};

export function LogViewer() {
  const [name, setName] = useState<LogName>('agent');
  const [level, setLevel] = useState('info');
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let gone = false;
    setLines([]);
    setError(null);
    request<{ lines: LogEntry[] }>('GET', `/logs/${name}?lines=500`)
      .then((r) => !gone && setLines(r.lines))
      .catch((err) => !gone && setError(asApiError(err).message));
    return () => {
      gone = true;
    };
  }, [name]);

  useLive<{ name: string; entry: LogEntry }>('log', (d) => {
    if (follow && d.name === name) setLines((l) => [...l, d.entry].slice(-KEEP));
  });

  const min = LEVELS.indexOf(level);
  const shown = lines.filter((l) => l.level === undefined || LEVELS.indexOf(l.level) >= min);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length, follow]);

  return (
    <Card
      title="Logs"
      class="wide"
      actions={
        <div class="log-controls">
          <label>
            Log{' '}
            <select
              id="log-name"
              value={name}
              onChange={(e) => setName((e.target as HTMLSelectElement).value as LogName)}
            >
              {LOG_NAMES.map((n) => (
                <option key={n} value={n}>
                  {n}.log — {ABOUT[n]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Level{' '}
            <select
              id="log-level"
              value={level}
              onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}
            >
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l} and above
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              id="log-follow"
              checked={follow}
              onChange={(e) => setFollow((e.target as HTMLInputElement).checked)}
            />
            Follow
          </label>
        </div>
      }
    >
      {error && <p class="error">{error}</p>}
      <div class="log" ref={box} data-log={name} tabIndex={0} aria-label={`${name}.log`}>
        {shown.length === 0 ? (
          <p class="muted pad" data-empty>
            {lines.length === 0 ? `${name}.log is empty.` : 'No lines at this level.'}
          </p>
        ) : (
          <table class="log-lines">
            <tbody>
              {shown.map((l, i) => {
                const { ts, level: lv, msg, raw, ...fields } = l;
                const extra = Object.keys(fields).length > 0 ? JSON.stringify(fields) : '';
                return (
                  <tr key={i} data-level={lv}>
                    <td class="ts">{ts ? ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''}</td>
                    <td class="lv">
                      <span class="level" data-level={lv}>
                        {lv}
                      </span>
                    </td>
                    <td class="msg">
                      {msg ?? raw}
                      {extra && <span class="fields"> {extra}</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </Card>
  );
}
