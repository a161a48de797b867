/** A client's class, as the tests name it (SFNClient, SQSClient...). */
type ClientClass<C> = new (config: { region: string }) => C;

const made = new Map<ClientClass<unknown>, unknown>();

/**
 * The process's one client of a class whose calls the tests mock by class
 * (aws-sdk-client-mock stubs the class's `send`, so every instance answers
 * alike). Building a client resolves its whole configuration, about half a
 * millisecond of CPU, and the crash-point and fault tests build the
 * dependencies of every invocation anew: thousands of clients a run, none
 * ever sending a request.
 */
export function mockedClient<C>(Client: ClientClass<C>): C {
  let client = made.get(Client) as C | undefined;
  if (client === undefined) {
    client = new Client({ region: 'eu-west-1' });
    made.set(Client, client);
  }
  return client;
}
