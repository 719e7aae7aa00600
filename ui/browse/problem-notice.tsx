// What went wrong, in words for the person, with the one action that helps.
import { Match, Show, Switch, type JSX } from 'solid-js';
import { uiLanguage } from '../common/i18n.ts';
import { bt, type BrowseMessageKey } from './browse-i18n.ts';
import type { ProblemCause, ProblemKind } from './browse-problems.ts';
import type { BrowseActions, BrowseState, ShownProblem } from './browse-store.ts';
import { countryDisplayName } from './country-label.ts';

const problemMessages: Record<Exclude<ProblemKind, 'no-donor' | 'download-status'>, BrowseMessageKey> = {
  'donor-left': 'browse_problem_donor_left',
  policy: 'browse_problem_policy',
  unreachable: 'browse_problem_unreachable',
  'connect-failed': 'browse_problem_connect_failed',
  signaling: 'browse_problem_signaling',
  limited: 'browse_problem_limited',
  payment: 'browse_problem_payment',
  'too-large': 'browse_problem_too_large',
  'bad-address': 'browse_problem_bad_address',
  other: 'browse_problem_other',
};

// What the donor said went wrong, when it said so in words this version knows (browse-problems.ts).
const causeMessages: Record<ProblemCause, BrowseMessageKey> = {
  lan: 'browse_problem_policy_lan',
  loopback: 'browse_problem_policy_loopback',
  'link-local': 'browse_problem_policy_link_local',
  'not-public': 'browse_problem_policy_not_public',
  scheme: 'browse_problem_policy_scheme',
  port: 'browse_problem_policy_port',
  'too-many-redirects': 'browse_problem_too_many_redirects',
  'redirect-loop': 'browse_problem_redirect_loop',
  'not-found': 'browse_problem_not_found',
  'site-down': 'browse_problem_site_down',
  timeout: 'browse_problem_timeout',
};

/** The sentence for `problem`, given the route the person chose. */
export function problemText(problem: ShownProblem, state: BrowseState): string {
  if (problem.cause !== undefined) return bt(causeMessages[problem.cause]);
  switch (problem.kind) {
    case 'no-donor': {
      const route = state.route;
      if (route.mode === 'donor') return bt('browse_problem_no_such_donor');
      if (route.mode === 'country') return bt('browse_problem_no_donor_country', [countryDisplayName(route.country, uiLanguage()) ?? route.country]);
      return bt('browse_problem_no_donor');
    }
    case 'download-status':
      return bt('browse_problem_download_status', [problem.detail.replace(/\D+/g, '')]);
    default:
      return bt(problemMessages[problem.kind]);
  }
}

/** Props of ProblemNotice: the store's state and actions. */
export interface ProblemNoticeProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** The current problem, if any. */
export function ProblemNotice(props: ProblemNoticeProps): JSX.Element {
  return (
    <Show when={props.state.problem}>
      {(problem) => (
        <div class="notice problem" role="alert" data-problem={problem().kind} data-cause={problem().cause}>
          <p>{problemText(problem(), props.state)}</p>
          <Show when={problem().kind !== 'bad-address' && problem().detail}>
            <details>
              <summary>{bt('browse_problem_details')}</summary>
              <p class="ltr-token break">{problem().detail}</p>
            </details>
          </Show>
          <div class="actions">
            <Switch>
              <Match when={problem().kind === 'donor-left' || problem().kind === 'payment'}>
                <button type="button" class="next-donor" onClick={() => void props.actions.anotherDonor()} disabled={props.state.switching}>
                  {bt('browse_next_donor')}
                </button>
              </Match>
              <Match when={problem().kind === 'signaling' && props.state.engine === 'failed'}>
                <button type="button" onClick={() => void props.actions.start()}>
                  {bt('browse_retry')}
                </button>
              </Match>
              <Match when={problem().kind === 'too-large' && problem().url}>
                {(url) => (
                  <button type="button" onClick={() => props.actions.download(url())}>
                    {bt('browse_download_instead')}
                  </button>
                )}
              </Match>
              <Match when={problem().url && problem().kind !== 'policy'}>
                <button type="button" onClick={() => props.actions.reload()}>
                  {bt('browse_retry')}
                </button>
              </Match>
            </Switch>
            <button type="button" class="secondary" onClick={() => props.actions.dismissProblem()}>
              {bt('browse_dismiss')}
            </button>
          </div>
        </div>
      )}
    </Show>
  );
}

/** Props of UnsupportedFormNotice: the store's state and actions. */
export interface FormNoticeProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** Says that a form wanted to POST, which the view cannot send yet. */
export function UnsupportedFormNotice(props: FormNoticeProps): JSX.Element {
  return (
    <Show when={props.state.unsupportedForm}>
      <div class="notice" role="status">
        <p>{bt('browse_form_unsupported')}</p>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => props.actions.dismissUnsupportedForm()}>
            {bt('browse_dismiss')}
          </button>
        </div>
      </div>
    </Show>
  );
}

/** Props of ScriptsNotice: the store's state and actions. */
export interface ScriptsNoticeProps {
  state: BrowseState;
  actions: BrowseActions;
}

/** Says that the page shown is built by scripts, which the view does not run, with the raw response one click away. */
export function ScriptsNotice(props: ScriptsNoticeProps): JSX.Element {
  const showRaw = (): void => {
    props.actions.setRawResponseOpen(true);
    // The raw response sits in the side panel: bring it into view and put the keyboard there.
    const details = document.getElementById('response-details');
    details?.scrollIntoView({ block: 'start' });
    details?.querySelector('summary')?.focus();
  };
  return (
    <Show when={props.state.needsScripts && !props.state.loading && !props.state.problem}>
      <div class="notice scripts-notice" role="status">
        <p>{bt('browse_needs_scripts')}</p>
        <div class="actions">
          <button type="button" class="show-raw" onClick={showRaw}>
            {bt('browse_show_raw_response')}
          </button>
        </div>
      </div>
    </Show>
  );
}
