// The UI's entry point: the login (admin token kept in sessionStorage), the navigation and the
// hash router (#/agents, #/agents/ID, #/cis, #/ci/ID, #/relationships, #/scans).
/* global document, window, location, URLSearchParams */
import { agentPage, agentsPage } from './agents.js';
import { clearToken, getToken, setToken, tryToken, whenUnauthorized } from './api.js';
import { ciPage, cisPage, relationshipsPage } from './cmdb.js';
import { h, replace } from './dom.js';
import { scansPage } from './scans.js';
import { errorLine } from './widgets.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');

/** Bumped on every route change: a page whose generation is stale stops drawing and polling. */
let generation = 0;

function showLogin(message) {
  generation++;
  nav.hidden = true;
  const token = h('input', {
    type: 'password',
    id: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'nst_…',
    required: true,
  });
  const result = h('div', null, message ? errorLine(message) : null);
  const submit = h('button', { type: 'submit' }, 'Log in');
  replace(
    main,
    h('h1', null, 'Log in'),
    h(
      'form',
      {
        class: 'login',
        onsubmit: async (ev) => {
          ev.preventDefault();
          const value = token.value.trim();
          replace(result);
          submit.disabled = true;
          try {
            const refused = await tryToken(value);
            if (refused) {
              replace(result, errorLine(refused));
              return;
            }
            setToken(value);
            token.value = '';
            route();
          } catch (err) {
            replace(result, errorLine(err));
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('label', { for: 'token' }, 'Admin token'),
      token,
      submit,
      h(
        'p',
        { class: 'hint' },
        'Create one with: nopesight-platform token create --name NAME --role admin. ' +
          'It is kept in this tab only (sessionStorage) until you log out or close the tab.',
      ),
      result,
    ),
  );
  token.focus();
}

const ROUTES = [
  [/^agents$/, (ctx) => agentsPage(ctx), 'agents'],
  [/^agents\/(.+)$/, (ctx, id) => agentPage(ctx, id), 'agents'],
  [/^cis$/, (ctx) => cisPage(ctx), 'cis'],
  [/^ci\/(.+)$/, (ctx, id) => ciPage(ctx, id), 'cis'],
  [/^relationships$/, (ctx) => relationshipsPage(ctx), 'relationships'],
  [/^scans$/, (ctx) => scansPage(ctx), 'scans'],
];

function route() {
  if (!getToken()) {
    showLogin();
    return;
  }
  const mine = ++generation;
  nav.hidden = false;
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?', 2);
  const found = ROUTES.map(([re, page, section]) => [re.exec(path), page, section]).find(
    ([m]) => m,
  );
  if (!found) {
    location.hash = '#/agents';
    return;
  }
  const [match, page, section] = found;
  for (const a of nav.querySelectorAll('a[data-route]')) {
    a.classList.toggle('current', a.dataset.route === section);
  }
  const ctx = {
    main,
    params: new URLSearchParams(query ?? ''),
    alive: () => generation === mine,
    navigate: (hash) => {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
  };
  let arg;
  try {
    arg = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  } catch {
    arg = match[1];
  }
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  page(ctx, arg).catch((err) => {
    if (ctx.alive()) replace(main, errorLine(err));
  });
}

whenUnauthorized((message) => {
  clearToken();
  showLogin(`The platform refused the token: ${message}`);
});
document.getElementById('logout').addEventListener('click', () => {
  clearToken();
  showLogin();
});
window.addEventListener('hashchange', route);
route();
