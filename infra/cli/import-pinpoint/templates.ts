import type { Channel } from '../../../shared/channels.ts';
import { PLACEHOLDER_MARK } from '../../../shared/template-placeholder.ts';
import type { Template } from '../../../shared/templates.ts';
import { type ImportLog, pathOf } from './notes.ts';
import type { PinpointActivity } from './schema.ts';

/**
 * A template the imported journey references: the exported Pinpoint template's
 * content, or (`placeholder`) content to replace.
 */
export type ImportedTemplate = { name: string; template: Template; placeholder: boolean };

const MESSAGE_TYPES = [
  ['EMAIL', 'email'],
  ['SMS', 'sms'],
  ['PUSH', 'push'],
] as const;

function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return safe === '' ? 'template' : safe;
}

/** Pinpoint template names and the channels each is used on. */
export type TemplateUses = ReadonlyMap<string, ReadonlySet<Channel>>;

/** The template names the activities use, with their channels, added to `into`. */
export function templateUses(
  activities: Readonly<Record<string, PinpointActivity>>,
  into: Map<string, Set<Channel>> = new Map(),
): Map<string, Set<Channel>> {
  for (const activity of Object.values(activities)) {
    for (const [type, channel] of MESSAGE_TYPES) {
      const name = activity[type]?.TemplateName;
      if (name === undefined) continue;
      into.set(name, (into.get(name) ?? new Set()).add(channel));
    }
  }
  return into;
}

/**
 * Plans template names. Pinpoint keys templates by name and channel, a file
 * here by name alone: a name used on several channels gets a `-<channel>` suffix.
 * `shared` are the uses of the other journeys imported with this one (templates
 * are the application's), so each Pinpoint template gets the same file in all.
 */
export function planTemplateNames(
  activities: Readonly<Record<string, PinpointActivity>>,
  log: ImportLog,
  shared: TemplateUses = new Map(),
): (pinpointName: string, channel: Channel) => string {
  const channels = templateUses(activities);
  for (const [name, used] of shared) channels.set(name, new Set([...(channels.get(name) ?? []), ...used]));
  // Names are given in a stable order, and unique ignoring case (as a file system may compare them):
  // two Pinpoint templates that reduce to one file name must not share one file.
  const assigned = new Map<string, string>();
  const taken = new Set<string>();
  const nameOf = (pinpointName: string, channel: Channel): string => {
    const key = JSON.stringify([pinpointName, channel]);
    const known = assigned.get(key);
    if (known !== undefined) return known;
    const shared = (channels.get(pinpointName)?.size ?? 0) > 1;
    const base = shared ? `${fileSafe(pinpointName)}-${channel}` : fileSafe(pinpointName);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    assigned.set(key, name);
    return name;
  };
  for (const pinpointName of [...channels.keys()].sort())
    for (const channel of [...(channels.get(pinpointName) ?? [])].sort()) nameOf(pinpointName, channel);
  const noted = new Set<string>();
  return (pinpointName, channel) => {
    const shared = (channels.get(pinpointName)?.size ?? 0) > 1;
    const name = nameOf(pinpointName, channel);
    if (name !== pinpointName && !noted.has(`${pinpointName}/${channel}`)) {
      noted.add(`${pinpointName}/${channel}`);
      log.note(
        pathOf('templates', pinpointName),
        `The ${channel} template "${pinpointName}" is the file templates/${name}.json${shared ? ' (the name is used on several channels)' : ''}.`,
      );
    }
    return name;
  };
}

/** Placeholder content of the right channel for a template: clearly marked, with no variables to fail a render. */
export function placeholderTemplate(name: string, channel: Channel): Template {
  const line = `${PLACEHOLDER_MARK}: replace with the content of the Pinpoint template "${name}".`;
  switch (channel) {
    case 'email':
      return { channel, subject: `[${PLACEHOLDER_MARK}] ${name}`, html: `<p>${line}</p>`, text: line };
    case 'sms':
      return { channel, body: line };
    case 'push':
      return { channel, title: `[${PLACEHOLDER_MARK}] ${name}`, body: line };
  }
}
