import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { ADDRESS_RULE, isLoopbackAddress, isPublicAddress } from '../../domain/webhook.ts';

/** ResolveHost gives every address a host name resolves to, as dns.lookup with `all` does. */
export type ResolveHost = (host: string) => Promise<readonly LookupAddress[]>;

/** resolveHost resolves with the system resolver (getaddrinfo: /etc/hosts, then DNS), as connections do. */
export const resolveHost: ResolveHost = (host) => dnsLookup(host, { all: true, verbatim: true });

/** AddressRefused is the error of a connection refused because its host is, or resolves to, a forbidden address. */
export class AddressRefused extends Error {
  override readonly name = 'AddressRefused';
  readonly code = 'EADDRREFUSED';
}

/**
 * allowedAddressesFor is the rule for a webhook URL's addresses: public ones only for https, and this
 * machine only for plain http (which registration admits only to this machine, under
 * COLDTRACE_WEBHOOK_ALLOW_HTTP, for development).
 */
export function allowedAddressesFor(url: URL): (ip: string) => boolean {
  return url.protocol === 'https:' ? isPublicAddress : isLoopbackAddress;
}

/**
 * checkedAddresses resolves host and returns its addresses when every one of them is allowed; one
 * forbidden address refuses the host whole, since a connection may go to any of them.
 */
export async function checkedAddresses(
  host: string,
  allowed: (ip: string) => boolean,
  resolve: ResolveHost,
): Promise<readonly LookupAddress[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolve(bare);
  const bad = addresses.find((a) => !allowed(a.address));
  if (bad) throw new AddressRefused(`refused: ${host} is or resolves to ${bad.address}; ${ADDRESS_RULE}`);
  if (addresses.length === 0) throw new AddressRefused(`refused: ${host} resolves to no address`);
  return addresses;
}

/**
 * guardedLookup is a `lookup` for http(s).request: it resolves, checks every address, and hands the
 * connection only the addresses it checked, so the address connected to is the address judged and a
 * DNS answer that changes between check and connection (rebinding) gains nothing.
 */
export function guardedLookup(allowed: (ip: string) => boolean, resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    checkedAddresses(hostname, allowed, resolve).then(
      (addresses) => {
        const family = typeof options.family === 'number' ? options.family : 0;
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(new AddressRefused(`refused: ${hostname} has no IPv${family} address`), '', 0);
          return;
        }
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [...usable]);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** REGISTRATION_LOOKUP_MS bounds the name lookup of a registration; a name that does not answer in time is checked at delivery. */
const REGISTRATION_LOOKUP_MS = 3000;

/**
 * registrationAddressProblem resolves the host of an https webhook URL and returns why it is refused
 * (it is, or resolves to, a forbidden address), or null. A name that does not resolve now is admitted:
 * every delivery resolves and checks again before it connects.
 */
export async function registrationAddressProblem(url: string, resolve: ResolveHost): Promise<string | null> {
  const u = new URL(url);
  if (u.protocol !== 'https:') return null;
  const timeout = new Promise<null>((ok) => setTimeout(() => ok(null), REGISTRATION_LOOKUP_MS).unref());
  const check = checkedAddresses(u.hostname, allowedAddressesFor(u), resolve).then(
    () => null,
    (err: unknown) => (err instanceof AddressRefused ? err.message.replace(/^refused: /, '') : null),
  );
  return Promise.race([check, timeout]);
}
