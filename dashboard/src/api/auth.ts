import type { LoginNotice, User } from '@gridwatch/devices/api';
import { get, post } from './http.ts';

/** Sets the HttpOnly session cookie. The reply's bearer token is for other clients; the page drops it. */
export const login = async (
  username: string,
  password: string,
): Promise<{ user: User; notice: LoginNotice }> => {
  const { user, notice } = await post<{ user: User; notice: LoginNotice }>('/api/auth/login', {
    username,
    password,
  });
  return { user, notice };
};
export const logout = () => post<unknown>('/api/auth/logout');
export const me = () => get<User | { user: User }>('/api/auth/me');
