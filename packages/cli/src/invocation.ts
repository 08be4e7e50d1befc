/**
 * How the user started hptune, so that a hint offers a command they can paste: `pnpm hptune` from
 * this repository (or any pnpm project: `pnpm <bin>` runs an installed binary), `npx hptune`,
 * `npm run hptune --` for a package script named `hptune`, else `hptune`.
 *
 * Read from what package managers put in the environment of what they start:
 * `npm_lifecycle_event` (the script's name; `npx` for `npm exec`/`npx`) and
 * `npm_config_user_agent` (`pnpm/12.4.2 ...`, `npm/11 ...`, `yarn/...`). A script with another name
 * (say `pnpm test` running hptune in a test) says nothing about what the user typed: plain `hptune`.
 */
export function invocationOf(env: Readonly<Record<string, string | undefined>>): string {
  const event = env.npm_lifecycle_event;
  const agent = env.npm_config_user_agent ?? '';
  const manager = agent.startsWith('pnpm/') ? 'pnpm' : agent.startsWith('yarn/') ? 'yarn' : agent.startsWith('npm/') ? 'npm' : undefined;
  if (event === 'npx') return 'npx hptune';
  if (event === 'hptune') return manager === 'npm' || manager === undefined ? 'npm run hptune --' : `${manager} hptune`;
  if (event === undefined && (manager === 'pnpm' || manager === 'yarn')) return `${manager} hptune`;
  return 'hptune';
}

/** hptune's commands: a mention of one of them in a hint is a command line to rewrite. */
const COMMANDS = ['study', 'jobs', 'launch', 'train', 'tb', 'tensorboard', 'dashboard'];
const MENTION = new RegExp(`(?<![\\w@/.-])hptune (?=(?:${COMMANDS.join('|')})\\b)`, 'g');

/**
 * Rewrites every `hptune <command>` in `text` the way the user invoked hptune
 * (see {@link invocationOf}): `hptune study resume seed` becomes `pnpm hptune study resume seed`
 * after `pnpm hptune ...`. `hptune:` at the start of a message is a name, not a command, and stays.
 */
export function speakAsInvoked(text: string, env: Readonly<Record<string, string | undefined>>): string {
  const invocation = invocationOf(env);
  return invocation === 'hptune' ? text : text.replace(MENTION, `${invocation} `);
}
