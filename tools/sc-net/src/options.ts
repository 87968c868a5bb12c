import { SPEC_OPTIONS, StepError, type OptionSpec, UsageError, specFromOptions, type Options, type Spec } from '@sc/core';

const NET_FLAGS = ['net', 'parent', 'ip', 'gateway', 'dns', 'mac', 'macvlan-mode'] as const;
export type NetSpec = NonNullable<Spec['net']>;

export const ATTACH_OPTIONS: Record<string, OptionSpec> = {
  ...Object.fromEntries(NET_FLAGS.map((k) => [k, SPEC_OPTIONS[k]])),
  'dhcp-timeout': { type: 'string', value: 'SECONDS', description: 'how long to wait for a DHCP lease (default 10)' },
};

/** The spec.net the flags describe, or undefined when no net flag was given (the saved spec.net is used then). */
export function netSpecFromFlags(options: Options): NetSpec | undefined {
  const picked: Options = {};
  for (const k of NET_FLAGS) if (options[k] !== undefined) picked[k] = options[k];
  return specFromOptions(picked).net;
}

export function dhcpTimeout(options: Options): number {
  const text = options['dhcp-timeout'];
  if (text === undefined) return 10;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 300)
    throw new UsageError(`--dhcp-timeout ${JSON.stringify(text)} must be a whole number of seconds from 1 to 300`);
  return Number(text);
}

/** A saved spec.net comes from an older run of sc: check the parts attach relies on. */
export function checkNetSpec(net: NetSpec): void {
  if (!['none', 'static', 'dhcp'].includes(net.mode))
    throw new StepError('EINVAL', `spec.net.mode ${JSON.stringify(net.mode)} is not none, static or dhcp; attach again with --net`);
  if (net.mode !== 'none' && !net.parent)
    throw new StepError('EINVAL', `spec.net has mode ${net.mode} but no parent device; attach again with --parent DEV`);
  if (net.mode === 'static' && (!net.address || !net.gateway))
    throw new StepError('EINVAL', 'spec.net has mode static but no address or gateway; attach again with --ip and --gateway');
}
