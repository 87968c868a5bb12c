import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepError, type DeviceRule } from '@sc/core';

/** The standard nodes of a container's /dev (null zero full random urandom tty ptmx, the pts): all a confined one may use. */
export const STANDARD_DEVICES = ['c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm'];

/** v1 devices.list once the rules are in: everything for a privileged container, else the standard nodes only. */
export function deviceList(privileged: boolean): string[] {
  return privileged ? ['a *:* rwm'] : STANDARD_DEVICES;
}

/** The writes that turn any devices cgroup into deviceList(privileged), in order. */
export function deviceWrites(privileged: boolean): { file: string; value: string }[] {
  if (privileged) return [{ file: 'devices.allow', value: 'a' }];
  return [{ file: 'devices.deny', value: 'a' }, ...STANDARD_DEVICES.map((value) => ({ file: 'devices.allow', value }))];
}

/** Write the rules unless the cgroup already has them, so re-creating a running container never denies it /dev/null. */
export function applyDeviceRules(dir: string, privileged: boolean): void {
  const sorted = (lines: string[]) => lines.filter(Boolean).sort().join('\n');
  try {
    if (sorted(readFileSync(join(dir, 'devices.list'), 'utf8').split('\n')) === sorted([...deviceList(privileged)])) return;
  } catch (err) {
    throw stepError(err, `cannot read ${join(dir, 'devices.list')}`);
  }
  for (const w of deviceWrites(privileged)) {
    try {
      writeFileSync(join(dir, w.file), w.value);
    } catch (err) {
      throw stepError(err, `cannot write ${w.value} to ${join(dir, w.file)}`);
    }
  }
}

/** One rule of an OCI config as a devices.allow or devices.deny write ("a" alone for all devices). */
export function ruleWrite(rule: DeviceRule): { file: string; value: string } {
  const file = rule.allow ? 'devices.allow' : 'devices.deny';
  const any = rule.major === undefined && rule.minor === undefined && rule.access.length === 3;
  if (rule.type === 'a' && any) return { file, value: 'a' };
  return { file, value: `${rule.type} ${rule.major ?? '*'}:${rule.minor ?? '*'} ${rule.access}` };
}

/**
 * The config's rules in order, then the standard nodes (as runc appends its defaults: a container always has
 * its /dev/null). Written once, into a devices cgroup just made: rewriting a running container's rules would
 * deny it everything for a moment.
 */
export function applyRules(dir: string, rules: readonly DeviceRule[]): void {
  for (const w of [...rules.map(ruleWrite), ...STANDARD_DEVICES.map((value) => ({ file: 'devices.allow', value }))]) {
    try {
      writeFileSync(join(dir, w.file), w.value);
    } catch (err) {
      throw stepError(err, `cannot write ${w.value} to ${join(dir, w.file)}`);
    }
  }
}
