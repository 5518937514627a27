import type { LoginNotice, User } from '@gridwatch/devices/api';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as auth from '../api/auth.ts';
import { ApiError, tokenStorage } from '../api/http.ts';

/** Who is signed in. The token is remembered in localStorage so a wall screen survives a reload. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null);
  const token = ref<string | null>(tokenStorage.get());
  const signedIn = computed(() => user.value !== null);
  /** Failed attempts on the account since the previous login, until the user dismisses it. */
  const notice = ref<LoginNotice | null>(null);

  async function login(username: string, password: string) {
    const res = await auth.login(username, password);
    tokenStorage.set(res.token);
    token.value = res.token;
    user.value = res.user;
    notice.value = res.notice?.failedAttempts ? res.notice : null;
  }

  /** Checks the remembered session; false when there is none or it expired. Network errors keep it. */
  async function restore(): Promise<boolean> {
    if (user.value) return true;
    try {
      const body = await auth.me();
      user.value = 'user' in body ? body.user : body;
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        tokenStorage.clear();
        token.value = null;
      }
      return false;
    }
  }

  async function logout() {
    await auth.logout().catch(() => {});
    tokenStorage.clear();
    token.value = null;
    user.value = null;
    notice.value = null;
  }

  return { user, token, signedIn, notice, login, restore, logout };
});
