// Where a blob lives: `ab/cd/<sha256>`, a pure function of the hash (reliability A2, P1).
const SHA256 = /^[0-9a-f]{64}$/;

export function blobKey(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error("blob key requested for a value that is not a sha256");
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

export function isBlobName(name: string): boolean {
  return SHA256.test(name);
}
