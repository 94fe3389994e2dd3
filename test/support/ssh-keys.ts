// ed25519 key pairs for tests. ssh2 1.17's generateKeyPairSync strips leading zero bytes from the
// public key, so about 1 pair in 256 cannot be parsed back (mscdex/ssh2#1390, #1513); this
// draws again, a bounded number of times, until both halves parse.
import ssh2 from 'ssh2';

type KeyOptions = Parameters<typeof ssh2.utils.generateKeyPairSync>[1];

/** A key pair ssh2 can parse again (with `options.passphrase` for an encrypted private key). */
export function ed25519KeyPair(options?: KeyOptions): { private: string; public: string } {
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair = options
      ? ssh2.utils.generateKeyPairSync('ed25519', options)
      : ssh2.utils.generateKeyPairSync('ed25519');
    const passphrase = (options as { passphrase?: string } | undefined)?.passphrase;
    const priv = ssh2.utils.parseKey(pair.private, passphrase);
    const pub = ssh2.utils.parseKey(pair.public);
    if (!(priv instanceof Error) && !(pub instanceof Error)) return pair;
  }
  throw new Error('ssh2 generated 16 unparseable ed25519 key pairs in a row');
}
