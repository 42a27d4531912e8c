/** Roles in increasing order of power: each can do what the ones before it can. */
export const roles = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(needed);
}

/** Who a request is: the token it authenticated with (directly or through a session). */
export interface Principal {
  tokenId: string;
  role: Role;
  label: string | null;
  via: 'bearer' | 'session';
}
