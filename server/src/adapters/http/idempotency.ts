import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '@lifeline/protocol';
import type { Db } from '../store/db.ts';
import { claimKey, recordAnswer, releaseClaim, takeOver, type Claim, type KeyRow } from '../store/idempotency.ts';

/** What a command answers: status and body, as sent (and replayed). */
export interface Answer {
  status: number;
  body: unknown;
}

export interface IdempotentCommand {
  /**
   * Runs the command. With a claim, a command that creates something checks it in its own
   * transaction (`holdClaim`) and returns null when the claim was taken over meanwhile.
   */
  run(claim: Claim | null): Promise<Answer | null>;
  /** The answer for a resource the first request created but could not answer for. */
  rebuild?(resourceId: string): Promise<Answer>;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{8,255}$/;
/** How long a retry waits for the first request with its key to answer. */
const WAIT_MS = 15_000;
/** A claim this old with no answer is taken to be dead (its request failed or its server died). */
const STALE_MS = 30_000;
const POLL_MS = 50;

/**
 * Runs a command once per Idempotency-Key (per user): the first request with a key executes it
 * and its answer is stored; a retry (also one running at the same time) gets that same answer.
 * The same key with a different request is refused (422). Without the header the command runs.
 */
export async function idempotent(db: Db, req: FastifyRequest, reply: FastifyReply, cmd: IdempotentCommand): Promise<FastifyReply> {
  const header = req.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return send(reply, (await cmd.run(null))!);
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    return reply.code(400).send({ code: 'BAD_REQUEST', message: 'Idempotency-Key must be 8–255 visible ASCII characters' } satisfies ErrorBody);
  }
  const route = `${req.method} ${req.routeOptions.url ?? ''}`;
  const hash = createHash('sha256').update(JSON.stringify([route, req.params ?? null, req.body ?? null])).digest('base64url');
  const base = { userId: req.user!.id, key: header };
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const claim: Claim = { ...base, token: randomUUID() };
    const got = await claimKey(db, { ...claim, route, hash });
    let mine = got.claimed;
    if (!got.claimed) {
      const row = got.row;
      if (row.route !== route || row.request_hash !== hash) {
        return reply.code(422).send({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for another request' } satisfies ErrorBody);
      }
      if (row.response_status !== null) return send(reply, { status: row.response_status, body: row.response_body });
      if (isDead(row)) {
        if (row.resource_id !== null && cmd.rebuild) {
          const answer = await cmd.rebuild(row.resource_id);
          if (await takeOver(db, claim, row.claim)) await recordAnswer(db, claim, answer.status, answer.body);
          return send(reply, answer);
        }
        mine = await takeOver(db, claim, row.claim);
      }
      if (!mine) {
        if (Date.now() > deadline) {
          return reply.code(409).send({ code: 'IDEMPOTENCY_KEY_IN_USE', message: 'a request with this Idempotency-Key is still running; retry later' } satisfies ErrorBody);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
    }
    let answer: Answer | null;
    try {
      answer = await cmd.run(claim);
    } catch (err) {
      await releaseClaim(db, claim).catch(() => undefined);
      throw err;
    }
    if (answer === null) continue; // taken over while we ran: the new holder answers
    if (answer.status < 500) await recordAnswer(db, claim, answer.status, answer.body);
    else await releaseClaim(db, claim).catch(() => undefined);
    return send(reply, answer);
  }
}

/** Released by a failed request, or held past any bound a live request could take. */
const isDead = (row: KeyRow) => row.claim === null || Date.now() - row.claimed_at.getTime() > STALE_MS;

const send = (reply: FastifyReply, a: Answer) => reply.code(a.status).send(a.body);
