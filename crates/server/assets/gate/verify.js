// Verifies a pass in the browser, as the server's `passes::verify` does, for a gate with no
// network: base45 (RFC 9285), zlib, a tagged COSE_Sign1 (RFC 9052) signed with Ed25519, its
// CWT claims (RFC 8392); then the gate's own rules from its cached revocation list and its own
// log. Refusal codes are the server's, so the page shows the same reasons either way.

import { decode, encode } from '/assets/vendor/cborg/cborg.js';
import { verifyAsync } from '/assets/vendor/noble-ed25519/index.js';

const PREFIX = 'GW1:';
const MAX_CODE_CHARS = 2000;
// A forged code must not make the phone inflate a bomb: a pass is a few hundred bytes.
const MAX_MESSAGE_BYTES = 4096;
const COSE_SIGN1_TAG = 18;
const EDDSA = -8;
const CLAIM = { iss: 1, exp: 4, iat: 6, passId: -70001, kind: -70002, household: -70003, gates: -70004, quota: -70005, colour: -70006 };
/** A pass shown again the same way within this many seconds was handed back over the fence. */
const PASSBACK_SECONDS = 24 * 3600;
const FEVER_TENTHS = 373;

/** A code the gate refuses, with the server's refusal code. */
export class Refusal extends Error {
  constructor(code, nextExitAt = null) {
    super(code);
    this.code = code;
    this.nextExitAt = nextExitAt;
  }
}

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** RFC 9285 decoding, strict: a wrong character, length or value is a damaged code. */
export function base45Decode(text) {
  if (text.length % 3 === 1) throw new Refusal('pass_malformed');
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const digits = [...text.slice(i, i + 3)].map((c) => B45.indexOf(c));
    if (digits.some((d) => d < 0)) throw new Refusal('pass_malformed');
    const n = digits.reduce((acc, d, k) => acc + d * 45 ** k, 0);
    if (digits.length === 3) {
      if (n > 0xffff) throw new Refusal('pass_malformed');
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new Refusal('pass_malformed');
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

/** zlib inflate with the browser's own DecompressionStream, cut off past the limit. */
async function inflate(bytes) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_MESSAGE_BYTES) {
      await reader.cancel();
      throw new Refusal('pass_malformed');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function cbor(bytes, tags = []) {
  try {
    return decode(bytes, { useMaps: true, tags, rejectDuplicateMapKeys: true });
  } catch {
    throw new Refusal('pass_malformed');
  }
}

export const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The public keys of a COSE_KeySet, by key id in hex. */
export function parseKeySet(bytes) {
  const keys = new Map();
  for (const k of cbor(bytes)) {
    const x = k.get(-2);
    const kid = k.get(2);
    if (x instanceof Uint8Array && x.length === 32 && kid instanceof Uint8Array) keys.set(hex(kid), x);
  }
  return keys;
}

const int = (v) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Refusal('pass_malformed');
  return v;
};
const text = (v) => {
  if (typeof v !== 'string') throw new Refusal('pass_malformed');
  return v;
};

function claimsOf(map) {
  if (!(map instanceof Map)) throw new Refusal('pass_malformed');
  const gates = map.get(CLAIM.gates);
  const quota = map.get(CLAIM.quota);
  if (!Array.isArray(gates) || !Array.isArray(quota) || quota.length !== 2) throw new Refusal('pass_malformed');
  return {
    issuer: text(map.get(CLAIM.iss)),
    issuedAt: int(map.get(CLAIM.iat)),
    expiresAt: int(map.get(CLAIM.exp)),
    passId: int(map.get(CLAIM.passId)),
    kind: text(map.get(CLAIM.kind)),
    householdId: int(map.get(CLAIM.household)),
    gates: gates.map(int),
    quota: { exits: int(quota[0]), days: int(quota[1]) },
    colour: text(map.get(CLAIM.colour)),
  };
}

/** Reads a code and checks its signature and validity at `now` (seconds); its claims. */
export async function verifyPass(code, keys, now) {
  code = code.trim();
  if (code.length > MAX_CODE_CHARS) throw new Refusal('pass_malformed');
  if (!code.startsWith(PREFIX)) throw new Refusal('pass_not_a_pass');
  let message;
  try {
    message = await inflate(base45Decode(code.slice(PREFIX.length)));
  } catch (e) {
    throw e instanceof Refusal ? e : new Refusal('pass_malformed');
  }
  const sign1 = cbor(message, { [COSE_SIGN1_TAG]: (inner) => inner() });
  if (!Array.isArray(sign1) || sign1.length !== 4) throw new Refusal('pass_malformed');
  const [protectedBytes, , payload, signature] = sign1;
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new Refusal('pass_malformed');
  }
  const header = cbor(protectedBytes);
  if (!(header instanceof Map) || header.get(1) !== EDDSA) throw new Refusal('pass_malformed');
  const kid = header.get(4);
  const key = kid instanceof Uint8Array ? keys.get(hex(kid)) : undefined;
  if (!key) throw new Refusal('pass_unknown_key');
  const signed = encode(['Signature1', protectedBytes, new Uint8Array(0), payload]);
  let good = false;
  try {
    good = signature.length === 64 && (await verifyAsync(signature, signed, key, { zip215: false }));
  } catch {
    good = false;
  }
  if (!good) throw new Refusal('pass_bad_signature');
  const claims = claimsOf(cbor(payload));
  if (now < claims.issuedAt) throw new Refusal('pass_not_yet_valid');
  if (now >= claims.expiresAt) throw new Refusal('pass_expired');
  return claims;
}

