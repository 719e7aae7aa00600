// The plain statement about what a donor's browser sees.
import type { JSX } from 'solid-js';
import { bt } from './browse-i18n.ts';

/** Explains that the donor terminates TLS, and what that means for the person browsing. */
export function TlsNotice(): JSX.Element {
  return (
    <section class="tls-notice panel-section" aria-labelledby="tls-heading">
      <h2 id="tls-heading">{bt('browse_tls_heading')}</h2>
      <p>{bt('browse_tls_notice')}</p>
    </section>
  );
}
