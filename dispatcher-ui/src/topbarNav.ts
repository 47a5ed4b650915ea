import { createContext, type ReactNode } from 'react';

/**
 * Navigation that a page shell (the supervisor's and admin's tabs) puts into the dispatcher
 * screen's own top bar, so the dispatch tab has one bar, not two. Null: nothing to show.
 */
export const TopbarNav = createContext<ReactNode>(null);
