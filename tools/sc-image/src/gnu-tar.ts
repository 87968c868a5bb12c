/** GNU tar flags that reproduce an archive exactly: modes, owners by number, xattrs, devices, mtimes. */
export const EXACT_TAR = ['--xattrs', '--xattrs-include=*', '--numeric-owner'];
