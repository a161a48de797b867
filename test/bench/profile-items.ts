import { packSeen } from '#functions/_lib/profile-counter.ts';
import { readProfileItem } from '#functions/_lib/profile-item.ts';
import { frozen } from '#infra/simulate/dynamo/documents.ts';
import { packDoc, unpackDoc } from '#infra/simulate/dynamo/packed.ts';

/**
 * What a forecast pays per profile for the calls it makes most: packing a
 * profile item and unpacking it (the in-memory tables, after every wait at
 * 100,000 customers) and reading it into a profile (every handler). CPU per
 * call, for a profile as the example journey leaves it.
 */

const ROUNDS = 50_000;
const AT = Date.parse('2026-03-02T08:00:00.000Z');

function exampleProfile(): Record<string, unknown> {
  return frozen({
    userId: 'sim-808',
    rm: [4115255947770484, 3429360528951593, 2621478479431525],
    fv: 5,
    't:timezone': 'Europe/Rome',
    't:email': 'customer-808@example.com',
    't:phone': '+393330000808',
    't:consent': { email: true, sms: true, push: true },
    't:firstName': 'Anna',
    't:testAccount': false,
    email: 'customer-808@example.com',
    phone: '+393330000808',
    timezone: 'Europe/Rome',
    'tok:token-1-808': ['APNS', AT],
    'cs:email': 'subscribed',
    'cs:sms': 'subscribed',
    'cs:push': 'subscribed',
    ta: AT,
    tc: 3,
    'c:Cart Updated': packSeen(1, AT),
    'l:Cart Updated': AT,
    'sends:email': [AT + 3_600_000],
    skd: 30,
    sendsVersion: 2,
    'sends:sms': [AT + 90_000_000],
    'c:Order Completed': packSeen(1, AT + 142_000_000),
    'l:Order Completed': AT + 142_000_000,
    'x:Order Completed': ['sim-1-808-b0', AT + 142_000_000, { cartId: 'cart-808', total: 137.46 }],
  });
}

function microsPerCall(run: () => unknown): number {
  for (let i = 0; i < 2_000; i++) run();
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ROUNDS;
}

export function runProfileItemsBench(): void {
  const item = exampleProfile();
  const text = packDoc(item);
  const row = (label: string, value: string) => console.log(`${label.padEnd(19)}${value.padStart(8)}`);
  console.log('Profile items: CPU per call (µs)');
  row('pack', microsPerCall(() => packDoc(item)).toFixed(2));
  row('unpack', microsPerCall(() => unpackDoc(text)).toFixed(2));
  row('readProfileItem', microsPerCall(() => readProfileItem('sim-808', item)).toFixed(2));
  row('packed characters', String(text.length));
}
