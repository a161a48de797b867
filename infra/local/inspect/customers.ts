import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { Profile } from '#shared/profile/profile.ts';
import { PROFILES_TABLE } from '#shared/tables.ts';
import { type DataSource, withData } from '../runtime/data.ts';

/** A customer's profile, read through the repository the handlers use; undefined when there is none. */
export async function readProfile(source: DataSource, userId: string): Promise<Profile | undefined> {
  return withData(source, async ({ doc, table }) => {
    const name = table(PROFILES_TABLE);
    const { Item } = await doc.send(new GetCommand({ TableName: name, Key: { userId } }));
    if (Item === undefined) return undefined;
    return (await new ProfilesRepository(doc, name).get(userId)).profile;
  });
}
