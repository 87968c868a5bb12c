/** GNU tar flags that reproduce an archive exactly: modes, owners by number, xattrs, devices, mtimes. */
export const EXACT_TAR = ['--xattrs', '--xattrs-include=*', '--numeric-owner'];

/** Overlay's own bookkeeping in an upper layer, meaningless in a lower one; opaque and whiteouts stay. */
const OVERLAY_PRIVATE = ['origin', 'impure', 'nlink', 'upper', 'uuid', 'metacopy', 'redirect'].map((x) => `--xattrs-exclude=trusted.overlay.${x}`);

/**
 * A deterministic tar of a layer directory: sorted names, numeric owners, no atime/ctime, fixed pax
 * header names, so the same files give the same digest.
 */
export const DETERMINISTIC_TAR = [...EXACT_TAR, ...OVERLAY_PRIVATE, '--format=posix', '--sort=name', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'];
