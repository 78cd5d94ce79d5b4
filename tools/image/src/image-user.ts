/** The account the image's processes run as, resolved through the image's own /etc/passwd. */
export interface ImageUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Resolves a Dockerfile `USER` (`name`, `uid`, `name:group`, `uid:gid`) against the image's
 * /etc/passwd. An empty USER is root, as the engines run it.
 *
 * @returns the account, or a sentence saying why there is none.
 * @example
 * resolveImageUser('node', 'node:x:1000:1000::/home/node:/bin/bash'); // { name: 'node', uid: 1000, gid: 1000 }
 */
export const resolveImageUser = (user: string, passwd: string): ImageUser | string => {
  const [who = '', group] = user.split(':');
  const accounts = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 4)
    .map(([name = '', , uid = '', gid = '']) => ({ name, uid: Number(uid), gid: Number(gid) }));
  const account =
    who === ''
      ? { name: 'root', uid: 0, gid: 0 }
      : /^\d+$/.test(who)
        ? (accounts.find((each) => each.uid === Number(who)) ?? { name: who, uid: Number(who), gid: Number(who) })
        : accounts.find((each) => each.name === who);
  if (account === undefined) return `its USER "${user}" is no account of the image's /etc/passwd`;
  return group !== undefined && /^\d+$/.test(group) ? { ...account, gid: Number(group) } : account;
};
