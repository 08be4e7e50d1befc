import type { ReportData, StudyListEntry } from '../data/types.js';
import { el } from './dom.js';
import { formatValue } from './format.js';
import { ReportView } from './report-view.js';

/** The study the address names (`#study=<name>`), if any. */
function selectedStudy(): string | undefined {
  const match = /^#study=(.*)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1] as string) : undefined;
}

/**
 * The dashboard: the study list on the left, the chosen study's views on the right. Both follow
 * the server's event stream (`/api/events`), which sends the list and the chosen study's data
 * whenever they change, so a running study updates without a reload.
 */
export function startDashboard(root: HTMLElement): void {
  const list = el('ul', { className: 'study-list' });
  const status = el('p', { className: 'live-status', attributes: { role: 'status' } });
  // The landing view: every study with its state, progress and best value, each a link to its views.
  const placeholder = el('div', { className: 'landing' });
  const view = new ReportView();
  const main = el('div', { className: 'dashboard-main' }, [placeholder]);
  root.append(el('div', { className: 'dashboard' }, [el('nav', { className: 'sidebar' }, [el('h2', { text: 'Studies' }), list, status]), main]));

  let studies: readonly StudyListEntry[] = [];
  let source: EventSource | undefined;
  let shown: string | undefined;

  const renderList = () => {
    const current = selectedStudy();
    list.replaceChildren(
      ...studies.map((study) => {
        const link = el('a', { attributes: { href: `#study=${encodeURIComponent(study.name)}`, 'data-study': study.name } }, [
          el('span', { className: 'study-name', text: study.name }),
          el('span', { className: `study-state${study.running ? ' running' : ''}`, text: study.state }),
          el('span', {
            className: 'study-progress',
            text: `${study.finished}/${study.maxTrials} done${study.best === null ? '' : ` · best ${study.metric.id} ${formatValue(study.best)}`}`,
          }),
        ]);
        return el('li', { className: study.name === current ? 'selected' : '' }, [link]);
      }),
    );
    if (studies.length === 0) list.replaceChildren(el('li', { className: 'placeholder', text: 'No studies in this study directory yet.' }));
    renderLanding();
  };

  const renderLanding = () => {
    if (studies.length === 0) {
      placeholder.replaceChildren(el('p', { className: 'placeholder', text: 'No studies in this study directory yet: start one with hptune study run, and it appears here.' }));
      return;
    }
    const rows = studies.map((study) =>
      el('tr', { attributes: { 'data-study': study.name } }, [
        el('td', {}, [el('a', { text: study.name, attributes: { href: `#study=${encodeURIComponent(study.name)}` } })]),
        el('td', { className: `study-state${study.running ? ' running' : ''}`, text: study.state }),
        el('td', { className: 'numeric', text: `${study.finished}/${study.maxTrials}` }),
        el('td', { className: 'numeric', text: study.best === null ? '-' : formatValue(study.best) }),
        el('td', { text: study.metric.id }),
        el('td', { text: new Date(study.updateTime).toLocaleString() }),
      ]),
    );
    const head = el('tr', {}, ['study', 'state', 'done', 'best', 'metric', 'updated'].map((text) => el('th', { text })));
    placeholder.replaceChildren(
      el('h2', { text: `${studies.length} ${studies.length === 1 ? 'study' : 'studies'}: choose one to see its trials and charts` }),
      el('table', { className: 'trials landing-studies' }, [el('thead', {}, [head]), el('tbody', {}, rows)]),
    );
  };

  const connect = () => {
    source?.close();
    const study = selectedStudy();
    if (study === undefined && shown !== undefined) {
      main.replaceChildren(placeholder);
      shown = undefined;
    }
    source = new EventSource(`api/events${study === undefined ? '' : `?study=${encodeURIComponent(study)}`}`);
    source.addEventListener('open', () => (status.textContent = 'live'));
    source.addEventListener('error', () => (status.textContent = 'reconnecting...'));
    source.addEventListener('studies', (event) => {
      studies = JSON.parse((event as MessageEvent<string>).data) as StudyListEntry[];
      renderList();
      if (selectedStudy() === undefined && studies.length === 1) location.hash = `study=${encodeURIComponent((studies[0] as StudyListEntry).name)}`;
    });
    source.addEventListener('report', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as ReportData;
      if (data.study.name !== selectedStudy()) return;
      if (shown !== data.study.name) {
        main.replaceChildren(view.element);
        shown = data.study.name;
      }
      view.update(data);
      status.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    });
    source.addEventListener('missing', (event) => {
      main.replaceChildren(el('p', { className: 'placeholder', text: `No study named ${JSON.parse((event as MessageEvent<string>).data) as string} in this study directory.` }));
      shown = undefined;
    });
  };

  window.addEventListener('hashchange', () => {
    renderList();
    connect();
  });
  connect();
}
