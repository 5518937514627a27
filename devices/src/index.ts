export * from './api.ts';
export * from './catalogue.ts';
export * from './credentials.ts';
export * from './geo.ts';
export * from './kinds.ts';
export * from './rules.ts';
export * from './schemas.ts';
export * from './topics.ts';
