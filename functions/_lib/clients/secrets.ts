import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazyClient } from '../clients.ts';

/** The Secrets Manager client of this process. */
export function secretsClient(): SecretsManagerClient {
  return lazyClient('secrets', (config) => new SecretsManagerClient(config));
}
