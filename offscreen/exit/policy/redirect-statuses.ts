// The statuses fetch treats as redirects (Fetch standard, "redirect status"). A module of its own so
// the service worker's webRequest listener shares it without pulling in the exit and its policy.

/** Statuses the exit follows hop by hop; every other status is a final response. */
export const redirectStatuses: readonly number[] = [301, 302, 303, 307, 308];