/**
 * The gate's rules on a pass whose signature holds, from what the phone knows offline: the
 * gate (closed, opening hours at `minute` past local midnight, directions), the cached
 * revocation list, and the passages it recorded itself
 * (`log`: { pass_id, kind, household_id, direction, at (ms), result }), at `at` (ms); only
 * household passes' exits count against the household's quota. Throws a Refusal.
 */
export function judge(claims, { gateId, closed, hours, minute, gateDirection, direction, temperature, revocations, log, at }) {
  const now = Math.floor(at / 1000);
  // Opening hours `[opens, closes]` in minutes past local midnight; a range may run past it.
  const open = !hours || (hours[0] <= hours[1] ? minute >= hours[0] && minute < hours[1] : minute >= hours[0] || minute < hours[1]);
  if (closed || !open) throw new Refusal('gate_closed');
  if (gateDirection !== 'both' && gateDirection !== direction) throw new Refusal('gate_wrong_direction');
  if (revocations?.revoked?.includes(claims.passId)) throw new Refusal('pass_revoked');
  if (revocations?.suspended?.includes(claims.passId)) throw new Refusal('pass_suspended');
  if (claims.gates.length > 0 && !claims.gates.includes(gateId)) throw new Refusal('pass_wrong_gate');
  const through = log.filter((p) => p.result !== 'refused' && p.at <= at);
  const last = through.filter((p) => p.pass_id === claims.passId).sort((a, b) => b.at - a.at)[0];
  if (last && last.direction === direction && now - Math.floor(last.at / 1000) < PASSBACK_SECONDS) {
    throw new Refusal('pass_presented_twice');
  }
  const tenths = Math.round(Number(temperature) * 10);
  if (temperature && tenths >= FEVER_TENTHS) throw new Refusal('passage_fever');
  const { exits, days } = claims.quota;
  if (direction === 'out' && claims.kind === 'household' && exits > 0) {
    const window = days * 86400;
    const within = through
      .filter((p) => p.household_id === claims.householdId && p.direction === 'out' && (p.kind ?? 'household') === 'household')
      .map((p) => Math.floor(p.at / 1000))
      .filter((t) => now - t < window)
      .sort((a, b) => a - b);
    if (within.length >= exits) throw new Refusal('pass_quota_used', (within[within.length - exits] + window) * 1000);
  }
}
