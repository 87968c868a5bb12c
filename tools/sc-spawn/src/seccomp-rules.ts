import { readFileSync, rmSync } from 'node:fs';
import { release } from 'node:os';
import { CAPABILITIES, compileSeccomp, DEFAULT_CAP_NAMES, parseSeccompProfile, StepError, writeFileAtomic, type Doc, type SeccompProfile } from '@sc/core';
import { noMknod } from './init-args.js';

/**
 * Compile the container's seccomp profile into rules at FILE for sc-init and sc-enter, or remove FILE
 * and return undefined when it runs unconfined: --seccomp unconfined, or --privileged without a profile.
 */
export async function writeSeccompRules(doc: Doc, file: string): Promise<{ file: string; text: string } | undefined> {
  const choice = doc.spec.seccomp ?? (doc.spec.privileged ? 'unconfined' : 'default');
  if (choice === 'unconfined') {
    rmSync(file, { force: true });
    return undefined;
  }
  let profile: SeccompProfile;
  if (choice === 'default') {
    profile = (await import('@sc/core/seccomp-default')).DEFAULT_SECCOMP_PROFILE;
  } else {
    let text: string;
    try {
      text = readFileSync(choice, 'utf8');
    } catch (err) {
      throw new StepError('ENOENT', `cannot read the container's seccomp profile ${choice}: ${(err as Error).message}`);
    }
    try {
      profile = parseSeccompProfile(text, choice);
    } catch (err) {
      throw new StepError('EINVAL', (err as Error).message); // changed since sc run checked it
    }
  }
  // The capabilities a profile's includes and excludes are judged by: the application's own (sc-oci), or sc's sets.
  const caps = doc.spec.process?.capabilities.bounding ?? (doc.spec.privileged ? CAPABILITIES : DEFAULT_CAP_NAMES.filter((c) => !(c === 'CAP_MKNOD' && noMknod(doc))));
  const text = compileSeccomp(profile, { caps, arch: process.arch, kernel: release(), source: choice });
  writeFileAtomic(file, text);
  return { file, text };
}
