import { CAPABILITIES, writeOut } from '@sc/core';
import type { Command } from './command.js';

/** runtime-spec's features document: what this runtime honours (all else in a config is refused). */
export const FEATURES = {
  ociVersionMin: '1.0.0',
  ociVersionMax: '1.1.0',
  hooks: ['prestart', 'createRuntime', 'poststart', 'poststop'],
  mountOptions: ['async', 'atime', 'bind', 'defaults', 'dev', 'diratime', 'dirsync', 'exec', 'iversion', 'lazytime', 'loud', 'mand',
    'noatime', 'nodev', 'nodiratime', 'noexec', 'noiversion', 'nolazytime', 'nomand', 'norelatime', 'nostrictatime', 'nosuid',
    'nosymfollow', 'private', 'rbind', 'relatime', 'ro', 'rprivate', 'rshared', 'rslave', 'runbindable', 'rw', 'shared', 'silent',
    'slave', 'strictatime', 'suid', 'symfollow', 'sync', 'unbindable'],
  linux: {
    namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'],
    capabilities: CAPABILITIES,
    cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
    seccomp: {
      enabled: true,
      actions: ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_LOG', 'SCMP_ACT_TRAP'],
      operators: ['SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_LE', 'SCMP_CMP_LT', 'SCMP_CMP_MASKED_EQ', 'SCMP_CMP_NE'],
      archs: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
      knownFlags: [],
      supportedFlags: [],
    },
    apparmor: { enabled: false },
    selinux: { enabled: false },
    intelRdt: { enabled: false },
    mountExtensions: { idmap: { enabled: false } },
  },
  annotations: { 'org.opencontainers.runtime-spec.features.runtime': 'sc-oci' },
};

export const features: Command = {
  summary: "print what sc-oci supports (runtime-spec's features document)",
  usage: '',
  flags: {},
  async run() {
    writeOut(`${JSON.stringify(FEATURES, null, 2)}\n`);
    return 0;
  },
};
