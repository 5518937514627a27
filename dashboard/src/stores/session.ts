import type { LoginNotice, User } from '@gridwatch/devices/api';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as auth from '../api/auth.ts';

/**
 * Who is signed in. The session itself is the HttpOnly cookie, which survives a reload of
 * the wall screen; the page keeps only the user it belongs to, never the token.
 */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null);
  const signedIn = computed(() => user.value !== null);
  /** Failed attempts on the account since the previous login, until the user dismisses it. */
  const notice = ref<LoginNotice | null>(null);

  async function login(username: string, password: string) {
    const res = await auth.login(username, password);
    user.value = res.user;
    notice.value = res.notice?.failedAttempts ? res.notice : null;
  }

  /** Checks the cookie's session; false when there is none, it expired or the server is unreachable. */
  async function restore(): Promise<boolean> {
    if (user.value) return true;
    try {
      const body = await auth.me();
      user.value = 'user' in body ? body.user : body;
      return true;
    } catch {
      return false;
    }
  }

  async function logout() {
    await auth.logout().catch(() => {});
    user.value = null;
    notice.value = null;
  }

  return { user, signedIn, notice, login, restore, logout };
});
