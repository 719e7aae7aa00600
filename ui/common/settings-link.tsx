// A link to the settings page that opens it with `open` (openOptionsPage reuses an open settings
// tab); the href keeps it a real link for keyboards, screen readers and middle clicks.
import type { JSX } from 'solid-js';

/** Props of SettingsLink. */
export interface SettingsLinkProps {
  id: string;
  open: () => void;
  children: JSX.Element;
}

/** "Settings", opened the extension's way. */
export function SettingsLink(props: SettingsLinkProps): JSX.Element {
  return (
    <a
      id={props.id}
      href="/options.html"
      onClick={(event) => {
        event.preventDefault();
        props.open();
      }}
    >
      {props.children}
    </a>
  );
}
