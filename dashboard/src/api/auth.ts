import type { User } from '@gridwatch/devices/api';
import { get, post } from './http.ts';

export const login = (username: string, password: string) =>
  post<{ token: string; user: User }>('/api/auth/login', { username, password });
export const logout = () => post<unknown>('/api/auth/logout');
export const me = () => get<User | { user: User }>('/api/auth/me');
