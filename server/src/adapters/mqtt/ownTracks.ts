import nacl from 'tweetnacl';

/** Most messages one OwnTracks payload (a JSON array) may carry; the app sends queued fixes this way. */
export const OWNTRACKS_MAX_ELEMENTS = 100;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The secretbox key OwnTracks derives from its passphrase: the UTF-8 bytes, zero-padded (or cut)
 * to 32 (owntracks.org/booklet/features/encrypt; the Recorder's `decrypt()` reads the key into a
 * zeroed 32-byte buffer).
 */
export function ownTracksKey(passphrase: string): Uint8Array {
  const key = new Uint8Array(nacl.secretbox.keyLength);
  key.set(Buffer.from(passphrase, 'utf8').subarray(0, key.length));
  return key;
}

/**
 * `_type: encrypted` → the JSON text inside: `data` is base64 of nonce (24 bytes) + libsodium
 * `crypto_secretbox_easy` ciphertext (XSalsa20-Poly1305), as the apps send it. Total: a wrong key
 * or a forged payload is an error, never a throw.
 */
export function decryptOwnTracks(data: unknown, passphrase: string): Decoded<string> {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return { ok: false, error: 'encrypted payload: data is not base64' };
  const bytes = new Uint8Array(Buffer.from(data, 'base64'));
  if (bytes.length < nacl.secretbox.nonceLength + nacl.secretbox.overheadLength) return { ok: false, error: 'encrypted payload: too short' };
  const opened = nacl.secretbox.open(bytes.subarray(nacl.secretbox.nonceLength), bytes.subarray(0, nacl.secretbox.nonceLength), ownTracksKey(passphrase));
  if (!opened) return { ok: false, error: 'encrypted payload: cannot be decrypted with the configured key (wrong key, or forged)' };
  return { ok: true, value: Buffer.from(opened).toString('utf8') };
}

/** Encrypts as the OwnTracks apps do (tests, and a user checking their key). */
export function encryptOwnTracks(json: string, passphrase: string, nonce: Uint8Array = nacl.randomBytes(nacl.secretbox.nonceLength)): string {
  const box = nacl.secretbox(new Uint8Array(Buffer.from(json, 'utf8')), nonce, ownTracksKey(passphrase));
  return Buffer.concat([nonce, box]).toString('base64');
}

/** A payload's messages: one object, or each element of an array (at most OWNTRACKS_MAX_ELEMENTS). */
export function ownTracksMessages(text: string): Decoded<unknown[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed JSON' };
  }
  if (Array.isArray(raw)) {
    if (raw.length > OWNTRACKS_MAX_ELEMENTS) return { ok: false, error: `more than ${OWNTRACKS_MAX_ELEMENTS} messages in one payload` };
    return { ok: true, value: raw };
  }
  return { ok: true, value: [raw] };
}

/** The `_type` of one message, or null. */
export function ownTracksType(m: unknown): string | null {
  const t = typeof m === 'object' && m !== null ? (m as { _type?: unknown })._type : undefined;
  return typeof t === 'string' ? t : null;
}
