import type { User } from '@lifeline/protocol';
import { api } from '../../api.ts';

/**
 * - `checking`: asking the server who we are;
 * - `login`: the server wants a login (no session, or it expired);
 * - `in`: logged in as `user`;
 * - `open`: this server has no login (an older server): the console works without one.
 */
export type SessionState = { status: 'checking' } | { status: 'login'; expired: boolean } | { status: 'in'; user: User } | { status: 'open' };

/** Who is at the console. The live socket starts only once this says `in` or `open`. */
export class Session {
  private state: SessionState = { status: 'checking' };
  private readonly listeners = new Set<() => void>();

  get = (): SessionState => this.state;
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  async check(): Promise<void> {
    const r = await api.me();
    if (r.ok) this.set({ status: 'in', user: r.value });
    else if (r.status === 401) this.set({ status: 'login', expired: false });
    // 404: no auth routes on this server. A network error: carry on, the banner will say so.
    else this.set({ status: 'open' });
  }

  loggedIn(user: User): void {
    this.set({ status: 'in', user });
  }

  /** A request or the socket was refused: the session is gone. */
  expired(): void {
    if (this.state.status === 'in' || this.state.status === 'open') this.set({ status: 'login', expired: true });
  }

  async logout(): Promise<void> {
    await api.logout();
    this.set({ status: 'login', expired: false });
  }

  private set(s: SessionState): void {
    this.state = s;
    for (const l of this.listeners) l();
  }
}
