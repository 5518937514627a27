import type { LoginNotice, User } from '@gridwatch/devices/api';
import { get, post } from './http.ts';

export const login = (username: string, password: string) =>
  post<{ token: string; user: User; notice: LoginNotice }>('/api/auth/login', { username, password });
export const logout = () => post<unknown>('/api/auth/logout');
export const me = () => get<User | { user: User }>('/api/auth/me');
